"""A sync round against a small in-memory stand-in of the server (httpx.MockTransport) that
follows docs/sync-protocol.md: exactly once by device sequence, versions, a change cursor.
The real server is tested end to end in tests/server."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
import pytest
from estimate_support import JE
from mb_support import approve_mb, awarded, enrol_offline, new_mb

from mukta_desktop.models import OutboxOperation
from mukta_desktop.services.database import Database
from mukta_desktop.services.sync_run import sync_once, sync_status
from mukta_desktop.sync.client import SyncClient


class StandInServer:
    def __init__(self) -> None:
        self.results: dict[int, dict[str, Any]] = {}  # seq → the answer given
        self.records: dict[str, tuple[int, str]] = {}  # record id → version, hash
        self.changes: list[dict[str, Any]] = []
        self.applied = 0
        self.lose_next_answers = 0  # the server commits, the answer never arrives
        self.requests: list[str] = []
        self.blocks = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        if request.url.path.endswith("/push"):
            raw = request.content
            if request.headers.get("Content-Encoding") == "gzip":
                raw = gzip.decompress(raw)
            answer = self._push(json.loads(raw)["ops"])
            if self.lose_next_answers:
                self.lose_next_answers -= 1
                raise httpx.ReadError("connection reset after the server committed")
            return httpx.Response(200, json=answer)
        if request.url.path.endswith("/number-blocks"):
            body = json.loads(request.content)
            self.blocks += 1
            first = 1000 * self.blocks
            return httpx.Response(201, json={**body, "first": first, "last": first + 99})
        if request.url.path.endswith("/changes"):
            cursor = int(request.url.params.get("cursor") or 0)
            page = [c for c in self.changes if c["seq"] > cursor][:2]
            last = page[-1]["seq"] if page else cursor
            more = any(c["seq"] > last for c in self.changes)
            return httpx.Response(200, json={"changes": page, "cursor": str(last), "more": more})
        return httpx.Response(404, json={"error": "not_found", "message": "no such path"})

    def _push(self, ops: list[dict[str, Any]]) -> dict[str, Any]:
        results = []
        expected = max(self.results, default=0) + 1
        for op in ops:
            seq = op["seq"]
            if seq in self.results:
                results.append({**self.results[seq], "status": "duplicate"})
                continue
            if seq != expected:
                results.append({"seq": seq, "status": "gap"})
                continue
            version, _hash = self.records.get(op["record_id"], (0, ""))
            if op["base_version"] not in (None, version) and version:
                result = {"seq": seq, "status": "conflict", "version": version}
            else:
                version += 1
                self.records[op["record_id"]] = (version, op["content_hash"])
                self.changes.append(
                    {
                        "seq": len(self.changes) + 1,
                        "record_type": op["record_type"],
                        "record_id": op["record_id"],
                        "version": version,
                        "content_hash": op["content_hash"],
                        "payload": op["payload"],
                    }
                )
                self.applied += 1
                result = {"seq": seq, "status": "applied", "version": version}
            self.results[seq] = result
            results.append(result)
            expected += 1
        return {"results": results, "next_seq": expected}


@pytest.fixture
def server() -> StandInServer:
    return StandInServer()


def _client(server: StandInServer) -> SyncClient:
    return SyncClient(
        "https://ho.example", token="mk1_x", transport=httpx.MockTransport(server.handle)
    )


def _states(db: Database) -> list[str]:
    with db.read() as session:
        return [op.state for op in session.query(OutboxOperation).order_by(OutboxOperation.seq)]


def _enrolled_with_work(db: Database) -> None:
    order = awarded(db)
    enrol_offline(db, device_id="d1")
    approve_mb(db, new_mb(db, order, "2").number)


def test_a_round_pushes_everything_once_and_a_pull_confirms_it(
    db: Database, server: StandInServer
) -> None:
    _enrolled_with_work(db)
    queued = len(_states(db))
    report = sync_once(db, _client(server))
    assert report.ok, report.error
    assert (report.pushed, report.applied, report.held) == (queued, queued, 0)
    assert server.applied == queued
    assert report.pulled == queued
    assert set(_states(db)) == {"CONFIRMED"}
    status = sync_status(db)
    assert (status.pending_records, status.conflicts, status.last_error) == (0, 0, "")
    assert status.last_success is not None


def test_a_lost_answer_is_repeated_not_applied_twice(db: Database, server: StandInServer) -> None:
    _enrolled_with_work(db)
    queued = len(_states(db))
    server.lose_next_answers = 1
    first = sync_once(db, _client(server))
    assert "cannot be reached" in first.error
    assert set(_states(db)) == {"PENDING"}  # the device does not know it was applied
    second = sync_once(db, _client(server))
    assert second.ok, second.error
    assert server.applied == queued  # applied exactly once
    assert len(server.changes) == queued
    assert set(_states(db)) == {"CONFIRMED"}


def test_a_noop_round_is_two_small_requests_at_most(db: Database, server: StandInServer) -> None:
    _enrolled_with_work(db)
    sync_once(db, _client(server))
    server.requests.clear()
    report = sync_once(db, _client(server))
    assert report.ok
    assert server.requests == ["GET /api/v1/changes"]


def test_later_steps_carry_the_version_the_server_gave(db: Database, server: StandInServer) -> None:
    order = awarded(db)
    enrol_offline(db, device_id="d1")
    mb = new_mb(db, order, "2")
    from mukta_desktop.domain.workflow import Action
    from mukta_desktop.services.measurement_books import act_mb

    act_mb(db, JE, mb.number, Action.SUBMIT)
    sync_once(db, _client(server))
    from mb_support import MB_AE

    act_mb(db, MB_AE, mb.number, Action.VERIFY)
    with db.read() as session:
        last = session.query(OutboxOperation).order_by(OutboxOperation.seq.desc()).first()
    assert last is not None
    assert last.base_version == 1  # the server's version after the submit
    report = sync_once(db, _client(server))
    assert report.applied == 1
    assert server.records[mb.id][0] == 2
