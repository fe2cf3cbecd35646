"""The server checks an MB against its own view (sync-protocol §4, §6): the estimate must be
approved there, previous quantities must be what its approved MBs measured (so the ceiling
holds against the server, not a stale device), and approval waits for every photo."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from desktop_flow import add_officer, enrol_officer, officer_work, site_photo
from server_support import Server
from sqlalchemy import select

from mukta_desktop.domain.canonical import canonical_json, content_hash
from mukta_desktop.models import OutboxOperation
from mukta_desktop.services.database import Database
from mukta_desktop.services.sync_run import push_outbox, sync_once
from mukta_desktop.services.sync_setup import connect
from mukta_server.models import HeldOperation, Record


@pytest.fixture
def enrolled(db: Database, server: Server) -> Server:
    return add_officer(server)


def _tamper_mb(db: Database, change: Callable[[dict[str, Any]], None]) -> None:
    with db.unit_of_work() as session:
        op = session.scalar(
            select(OutboxOperation).where(OutboxOperation.record_type == "measurement_book")
        )
        assert op is not None
        payload = json.loads(op.payload)
        change(payload)
        op.payload = canonical_json(payload).decode()
        op.content_hash = content_hash(payload)


def _held_reasons(server: Server) -> list[str]:
    with server.database.read() as session:
        return [
            reason
            for held in session.scalars(select(HeldOperation))
            for reason in json.loads(held.reasons)
        ]


def _mb_on_server(server: Server) -> Record | None:
    with server.database.read() as session:
        return session.scalar(select(Record).where(Record.record_type == "measurement_book"))


def test_previous_quantity_must_be_the_servers_approved_measure(
    db: Database, enrolled: Server
) -> None:
    officer_work(db)
    enrol_officer(db, enrolled)

    def claim_one_measured_before(payload: dict[str, Any]) -> None:
        payload["lines"][0]["previous_quantity"] = "1.0000"

    _tamper_mb(db, claim_one_measured_before)
    with connect(db, transport=enrolled.client._transport) as client:
        report = sync_once(db, client)
    assert report.held == 1
    reasons = _held_reasons(enrolled)
    assert any("0 SQM of it are approved on the server so far, not 1.0000" in r for r in reasons)
    assert _mb_on_server(enrolled) is None


def test_an_mb_of_an_estimate_not_approved_on_the_server_is_refused(
    db: Database, enrolled: Server
) -> None:
    officer_work(db)
    enrol_officer(db, enrolled)

    def other_estimate(payload: dict[str, Any]) -> None:
        payload["estimate"] = "ES/2026-27/999999"

    _tamper_mb(db, other_estimate)
    with connect(db, transport=enrolled.client._transport) as client:
        assert sync_once(db, client).held == 1
    assert any(
        "ES/2026-27/999999, which is not approved on the server" in r
        for r in _held_reasons(enrolled)
    )


def test_approval_waits_for_every_photo(db: Database, enrolled: Server, tmp_path: Path) -> None:
    officer_work(db, site_photo(tmp_path))
    enrol_officer(db, enrolled)
    with connect(db, transport=enrolled.client._transport) as client:
        # The records alone, before the photo: the approved MB is refused, kept whole.
        answered, _applied, held = push_outbox(db, client)
    assert held == 1
    assert any("have not reached the server yet" in r for r in _held_reasons(enrolled))
    assert _mb_on_server(enrolled) is None
    assert answered == 4


def test_a_whole_round_sends_the_photo_before_the_approval(
    db: Database, enrolled: Server, tmp_path: Path
) -> None:
    _estimate, mb = officer_work(db, site_photo(tmp_path))
    enrol_officer(db, enrolled)
    with connect(db, transport=enrolled.client._transport) as client:
        report = sync_once(db, client)
    assert report.ok, report.error
    assert report.held == 0
    record = _mb_on_server(enrolled)
    assert record is not None
    assert record.number == mb
    assert record.status == "APPROVED"
