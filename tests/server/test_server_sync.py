"""A desktop syncs with the real server (FastAPI app in-process, SQLite and PostgreSQL):
every record arrives once, the outbox is confirmed by the pull, a replay changes nothing,
a tampered record is refused and kept, another ULB's device sees nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from desktop_flow import OFFICER, ULB, officer_work
from server_support import Server
from sqlalchemy import func, select, update

from mukta_desktop.models import OutboxOperation
from mukta_desktop.services.database import Database
from mukta_desktop.services.sync_run import sync_once
from mukta_desktop.services.sync_setup import connect, enrol_device
from mukta_desktop.sync.client import SyncClient
from mukta_server.admin import add_tenant, add_user
from mukta_server.models import Change, DeviceOperation, HeldOperation, Record

PASSWORD = "officer-secret"


@pytest.fixture
def officer_on_server(server: Server) -> Server:
    add_user(
        server.database,
        login=OFFICER.login,
        name=OFFICER.name,
        tenant=ULB,
        roles=[r.value for r in OFFICER.roles],
        password=PASSWORD,
    )
    return server


def _enrol(db: Database, server: Server) -> None:
    enrol_device(
        db,
        server_url="http://testserver",
        login=OFFICER.login,
        password=PASSWORD,
        device_name="officer laptop",
        transport=server.client._transport,
    )


def _client(db: Database, server: Server) -> SyncClient:
    return connect(db, transport=server.client._transport)


def _count(server: Server, model: type) -> int:
    with server.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _states(db: Database) -> set[str]:
    with db.read() as session:
        return set(session.scalars(select(OutboxOperation.state)))


def test_everything_arrives_once_and_is_confirmed(
    db: Database, officer_on_server: Server, tmp_path: Path
) -> None:
    server = officer_on_server
    _estimate, mb = officer_work(db)
    _enrol(db, server)
    with _client(db, server) as client:
        report = sync_once(db, client)
    assert report.ok, report.error
    assert report.held == 0
    with server.database.read() as session:
        kinds = sorted(session.scalars(select(Record.record_type)))
        approved_mb = session.scalar(select(Record).where(Record.number == mb))
    assert kinds == ["estimate", "measurement_book", "project", "work_order"]
    assert approved_mb is not None
    assert approved_mb.status == "APPROVED"
    assert _states(db) == {"CONFIRMED"}
    changes = _count(server, Change)
    # The same operations again (as if every answer had been lost): nothing new applies.
    with db.unit_of_work() as session:
        session.execute(update(OutboxOperation).values(state="PENDING"))
    with _client(db, server) as client:
        again = sync_once(db, client)
    assert again.ok, again.error
    assert _count(server, Change) == changes
    with server.database.read() as session:
        statuses = set(session.scalars(select(DeviceOperation.status)))
    assert statuses == {"applied"}  # stored answers are the originals


def test_a_tampered_figure_is_rejected_and_kept(db: Database, officer_on_server: Server) -> None:
    server = officer_on_server
    officer_work(db)
    _enrol(db, server)
    with db.unit_of_work() as session:
        last = session.scalar(select(OutboxOperation).order_by(OutboxOperation.seq.desc()))
        assert last is not None
        payload = json.loads(last.payload)
        payload["lines"][0]["amount"] = "99999.99"
        from mukta_desktop.domain.canonical import canonical_json, content_hash

        last.payload = canonical_json(payload).decode()
        last.content_hash = content_hash(payload)
    with _client(db, server) as client:
        report = sync_once(db, client)
    assert report.held == 1
    with server.database.read() as session:
        held = session.scalars(select(HeldOperation)).all()
    assert len(held) == 1
    assert "is not quantity × rate" in held[0].reasons
    assert json.loads(held[0].operation)["payload"]["lines"][0]["amount"] == "99999.99"
    with db.read() as session:
        states = [op.state for op in session.scalars(select(OutboxOperation))]
    assert "REJECTED" in states


def test_another_ulb_sees_nothing(db: Database, officer_on_server: Server, tmp_path: Path) -> None:
    server = officer_on_server
    officer_work(db)
    _enrol(db, server)
    with _client(db, server) as client:
        assert sync_once(db, client).ok
    add_tenant(server.database, "od.jatni", "Jatni")
    add_user(
        server.database,
        login="jatni.je",
        name="Jatni JE",
        tenant="od.jatni",
        roles=["MB_CREATOR"],
        password="jatni-secret",
    )
    other = SyncClient("http://testserver", transport=server.client._transport)
    token = other.enrol("jatni.je", "jatni-secret", "Jatni laptop").token
    with SyncClient("http://testserver", token=token, transport=server.client._transport) as jatni:
        page = jatni.changes("")
    assert page.changes == ()
