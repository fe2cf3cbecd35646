"""Report benchmarks against the budgets of the estimates issue (2-core machine):

- the detailed estimate PDF of an estimate of 300 lines × 10 measurement rows: ≤ 6 s
- the same estimate as an Excel workbook with live formulas: ≤ 2 s

The estimate is made through the services (demo SORs, `create_from_json`) on a temporary data
folder, then read back as the view the CLI and the UI export from.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from mukta_desktop.domain.roles import Role
from mukta_desktop.reports.estimate_pdf import write_estimate_pdf
from mukta_desktop.reports.estimate_xlsx import write_estimate_xlsx
from mukta_desktop.reports.fonts import find_fonts
from mukta_desktop.services.database import open_database
from mukta_desktop.services.demo import load_demo
from mukta_desktop.services.estimate_json import create_from_json
from mukta_desktop.services.estimate_views import EstimateView
from mukta_desktop.services.estimates import get_estimate
from mukta_desktop.services.users import Actor

TODAY = date(2026, 11, 21)
ACTOR = Actor("demo", "Demo Engineer (demo)", "od.dhenkanal", frozenset(Role))
WORKS = [f"DEMO-W-{n:03d}" for n in range(1, 8)]  # W-008 is priced from today
LINES, ROWS = 300, 10


def _rows(line: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in range(ROWS):
        minus = n == ROWS - 1  # the last row of each line is a small deduction
        rows.append(
            {
                "kind": "minus" if minus else "plus",
                "name": f"Opening at chainage {n * 10}"
                if minus
                else f"Ward 7 lane {line + 1}, chainage {n * 10} to {n * 10 + 10} m",
                "number": "1" if minus else str(1 + n % 3),
                "length": "0.9" if minus else f"{10 + (line * 7 + n) % 40}.{n * 3 % 100:02d}",
                "breadth": "0.45" if n % 4 else None,
                "depth": f"0.{15 + n % 5 * 5}" if n % 3 else None,
            }
        )
    return rows


def estimate_document() -> dict[str, Any]:
    lines: list[dict[str, Any]] = []
    for n in range(LINES):
        if n % 10 == 9:
            lines.append(
                {
                    "category": "NON-SOR",
                    "description": f"Shifting of utility {n + 1} (ମାଟି କାମ near the lane)",
                    "unit": "CUM",
                    "rate": f"{400 + n}.50",
                    "measurements": _rows(n),
                }
            )
        else:
            lines.append(
                {"category": "SOR", "sor_code": WORKS[n % len(WORKS)], "measurements": _rows(n)}
            )
    return {
        "project": {"name": "Bench: roads and drains of Ward 7"},
        "date": "2026-09-01",
        "lines": lines,
        "overheads": [{"code": "SC"}, {"code": "GST"}],
    }


def _report(name: str, value_s: float, budget_s: float) -> None:
    verdict = "ok" if value_s <= budget_s else "OVER BUDGET"
    print(f"{name:<58} {value_s:>9.2f} s    budget {budget_s:>5.1f} s   {verdict}")


def _time(work: Any, runs: int = 3) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def build(work: Path) -> EstimateView:
    db = open_database(work / "data")
    try:
        load_demo(db, today=TODAY)
        created = create_from_json(db, ACTOR, estimate_document(), today=TODAY)
        return get_estimate(db, created.number)
    finally:
        db.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        view = build(work)
        rows = sum(len(line.draft.rows) for line in view.lines)
        print(
            f"(made {view.number}: {len(view.lines)} lines, {rows} measurement rows, "
            f"in {time.perf_counter() - started:.1f} s)"
        )
        fonts = find_fonts()
        print(f"(fonts: text {fonts.text}, Odia {fonts.odia})")
        pdf = work / "estimate.pdf"
        xlsx = work / "estimate.xlsx"
        _report(
            f"estimate PDF, {LINES} lines x {ROWS} rows (median of 3)",
            _time(lambda: write_estimate_pdf(view, pdf)),
            6.0,
        )
        _report(
            f"estimate Excel, {LINES} lines x {ROWS} rows (median of 3)",
            _time(lambda: write_estimate_xlsx(view, xlsx)),
            2.0,
        )
        print(f"(PDF {pdf.stat().st_size / 1e6:.1f} MB, Excel {xlsx.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
