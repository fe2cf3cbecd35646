"""The transactional outbox: records the server must receive are queued in the same unit of
work as their change, only once the installation is enrolled, drafts never."""

from __future__ import annotations

import json

import pytest
from estimate_support import JE
from mb_support import MB_AE, approve_mb, awarded, enrol_offline, new_mb

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.workflow import Action
from mukta_desktop.models import OutboxOperation
from mukta_desktop.services.database import Database
from mukta_desktop.services.measurement_books import act_mb, get_mb
from mukta_desktop.services.sync_setup import remember_enrolment
from mukta_desktop.sync import outbox


def _queued(db: Database) -> list[tuple[int, str, str, str | None]]:
    with db.read() as session:
        return [
            (op.seq, op.record_type, op.content_hash, op.action)
            for op in session.query(OutboxOperation).order_by(OutboxOperation.seq)
        ]


def _enrol(db: Database) -> int:
    return enrol_offline(db)


def test_nothing_is_queued_before_enrolment(db: Database) -> None:
    order = awarded(db)
    approve_mb(db, new_mb(db, order, "2").number)
    assert _queued(db) == []


def test_enrolment_queues_what_exists_dependencies_first(db: Database) -> None:
    order = awarded(db)
    approve_mb(db, new_mb(db, order, "2").number)
    new_mb(db, order, "1")  # a draft stays on the device
    assert _enrol(db) == 4
    assert [kind for _seq, kind, _hash, _action in _queued(db)] == [
        "project",
        "estimate",
        "work_order",
        "measurement_book",
    ]
    assert [seq for seq, *_ in _queued(db)] == [1, 2, 3, 4]


def test_each_workflow_step_is_queued_with_the_change(db: Database) -> None:
    order = awarded(db)
    _enrol(db)
    start = len(_queued(db))
    mb = new_mb(db, order, "2")
    assert len(_queued(db)) == start  # the draft is not
    approved = approve_mb(db, mb.number)
    steps = _queued(db)[start:]
    assert [json.loads(a or "{}")["action"] for *_rest, a in steps] == [
        "submit",
        "verify",
        "approve",
    ]
    # The approved MB travels with exactly the hash its approval made.
    assert steps[-1][2] == approved.content_hash
    with db.read() as session:
        queued = outbox.pending(session)
    assert queued[-1].payload["status"] == "APPROVED"
    assert queued[-1].payload["number"] == mb.number


def test_a_refused_step_queues_nothing(db: Database) -> None:
    order = awarded(db)
    _enrol(db)
    mb = new_mb(db, order, "9")  # over the 8 of the estimate
    before = _queued(db)
    with pytest.raises(ValidationError):
        act_mb(db, JE, mb.number, Action.SUBMIT)
    assert _queued(db) == before
    assert get_mb(db, mb.number).status.value == "DRAFTED"


def test_summary_counts_waiting_operations(db: Database) -> None:
    order = awarded(db)
    _enrol(db)
    mb = new_mb(db, order, "2")
    act_mb(db, JE, mb.number, Action.SUBMIT)
    act_mb(db, MB_AE, mb.number, Action.SEND_BACK, comment="recheck")
    with db.read() as session:
        summary = outbox.summary(session)
    assert summary.pending == len(_queued(db)) == summary.last_seq
    assert summary.held == 0


def test_one_server_per_installation(db: Database) -> None:
    _enrol(db)
    with pytest.raises(ValidationError, match=r"already syncs with https://ho\.example"):
        remember_enrolment(
            db, server_url="https://other.example", device_id="d-2", login="x", tenant=JE.tenant
        )


def test_a_project_made_after_enrolment_is_queued_at_once_and_only_once(db: Database) -> None:
    from datetime import date

    from mukta_desktop.services.projects import NewProject, create_project

    enrol_offline(db)
    before = _queued(db)
    project = create_project(db, JE, NewProject(name="Market drain"), today=date(2026, 11, 21))
    after = _queued(db)
    assert len(after) == len(before) + 1
    assert after[-1][1] == "project"
    with db.read() as session:
        row = session.get_one(OutboxOperation, after[-1][0])
        assert json.loads(row.payload)["number"] == project.number
        # Queuing the same content again says nothing new.
        assert (
            outbox.queue_record(session, "project", row.record_id, json.loads(row.payload)) is None
        )
