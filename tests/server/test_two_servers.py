"""Two server processes on one PostgreSQL database (issue 5 §5): four desktops push and pull
at the same time through a balancer that sends each request to either `mukta-server serve`
process in turn (so one device's batches land on both, interleaved with the others'). The
same four desktops (copies of the same data directories) also sync with a single server on
a SQLite data directory. Both head offices end in the same state: the same records with the
same versions and content hashes, one change per new content with no gap in the sequence,
every operation applied once and confirmed."""

from __future__ import annotations

import itertools
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fault_proxy import Address, running_proxy
from fork_launcher import Launcher
from sqlalchemy import select
from sync_fault_support import (
    PRELOAD,
    Desktop,
    HeadOffice,
    Tally,
    add_officer,
    assert_exactly_once,
    tally_office,
)

from mukta_desktop.services import sync_run
from mukta_server.models import Record

DESKTOPS = 4
STEPS = 8  # pieces of work on each desktop before it enrols
ROUNDS = 3
BATCH = 4  # operations per push: many small requests, spread over both servers


def _templates(base: Path) -> list[Path]:
    """Desktops with their work done before enrolment; each numbers its documents in a
    range of its own (as blocks leased by the server would), so their records never share
    a number."""
    made = []
    for k in range(DESKTOPS):
        desktop = Desktop(base / f"template-{k}", seed=k, numbered_from=(k + 1) * 10_000)
        for _ in range(STEPS):
            desktop.work.step()
        desktop.close()
        made.append(desktop.data_dir)
    return made


def _sync_all(
    office: HeadOffice,
    templates: list[Path],
    upstream: Address | Callable[[], Address],
    where: Path,
) -> tuple[Tally, set[tuple[str, str, int, str]], int]:
    desktops = []
    for template in templates:
        copy = where / template.name
        shutil.copytree(template, copy)
        desktops.append(Desktop(copy, seed=0))
    try:
        with running_proxy(upstream) as proxy:
            for desktop in desktops:
                desktop.enrol(proxy.url)

            def rounds(desktop: Desktop) -> list[str]:
                return [desktop.sync() for _ in range(ROUNDS)]

            with ThreadPoolExecutor(len(desktops)) as pool:
                errors = [e for got in pool.map(rounds, desktops) for e in got if e]
            finals = [desktop.sync() for desktop in desktops]  # everyone pulls the rest
            requests = proxy.stats.requests
        assert errors == []
        assert finals == [""] * len(desktops)
        result = tally_office(office, [d.db for d in desktops], check_made=False)
    finally:
        for desktop in desktops:
            desktop.close()
    database = office.database()
    try:
        with database.read() as session:
            state = {
                (r.record_type, r.record_id, r.version, r.content_hash)
                for r in session.scalars(select(Record))
            }
    finally:
        database.close()
    return result, state, requests


@pytest.mark.timeout(240)
@pytest.mark.parametrize("server_url", ["postgresql"], indirect=True)
def test_two_server_processes_on_one_database_end_as_one_server_does(
    server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_run, "MAX_BATCH", BATCH)
    templates = _templates(tmp_path)
    with Launcher(PRELOAD) as launcher:
        two = HeadOffice.on_postgresql(launcher, server_url, tmp_path / "two")
        # The single server keeps its records in a SQLite data directory: a record's
        # version and content hash do not depend on the engine either.
        one = HeadOffice.on_sqlite(launcher, tmp_path / "one")
        for office in (two, one):
            add_officer(office.settings.database_url)
        first, second = two.start(), two.start()
        turns = itertools.cycle([("127.0.0.1", first.port), ("127.0.0.1", second.port)])
        lock = threading.Lock()

        def balance() -> Address:
            with lock:
                return next(turns)

        (tmp_path / "two").mkdir(exist_ok=True)
        (tmp_path / "one").mkdir(exist_ok=True)
        both, both_state, both_requests = _sync_all(two, templates, balance, tmp_path / "two")
        alone = one.start()
        single, single_state, _ = _sync_all(
            one, templates, ("127.0.0.1", alone.port), tmp_path / "one"
        )
        two.stop_all()
        one.stop_all()
    print(
        f"\ntwo servers: {DESKTOPS} desktops, {both_requests} requests over 2 processes\n"
        f"  two processes: {both.line()}\n  one process:   {single.line()}"
    )
    assert_exactly_once(both)
    assert_exactly_once(single)
    assert both_state == single_state
    assert both.changes == single.changes
    assert both.server_records == single.server_records == len(both_state)
