"""The server killed in the middle of a push, 20 times (issue 5 §5): a real `mukta-server
serve` process on a SQLite data directory, and on PostgreSQL, gets SIGKILL at a random moment
after a desktop's push reached it — while it applies the batch an operation at a time, or
just after it answered. A new process is started on the same database and the desktop goes
on. At the end nothing is lost, nothing was applied twice, the change sequence has no gap and
the database is sound."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from fault_proxy import running_proxy
from fork_launcher import Launcher
from sync_fault_support import (
    PRELOAD,
    Desktop,
    HeadOffice,
    KillSwitch,
    add_officer,
    answered,
    assert_exactly_once,
    tally_office,
)

KILLS = 20
STEPS_PER_PUSH = 4  # pieces of work between two pushes: 4-8 operations per batch
SEED = 5150


@pytest.mark.timeout(240)
def test_a_server_killed_during_pushes_loses_and_repeats_nothing(
    server_url: str, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    # A fresh process takes 0.1-0.5 s over its first batch on SQLite, longer on PostgreSQL
    # (its first connections): kills land before, inside or just after it.
    within = 0.5 if server_url.startswith("sqlite") else 1.0
    switch = KillSwitch(rng, within, lambda request: request.path == "/api/v1/push")
    with Launcher(PRELOAD) as launcher:
        if server_url.startswith("sqlite"):
            office = HeadOffice.on_sqlite(launcher, tmp_path)
        else:
            office = HeadOffice.on_postgresql(launcher, server_url, tmp_path)
        add_officer(office.settings.database_url)
        served = office.start()
        desktop = Desktop(tmp_path / "desktop", seed=SEED)
        try:
            with running_proxy(
                ("127.0.0.1", served.port),
                on_forwarded=switch.on_forwarded,
                on_answered=switch.on_answered,
            ) as proxy:
                desktop.enrol(proxy.url)
                device = desktop.device_id
                failed = kills = 0
                batches: Counter[str] = Counter()  # how much of the batch a kill let through
                watch = office.database()
                while kills < KILLS:
                    for _ in range(STEPS_PER_PUSH):
                        desktop.work.step()
                    new = desktop.pending() - answered(watch, device)
                    switch.arm(served.pid)
                    if desktop.sync():
                        failed += 1
                    assert switch.fired.wait(timeout=30), "no push reached the server"
                    status = launcher.reap(served.pid, kill=False)
                    assert os.WIFSIGNALED(status)
                    assert os.WTERMSIG(status) == signal.SIGKILL
                    kills += 1
                    applied = len(new & answered(watch, device))
                    batches[
                        "none" if not applied else "all" if applied == len(new) else "part"
                    ] += 1
                    office.running.remove(served)
                    served = office.start()
                    proxy.upstream = ("127.0.0.1", served.port)
                final = desktop.sync()
                watch.close()
            result = tally_office(office, [desktop.db])
        finally:
            desktop.close()
            office.stop_all()
    engine = server_url.split(":", 1)[0]
    print(
        f"\nserver kills ({engine}): {kills} SIGKILLs during pushes ({switch.before_answer} "
        f"before the push was answered, {switch.after_answer} after; batch applied when "
        f"killed: {dict(batches)}), {failed} rounds failed, {office.started} server "
        f"processes\n  {result.line()}"
    )
    assert final == ""
    assert switch.before_answer > 0
    assert batches["part"] > 0  # some kills came in the middle of applying a batch
    assert_exactly_once(result)
    if office.settings.database_url.startswith("sqlite"):
        path = office.settings.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
