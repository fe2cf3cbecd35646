"""Measurement Book benchmarks against the budgets of the MB issue (2-core machine):

- saving an MB of 300 lines × 10 measurement rows (services.measurement_books.save_mb, what
  autosave calls): ≤ 200 ms
- loading it (services.measurement_books.get_mb): ≤ 300 ms
- `mukta-desktop mb show NUMBER --json` on it as a whole process: ≤ 1.5 s
- `verify_records` over 1,000 approved MBs (10 work orders of 100 weekly MBs, a few lines
  each, each MB approved through the services so its hash and chain are real): ≤ 10 s

Each figure is the median wall time, with the CPU time beside it (on a machine busy with other
work the wall time grows, the CPU time does not). Run with `.venv/bin/python -m bench.mb_bench`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from bench.estimate_bench import LINES, ROWS, TODAY, _draft, _fill_sors, _report, _timed
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import Action
from mukta_desktop.services.database import Database, open_database
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft
from mukta_desktop.services.estimates import act, create_estimate
from mukta_desktop.services.mb_verify import verify_records
from mukta_desktop.services.mb_views import MbLineDraft
from mukta_desktop.services.measurement_books import (
    act_in,
    create_mb,
    create_mb_in,
    get_mb,
    save_mb,
)
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.users import Actor
from mukta_desktop.services.work_orders import create_work_order, get_work_order

# One officer holding every role of the ULB (small ULBs do): the bench measures the services,
# not the handing over between people.
OFFICER = Actor("bench", "Bench officer", "od.dhenkanal", frozenset(Role))
APPROVED_MBS = 1000
WORK_ORDERS = 10  # of 100 weekly MBs each (two years of work)
BATCH = 50  # approved MBs made per unit of work while building


def _approved_estimate(db: Database, name: str, draft: EstimateDraft) -> str:
    project = create_project(db, OFFICER, NewProject(name=name), today=TODAY).number
    view = create_estimate(db, OFFICER, project_number=project, draft=draft, today=TODAY)
    for action in (Action.SUBMIT, Action.VERIFY, Action.SANCTION, Action.APPROVE):
        act(db, OFFICER, view.number, action, comment=action.label)
    return view.number


def bench_big_mb(db: Database, codes: list[str]) -> str:
    """An MB measuring every line of a 300 × 10 estimate with 10 rows (the estimate's own rows:
    what the editor copies as a starting point)."""
    started = time.perf_counter()
    estimate = _approved_estimate(db, "Bench project, big MB", _draft(codes))
    order = create_work_order(
        db,
        OFFICER,
        estimate_number=estimate,
        organisation="Bench SHG",
        start=TODAY - timedelta(days=6),
        end=TODAY + timedelta(days=365),
        today=TODAY,
    )
    lines = [MbLineDraft(line.key, _rows_of(db, estimate, line.position)) for line in order.lines]
    view = create_mb(db, OFFICER, order.number, today=TODAY, lines=lines)
    rows = sum(len(line.item.rows) for line in view.lines)
    print(
        f"(made {view.number}: {len(view.lines)} lines, {rows} rows, total {view.totals.total}, "
        f"in {(time.perf_counter() - started):.1f} s with its estimate and work order)"
    )
    # What autosave sends: the editor's draft with one row changed each time.
    timings: list[tuple[float, float]] = []
    current = view
    for k in range(5):
        draft = current.draft
        drafted = list(draft.lines)
        first = drafted[k]
        changed = replace(first.rows[0], number=Decimal(1 + k % 2))
        drafted[k] = replace(first, rows=(changed, *first.rows[1:]))
        edited = replace(draft, lines=tuple(drafted))
        timings.append(_timed(partial(save_mb, db, OFFICER, view.number, edited, today=TODAY)))
        current = get_mb(db, view.number, viewer=OFFICER)
    _report(f"save a {LINES} × {ROWS} MB (median of {len(timings)})", timings, 200)
    loads = [_timed(lambda: get_mb(db, view.number, viewer=OFFICER)) for _ in range(5)]
    _report(f"load a {LINES} × {ROWS} MB (median of {len(loads)})", loads, 300)
    return view.number


_ESTIMATE_ROWS: dict[str, dict[int, tuple[MeasurementRow, ...]]] = {}


def _rows_of(db: Database, estimate: str, position: int) -> tuple[MeasurementRow, ...]:
    if estimate not in _ESTIMATE_ROWS:
        from mukta_desktop.services.estimates import get_estimate

        view = get_estimate(db, estimate)
        _ESTIMATE_ROWS[estimate] = {
            n: line.draft.rows for n, line in enumerate(view.lines, start=1)
        }
    return _ESTIMATE_ROWS[estimate][position]


def _row(number: str, length: str) -> MeasurementRow:
    return MeasurementRow(RowKind.PLUS, "", Decimal(number), Decimal(length), None, None)


def build_approved_mbs(db: Database, codes: list[str]) -> None:
    """1,000 approved MBs: WORK_ORDERS work orders of small estimates, each measured in weekly
    MBs (two years of them), each MB approved through the services (create, submit, verify,
    approve: hashes and chains made as in use), BATCH MBs per unit of work."""
    lines = tuple(
        LineDraft(LineCategory.SOR, "", "", Decimal(0), rows=(_row("1000", "10"),), sor_code=code)
        for code in codes[:3]
    )
    draft = EstimateDraft(TODAY - timedelta(days=30), "Bench estimate for verify", lines)
    per_order = APPROVED_MBS // WORK_ORDERS
    started = time.perf_counter()
    batches: list[float] = []
    for n in range(WORK_ORDERS):
        estimate = _approved_estimate(db, f"Bench project {n + 1} of verify", draft)
        order = create_work_order(
            db,
            OFFICER,
            estimate_number=estimate,
            organisation="Bench SHG",
            start=TODAY - timedelta(days=7 * per_order + 14),
            end=TODAY + timedelta(days=365),
            today=TODAY,
        )
        keys = [line.key for line in get_work_order(db, order.number).lines]
        made = 0
        while made < per_order:
            batch_started = time.perf_counter()
            with db.unit_of_work() as session:
                for _ in range(min(BATCH, per_order - made)):
                    mb = create_mb_in(
                        session,
                        OFFICER,
                        order.number,
                        today=TODAY,
                        lines=[
                            MbLineDraft(key, (_row("1", "5"), _row("2", "1.25"))) for key in keys
                        ],
                        complete=True,
                    )
                    for action in (Action.SUBMIT, Action.VERIFY, Action.APPROVE):
                        act_in(session, OFFICER, mb, action, comment=action.label)
                    made += 1
            batches.append(time.perf_counter() - batch_started)
    # One more MB costs more the more MBs its work order has (first batch vs last batch).
    print(
        f"(approved {WORK_ORDERS} × {per_order} MBs in {time.perf_counter() - started:.1f} s: "
        f"{batches[0] / BATCH * 1000:.0f} ms an MB for a work order's first {BATCH}, "
        f"{batches[-1] / BATCH * 1000:.0f} ms for its last {BATCH})"
    )


def bench_verify(db: Database) -> None:
    runs = [_timed(lambda: _check(verify_records(db))) for _ in range(3)]
    _report(f"verify_records over {APPROVED_MBS} approved MBs (median of 3)", runs, 10_000)


def _check(report: object) -> None:
    from mukta_desktop.services.mb_views import VerifyReport

    assert isinstance(report, VerifyReport)
    assert report.ok, report.problems[:3]
    assert report.measurement_books == APPROVED_MBS, report.measurement_books


def bench_show(data_dir: Path, number: str) -> None:
    exe = Path(sys.executable).with_name("mukta-desktop")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "mukta_desktop.cli"]
    command += ["--data-dir", str(data_dir), "mb", "show", number, "--json"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    done = subprocess.run(command, check=True, capture_output=True, env=env)  # warm caches
    shown = json.loads(done.stdout)
    assert len(shown["lines"]) == LINES, len(shown["lines"])
    timings = [
        _timed(lambda: subprocess.run(command, check=True, capture_output=True, env=env))
        for _ in range(7)
    ]
    _report("`mb show --json` of it as a whole process (median of 7)", timings, 1500)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "mbs"
        db = open_database(data_dir)
        codes = _fill_sors(db)
        number = bench_big_mb(db, codes)
        db.close()
        bench_show(data_dir, number)
        db = open_database(data_dir)
        build_approved_mbs(db, codes)
        bench_verify(db)
        db.close()


if __name__ == "__main__":
    main()
