"""Sync conflicts against the real head-office server (in-process, SQLite): a refused MB is
revised back to draft and resubmitted; a change made on an older version, or on a record the
server has approved, is settled by taking the server's copy. Held operations end RESOLVED,
never deleted; the field-by-field comparison reads as the engineer sees it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from desktop_flow import OFFICER, TODAY, ULB, officer_work, row
from server_support import Server, make_server

from mukta_desktop.domain.canonical import canonical_json, content_hash
from mukta_desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.models import OutboxOperation, SyncedRecord
from mukta_desktop.services.database import Database, open_database
from mukta_desktop.services.mb_views import MbLineDraft
from mukta_desktop.services.measurement_books import act_mb, create_mb, get_mb
from mukta_desktop.services.sync_apply import MB, local_document_hash
from mukta_desktop.services.sync_conflicts import (
    RESOLVED,
    compare_documents,
    document_fields,
    held_operations,
    resolve,
    revise,
    use_server_copy,
)
from mukta_desktop.services.sync_run import sync_once, sync_status
from mukta_desktop.services.sync_setup import connect, enrol_device
from mukta_desktop.services.timeline import history_of
from mukta_desktop.services.users import Actor
from mukta_server.admin import add_user
from mukta_server.models import Record

PASSWORD = "officer-secret"
URL = "http://testserver"
STRANGER = Actor("other.je", "Another JE", ULB, OFFICER.roles)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with make_server(f"sqlite:///{tmp_path / 'server.sqlite3'}", tmp_path / "storage") as s:
        add_user(s.database, login=OFFICER.login, name=OFFICER.name, tenant=ULB,
                 roles=[r.value for r in OFFICER.roles], password=PASSWORD)
        yield s


def enrol(db: Database, server: Server, device: str = "JE laptop", url: str = URL) -> None:
    enrol_device(db, server_url=url, login=OFFICER.login, password=PASSWORD,
                 device_name=device, transport=server.client._transport)


def sync(db: Database, server: Server) -> None:
    with connect(db, transport=server.client._transport) as client:
        report = sync_once(db, client)
    assert report.ok, report.error


def submitted_mb(db: Database) -> str:
    """A second MB of the officer's work order (the first is approved), submitted."""
    _estimate, first = officer_work(db)
    view = get_mb(db, first)
    key = view.lines[0].item.key
    mb = create_mb(db, OFFICER, view.work_order.number, today=TODAY,
                   lines=[MbLineDraft(key, (row("2"),))]).number
    act_mb(db, OFFICER, mb, Action.SUBMIT)
    return mb


def mb_status(db: Database, number: str) -> Status:
    return get_mb(db, number).status


def states(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(OutboxOperation.state).order_by(OutboxOperation.seq)))


def on_server(server: Server, number: str) -> tuple[str, int]:
    """The status and version of a record on the server."""
    with server.database.read() as session:
        record = session.scalar(select(Record).where(Record.number == number))
        assert record is not None
        return record.status, record.version


def tamper_last_operation(db: Database) -> int:
    """The last queued operation carries a figure the server recomputes differently."""
    with db.unit_of_work() as session:
        last = session.scalar(select(OutboxOperation).order_by(OutboxOperation.seq.desc()))
        assert last is not None
        payload = json.loads(last.payload)
        payload["lines"][0]["amount"] = "99999.99"
        last.payload = canonical_json(payload).decode()
        last.content_hash = content_hash(payload)
        return last.seq


# -- the comparison -------------------------------------------------------------------------

