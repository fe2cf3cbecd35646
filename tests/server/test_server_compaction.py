"""Change-log compaction and cursor expiry (sync-protocol §5): older copies of a record are
dropped once a newer one exists; a device whose cursor lies in the compacted part gets 410
and pulls again from the start, ending with every record in its latest state and its outbox
untouched."""

from __future__ import annotations

import json
from datetime import timedelta

from desktop_flow import ULB, add_officer, enrol_officer, officer_work
from server_support import DESKTOP_HEADERS, Server
from sqlalchemy import func, select

from mukta_desktop.domain.canonical import canonical_json, content_hash
from mukta_desktop.models import Project, SyncState
from mukta_desktop.services.database import Database
from mukta_desktop.services.sync_run import sync_once
from mukta_desktop.services.sync_setup import connect
from mukta_server.change_log import append_change
from mukta_server.compaction import compact, compacted_through
from mukta_server.models import Change, Record
from mukta_server.models.base import utcnow


def _renamed_project(server: Server, names: list[str]) -> None:
    """New versions of the project, as another device's pushes would make them."""
    with server.database.unit_of_work() as session:
        record = session.scalar(select(Record).where(Record.record_type == "project"))
        assert record is not None
        for name in names:
            payload = {**json.loads(record.payload), "name": name}
            record.version += 1
            record.payload = canonical_json(payload).decode()
            record.content_hash = content_hash(payload)
            append_change(
                session,
                tenant=ULB,
                record_type="project",
                record_id=record.record_id,
                version=record.version,
                content_hash=record.content_hash,
                payload=record.payload,
            )


def test_a_cursor_in_the_compacted_log_gets_410_and_a_full_pull(
    db: Database, server: Server
) -> None:
    add_officer(server)
    officer_work(db)
    enrol_officer(db, server)
    with connect(db, transport=server.client._transport) as client:
        assert sync_once(db, client).ok
    _renamed_project(server, ["Drain, phase 1", "Drain, phases 1 and 2"])

    dropped, through = compact(server.database, before=utcnow() + timedelta(seconds=1))
    with server.database.read() as session:
        left = session.scalar(select(func.count()).select_from(Change))
        assert compacted_through(session) == through
    assert dropped == 2  # the project's first two copies; every record keeps its latest
    assert left == 4
    print(f"\ncompaction dropped {dropped} changes, cursors through {through} expire")

    # A device that was away since the first change: its cursor has expired.
    with db.unit_of_work() as session:
        session.get_one(SyncState, 1).cursor = "v1.1"
    with connect(db, transport=server.client._transport) as client:
        report = sync_once(db, client)
    assert report.ok, report.error
    with db.read() as session:
        project = session.scalar(select(Project))
        assert project is not None
        assert project.name == "Drain, phases 1 and 2"
        assert session.get_one(SyncState, 1).cursor == f"v1.{through}"


def test_the_server_answers_410_with_plain_words(server: Server) -> None:
    token = server.enrol()["token"]
    with server.database.unit_of_work() as session:
        for version in (1, 2):
            append_change(
                session,
                tenant=ULB,
                record_type="project",
                record_id="p-1",
                version=version,
                content_hash=f"{version:064x}",
                payload="{}",
            )
    compact(server.database, before=utcnow() + timedelta(seconds=1))
    answer = server.client.get(
        "/api/v1/changes",
        params={"cursor": "v1.1"},
        headers={**DESKTOP_HEADERS, "Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 410
    assert answer.json()["error"] == "cursor_expired"
    fresh = server.client.get(
        "/api/v1/changes",
        params={"cursor": "0"},
        headers={**DESKTOP_HEADERS, "Authorization": f"Bearer {token}"},
    )
    assert [c["version"] for c in fresh.json()["changes"]] == [2]
