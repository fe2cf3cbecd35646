"""Estimate benchmarks against the budgets of the estimate issue (2-core machine), on an
estimate of 300 lines × 10 measurement rows (3,000 rows):

- saving it (services.estimates.save_estimate, what autosave calls): ≤ 200 ms
- `mukta-desktop estimate show NUMBER --json` as a whole process: ≤ 1.5 s
- loading it (services.estimates.get_estimate): printed (no budget of its own)

Each figure is the median wall time, with the CPU time beside it (on a machine busy with
other work the wall time grows, the CPU time does not). Run with
`.venv/bin/python -m bench.estimate_bench`.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from mukta_desktop.domain.estimate import LineCategory, OverheadKind
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import STATE_TENANT, RateHeads, SorType, complete_heads
from mukta_desktop.models import Sor
from mukta_desktop.services.database import Database, open_database
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft, OverheadDraft
from mukta_desktop.services.estimates import create_estimate, get_estimate, save_estimate
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.sor_store import new_rate_row, sor_values
from mukta_desktop.services.users import Actor

TODAY = date(2026, 11, 21)
LINES = 300
ROWS = 10
SORS = 120  # distinct SORs the lines draw on
JE = Actor("bench", "Bench JE", "od.dhenkanal", frozenset({Role.ESTIMATE_CREATOR}))


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU milliseconds of `work` (CPU of this process and of children it waited
    for: on a busy machine the wall time says more about the neighbours than about us)."""
    cpu = _cpu()
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000, (_cpu() - cpu) * 1000


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _report(name: str, timings: list[tuple[float, float]], budget_ms: float | None) -> None:
    wall = statistics.median(t[0] for t in timings)
    cpu = statistics.median(t[1] for t in timings)
    figures = f"{name:<58} {wall:>8.1f} ms (cpu {cpu:>7.1f} ms)"
    if budget_ms is None:
        print(figures)
        return
    verdict = "ok" if wall <= budget_ms else "OVER BUDGET"
    print(f"{figures}   budget {budget_ms:>6.0f} ms   {verdict}")


def _fill_sors(db: Database) -> list[str]:
    """Works SORs with one state rate each, in force a year back."""
    codes: list[str] = []
    with db.unit_of_work() as session:
        sors, rates = [], []
        for n in range(SORS):
            code = f"BENCH-W-{n + 1:04d}"
            sor = Sor(
                **sor_values(
                    code=code,
                    type_code="W",
                    sub_type_code="CC",
                    variant_code="GF",
                    uom_code="CUM",
                    rate_quantity=Decimal(1),
                    description=f"Bench works item {n + 1}: cement concrete in foundation",
                )
            )
            sors.append(sor)
            heads = complete_heads(
                SorType.WORKS,
                RateHeads(
                    material=Decimal(1000 + n) + Decimal("0.55"),
                    labour=Decimal(400 + n % 50),
                    machinery=Decimal(35),
                ),
            )
            rates.append(
                new_rate_row(
                    sor.id, STATE_TENANT, TODAY - timedelta(days=365), heads, "IMPORT", "bench"
                )
            )
            codes.append(code)
        session.add_all(sors)
        session.flush()
        session.add_all(rates)
    return codes


def _rows(n: int) -> tuple[MeasurementRow, ...]:
    rows: list[MeasurementRow] = []
    for k in range(ROWS):
        minus = k == ROWS - 1
        rows.append(
            MeasurementRow(
                RowKind.MINUS if minus else RowKind.PLUS,
                f"Location {k + 1} of item {n + 1}",
                Decimal(1 + k % 3),
                Decimal("10.5") + Decimal(k) / 10 if not minus else Decimal("0.5"),
                None if k % 4 == 0 else Decimal("0.45"),
                Decimal("0.3"),
            )
        )
    return tuple(rows)


def _draft(codes: list[str]) -> EstimateDraft:
    lines: list[LineDraft] = []
    for n in range(LINES):
        if n % 25 == 24:
            lines.append(
                LineDraft(
                    LineCategory.NON_SOR,
                    f"Bench non-SOR item {n + 1}",
                    "NOS",
                    Decimal("1250.50"),
                    rows=_rows(n),
                )
            )
        else:
            lines.append(
                LineDraft(
                    LineCategory.SOR,
                    "",
                    "",
                    Decimal(0),
                    rows=_rows(n),
                    sor_code=codes[n % len(codes)],
                )
            )
    overheads = (
        OverheadDraft("SC", "Supervision Charge", OverheadKind.PERCENT, percent=Decimal("7.5")),
        OverheadDraft("GST", "Goods and Service Tax", OverheadKind.PERCENT, percent=Decimal(18)),
    )
    return EstimateDraft(TODAY - timedelta(days=30), "Bench estimate", tuple(lines), overheads)


def bench_save_and_load(db: Database) -> str:
    codes = _fill_sors(db)
    project = create_project(db, JE, NewProject(name="Bench project"), today=TODAY).number
    draft = _draft(codes)
    started = time.perf_counter()
    view = create_estimate(db, JE, project_number=project, draft=draft, today=TODAY)
    print(
        f"(created {view.number}: {len(view.lines)} lines, "
        f"{sum(len(line.draft.rows) for line in view.lines)} rows, total "
        f"{view.total} in {(time.perf_counter() - started) * 1000:.0f} ms)"
    )
    # What autosave sends: the editor's draft (lines keep their ids and frozen rates), with
    # one row changed each time.
    timings: list[tuple[float, float]] = []
    current = view
    for k in range(9):
        lines = list(current.draft.lines)
        first = lines[k]
        changed = replace(first.rows[0], number=Decimal(2 + k % 2))
        lines[k] = replace(first, rows=(changed, *first.rows[1:]))
        edited = replace(current.draft, lines=tuple(lines))
        timings.append(_timed(partial(save_estimate, db, JE, view.number, edited)))
        current = get_estimate(db, view.number, viewer=JE)
    _report(f"save a {LINES} × {ROWS} estimate (median of {len(timings)})", timings, 200)
    loads = [_timed(lambda: get_estimate(db, view.number, viewer=JE)) for _ in range(9)]
    _report(f"load a {LINES} × {ROWS} estimate (median of {len(loads)})", loads, None)
    return view.number


def bench_show(data_dir: Path, number: str) -> None:
    exe = Path(sys.executable).with_name("mukta-desktop")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "mukta_desktop.cli"]
    command += ["--data-dir", str(data_dir), "estimate", "show", number, "--json"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    done = subprocess.run(command, check=True, capture_output=True, env=env)  # warm caches
    shown = json.loads(done.stdout)
    assert len(shown["lines"]) == LINES, len(shown["lines"])
    timings = [
        _timed(lambda: subprocess.run(command, check=True, capture_output=True, env=env))
        for _ in range(7)
    ]
    _report("`estimate show --json` as a whole process (median of 7)", timings, 1500)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "estimates"
        db = open_database(data_dir)
        number = bench_save_and_load(db)
        db.close()
        bench_show(data_dir, number)


if __name__ == "__main__":
    main()