def test_documents_read_field_by_field_with_the_differences_marked() -> None:
    local = {"type": "measurement_book", "schema": 1, "id": "x", "number": "MB/2026-27/000002",
             "status": "PENDING_CORRECTION", "period": {"from": "2026-07-01", "to": None},
             "lines": [{"id": "l1", "amount": "14249.11", "heads": {"labour_cess": "49.76"},
                        "rows": [{"length": "10.5000"}, {"length": "2.0000"}]}]}
    server = {**local, "status": "PENDING_APPROVAL",
              "lines": [{"id": "l1", "amount": "14249.11", "heads": {"labour_cess": "49.76"},
                         "rows": [{"length": "10.5000"}, {"length": "3.0000"}]}],
              "remarks": "checked at site"}
    assert document_fields(local) == [
        ("Number", "MB/2026-27/000002"),
        ("Status", "Pending correction"),
        ("Period › From", "01/07/2026"),
        ("Period › To", "—"),
        ("Line 1 › Amount", "14249.11"),
        ("Line 1 › Heads › Labour cess", "49.76"),
        ("Line 1 › Row 1 › Length", "10.5000"),
        ("Line 1 › Row 2 › Length", "2.0000"),
    ]
    compared = compare_documents(local, server)
    differing = [(f.label, f.local, f.server) for f in compared if f.differs]
    assert differing == [
        ("Status", "Pending correction", "Pending approval"),
        ("Line 1 › Row 2 › Length", "2.0000", "3.0000"),
        ("Remarks", "—", "checked at site"),  # only on the server: listed last
    ]
    # A refusal carries no server copy: nothing is marked, the server's side is empty.
    alone = compare_documents(local, None)
    assert not any(f.differs for f in alone)
    assert {f.server for f in alone} == {"—"}


# -- refused: revise --------------------------------------------------------------------------

def test_a_refused_mb_is_revised_to_draft_resubmitted_and_taken(
        db: Database, server: Server) -> None:
    mb = submitted_mb(db)
    enrol(db, server)
    seq = tamper_last_operation(db)
    sync(db, server)
    assert sync_status(db).conflicts == 1
    (held,) = held_operations(db, OFFICER)
    assert (held.seq, held.state, held.record_type, held.number) == (seq, "REJECTED", MB, mb)
    assert held.record_label == "Measurement Book"
    assert (held.action, held.comment) == ("submit", "")
    assert held.local_status == "PENDING_VERIFICATION"
    assert any("is not quantity × rate" in reason for reason in held.reasons)
    assert held.can_revise, held.revise_note
    assert not held.can_use_server_copy
    assert "refused it" in held.server_copy_note
    with pytest.raises(ValidationError, match="refused it"):
        use_server_copy(db, OFFICER, seq)
    with pytest.raises(PermissionDenied, match=f"Only {OFFICER.login}"):
        revise(db, STRANGER, seq)

    done = revise(db, OFFICER, seq)
    assert (done.number, done.before, done.after) == (mb, "PENDING_VERIFICATION", "DRAFTED")
    assert done.resolved == (seq,)
    assert mb_status(db, mb) is Status.DRAFTED
    assert held_operations(db, OFFICER) == []
    assert sync_status(db).conflicts == 0
    with db.read() as session:
        kept = session.get_one(OutboxOperation, seq)
        answer = json.loads(kept.result or "{}")
        events = history_of(session, "MB", get_mb(db, mb).id)
    assert kept.state == RESOLVED  # kept, with what the server said and what was done
    assert answer["status"] == "rejected"
    assert answer["resolution"]["how"] == "revised"
    assert answer["resolution"]["by"] == OFFICER.login
    assert answer["resolution"]["was"] == "REJECTED"
    last = events[-1]
    assert (last.action, last.from_status, last.to_status) == (
        "server-refused", "PENDING_VERIFICATION", "DRAFTED")
    assert last.comment.startswith("The head office server refused it: ")
    assert "is not quantity × rate" in last.comment
    with pytest.raises(NotFound):
        revise(db, OFFICER, seq)  # already resolved

    # Corrected (here: as it was) and submitted again: a new operation the server takes.
    act_mb(db, OFFICER, mb, Action.SUBMIT)
    sync(db, server)
    assert sync_status(db).conflicts == 0
    assert on_server(server, mb) == ("PENDING_VERIFICATION", 1)
    assert states(db)[-1] == "CONFIRMED"


