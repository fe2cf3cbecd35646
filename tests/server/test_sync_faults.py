"""Sync through a network that fails on purpose (issue 5 §5): a desktop makes records and
syncs 200 rounds with a real `mukta-server serve` process through `FaultProxy`, which drops
requests, drops answers after the server committed, cuts request bodies and answers half-way,
resets connections and delays. Failed rounds are simply followed by the next ones. After a
final clean round nothing is lost and nothing was applied twice: every record the desktop
made is on the server with its content, one change per operation, one stored answer per
operation, every outbox operation confirmed, every photo stored under its hash."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fault_proxy import BREAKING, Fault, FaultPlan, Request, running_proxy
from fork_launcher import Launcher
from server_support import LOGIN, PASSWORD, ULB
from sync_fault_support import (
    ESCAPED,
    PRELOAD,
    Desktop,
    HeadOffice,
    add_officer,
    assert_exactly_once,
    tally_office,
)

from mukta_desktop.sync.client import SyncClient, SyncError
from mukta_server.uploads import CHUNK_SIZE

ROUNDS = 200
SEED = 20261121
# Per request: most go through; about one in three is broken in one of the ways.
WEIGHTS = {
    Fault.NONE: 0.62,
    Fault.DELAY: 0.08,
    Fault.DROP_REQUEST: 0.06,
    Fault.CUT_REQUEST: 0.06,
    Fault.DROP_RESPONSE: 0.08,
    Fault.CUT_RESPONSE: 0.05,
    Fault.RESET: 0.05,
}


@pytest.fixture(scope="module")
def head_office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HeadOffice, int]]:
    """One `mukta-server serve` on SQLite for this file's tests, and its port."""
    with Launcher(PRELOAD) as launcher:
        office = HeadOffice.on_sqlite(launcher, tmp_path_factory.mktemp("faults"))
        add_officer(office.settings.database_url)
        served = office.start()
        try:
            yield office, served.port
        finally:
            office.stop_all()


def test_two_hundred_rounds_through_a_failing_network_lose_and_repeat_nothing(
    head_office: tuple[HeadOffice, int], tmp_path: Path
) -> None:
    office, port = head_office
    rng = random.Random(SEED)
    plan = FaultPlan(SEED, WEIGHTS)
    plan.enabled = False  # enrolment on a clean line
    desktop = Desktop(tmp_path / "desktop", seed=SEED)
    try:
        with running_proxy(("127.0.0.1", port), plan) as proxy:
            for _ in range(4):  # made before enrolment: sent with their history
                desktop.work.step()
            desktop.enrol(proxy.url)
            plan.enabled = True
            failed = escaped = 0
            steps = 0
            for _ in range(ROUNDS):
                if rng.random() < 0.7:
                    desktop.work.step()
                    steps += 1
                error = desktop.sync()
                failed += bool(error)
                escaped += error.startswith(ESCAPED)
            plan.enabled = False
            final = desktop.sync()
            requests = proxy.stats.requests
        result = tally_office(office, [desktop.db])
    finally:
        desktop.close()
    faults = {str(f): n for f, n in sorted(plan.chosen.items()) if f is not Fault.NONE}
    print(
        f"\nsync faults: {ROUNDS} rounds ({failed} failed and retried; in {escaped} of them "
        f"httpx's error escaped sync_once), {steps} pieces of "
        f"work, {requests} requests, faults {faults}\n  {result.line()}"
    )
    assert final == ""
    assert sum(plan.chosen[f] for f in BREAKING) >= ROUNDS // 4  # the network did fail
    assert failed > 0
    assert_exactly_once(result)
    assert result.photos > 0


# --- a photo upload cut at a random offset ---------------------------------------------------

PHOTO_SEEDS = range(8)
# Mostly a chunk cut inside its body; also its answer lost, cut or the connection reset.
PHOTO_FAULTS = (Fault.CUT_REQUEST,) * 5 + (Fault.DROP_RESPONSE, Fault.CUT_RESPONSE, Fault.RESET)


def _range_start(put: Request) -> int:
    head = put.head.decode("latin-1").lower()
    return int(head.split("content-range: bytes ", 1)[1].split("-", 1)[0])


def test_photo_uploads_cut_at_random_offsets_resend_at_most_one_chunk(
    head_office: tuple[HeadOffice, int], tmp_path: Path
) -> None:
    office, port = head_office
    token = SyncClient(f"http://127.0.0.1:{port}").enrol(LOGIN, PASSWORD, "camera laptop").token
    figures = []
    for seed in PHOTO_SEEDS:
        rng = random.Random(seed)
        data = rng.randbytes(rng.randrange(CHUNK_SIZE + 1, 3 * CHUNK_SIZE))
        sha = hashlib.sha256(data).hexdigest()
        path = tmp_path / f"{sha}.jpg"
        path.write_bytes(data)
        chunks = -(-len(data) // CHUNK_SIZE)
        broken = rng.randrange(chunks)  # which chunk's PUT meets the fault
        fault = PHOTO_FAULTS[seed % len(PHOTO_FAULTS)]
        puts: list[Request] = []

        def nth_put(request: Request, puts: list[Request] = puts, broken: int = broken) -> bool:
            if request.method != "PUT":
                return False
            puts.append(request)
            return len(puts) == broken + 1

        plan = FaultPlan(seed, {fault: 1.0}, applies_to=nth_put)
        attempts = 0
        with (
            running_proxy(("127.0.0.1", port), plan) as proxy,
            SyncClient(proxy.url, token=token) as client,
        ):
            while True:
                attempts += 1
                try:
                    client.upload_photo(path, sha, "image/jpeg")
                    break
                except (SyncError, httpx.TransportError):
                    assert attempts < 3
            assert client.photo_exists(sha)
            cut = proxy.stats.cut_bodies
            # A PUT answered 409 met a server still writing the cut chunk's bytes (the
            # retry came at once): the server took none of it and said where it stood.
            stale = {id(put) for put, status in proxy.stats.answers if status == 409}
        stored = office.settings.storage_dir.joinpath(ULB).rglob(sha)
        hashes = [hashlib.sha256(p.read_bytes()).hexdigest() for p in stored]
        starts = [_range_start(put) for put in puts]
        # What the desktop sent twice: every PUT body the server took or lost, less the
        # photo once.
        resent = sum(len(put.body) for put in puts if id(put) not in stale) - len(data)
        figures.append(
            (seed, str(fault), len(data), broken * CHUNK_SIZE + sum(cut), resent, len(stale))
        )
        assert hashes == [sha]
        assert plan.chosen[fault] == 1
        assert attempts == 2, starts
        assert resent <= CHUNK_SIZE, (figures[-1], starts)
        if fault is Fault.CUT_REQUEST:
            assert resent > 0  # the bytes of the cut chunk that did not arrive
    print(
        f"\nphoto uploads cut (seed, fault, bytes, at offset, bytes re-sent, PUTs answered "
        f"409; a chunk is {CHUNK_SIZE} bytes):"
    )
    for line in figures:
        print("  ", line)
