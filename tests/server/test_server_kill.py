"""The server killed in the middle of a push, 20 times (issue 5 §5): a real `mukta-server
serve` process on a SQLite data directory, and on PostgreSQL, gets SIGKILL while a desktop
pushes — at a random time after the push reached it, or exactly as its push transaction is
about to commit or has just committed (before any answer). A new process is started on the
same database and the desktop goes on. At the end nothing is lost, nothing was applied twice,
the change sequence has no gap and the database is sound."""

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
    DYING_MOMENTS,
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
TIMER = "timer"
STEPS_PER_PUSH = 4  # pieces of work between two pushes: 4-8 operations per batch
SEED = 5150


@pytest.mark.timeout(240)
def test_a_server_killed_during_pushes_loses_and_repeats_nothing(
    server_url: str, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    moments = random.Random(SEED + 1)
    # Each kill at one of three moments: at a random time after the push reached the
    # server (a fresh process takes 0.1-0.5 s over its first batch on SQLite, longer on
    # PostgreSQL, so it lands before, inside or after it), or — chosen exactly — by the
    # process itself when its push transaction is about to commit, or has just committed.
    within = 0.5 if server_url.startswith("sqlite") else 1.0
    switch = KillSwitch(rng, within, lambda request: request.path == "/api/v1/push")
    outcomes: dict[str, Counter[str]] = {m: Counter() for m in (TIMER, *DYING_MOMENTS)}
    with Launcher(PRELOAD) as launcher:
        if server_url.startswith("sqlite"):
            office = HeadOffice.on_sqlite(launcher, tmp_path)
        else:
            office = HeadOffice.on_postgresql(launcher, server_url, tmp_path)
        add_officer(office.settings.database_url)
        moment = moments.choice(list(outcomes))
        served = office.start(dying_at=None if moment == TIMER else moment)
        desktop = Desktop(tmp_path / "desktop", seed=SEED)
        try:
            with running_proxy(
                ("127.0.0.1", served.port),
                on_forwarded=switch.on_forwarded,
                on_answered=switch.on_answered,
            ) as proxy:
                desktop.enrol(proxy.url)
                device = desktop.device_id
                failed = 0
                watch = office.database()
                for kill in range(KILLS):
                    for _ in range(STEPS_PER_PUSH):
                        desktop.work.step()
                    new = desktop.pending() - answered(watch, device)
                    if moment == TIMER:
                        switch.arm(served.pid)
                    if desktop.sync():
                        failed += 1
                    if moment == TIMER:
                        assert switch.fired.wait(timeout=30), "no push reached the server"
                    status = launcher.reap(served.pid, kill=False)
                    office.running.remove(served)
                    assert os.WIFSIGNALED(status)
                    assert os.WTERMSIG(status) == signal.SIGKILL
                    applied = len(new & answered(watch, device))
                    outcomes[moment][
                        "none" if not applied else "all" if applied == len(new) else "part"
                    ] += 1
                    if moment == "before_commit":
                        assert applied < len(new)  # the transaction being committed is gone
                    if moment == "after_commit":
                        assert applied > 0
                    last = kill == KILLS - 1
                    moment = TIMER if last else moments.choice(list(outcomes))
                    served = office.start(dying_at=None if moment == TIMER else moment)
                    proxy.upstream = ("127.0.0.1", served.port)
                final = desktop.sync()
                watch.close()
            result = tally_office(office, [desktop.db])
        finally:
            desktop.close()
            office.stop_all()
    engine = server_url.split(":", 1)[0]
    print(
        f"\nserver kills ({engine}): {KILLS} SIGKILLs during pushes, by moment and how much "
        f"of the batch had been applied: { {m: dict(c) for m, c in outcomes.items()} } "
        f"(timed kills: {switch.before_answer} before the push was answered, "
        f"{switch.after_answer} after); {failed} rounds failed, {office.started} server "
        f"processes\n  {result.line()}"
    )
    assert final == ""
    assert all(sum(counts.values()) > 0 for counts in outcomes.values())
    assert_exactly_once(result)
    if office.settings.database_url.startswith("sqlite"):
        path = office.settings.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
