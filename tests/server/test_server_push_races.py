"""Exactly once under pressure: the same batch pushed by 8 threads at once (each with its own
database connection) is applied once; a token revoked between two sync rounds stops the
device without losing anything from its outbox."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from desktop_flow import OFFICER, ULB, officer_work
from server_support import Server
from sqlalchemy import func, select

from mukta_desktop.models import OutboxOperation
from mukta_desktop.services.database import Database
from mukta_desktop.services.sync_run import sync_once
from mukta_desktop.services.sync_setup import connect, remember_enrolment
from mukta_desktop.sync import outbox
from mukta_server.admin import add_user, revoke_device
from mukta_server.db import Database as ServerDatabase
from mukta_server.enrolment import identify
from mukta_server.models import Change, DeviceOperation, Record
from mukta_server.push import IncomingOperation, push

PASSWORD = "officer-secret"
PUSHERS = 8


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


def _count(server: Server, model: type) -> int:
    with server.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_same_batch_from_eight_pushers_is_applied_once(
    db: Database, officer_on_server: Server
) -> None:
    server = officer_on_server
    officer_work(db)
    token = server.enrol(OFFICER.login, PASSWORD)["token"]
    remember_enrolment(
        db, server_url="http://testserver", device_id="x", login=OFFICER.login, tenant=ULB
    )
    with db.read() as session:
        batch = [
            IncomingOperation(
                seq=op.seq,
                record_type=op.record_type,
                record_id=op.record_id,
                base_version=op.base_version,
                content_hash=op.content_hash,
                payload=op.payload,
                action=op.action,
            )
            for op in outbox.pending(session)
        ]
    device = identify(server.database, token)

    def one_pusher(_: int) -> list[str]:
        # Each pusher is its own process in production: its own engine and connections.
        own = ServerDatabase.open(server.settings.database_url)
        try:
            answers, _next = push(own, device, batch)
            return [a.status for a in answers]
        finally:
            own.close()

    with ThreadPoolExecutor(PUSHERS) as pool:
        results = list(pool.map(one_pusher, range(PUSHERS)))
    print(f"\n{PUSHERS} pushers × {len(batch)} operations: answers {results}")
    assert _count(server, Record) == len(batch)
    assert _count(server, Change) == len(batch)
    assert _count(server, DeviceOperation) == len(batch)
    for statuses in results:
        assert set(statuses) <= {"applied", "duplicate", "gap"}
    # Every operation was applied by exactly one pusher; the others saw it as done.
    for position in range(len(batch)):
        assert sum(1 for statuses in results if statuses[position] == "applied") == 1


def test_a_token_revoked_between_rounds_keeps_the_outbox(
    db: Database, officer_on_server: Server
) -> None:
    server = officer_on_server
    _estimate, mb = officer_work(db)
    from mukta_desktop.services.sync_setup import enrol_device

    enrolled, _stored = enrol_device(
        db,
        server_url="http://testserver",
        login=OFFICER.login,
        password=PASSWORD,
        device_name="laptop",
        transport=server.client._transport,
    )
    revoke_device(server.database, enrolled.device_id)
    with connect(db, transport=server.client._transport) as client:
        report = sync_once(db, client)
    assert "no longer accepts this device" in report.error
    with db.read() as session:
        states = list(session.scalars(select(OutboxOperation.state)))
        payloads = [json.loads(p) for p in session.scalars(select(OutboxOperation.payload))]
    assert states == ["PENDING"] * enrolled.queued
    assert any(p.get("number") == mb for p in payloads)
    assert _count(server, Record) == 0
