"""The desktop killed in the middle of a sync, 20 times (issue 5 §5): a desktop process that
keeps working and syncing (`sync_once` through the proxy to a real `mukta-server serve`) gets
SIGKILL at a random moment after one of its requests reached the server — while the server
works on it, while the desktop stores the answer, or in the work that follows. After each kill
the desktop's SQLite database passes `PRAGMA integrity_check`; a new process continues on the
same data directory. After a final clean round every record the desktop made is on the server
exactly once."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
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
    assert_exactly_once,
    tally_office,
)

KILLS = 20
SEED = 4242


def _integrity(path: Path) -> list[tuple[str]]:
    with sqlite3.connect(path) as check:
        return list(check.execute("PRAGMA integrity_check").fetchall())


@pytest.mark.timeout(240)
def test_a_desktop_killed_during_syncs_keeps_a_sound_database_and_loses_nothing(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    # One request in three arms the kill; it comes within 0.15 s: on the server's side of
    # that request, while the desktop stores the answer, or in what it does next.
    switch = KillSwitch(rng, 0.15, lambda _request: rng.random() < 0.35)
    data_dir = tmp_path / "desktop"
    with Launcher(PRELOAD) as launcher:
        office = HeadOffice.on_sqlite(launcher, tmp_path)
        add_officer(office.settings.database_url)
        served = office.start()
        with running_proxy(
            ("127.0.0.1", served.port),
            on_forwarded=switch.on_forwarded,
            on_answered=switch.on_answered,
        ) as proxy:
            first = Desktop(data_dir, seed=SEED)
            first.enrol(proxy.url)
            first.close()
            checks = []
            for kill in range(KILLS):
                pid = launcher.start(
                    "sync_fault_support:desktop_forever",
                    [str(data_dir), str(SEED + kill)],
                    tmp_path / "desktop.log",
                )
                switch.arm(pid)
                assert switch.fired.wait(timeout=120), (tmp_path / "desktop.log").read_text()
                status = launcher.reap(pid, kill=False)
                assert os.WIFSIGNALED(status), (tmp_path / "desktop.log").read_text()
                assert os.WTERMSIG(status) == signal.SIGKILL
                checks.append(_integrity(data_dir / "mukta.sqlite3"))
            desktop = Desktop(data_dir, seed=SEED)
            try:
                final = desktop.sync()
                result = tally_office(office, [desktop.db])
            finally:
                desktop.close()
        office.stop_all()
    sound = sum(1 for check in checks if check == [("ok",)])
    print(
        f"\nclient kills: {KILLS} SIGKILLs of a syncing desktop ({switch.before_answer} while "
        f"the server worked on its request, {switch.after_answer} after the answer came; "
        f"requests that started them: {dict(switch.triggers)}), "
        f"integrity_check ok {sound}/{KILLS}\n  {result.line()}"
    )
    assert sound == KILLS
    assert final == ""
    assert_exactly_once(result)
