"""The estimate JSON (services.estimate_json): the shape `estimate show --json` prints, the
document `estimate create --from-json` reads, a round trip between them, and refusals that
name the line and row."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from estimate_support import (
    AE,
    FL_HEADS,
    JATNI_JE,
    JE,
    STATE_ADMIN,
    TODAY,
    approve,
    fl_sor,
    make_sor,
)

from mukta_desktop.domain.errors import PermissionDenied, ValidationError
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_json import create_from_json, estimate_to_json
from mukta_desktop.services.estimates import act, get_estimate, list_estimates
from mukta_desktop.services.projects import search_projects
from mukta_desktop.services.sor_catalog import add_rate

D = Decimal
COMPUTED = ("quantity", "amount")


def measurement(
    kind: str = "plus",
    name: str = "",
    number: str | None = None,
    length: str | None = None,
    breadth: str | None = None,
    depth: str | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "number": number,
        "length": length,
        "breadth": breadth,
        "depth": depth,
    }


def document(code: str, on: str = "2026-06-15", **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "project": {
            "name": "Drain at ward 5",
            "description": "Pucca drain, 40 m",
            "ward": "5",
            "sanction_date": "2026-05-01",
        },
        "date": on,
        "lines": [
            {
                "category": "SOR",
                "sor_code": code,
                "measurements": [
                    measurement("plus", "Room 1", "2", "10.5", "0.45", "0.3"),
                    measurement("plus", "Walls", "4", "40", None, "0.6"),
                    measurement("minus", "Door", "1", "1", None, "2.1"),
                ],
            },
            {
                "category": "NON-SOR",
                "description": "Display board",
                "unit": "NOS",
                "rate": "2500.00",
                "measurements": [measurement("plus", "", "1")],
            },
        ],
        "overheads": [
            {"code": "SC"},
            {"code": "GST"},
            {"code": "LS", "description": "Testing of materials", "amount": "1500"},
        ],
    }
    doc.update(changes)
    return doc


def create(db: Database, doc: Any) -> str:
    return create_from_json(db, JE, doc, today=TODAY).number


def test_create_from_json_and_show_json_shape(db: Database) -> None:
    code = fl_sor(db)
    view = create_from_json(db, JE, document(code), today=TODAY)
    assert view.number == "ES/2026-27/000001"
    assert view.status is Status.DRAFTED
    shown = estimate_to_json(view)
    assert {
        "number",
        "revision_of",
        "project",
        "date",
        "status",
        "lines",
        "overheads",
        "sor_total",
        "non_sor_total",
        "overhead_total",
        "total",
        "analysis",
        "history",
    } <= set(shown)
    assert shown["number"] == "ES/2026-27/000001"
    assert shown["revision_of"] is None
    assert shown["project"]["name"] == "Drain at ward 5"
    assert re.fullmatch(r"PJ/2026-27/\d{6}", shown["project"]["number"])
    assert (shown["date"], shown["status"]) == ("2026-06-15", "DRAFTED")
    sor, non_sor = shown["lines"]
    assert {
        "category",
        "sor_code",
        "description",
        "unit",
        "rate",
        "rate_quantity",
        "measurements",
        "quantity",
        "amount",
    } <= set(sor)
    assert (sor["category"], sor["sor_code"], sor["unit"], sor["rate"], sor["rate_quantity"]) == (
        "SOR",
        code,
        "SQM",
        "5026.14",
        "1",
    )
    assert sor["measurements"] == [
        {
            "kind": "plus",
            "name": "Room 1",
            "number": "2",
            "length": "10.5",
            "breadth": "0.45",
            "depth": "0.3",
            "quantity": "2.8350",
        },
        {
            "kind": "plus",
            "name": "Walls",
            "number": "4",
            "length": "40",
            "breadth": None,
            "depth": "0.6",
            "quantity": "96.0000",
        },
        {
            "kind": "minus",
            "name": "Door",
            "number": "1",
            "length": "1",
            "breadth": None,
            "depth": "2.1",
            "quantity": "2.1000",
        },
    ]
    # 2.8350 + 96 − 2.1 = 96.7350; × 5026.14 = 486203.6529 → 486203.65
    assert (sor["quantity"], sor["amount"]) == ("96.7350", "486203.65")
    assert (non_sor["category"], non_sor["sor_code"], non_sor["quantity"], non_sor["amount"]) == (
        "NON-SOR",
        None,
        "1.0000",
        "2500.00",
    )
    assert "used_quantity" not in sor
    # base 488703.65: SC 7.5 % 36652.77375 → 36652.77; GST 18 % 87966.657 → 87966.66
    assert shown["overheads"] == [
        {"code": "SC", "description": "Supervision Charge", "percent": "7.5", "amount": "36652.77"},
        {
            "code": "GST",
            "description": "Goods and Service Tax",
            "percent": "18",
            "amount": "87966.66",
        },
        {"code": "LS", "description": "Testing of materials", "percent": None, "amount": "1500.00"},
    ]
    assert (shown["sor_total"], shown["non_sor_total"], shown["overhead_total"]) == (
        "486203.65",
        "2500.00",
        "126119.43",
    )
    assert shown["total"] == "614823.08"
    assert shown["total_rupees"] == "614823"
    assert set(shown["analysis"]) == {"material", "labour", "machinery"}
    assert all(re.fullmatch(r"\d+\.\d\d", v) for v in shown["analysis"].values())
    (event,) = shown["history"]
    assert {"action", "by", "at", "comment"} <= set(event)
    assert (event["action"], event["by"]) == ("save-draft", "je")
    json.dumps(shown)  # plain JSON: strings, numbers as strings, null


def test_round_trip_show_then_create_gives_the_same_lines_and_totals(db: Database) -> None:
    code = fl_sor(db)
    first = create_from_json(db, JE, document(code), today=TODAY)
    act(db, JE, first.number, Action.SUBMIT, comment="to be copied")
    shown = estimate_to_json(get_estimate(db, first.number))
    # The printed document goes back in as it is (through text, as a file would).
    second = create_from_json(db, JE, json.loads(json.dumps(shown)), today=TODAY)
    again = estimate_to_json(second)
    assert second.number != first.number
    assert again["lines"] == shown["lines"]
    assert again["overheads"] == shown["overheads"]
    for key in ("sor_total", "non_sor_total", "overhead_total", "total", "analysis", "date"):
        assert again[key] == shown[key], key
    # Same project (found by name), a fresh draft with its own history.
    assert again["project"] == shown["project"]
    assert again["status"] == "DRAFTED"
    assert [h["action"] for h in again["history"]] == ["save-draft"]
    assert len(search_projects(db, JE.tenant)) == 1


def test_the_project_is_made_once_per_ulb_and_found_by_name(db: Database) -> None:
    code = fl_sor(db)
    create(db, document(code))
    other = document(code)
    other["project"] = {"name": "  DRAIN   at Ward 5 "}
    create(db, other)
    (project,) = search_projects(db, JE.tenant)
    assert (project.name, project.ward, project.sanction_date) == (
        "Drain at ward 5",
        "5",
        date(2026, 5, 1),
    )
    # Another ULB gets its own project of the same name.
    create_from_json(db, JATNI_JE, document(code), today=TODAY)
    assert [p.name for p in search_projects(db, JATNI_JE.tenant)] == ["Drain at ward 5"]
    assert len(list_estimates(db, tenant=JE.tenant)) == 2


def test_the_date_may_be_in_the_past_and_takes_the_rates_then(db: Database) -> None:
    code = fl_sor(db)
    add_rate(
        db,
        STATE_ADMIN,
        code,
        replace(FL_HEADS, labour=D("4000.00")),
        effective_from=TODAY,
        tenant="od",
        today=TODAY,
    )
    paper = create_from_json(db, JE, document(code, on="2026-06-15"), today=TODAY)
    assert paper.estimate_date == date(2026, 6, 15)
    assert paper.lines[0].draft.rate == D("5026.14")
    assert paper.number.startswith("ES/2026-27/")
    now = create_from_json(db, JE, document(code, on=TODAY.isoformat()), today=TODAY)
    assert now.lines[0].draft.rate == D("5432.14")


def test_a_rate_in_the_document_is_ignored_for_sor_lines(db: Database) -> None:
    code = fl_sor(db)
    doc = document(code)
    doc["lines"][0]["rate"] = "1.00"
    doc["lines"][0]["amount"] = "1.00"
    view = create_from_json(db, JE, doc, today=TODAY)
    assert view.lines[0].draft.rate == D("5026.14")


def test_only_an_estimate_creator_creates(db: Database) -> None:
    code = fl_sor(db)
    with pytest.raises(PermissionDenied, match="ESTIMATE_CREATOR"):
        create_from_json(db, AE, document(code), today=TODAY)


def test_an_approved_estimate_shows_its_history_in_order(db: Database) -> None:
    code = fl_sor(db)
    number = create(db, document(code))
    approve(db, number)
    history = estimate_to_json(get_estimate(db, number))["history"]
    assert [(h["action"], h["by"], h["comment"]) for h in history] == [
        ("save-draft", "je", ""),
        ("submit", "je", "for verification"),
        ("verify", "ae", "checked"),
        ("sanction", "ee", "sanctioned"),
        ("approve", "eo", "approved"),
    ]
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)


# --- refusals name the line and row ---------------------------------------------------------


def _with(code: str, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(document(code))
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


_DELETE = object()
BLANK_ROW = measurement("plus", "just added")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("lines", 1, "measurements", 0),
            BLANK_ROW,
            "Line 2, row 1: type at least one of No., L, B, D (a blank one counts as 1).",
        ),
        (
            ("lines", 0, "measurements", 1, "length"),
            "-40",
            "Line 1, row 2, L: -40 is negative",
        ),
        (
            ("lines", 0, "measurements", 2, "depth"),
            "100000",
            "Line 1, row 3, D: 100000 is too large",
        ),
        (
            ("lines", 0, "measurements", 0, "breadth"),
            "0.45001",
            "Line 1, row 1, B: 0.45001 has more than 4 decimals",
        ),
        (
            ("lines", 0, "measurements", 0, "number"),
            2.5,
            'Line 1, row 1, number: write numbers as strings, e.g. "10.5".',
        ),
        (
            ("lines", 0, "measurements", 0, "length"),
            "ten",
            "Line 1, row 1, length: 'ten' is not a number.",
        ),
        (
            ("lines", 0, "measurements", 1, "kind"),
            "deduct",
            "Line 1, row 2, kind: 'plus' or 'minus', not 'deduct'.",
        ),
        (("lines", 0, "sor_code"), "NOPE-1", "Line 1: No SOR with code 'NOPE-1'."),
        (("lines", 0, "sor_code"), "", "Line 1, sor_code: required."),
        (("lines", 0, "category"), "EXTRA", "Line 1, category: 'SOR' or 'NON-SOR', not 'EXTRA'."),
        (("lines", 1, "rate"), None, "Line 2, rate: a non-SOR line needs its rate."),
        (("lines", 1, "rate"), "-5", "Line 2, rate: -5 is negative"),
        (("lines", 1, "rate"), "12.345", "Line 2, rate: 12.345 has more than 2 decimals"),
        (("lines", 1, "unit"), "", "Line 2, unit: required."),
        (("lines", 1, "description"), " ", "Line 2, description: required."),
        (("lines", 1, "rate_quantity"), "0", "Line 2, rate quantity: 0 is below 0.0001"),
        (("lines",), [], "An estimate needs at least one SOR or non-SOR line."),
        (("lines",), _DELETE, "lines: expected a list of estimate lines."),
        (("date",), "15/06/2026", "date: '15/06/2026' is not a date; use YYYY-MM-DD."),
        (("project", "name"), "", "project.name: required."),
        (("overheads", 0, "code"), "XYZ", "Overhead 1, code: 'XYZ' is not an overhead"),
        (("overheads", 1), {"code": "SC"}, "Overhead SC (Supervision Charge) is already on"),
        (("overheads", 2, "amount"), None, "Overhead 'Testing of materials': type the lump sum"),
    ],
)
def test_refusals_name_the_line_and_row(
    db: Database, path: tuple[Any, ...], value: Any, message: str
) -> None:
    code = fl_sor(db)
    with pytest.raises(ValidationError) as info:
        create(db, _with(code, path, value))
    assert str(info.value).startswith(message), str(info.value)
    assert list_estimates(db, tenant=JE.tenant) == []
    assert search_projects(db, JE.tenant) == []  # nothing half-made


def test_deductions_beyond_the_measurements_are_refused(db: Database) -> None:
    code = fl_sor(db)
    doc = document(code)
    doc["lines"][1]["measurements"].append(measurement("minus", "too much", "2"))
    with pytest.raises(ValidationError, match="Line 2: the deductions exceed the measurements"):
        create(db, doc)


def test_a_sor_without_a_rate_on_the_date_is_refused(db: Database) -> None:
    code = fl_sor(db)
    late = make_sor(db, "Paver blocks", RateHeads(material=D("500")), rate_from=TODAY)
    doc = document(code)
    doc["lines"].insert(1, {"category": "SOR", "sor_code": late, "measurements": []})
    with pytest.raises(ValidationError) as info:
        create(db, doc)
    assert str(info.value) == (
        f"Line 2: {late} has no rate in force on 15/06/2026 for your ULB, so it cannot be "
        "added. A rate administrator can add one, or choose another SOR."
    )


def test_not_an_object(db: Database) -> None:
    with pytest.raises(ValidationError, match="one JSON object"):
        create(db, [1, 2])
    with pytest.raises(ValidationError, match="project: give the project's name"):
        create(db, {"date": "2026-06-15", "lines": []})