def test_an_approved_mb_refused_by_the_server_is_not_revised_here(
        db: Database, server: Server) -> None:
    _estimate, mb = officer_work(db)
    enrol(db, server)
    seq = tamper_last_operation(db)
    sync(db, server)
    (held,) = [h for h in held_operations(db, OFFICER) if h.seq == seq]
    assert not held.can_revise
    assert "approved on this PC and never changes" in held.revise_note
    with pytest.raises(ValidationError, match="never changes"):
        revise(db, OFFICER, seq)
    assert mb_status(db, mb) is Status.APPROVED


# -- conflict and locked: the server's copy -----------------------------------------------

@pytest.mark.parametrize(("elsewhere", "state", "server_status"), [
    ((Action.VERIFY,), "CONFLICT", "PENDING_APPROVAL"),
    ((Action.VERIFY, Action.APPROVE), "LOCKED", "APPROVED"),
])
def test_the_servers_copy_replaces_the_local_one(
        db: Database, server: Server, tmp_path: Path, elsewhere: tuple[Action, ...],
        state: str, server_status: str) -> None:
    mb = submitted_mb(db)
    enrol(db, server)
    sync(db, server)
    # The same officer's other PC takes the MB further first.
    other = open_database(tmp_path / "other-pc")
    try:
        enrol(other, server, "office desktop")
        sync(other, server)
        for action in elsewhere:
            act_mb(other, OFFICER, mb, action)
        sync(other, server)
    finally:
        other.close()
    # This PC, not knowing, sends the MB back: made on version 1 of it.
    act_mb(db, OFFICER, mb, Action.SEND_BACK, comment="Row 1 length to be checked")
    sync(db, server)
    (held,) = held_operations(db, OFFICER)
    assert held.state == state
    assert held.sent_status == "PENDING_CORRECTION"
    assert (held.action, held.comment) == ("send-back", "Row 1 length to be checked")
    assert held.server_status == server_status
    assert held.local_status == "PENDING_CORRECTION"  # the pulled version waits
    assert held.server_version == len(elsewhere) + 1
    status_row = next(f for f in held.fields if f.label == "Status")
    assert status_row.differs
    assert status_row.local == "Pending correction"
    assert status_row.server == Status(server_status).label
    assert not held.can_revise
    assert held.can_use_server_copy, held.server_copy_note

    done = use_server_copy(db, OFFICER, held.seq)
    assert (done.before, done.after) == ("PENDING_CORRECTION", server_status)
    assert mb_status(db, mb) is Status(server_status)
    with server.database.read() as session:
        record = session.scalar(select(Record).where(Record.number == mb))
        assert record is not None
        server_hash, server_version = record.content_hash, record.version
    with db.read() as session:
        record_id = get_mb(db, mb).id
        assert local_document_hash(session, MB, record_id) == server_hash
        seen = session.scalar(select(SyncedRecord).where(SyncedRecord.record_id == record_id))
        assert seen is not None
        assert seen.version == server_version
        assert session.get_one(OutboxOperation, held.seq).state == RESOLVED
        events = history_of(session, "MB", record_id)
    assert events[-1].action == "server-copy"
    assert sync_status(db).conflicts == 0
    # The next round has nothing to say about it; a further step is made on the right base.
    sync(db, server)
    assert sync_status(db).conflicts == 0
    if state == "CONFLICT":
        act_mb(db, OFFICER, mb, Action.APPROVE)
        sync(db, server)
        assert sync_status(db).conflicts == 0
        assert on_server(server, mb)[0] == "APPROVED"


def test_resolve_marks_one_operation_and_refuses_what_is_not_held(
        db: Database, server: Server) -> None:
    submitted_mb(db)
    enrol(db, server)
    seq = tamper_last_operation(db)
    with pytest.raises(NotFound):
        resolve(db, OFFICER, seq, how="dismissed")  # not answered yet: not held
    sync(db, server)
    with pytest.raises(ValidationError, match="how"):
        resolve(db, OFFICER, seq, how=" ")
    done = resolve(db, OFFICER, seq, how="dismissed", note="asked the head office")
    assert done.resolved == (seq,)
    assert held_operations(db) == []
    with db.read() as session:
        answer = json.loads(session.get_one(OutboxOperation, seq).result or "{}")
    assert answer["resolution"]["note"] == "asked the head office"
