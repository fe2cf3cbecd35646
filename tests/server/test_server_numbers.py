"""Document numbers by leased blocks (sync-protocol §7): devices of one ULB get disjoint
blocks, also when they ask at the same moment; a block starts after every number the server
or the device already used; an enrolled desktop numbers from its blocks and says plainly when
it has none left; a number is one record's on the server."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from desktop_flow import OFFICER, ULB, add_officer, enrol_officer, officer_work
from server_support import DESKTOP_HEADERS, Server
from sqlalchemy import select

from mukta_desktop.domain.canonical import canonical_json, content_hash
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.models import NumberBlock, OutboxOperation
from mukta_desktop.services.database import Database
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.sync_run import sync_once
from mukta_desktop.services.sync_setup import connect
from mukta_server.admin import add_tenant, add_user
from mukta_server.models import HeldOperation
from mukta_server.numbers import lease_block

TODAY = date(2026, 11, 21)


@pytest.fixture
def officer(server: Server) -> Server:
    return add_officer(server)


def _lease(server: Server, token: str, **body: object) -> tuple[int, dict[str, object]]:
    answer = server.client.post(
        "/api/v1/number-blocks",
        json={"prefix": "MB", "financial_year": "2026-27", **body},
        headers={**DESKTOP_HEADERS, "Authorization": f"Bearer {token}"},
    )
    return answer.status_code, answer.json()


def test_blocks_are_disjoint_and_start_after_what_was_used(server: Server) -> None:
    first = server.enrol(device_name="laptop 1")["token"]
    second = server.enrol(device_name="laptop 2")["token"]
    assert _lease(server, first) == (
        201,
        {"prefix": "MB", "financial_year": "2026-27", "first": 1, "last": 100},
    )
    # The second device numbered 140 MBs before it enrolled: its block starts after them.
    status, block = _lease(server, second, after=140)
    assert (status, block["first"], block["last"]) == (201, 141, 240)
    assert _lease(server, first)[1]["first"] == 241
    status, refused = _lease(server, first, prefix="XX")
    assert status == 422
    assert "'XX' is not a series of document numbers" in str(refused["message"])
    # Another ULB counts its own series.
    add_tenant(server.database, "od.jatni", "Jatni")
    add_user(
        server.database,
        login="jatni.je",
        name="Jatni JE",
        tenant="od.jatni",
        roles=["MB_CREATOR"],
        password="jatni-secret",
    )
    jatni = server.enrol("jatni.je", "jatni-secret", "Jatni laptop")["token"]
    assert _lease(server, jatni)[1]["first"] == 1


def test_leases_at_the_same_moment_never_overlap(server: Server) -> None:
    blocks: list[tuple[int, int]] = []
    start = threading.Barrier(8)

    def lease() -> None:
        start.wait()
        block = lease_block(server.database, ULB, "WO", "2026-27")
        blocks.append((block.first, block.last))

    threads = [threading.Thread(target=lease) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [n for first, last in blocks for n in range(first, last + 1)]
    assert len(numbers) == 800
    assert len(set(numbers)) == 800
    assert min(numbers) == 1
    assert max(numbers) == 800


def test_an_enrolled_desktop_numbers_from_its_blocks(db: Database, officer: Server) -> None:
    # Work before enrolment numbers locally: PJ 1; the server's block comes after it.
    officer_work(db)
    enrol_officer(db, officer)
    with db.read() as session:
        series = {(b.prefix, b.first, b.last) for b in session.scalars(select(NumberBlock))}
    assert ("PJ", 2, 101) in series
    assert ("MB", 2, 101) in series
    project = create_project(db, OFFICER, NewProject(name="Second drain"), today=TODAY)
    assert project.number == "PJ/2026-27/000002"
    with db.unit_of_work() as session:
        for block in session.scalars(select(NumberBlock).where(NumberBlock.prefix == "PJ")):
            block.next_value = block.last + 1
    with pytest.raises(ValidationError, match=r"no PJ numbers left for 2026-27\. Sync with"):
        create_project(db, OFFICER, NewProject(name="Third drain"), today=TODAY)
    # A sync refills the series running low.
    with connect(db, transport=officer.client._transport) as client:
        assert sync_once(db, client).ok
    assert create_project(db, OFFICER, NewProject(name="Third drain"), today=TODAY).number == (
        "PJ/2026-27/000102"
    )


def test_a_number_is_one_records_on_the_server(db: Database, officer: Server) -> None:
    officer_work(db)
    enrol_officer(db, officer)
    with db.unit_of_work() as session:
        op = session.scalar(select(OutboxOperation).where(OutboxOperation.record_type == "project"))
        assert op is not None
        clone = session.get_one(OutboxOperation, op.seq + 1)  # the estimate after it
        payload = json.loads(clone.payload)
        # A second project under the first one's number, queued as the last operation.
        twin = {**json.loads(op.payload), "id": "01a20000-0000-7000-8000-000000000001"}
        last = max(o.seq for o in session.scalars(select(OutboxOperation)))
        session.add(
            OutboxOperation(
                seq=last + 1,
                record_type="project",
                record_id=twin["id"],
                kind="upsert",
                base_version=None,
                content_hash=content_hash(twin),
                payload=canonical_json(twin).decode(),
                action=None,
                state="PENDING",
            )
        )
        assert payload["project"]["number"] == twin["number"]
    with connect(db, transport=officer.client._transport) as client:
        report = sync_once(db, client)
    assert report.held == 1
    with officer.database.read() as session:
        held = session.scalars(select(HeldOperation)).one()
    assert "is already another record's on the server" in held.reasons
