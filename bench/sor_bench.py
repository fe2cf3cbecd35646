"""SOR benchmarks against the budgets of the Schedule of Rates issue (2-core machine):

- as-you-type search over 20,000 SORs through the service: median ≤ 30 ms per query
- opening a SOR view with 50 rates in its history: ≤ 50 ms
- importing rate-analysis-template.xlsx: ≤ 3 s
- importing a 5,000-row rate workbook: ≤ 5 s
- `mukta-desktop sor show` as a whole process: ≤ 1.5 s
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import STATE_TENANT, RateHeads, SorType, complete_heads
from mukta_desktop.models import Sor
from mukta_desktop.services.database import Database, open_database
from mukta_desktop.services.sor_catalog import SorQuery, get_sor, search_sors
from mukta_desktop.services.sor_store import new_rate_row, sor_values
from mukta_desktop.services.users import Actor

TODAY = date(2026, 11, 21)
REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"
ADMIN = Actor("bench", "Bench", STATE_TENANT, frozenset({Role.MDMS_STATE_ADMIN}))
WORDS = [
    "earth",
    "work",
    "excavation",
    "foundation",
    "ordinary",
    "soil",
    "concrete",
    "cement",
    "plaster",
    "brick",
    "masonry",
    "flooring",
    "tiles",
    "vitrified",
    "granite",
    "painting",
    "emulsion",
    "primer",
    "road",
    "granular",
    "sub",
    "base",
    "bitumen",
    "steel",
    "reinforcement",
    "shuttering",
    "centering",
    "dismantling",
    "iron",
    "railing",
    "wood",
    "door",
    "window",
    "glazing",
    "roofing",
    "sheet",
    "paver",
    "block",
    "drain",
    "cover",
    "slab",
    "culvert",
]


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def _report(name: str, value_ms: float, budget_ms: float) -> None:
    verdict = "ok" if value_ms <= budget_ms else "OVER BUDGET"
    print(f"{name:<58} {value_ms:>9.1f} ms   budget {budget_ms:>7.0f} ms   {verdict}")


def _fill_sors(db: Database, count: int) -> None:
    """`count` works and basic SORs with varied descriptions and one state rate each."""
    types = [
        ("W", "EW", "NA"),
        ("W", "CC", "GF"),
        ("W", "PL", "FF"),
        ("M", "NA1", "NA"),
        ("L", "US", "NA"),
        ("E", "NA2", "NA"),
    ]
    with db.unit_of_work() as session:
        sors, rates = [], []
        for n in range(count):
            type_code, sub, variant = types[n % len(types)]
            words = [WORDS[(n * 7 + k * 13) % len(WORDS)] for k in range(12)]
            description = " ".join(words) + f" item {n}"
            code = f"SOR_{n + 1:06d}"
            sor = Sor(
                **sor_values(
                    code=code,
                    type_code=type_code,
                    sub_type_code=sub,
                    variant_code=variant,
                    uom_code="CUM",
                    rate_quantity=Decimal(1),
                    description=description,
                )
            )
            sor_id = sor.id
            sors.append(sor)
            heads = complete_heads(
                SorType(type_code),
                RateHeads(material=Decimal(100 + n % 900), labour=Decimal(50 + n % 300)),
            )
            rates.append(
                new_rate_row(
                    sor_id, STATE_TENANT, TODAY - timedelta(days=30), heads, "IMPORT", "bench"
                )
            )
        session.add_all(sors)
        session.flush()
        session.add_all(rates)


def bench_search(db: Database) -> None:
    queries = [
        "earth",
        "earth work",
        "cement plas",
        "TILES floor",
        "granite",
        "brick mas",
        "item 1999",
        "door window",
        "sub base road",
        "SOR_0123",
        "steel rein",
        "xyz",
    ]
    for q in queries:  # warm the page cache and statement cache
        search_sors(db, SorQuery(text=q), TODAY)
    timings: list[float] = []
    for _ in range(5):
        for q in queries:
            # As typed: each prefix of the query is a search.
            for end in range(1, len(q) + 1):
                query = SorQuery(text=q[:end])
                timings.append(_timed(partial(search_sors, db, query, TODAY)))
    _report(
        f"search as you type, 20,000 SORs (median of {len(timings)})",
        statistics.median(timings),
        30,
    )
    print(f"{'':<58} p95 {sorted(timings)[int(len(timings) * 0.95)]:.1f} ms")


def bench_view(db: Database) -> None:
    with db.unit_of_work() as session:
        sor = session.query(Sor).filter(Sor.code == "SOR_000001").one()
        for k in range(1, 50):
            heads = complete_heads(SorType.WORKS, RateHeads(material=Decimal(200 + k)))
            session.add(
                new_rate_row(
                    sor.id,
                    STATE_TENANT,
                    TODAY - timedelta(days=30) + timedelta(days=k),
                    heads,
                    "IMPORT",
                    "bench",
                )
            )
    get_sor(db, "SOR_000001", at=TODAY, tenant="od.dhenkanal")
    timings = [
        _timed(
            lambda: get_sor(db, "SOR_000001", at=TODAY + timedelta(days=60), tenant="od.dhenkanal")
        )
        for _ in range(30)
    ]
    detail = get_sor(db, "SOR_000001", at=TODAY, tenant="od.dhenkanal")
    assert len(detail.history) == 50, len(detail.history)
    _report(
        "open a SOR view with 50 rates in history (median of 30)", statistics.median(timings), 50
    )


def _rate_workbook(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("SOR")
    sheet.append([None, "State Level Details"] + [None] * 6 + ["ULB Level Details"])
    sheet.append(
        [
            "Sr. No.",
            "Code",
            "Type",
            "Sub Type",
            "Variant",
            "SOR Description",
            "UOM",
            "Qty for which rate is defined",
            "Basic Matrial Rate",
            "Basic Labour Rate",
            "Basic Machinery Rate",
            "Conveyance",
            "Royalty",
            "Labour Cess",
            "Total",
        ]
    )
    for n in range(rows):
        material, labour, conveyance = Decimal(1000 + n) / 100, Decimal(500 + n % 97), Decimal(12)
        heads = complete_heads(
            SorType.WORKS, RateHeads(material=material, labour=labour, conveyance=conveyance)
        )
        sheet.append(
            [
                n + 1,
                f"BW{n + 1:05d}",
                "Works",
                "Earth Work",
                "Not Applicable",
                f"Bench works item {n + 1} " + " ".join(WORDS[n % 20 : n % 20 + 6]),
                "CUM",
                1,
                str(material),
                str(labour),
                None,
                str(conveyance),
                None,
                str(heads.labour_cess),
                str(heads.total),
            ]
        )
    book.save(path)


def bench_imports(work: Path) -> None:
    try:
        from mukta_desktop.services.sor_import import import_sor_file
    except ImportError:
        print("import benchmarks skipped: the importer is not available")
        return
    template = REFERENCE / "rate-analysis-template.xlsx"
    if template.exists():
        db = open_database(work / "imp1")
        elapsed = _timed(
            lambda: _check(import_sor_file(db, ADMIN, template, effective_from=None, today=TODAY))
        )
        _report("import rate-analysis-template.xlsx (691 SORs)", elapsed, 3000)
        db.close()
    else:
        print(f"template benchmark skipped: {template} not found")
    book = work / "rates-5000.xlsx"
    _rate_workbook(book, 5000)
    db = open_database(work / "imp2")
    elapsed = _timed(
        lambda: _check(import_sor_file(db, ADMIN, book, effective_from=TODAY, today=TODAY))
    )
    _report("import a 5,000-row rate workbook", elapsed, 5000)
    db.close()


def _check(report: object) -> None:
    if not getattr(report, "ok", False):
        raise SystemExit(f"import refused: {getattr(report, 'problems', '')}")


def bench_sor_show(data_dir: Path) -> None:
    exe = Path(sys.executable).with_name("mukta-desktop")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "mukta_desktop.cli"]
    command += ["--data-dir", str(data_dir), "sor", "show", "SOR_000001", "--json"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    subprocess.run(command, check=True, capture_output=True, env=env)  # warm bytecode cache
    timings = [
        _timed(lambda: subprocess.run(command, check=True, capture_output=True, env=env))
        for _ in range(7)
    ]
    _report(
        "`mukta-desktop sor show` as a whole process (median of 7)",
        statistics.median(timings),
        1500,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = open_database(work / "search")
        started = time.perf_counter()
        _fill_sors(db, 20_000)
        print(f"(generated 20,000 SORs in {time.perf_counter() - started:.1f} s)")
        bench_search(db)
        bench_view(db)
        db.close()
        bench_sor_show(work / "search")
        bench_imports(work)


if __name__ == "__main__":
    main()
