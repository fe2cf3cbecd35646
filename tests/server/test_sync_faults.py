"""Sync through a network that fails on purpose (issue 5 §5): a desktop makes records and
syncs 200 rounds with a real `mukta-server serve` process through `FaultProxy`, which drops
requests, drops answers after the server committed, cuts request bodies and answers half-way,
resets connections and delays. Failed rounds are simply followed by the next ones. After a
final clean round nothing is lost and nothing was applied twice: every record the desktop
made is on the server with its content, one change per operation, one stored answer per
operation, every outbox operation confirmed, every photo stored under its hash."""

from __future__ import annotations

import random
from pathlib import Path

from fault_proxy import BREAKING, Fault, FaultPlan, running_proxy
from fork_launcher import Launcher
from sync_fault_support import (
    PRELOAD,
    Desktop,
    HeadOffice,
    add_officer,
    assert_exactly_once,
    tally_office,
)

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


def test_two_hundred_rounds_through_a_failing_network_lose_and_repeat_nothing(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    plan = FaultPlan(SEED, WEIGHTS)
    plan.enabled = False  # enrolment on a clean line
    with Launcher(PRELOAD) as launcher:
        office = HeadOffice.on_sqlite(launcher, tmp_path)
        add_officer(office.settings.database_url)
        served = office.start()
        desktop = Desktop(tmp_path / "desktop", seed=SEED)
        try:
            with running_proxy(("127.0.0.1", served.port), plan) as proxy:
                for _ in range(4):  # made before enrolment: sent with their history
                    desktop.work.step()
                desktop.enrol(proxy.url)
                plan.enabled = True
                failed = 0
                steps = 0
                for _ in range(ROUNDS):
                    if rng.random() < 0.7:
                        desktop.work.step()
                        steps += 1
                    if desktop.sync():
                        failed += 1
                plan.enabled = False
                final = desktop.sync()
                requests = proxy.stats.requests
            result = tally_office(office, [desktop.db])
        finally:
            desktop.close()
            office.stop_all()
    faults = {str(f): n for f, n in sorted(plan.chosen.items()) if f is not Fault.NONE}
    print(
        f"\nsync faults: {ROUNDS} rounds ({failed} failed and retried), {steps} pieces of "
        f"work, {requests} requests, faults {faults}\n  {result.line()}"
    )
    assert final == ""
    assert sum(plan.chosen[f] for f in BREAKING) >= ROUNDS // 4  # the network did fail
    assert failed > 0
    assert_exactly_once(result)
    assert result.photos > 0
