"""Estimates for the report tests, made through the services the way a user makes them: the
demo SORs, an estimate from a JSON document, the workflow to approval, a revision."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mukta_desktop.domain.deviation import Statement
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import Action
from mukta_desktop.services.database import Database
from mukta_desktop.services.demo import load_demo
from mukta_desktop.services.estimate_json import create_from_json
from mukta_desktop.services.estimate_views import EstimateView, LineDraft
from mukta_desktop.services.estimates import act, price_sor_line, save_estimate
from mukta_desktop.services.revisions import deviation_statement, revise
from mukta_desktop.services.users import Actor

TODAY = date(2026, 11, 21)
ESTIMATE_DATE = date(2026, 9, 1)
ACTOR = Actor("demo", "Demo Engineer (demo)", "od.dhenkanal", frozenset(Role))
ODIA = "ମାଟି କାମ"  # "earth work"


def row(kind: str, name: str, *factors: str | None) -> dict[str, Any]:
    n, length, breadth, depth = (list(factors) + [None] * 4)[:4]
    return {
        "kind": kind,
        "name": name,
        "number": n,
        "length": length,
        "breadth": breadth,
        "depth": depth,
    }


def document() -> dict[str, Any]:
    """Three SOR lines (one with a deduction), an Odia non-SOR line, SC, GST and a lump sum."""
    return {
        "project": {"name": "Drain and approach road at Ward 7, Kunjakanta"},
        "date": ESTIMATE_DATE.isoformat(),
        "description": "Construction of a covered drain with an approach road",
        "lines": [
            {
                "category": "SOR",
                "sor_code": "DEMO-W-001",
                "measurements": [
                    row("plus", "Drain trench, left side", "2", "10.5", "0.45", "0.3"),
                    row("plus", "Drain trench, right side", "1", "120.25", "0.6", "0.45"),
                    row("minus", "Culvert crossing", "1", "3.5", "0.6", "0.45"),
                ],
            },
            {
                "category": "SOR",
                "sor_code": "DEMO-W-002",
                "measurements": [row("plus", "Bed concrete", "1", "123.25", "0.6", "0.1")],
            },
            {
                "category": "SOR",
                "sor_code": "DEMO-W-006",
                "measurements": [
                    row("plus", "Approach road", None, "250", "3.75", "0.15"),
                    row("plus", "Junction splay", "2", "4.5", "2.25", "0.15"),
                ],
            },
            {
                "category": "NON-SOR",
                "description": f"{ODIA} (hand excavation near the temple wall)",
                "unit": "CUM",
                "rate": "412.50",
                "measurements": [row("plus", "Near the wall", "1", "15", "0.9", "0.6")],
            },
        ],
        "overheads": [
            {"code": "SC"},
            {"code": "GST"},
            {"code": "LS", "description": "Sign board", "amount": "2500.00"},
        ],
    }


def create(db: Database, data: dict[str, Any] | None = None) -> EstimateView:
    load_demo(db, today=TODAY)
    return create_from_json(db, ACTOR, data or document(), today=TODAY)


def approve(db: Database, number: str) -> EstimateView:
    view = None
    for action in (Action.SUBMIT, Action.VERIFY, Action.SANCTION, Action.APPROVE):
        view = act(db, ACTOR, number, action, comment=f"{action.label} (report test)")
    assert view is not None
    return view


def make_revision(db: Database) -> tuple[EstimateView, EstimateView, Statement]:
    """An approved estimate and a revision of it with a changed quantity (line 1), a line
    removed (line 2), an unchanged line, and an extra SOR item and an extra non-SOR item."""
    original = approve(db, create(db).number)
    revision = revise(db, ACTOR, original.number, today=TODAY)
    lines = list(revision.draft.lines)
    first = lines[0]
    lines[0] = replace(
        first,
        rows=(
            *first.rows,
            MeasurementRow(
                RowKind.PLUS,
                "Outfall extension",
                Decimal(1),
                Decimal("18"),
                Decimal("0.6"),
                Decimal("0.45"),
            ),
        ),
        reason="Drain extended to the outfall as found at site",
    )
    del lines[1]
    extra_sor = replace(
        price_sor_line(db, "DEMO-W-004", at=TODAY, tenant=ACTOR.tenant),
        rows=(
            MeasurementRow(
                RowKind.PLUS, "Drain walls", Decimal(2), Decimal("140"), None, Decimal("0.6")
            ),
        ),
        reason="Walls plastered on the engineer's instruction",
    )
    extra_non_sor = LineDraft(
        category=LineCategory.NON_SOR,
        description="Shifting of an electric pole",
        unit="NOS",
        rate=Decimal("8750"),
        rows=(MeasurementRow(RowKind.PLUS, "Pole at chainage 120", Decimal(1)),),
        reason="Pole in the drain alignment",
    )
    draft = replace(revision.draft, lines=(*lines, extra_sor, extra_non_sor))
    save_estimate(db, ACTOR, revision.number, draft)
    return deviation_statement(db, revision.number)


# ---------------------------------------------------------------- reading the documents


def pdf_text(path: Path, *, first: int | None = None, last: int | None = None) -> str:
    """The text poppler's pdftotext extracts (in layout order), or a skip when it is missing."""
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF text cannot be read")
    command = [exe, "-layout", "-enc", "UTF-8"]
    if first is not None:
        command += ["-f", str(first)]
    if last is not None:
        command += ["-l", str(last)]
    result = subprocess.run([*command, str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def render_page(path: Path, page: int, out_dir: Path, *, dpi: int = 60) -> Path:
    """Page `page` rendered to PNG by pdftoppm, or a skip when it is missing."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: pages cannot be rendered")
    stem = out_dir / f"{path.stem}-page{page}"
    subprocess.run(
        [
            exe,
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(path),
            str(stem),
        ],
        check=True,
        capture_output=True,
    )
    return stem.with_suffix(".png")


def ink_fraction(png: Path) -> float:
    """The share of pixels that are not (nearly) white."""
    from PIL import Image

    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    total = sum(histogram)
    return sum(histogram[:240]) / total


def squeeze(text: str) -> str:
    """Text without any white space. pdftotext places an Odia vowel sign that HarfBuzz
    lifts onto its base letter on a line of its own (its baseline differs), so Odia words are
    compared with the white space taken out; the characters and their order are intact."""
    return "".join(text.split())


def page_count(text: str) -> int:
    return text.count("\f") or 1
