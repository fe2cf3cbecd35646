"""`mukta-desktop workorder|mb|project|verify ...` through the real command entry: work orders,
MBs from JSON files checked against `mb show --json` figures worked out by hand, the ceiling,
photos (all or nothing), the workflow and the hash chain, `verify` finding changes made behind
the app's back, the muster roll and purchase bill checks, and the demo's work order."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import types
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mukta_desktop.cli import main
from mukta_desktop.domain.dates import INDIA, india_today
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.domain.workflow import Action
from mukta_desktop.services.database import open_database
from mukta_desktop.services.demo_photos import draw_site_photo
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft
from mukta_desktop.services.estimates import act, create_estimate
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.sor_catalog import NewSor, create_sor
from mukta_desktop.services.users import Actor, create_user
from mukta_desktop.services.work_orders import list_work_orders

D = Decimal
PASSWORD = "site-book-1"
ULB = "od.dhenkanal"
WO_NUMBER = re.compile(r"^WO/\d{4}-\d{2}/\d{6}$")
MB_NUMBER = re.compile(r"^MB/\d{4}-\d{2}/\d{6}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")

ADMIN = Actor("admin", "Head office", "od", frozenset(Role))
JE = Actor("je", "Asha Das (JE)", ULB, frozenset({Role.ESTIMATE_CREATOR, Role.MB_CREATOR}))
AE = Actor("ae", "Chitra Mohanty (AE)", ULB, frozenset({Role.ESTIMATE_VERIFIER, Role.MB_VERIFIER}))
EE = Actor("ee", "Deepak Nayak (EE)", ULB, frozenset({Role.TECHNICAL_SANCTIONER, Role.MB_APPROVER}))
EO = Actor("eo", "Executive Officer", ULB, frozenset({Role.ESTIMATE_APPROVER}))

# FL00001 of DESIGN.md: 1307.80 + 3598.02 + 66.01 + 4.55 = 4976.38 → cess 49.76 → 5026.14
FLOOR_HEADS = RateHeads(
    material=D("1307.80"), labour=D("3598.02"), machinery=D("66.01"), additional=D("4.55")
)
# 96.30 + 142.75 + 8.10 = 247.15 → cess 2.47 → 249.62
PLASTER_HEADS = RateHeads(material=D("96.30"), labour=D("142.75"), conveyance=D("8.10"))


def run(
    capsys: pytest.CaptureFixture[str], data: Path, *args: str, user: str | None = None
) -> tuple[int, str, str]:
    prefix = ["--data-dir", str(data)] + (["--user", user] if user else [])
    code = main([*prefix, *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(
    capsys: pytest.CaptureFixture[str], data: Path, *args: str, user: str | None = None
) -> Any:
    code, out, err = run(capsys, data, *args, "--json", user=user)
    assert code == 0, err
    return json.loads(out)


def one_line(text: str) -> str:
    return " ".join(text.split())


# --- an installation with officers, two SORs and two approved estimates ----------------------


@dataclass(frozen=True)
class World:
    data: Path
    floor: str  # SOR code, 5026.14 per SQM
    plaster: str  # SOR code, 249.62 per SQM
    project_a: str
    estimate_a: str  # floor +10 −2 = 8 SQM, plaster 4 × 40 × 0.6 = 96 SQM; awarded
    project_b: str
    estimate_b: str  # floor 6 and floor 4 on two lines, a display board; not awarded
    work_order: str  # of estimate A
    start: date
    end: date

    def day(self, offset: int) -> date:
        return self.start + timedelta(days=offset)


def _row(number: str, length: str | None = None, depth: str | None = None, *, minus: bool = False):
    return MeasurementRow(
        RowKind.MINUS if minus else RowKind.PLUS,
        "",
        D(number),
        None if length is None else D(length),
        None,
        None if depth is None else D(depth),
    )


def _sor_line(code: str, *rows: MeasurementRow) -> LineDraft:
    return LineDraft(LineCategory.SOR, "", "", D(0), rows=rows, sor_code=code)


def _approved_estimate(
    db: Any, name: str, ward: str, on: date, *lines: LineDraft
) -> tuple[str, str]:
    today = india_today()
    project = create_project(db, JE, NewProject(name=name, ward=ward), today=today).number
    view = create_estimate(
        db, JE, project_number=project, draft=EstimateDraft(on, "", tuple(lines)), today=today
    )
    for actor, action in (
        (JE, Action.SUBMIT),
        (AE, Action.VERIFY),
        (EE, Action.SANCTION),
        (EO, Action.APPROVE),
    ):
        act(db, actor, view.number, action, comment=f"{action.label}.")
    return project, view.number


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> World:
    data = tmp_path_factory.mktemp("works") / "data"
    today = india_today()
    rates_from = today - timedelta(days=365)
    db = open_database(data)
    try:
        create_user(
            db,
            login="admin",
            name=ADMIN.name,
            tenant="od",
            roles=[r.value for r in Role],
            password=PASSWORD,
        )
        for actor in (JE, AE, EE, EO):
            create_user(
                db,
                login=actor.login,
                name=actor.name,
                tenant=ULB,
                roles=[r.value for r in actor.roles],
                password=PASSWORD,
                granted_by=ADMIN,
            )

        def sor(description: str, sub_type: str, heads: RateHeads) -> str:
            new = NewSor("W", sub_type, "GF", "SQM", D(1), description, heads, rates_from)
            return create_sor(db, ADMIN, new, today=rates_from).code

        floor = sor("Vitrified tile flooring (FL00001 of the design)", "FL", FLOOR_HEADS)
        plaster = sor("12 mm cement plaster 1:6", "PL", PLASTER_HEADS)
        on = today - timedelta(days=100)
        project_a, estimate_a = _approved_estimate(
            db,
            "Community hall, ward 5",
            "5",
            on,
            _sor_line(floor, _row("10"), _row("2", minus=True)),
            _sor_line(plaster, _row("4", "40", "0.6")),
        )
        project_b, estimate_b = _approved_estimate(
            db,
            "Anganwadi centre, ward 9",
            "9",
            on,
            _sor_line(floor, _row("6")),
            _sor_line(floor, _row("4")),
            LineDraft(
                LineCategory.NON_SOR, "Display board", "NOS", D("2500.00"), rows=(_row("1"),)
            ),
        )
    finally:
        db.close()
    start, end = today - timedelta(days=70), today + timedelta(days=30)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MUKTA_PASSWORD", PASSWORD)
        code = main(
            [
                "--data-dir",
                str(data),
                "--user",
                "je",
                "workorder",
                "create",
                "--estimate",
                estimate_a,
                "--organisation",
                "Maa Tarini Mahila SHG",
                "--start",
                start.isoformat(),
                "--end",
                end.isoformat(),
            ]
        )
    assert code == 0
    db = open_database(data)
    try:
        (work_order,) = [w.number for w in list_work_orders(db, tenant=ULB)]
    finally:
        db.close()
    return World(
        data, floor, plaster, project_a, estimate_a, project_b, estimate_b, work_order, start, end
    )


@pytest.fixture
def world(template: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """A private copy of the installation; every officer's password is PASSWORD."""
    data = tmp_path / "data"
    shutil.copytree(template.data, data)
    monkeypatch.setenv("MUKTA_PASSWORD", PASSWORD)
    return World(
        data,
        *[
            getattr(template, f)
            for f in (
                "floor",
                "plaster",
                "project_a",
                "estimate_a",
                "project_b",
                "estimate_b",
                "work_order",
                "start",
                "end",
            )
        ],
    )


def write(folder: Path, text_or_doc: str | dict[str, Any], name: str = "mb.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    text = text_or_doc if isinstance(text_or_doc, str) else json.dumps(text_or_doc, indent=1)
    path.write_text(text, "utf-8")
    return path


def floor_mb(world: World, quantity: str, **extra: Any) -> dict[str, Any]:
    return {
        "work_order": world.work_order,
        "lines": [
            {"sor_code": world.floor, "measurements": [{"name": "Hall", "number": quantity}]}
        ],
        **extra,
    }


def create_mb(capsys, world: World, folder: Path, doc: str | dict[str, Any]) -> str:
    code, out, err = run(
        capsys, world.data, "mb", "create", "--from-json", str(write(folder, doc)), user="je"
    )
    assert code == 0, err
    number = out.strip()
    assert MB_NUMBER.match(number), out
    return number


def approve(capsys, world: World, number: str) -> None:
    for user, action in (("je", "submit"), ("ae", "verify"), ("ee", "approve")):
        code, _, err = run(capsys, world.data, "mb", "action", number, action, user=user)
        assert code == 0, err


def mb_numbers(capsys, world: World) -> list[str]:
    return [mb["number"] for mb in run_json(capsys, world.data, "mb", "list")]


def photo(folder: Path, name: str, index: int, taken_at: datetime) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(
        draw_site_photo(
            index, taken_at=taken_at, latitude=D("20.6586"), longitude=D("85.5956"), size=(640, 480)
        )
    )
    return path


# --- work orders --------------------------------------------------------------------------


def test_workorder_create_list_and_show(capsys, world: World) -> None:
    start = date(2025, 1, 6)  # in the past: work kept on paper, entered later
    code, out, err = run(
        capsys,
        world.data,
        "workorder",
        "create",
        "--estimate",
        world.estimate_b,
        "--organisation",
        "  Jai Jagannath   SHG ",
        "--start",
        start.isoformat(),
        "--end",
        "2025-03-31",
        "--date",
        "2025-01-02",
        "--period-days",
        "10",
        user="je",
    )
    assert code == 0, err
    number = out.strip()
    assert WO_NUMBER.match(number)

    listed = run_json(capsys, world.data, "workorder", "list")
    assert {w["number"] for w in listed} == {number, world.work_order}
    mine = next(w for w in listed if w["number"] == number)
    assert mine == {
        "number": number,
        "project": {"number": world.project_b, "name": "Anganwadi centre, ward 9"},
        "estimate": world.estimate_b,
        "organisation": "Jai Jagannath SHG",
        "start": "2025-01-06",
        "end": "2025-03-31",
        "status": "ACTIVE",
        "created_by": "je",
    }
    by_project = run_json(capsys, world.data, "workorder", "list", "--project", world.project_a)
    assert [w["number"] for w in by_project] == [world.work_order]
    assert run_json(capsys, world.data, "workorder", "list", "--status", "cancelled") == []

    shown = run_json(capsys, world.data, "workorder", "show", number)
    assert (shown["date"], shown["period_days"], shown["estimate"]) == (
        "2025-01-02",
        10,
        world.estimate_b,
    )
    assert [
        (line["line"], line["sor_code"], line["estimate_quantity"], line["measured_quantity"])
        for line in shown["lines"]
    ] == [
        (1, world.floor, "6.0000", "0.0000"),
        (2, world.floor, "4.0000", "0.0000"),
        (3, None, "1.0000", "0.0000"),
    ]
    assert shown["lines"][2]["rate"] == "2500.00"
    assert shown["next_period"] == {"from": "2025-01-06", "to": "2025-01-15"}
    assert shown["new_mb_refusal"] is None
    assert shown["measurement_books"] == []
    assert [h["action"] for h in shown["history"]] == ["create"]

    code, out, _ = run(capsys, world.data, "workorder", "show", number)
    assert code == 0
    assert "Next MB: 06/01/2025 to 15/01/2025" in out
    assert "Jai Jagannath SHG" in out


def test_workorder_create_refusals(capsys, world: World) -> None:
    args = [
        "workorder",
        "create",
        "--estimate",
        world.estimate_a,
        "--organisation",
        "SHG",
        "--start",
        "2026-01-01",
        "--end",
        "2026-03-31",
    ]
    code, _, err = run(capsys, world.data, *args, user="je")
    assert code == 1
    assert f"already awarded by work order {world.work_order}" in err
    args[3] = world.estimate_b
    code, _, err = run(capsys, world.data, *args, user="ae")
    assert code == 1
    assert "ESTIMATE_CREATOR or MB_CREATOR" in err
    code, _, err = run(capsys, world.data, *args)
    assert code == 1
    assert "--user" in err
    future = (india_today() + timedelta(days=3)).isoformat()
    code, _, err = run(capsys, world.data, *args, "--date", future, user="je")
    assert code == 1
    assert "lies in the future" in err
    code, _, err = run(capsys, world.data, *args[:-1], "2025-12-01", user="je")
    assert code == 1
    assert "ends (01/12/2025) before it starts (01/01/2026)" in err
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "--data-dir",
                str(world.data),
                "workorder",
                "create",
                "--estimate",
                "X",
                "--organisation",
                "Y",
                "--start",
                "01-13-2026",
                "--end",
                "2026-03-31",
            ]
        )
    assert exit_info.value.code == 2
    assert run_json(capsys, world.data, "workorder", "list", "--project", world.project_b) == []


def test_cancel_complete_and_close_project(capsys, world: World, tmp_path: Path) -> None:
    code, out, _ = run(
        capsys,
        world.data,
        "workorder",
        "create",
        "--estimate",
        world.estimate_b,
        "--organisation",
        "SHG",
        "--start",
        "2026-01-01",
        "--end",
        "2026-03-31",
        user="je",
    )
    assert code == 0
    order_b = out.strip()
    code, _, err = run(capsys, world.data, "workorder", "complete", order_b, user="je")
    assert (code, "no approved MB" in err) == (1, True)
    code, _, err = run(
        capsys, world.data, "workorder", "cancel", order_b, "--reason", " ", user="je"
    )
    assert (code, "Say why" in err) == (1, True)
    code, _, err = run(capsys, world.data, "project", "close", world.project_b, user="je")
    assert code == 1
    assert f"still has active work orders ({order_b})" in err
    code, out, _ = run(
        capsys, world.data, "workorder", "cancel", order_b, "--reason", "CBO withdrew", user="je"
    )
    assert (code, out.strip()) == (0, f"{order_b}: cancelled.")
    shown = run_json(capsys, world.data, "workorder", "show", order_b)
    assert (shown["status"], shown["status_reason"]) == ("CANCELLED", "CBO withdrew")
    assert shown["next_period"] is None
    assert "cancelled" in shown["new_mb_refusal"]
    listed = run_json(capsys, world.data, "workorder", "list", "--status", "CANCELLED")
    assert [w["number"] for w in listed] == [order_b]
    code, out, _ = run(capsys, world.data, "project", "close", world.project_b, user="je")
    assert (code, out.strip()) == (0, f"Project {world.project_b} closed.")

    # Project A: its work order is completed once its last MB is approved.
    number = create_mb(capsys, world, tmp_path, floor_mb(world, "3"))
    code, _, err = run(capsys, world.data, "workorder", "complete", world.work_order, user="je")
    assert (code, "must be approved before" in err) == (1, True)
    approve(capsys, world, number)
    code, _, err = run(
        capsys, world.data, "workorder", "cancel", world.work_order, "--reason", "late", user="je"
    )
    assert (code, "approved MB(s)" in err) == (1, True)
    code, out, _ = run(capsys, world.data, "workorder", "complete", world.work_order, user="je")
    assert (code, out.strip()) == (0, f"{world.work_order}: completed.")
    assert run(capsys, world.data, "project", "close", world.project_a, user="je")[0] == 0
    code, _, err = run(capsys, world.data, "project", "close", world.project_a, user="je")
    assert (code, "closed already" in err) == (1, True)


# --- mb create and the figures of mb show -------------------------------------------------


def test_mb_from_json_with_two_lines_and_a_minus_row(capsys, world: World, tmp_path: Path) -> None:
    # Numbers as JSON numbers on the first line (read as Decimal, never float), as strings on
    # the second; the second line named by its position in the work order.
    text = f"""{{
      "work_order": "{world.work_order}",
      "period": {{"from": "{world.day(0)}", "to": "{world.day(6)}"}},
      "measurement_date": "{world.day(5)}",
      "remarks": "Floor bed and plaster of the hall",
      "lines": [
        {{"sor_code": "{world.floor.lower()}", "measurements": [
          {{"name": "Bed", "number": 2, "length": 10.5, "breadth": 0.45, "depth": 0.3}}]}},
        {{"line": 2, "remarks": "north wall", "measurements": [
          {{"kind": "plus", "name": "Wall", "number": "3", "length": "4"}},
          {{"kind": "minus", "name": "Door", "number": "1", "length": "1.5", "breadth": null}}]}}
      ]
    }}"""
    number = create_mb(capsys, world, tmp_path, text)
    shown = run_json(capsys, world.data, "mb", "show", number)
    assert shown["number"] == number
    assert (shown["work_order"], shown["estimate"], shown["status"]) == (
        world.work_order,
        world.estimate_a,
        "DRAFTED",
    )
    assert shown["period"] == {"from": world.day(0).isoformat(), "to": world.day(6).isoformat()}
    assert shown["measurement_date"] == world.day(5).isoformat()
    assert shown["remarks"] == "Floor bed and plaster of the hall"
    floor, plaster = shown["lines"]
    # 2 × 10.5 × 0.45 × 0.3 = 2.8350; × 5026.14 = 14249.1069 → 14249.11
    assert {
        k: floor[k]
        for k in (
            "line",
            "sor_code",
            "unit",
            "rate",
            "rate_quantity",
            "estimate_quantity",
            "previous_quantity",
            "quantity",
            "cumulative_quantity",
            "amount",
            "cumulative_amount",
            "previous_amount",
        )
    } == {
        "line": 1,
        "sor_code": world.floor,
        "unit": "SQM",
        "rate": "5026.14",
        "rate_quantity": "1",
        "estimate_quantity": "8.0000",
        "previous_quantity": "0.0000",
        "quantity": "2.8350",
        "cumulative_quantity": "2.8350",
        "amount": "14249.11",
        "cumulative_amount": "14249.11",
        "previous_amount": "0.00",
    }
    assert floor["description"].startswith("Vitrified tile flooring")
    assert floor["measurements"] == [
        {
            "kind": "plus",
            "name": "Bed",
            "number": "2",
            "length": "10.5",
            "breadth": "0.45",
            "depth": "0.3",
            "quantity": "2.8350",
        }
    ]
    # 3 × 4 − 1 × 1.5 = 10.5 SQM × 249.62 = 2621.01
    assert [m["quantity"] for m in plaster["measurements"]] == ["12.0000", "1.5000"]
    assert [m["kind"] for m in plaster["measurements"]] == ["plus", "minus"]
    assert (
        plaster["estimate_quantity"],
        plaster["quantity"],
        plaster["rate"],
        plaster["amount"],
        plaster["remarks"],
    ) == ("96.0000", "10.5000", "249.62", "2621.01", "north wall")
    # 14249.11 + 2621.01
    assert (shown["total"], shown["cumulative_total"], shown["total_rupees"]) == (
        "16870.12",
        "16870.12",
        "16870",
    )
    assert shown["total_in_words"].startswith("Rupees Sixteen Thousand Eight Hundred Seventy")
    # material (1307.80 + 4.55 + cess 49.76) × 2.835 = 3861.58, (96.30 + 8.10 + 2.47) × 10.5
    # = 1122.14; labour 3598.02 × 2.835 = 10200.39, 142.75 × 10.5 = 1498.88; machinery
    # 66.01 × 2.835 = 187.14
    assert shown["utilization"] == {
        "material": "4983.72",
        "labour": "11699.27",
        "machinery": "187.14",
    }
    assert (shown["content_hash"], shown["previous_hash"], shown["photos"]) == (None, None, [])
    assert [h["action"] for h in shown["history"]] == ["save-draft"]
    assert [m["number"] for m in shown["mb_history"]] == [number]

    code, out, _ = run(capsys, world.data, "mb", "show", number)
    assert code == 0
    assert "14,249.11" in out
    assert "16,870.12" in out
    assert "- Door" in out
    assert "Drafted" in out


def test_the_ceiling_per_sor_item(capsys, world: World, tmp_path: Path) -> None:
    """DESIGN: estimate +10 −2 = 8; approved so far 5; this MB 3.5 → refused; 3.0 → ok."""
    first = create_mb(capsys, world, tmp_path / "1", floor_mb(world, "5"))
    approve(capsys, world, first)
    path = write(tmp_path / "2", floor_mb(world, "3.5"))
    code, out, err = run(capsys, world.data, "mb", "create", "--from-json", str(path), user="je")
    assert (code, out) == (1, "")
    message = one_line(err)
    assert world.floor in message
    assert "up-to-date quantity 8.5000 SQM would exceed the estimate quantity 8.0000 SQM" in message
    assert "approved so far 5.0000, this MB 3.5000" in message
    assert "revised estimate" in message
    assert mb_numbers(capsys, world) == [first]

    second = create_mb(capsys, world, tmp_path / "3", floor_mb(world, "3.0"))
    line = run_json(capsys, world.data, "mb", "show", second)["lines"][0]
    assert (line["previous_quantity"], line["quantity"], line["cumulative_quantity"]) == (
        "5.0000",
        "3.0000",
        "8.0000",
    )
    # 5 × 5026.14 = 25130.70 before, 3 × 5026.14 = 15078.42 now
    assert (line["previous_amount"], line["amount"], line["cumulative_amount"]) == (
        "25130.70",
        "15078.42",
        "40209.12",
    )


def test_mb_periods_follow_one_another(capsys, world: World, tmp_path: Path) -> None:
    later = floor_mb(
        world, "1", period={"from": world.day(3).isoformat(), "to": world.day(9).isoformat()}
    )
    code, _, err = run(
        capsys, world.data, "mb", "create", "--from-json", str(write(tmp_path, later)), user="je"
    )
    assert code == 1
    assert f"starts on {world.day(0):%d/%m/%Y}" in err
    first = create_mb(capsys, world, tmp_path, floor_mb(world, "1"))
    shown = run_json(capsys, world.data, "mb", "show", first)
    assert shown["period"] == {"from": world.day(0).isoformat(), "to": world.day(6).isoformat()}
    assert shown["measurement_date"] == world.day(6).isoformat()
    code, _, err = run(
        capsys,
        world.data,
        "mb",
        "create",
        "--from-json",
        str(write(tmp_path, floor_mb(world, "1"))),
        user="je",
    )
    assert code == 1
    assert f"{first} is Drafted" in err
    order = run_json(capsys, world.data, "workorder", "show", world.work_order)
    assert order["next_period"] is None
    assert first in order["new_mb_refusal"]
    # A draft made from a wrong file is discarded by its creator; the period is free again.
    code, _, err = run(capsys, world.data, "mb", "discard", first, user="ae")
    assert code == 1
    assert "Only je" in err
    code, out, _ = run(capsys, world.data, "mb", "discard", first, user="je")
    assert (code, out.strip()) == (0, f"{first}: discarded.")
    assert mb_numbers(capsys, world) == []
    again = create_mb(capsys, world, tmp_path, floor_mb(world, "1"))
    assert again != first
    assert run_json(capsys, world.data, "mb", "show", again)["period"]["from"] == (
        world.day(0).isoformat()
    )
    approve(capsys, world, again)
    code, _, err = run(capsys, world.data, "mb", "discard", again, user="je")
    assert (code, "approved" in err) == (1, True)


def test_mb_file_refusals(capsys, world: World, tmp_path: Path) -> None:
    def refused(doc: str | dict[str, Any], user: str | None = "je") -> str:
        code, out, err = run(
            capsys, world.data, "mb", "create", "--from-json", str(write(tmp_path, doc)), user=user
        )
        assert (code, out) == (1, ""), err
        return one_line(err)

    assert "not an item of work order" in refused(
        {"work_order": world.work_order, "lines": [{"sor_code": "NOPE-1", "measurements": []}]}
    )
    assert "has lines 1 to 2; there is no line 3" in refused(
        {"work_order": world.work_order, "lines": [{"line": 3, "measurements": []}]}
    )
    assert f"not {world.plaster}" in refused(
        {"work_order": world.work_order, "lines": [{"line": 1, "sor_code": world.plaster}]}
    )
    assert "listed already" in refused(
        {
            "work_order": world.work_order,
            "lines": [
                {"line": 1, "measurements": [{"number": "1"}]},
                {"sor_code": world.floor, "measurements": [{"number": "1"}]},
            ],
        }
    )
    assert "unknown key(s) 'measurement'" in refused(
        {"work_order": world.work_order, "lines": [{"line": 1, "measurement": []}]}
    )
    assert "Nothing is measured" in refused(
        {"work_order": world.work_order, "lines": [{"line": 1, "measurements": []}]}
    )
    assert "row 1" in refused(
        {"work_order": world.work_order, "lines": [{"line": 1, "measurements": [{"name": "x"}]}]}
    )
    assert "'abc' is not a number" in refused(floor_mb(world, "abc"))
    assert "not a number" in refused(
        f'{{"work_order": "{world.work_order}", "lines": [{{"line": 1, "measurements": '
        '[{"number": NaN}]}]}'
    )
    assert "is not valid JSON" in refused("{")
    assert "No work order with number 'WO/1'" in refused(
        {"work_order": "WO/1", "lines": [{"line": 1}]}
    )
    assert "name the acting user with --user" in refused(floor_mb(world, "1"), user=None)
    assert "MB_CREATOR" in refused(floor_mb(world, "1"), user="ae")
    code, _, err = run(
        capsys, world.data, "mb", "create", "--from-json", str(tmp_path / "missing.json"), user="je"
    )
    assert (code, "cannot read" in err) == (1, True)
    assert mb_numbers(capsys, world) == []


def test_a_sor_code_on_two_lines_needs_the_line(capsys, world: World, tmp_path: Path) -> None:
    code, out, _ = run(
        capsys,
        world.data,
        "workorder",
        "create",
        "--estimate",
        world.estimate_b,
        "--organisation",
        "SHG",
        "--start",
        "2026-01-01",
        "--end",
        "2026-12-31",
        user="je",
    )
    assert code == 0
    order = out.strip()
    doc = {
        "work_order": order,
        "lines": [{"sor_code": world.floor, "measurements": [{"number": "2"}]}],
    }
    code, _, err = run(
        capsys, world.data, "mb", "create", "--from-json", str(write(tmp_path, doc)), user="je"
    )
    assert code == 1
    assert (
        f'{world.floor} is on 2 lines of work order {order} (lines 1, 2); name the line with "line"'
        in one_line(err)
    )
    doc["lines"] = [
        {"line": 2, "measurements": [{"number": "4"}]},
        {"line": 3, "measurements": [{"number": 1}]},
    ]
    number = create_mb(capsys, world, tmp_path, doc)
    shown = run_json(capsys, world.data, "mb", "show", number)
    assert [line["quantity"] for line in shown["lines"]] == ["0.0000", "4.0000", "1.0000"]
    # 4 × 5026.14 = 20104.56, + 2500.00
    assert shown["total"] == "22604.56"
    assert shown["utilization"]["labour"] == "14392.08"  # 4 × 3598.02, none for the board


# --- photos ---------------------------------------------------------------------------------


def test_photos_of_an_mb_from_json(capsys, world: World, tmp_path: Path) -> None:
    taken = datetime.combine(world.day(2), time(10, 30), INDIA)
    first = photo(tmp_path / "site", "hall-floor.jpg", 1, taken)
    photo(tmp_path / "site", "hall-wall.jpg", 2, taken + timedelta(hours=3))
    number = create_mb(
        capsys,
        world,
        tmp_path,
        floor_mb(
            world, "2", photos=["site/hall-floor.jpg", str(tmp_path / "site" / "hall-wall.jpg")]
        ),
    )
    shown = run_json(capsys, world.data, "mb", "show", number)
    photos = shown["photos"]
    assert [p["original_name"] for p in photos] == ["hall-floor.jpg", "hall-wall.jpg"]
    assert [p["position"] for p in photos] == [1, 2]
    one = photos[0]
    assert HEX64.match(one["sha256"])
    assert one["original_sha256"] == hashlib.sha256(first.read_bytes()).hexdigest()
    stored = Path(one["path"])
    assert stored.is_file()
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == one["sha256"]
    assert one["taken_at"] == f"{world.day(2).isoformat()}T10:30:00+05:30"
    assert photos[1]["taken_at"] == f"{world.day(2).isoformat()}T13:30:00+05:30"
    assert one["latitude"].startswith("20.6586")
    assert one["longitude"].startswith("85.5956")
    assert (one["media_type"], one["width"], one["height"]) == ("image/jpeg", 640, 480)

    code, out, _ = run(capsys, world.data, "mb", "show", number)
    assert code == 0
    assert "hall-floor.jpg" in out
    assert f"{world.day(2):%d/%m/%Y} 10:30" in out


def test_a_refused_photo_leaves_no_mb(capsys, world: World, tmp_path: Path) -> None:
    taken = datetime.combine(world.day(1), time(9, 0), INDIA)
    photo(tmp_path, "good.jpg", 1, taken)
    (tmp_path / "notes.jpg").write_text("not a picture", "utf-8")
    cases = {
        "notes.jpg is not a JPEG or PNG picture": ["good.jpg", "notes.jpg"],
        "gone.jpg was not found": ["good.jpg", "gone.jpg"],
        # Refused while recording, after the MB was made in the same unit of work.
        "is the same picture as good.jpg": ["good.jpg", "good.jpg"],
        "at most 5": ["good.jpg"] * 6,
    }
    for message, photos in cases.items():
        code, out, err = run(
            capsys,
            world.data,
            "mb",
            "create",
            "--from-json",
            str(write(tmp_path, floor_mb(world, "2", photos=photos))),
            user="je",
        )
        assert (code, out) == (1, ""), message
        assert message in err
        assert mb_numbers(capsys, world) == []
    # The ceiling refused after the photos were prepared: no MB either.
    code, _, err = run(
        capsys,
        world.data,
        "mb",
        "create",
        "--from-json",
        str(write(tmp_path, floor_mb(world, "9", photos=["good.jpg"]))),
        user="je",
    )
    assert (code, "would exceed" in err) == (1, True)
    assert mb_numbers(capsys, world) == []
    order = run_json(capsys, world.data, "workorder", "show", world.work_order)
    assert order["next_period"]["from"] == world.day(0).isoformat()


# --- workflow, hash chain and verify --------------------------------------------------------


def test_workflow_by_role_and_the_hash_chain(capsys, world: World, tmp_path: Path) -> None:
    first = create_mb(capsys, world, tmp_path / "1", floor_mb(world, "2"))
    data = world.data
    code, _, err = run(capsys, data, "mb", "action", first, "verify", user="ae")
    assert (code, "not possible on a measurement book that is Drafted" in err) == (1, True)
    code, _, err = run(capsys, data, "mb", "action", first, "submit", user="ae")
    assert code == 1
    code, out, _ = run(capsys, data, "mb", "action", first, "submit", user="je")
    assert (code, out.strip()) == (0, f"{first}: Submit done; now Pending verification.")
    code, _, err = run(capsys, data, "mb", "action", first, "verify", user="je")
    assert (code, "MB_VERIFIER" in err) == (1, True)
    inbox = run_json(capsys, data, "mb", "list", "--inbox", user="ae")
    assert [m["number"] for m in inbox] == [first]
    code, _, err = run(capsys, data, "mb", "action", first, "send-back", user="ae")
    assert (code, "needs a comment" in err) == (1, True)
    code, out, _ = run(
        capsys, data, "mb", "action", first, "verify", "--comment", "checked", user="ae"
    )
    assert (code, "now Pending approval" in out) == (0, True)
    code, _, err = run(capsys, data, "mb", "action", first, "approve", user="ae")
    assert (code, "MB_APPROVER" in err) == (1, True)
    code, out, _ = run(capsys, data, "mb", "action", first, "approve", user="ee")
    assert code == 0
    assert "now Approved" in out
    one = run_json(capsys, data, "mb", "show", first)
    assert one["status"] == "APPROVED"
    assert HEX64.match(one["content_hash"])
    assert f"Content hash {one['content_hash']}" in out
    assert one["previous_hash"] is None
    assert one["approved_at"]
    assert [(h["action"], h["by"]) for h in one["history"]] == [
        ("save-draft", "je"),
        ("submit", "je"),
        ("verify", "ae"),
        ("approve", "ee"),
    ]
    code, _, err = run(capsys, data, "mb", "action", first, "reject", "--comment", "x", user="ee")
    assert (code, "it is final" in err) == (1, True)

    second = create_mb(capsys, world, tmp_path / "2", floor_mb(world, "1.5"))
    approve(capsys, world, second)
    two = run_json(capsys, data, "mb", "show", second)
    assert two["period"]["from"] == world.day(7).isoformat()
    assert two["previous_hash"] == one["content_hash"]
    assert HEX64.match(two["content_hash"])
    assert two["content_hash"] != one["content_hash"]
    assert two["previous_mb"] == first
    assert (two["total"], two["previous_total"], two["cumulative_total"]) == (
        "7539.21",
        "10052.28",
        "17591.49",
    )  # 1.5 and 2 × 5026.14
    approved = run_json(capsys, data, "mb", "list", "--status", "approved")
    assert [m["number"] for m in approved] == [second, first]
    order = run_json(capsys, data, "workorder", "show", world.work_order)
    assert order["lines"][0]["measured_quantity"] == "3.5000"
    assert order["lines"][0]["balance_quantity"] == "4.5000"
    assert order["measured_total"] == "17591.49"
    assert [m["number"] for m in order["measurement_books"]] == [first, second]
    assert order["next_period"] == {
        "from": world.day(14).isoformat(),
        "to": world.day(20).isoformat(),
    }


def test_verify_finds_changes_behind_the_apps_back(capsys, world: World, tmp_path: Path) -> None:
    code, out, _ = run(capsys, world.data, "verify")
    assert (code, out.strip()) == (
        0,
        "Checked 0 work orders, 0 approved MBs, 0 photos: all intact.",
    )
    taken = datetime.combine(world.day(1), time(9, 0), INDIA)
    photo(tmp_path, "trench.jpg", 1, taken)
    doc = floor_mb(world, "2", photos=["trench.jpg"])
    doc["lines"][0]["measurements"][0]["length"] = "1.5"
    first = create_mb(capsys, world, tmp_path, doc)
    approve(capsys, world, first)
    second = create_mb(capsys, world, tmp_path, floor_mb(world, "1"))
    approve(capsys, world, second)
    code, out, _ = run(capsys, world.data, "verify")
    assert (code, out.strip()) == (0, "Checked 1 work order, 2 approved MBs, 1 photo: all intact.")
    assert run_json(capsys, world.data, "verify")["ok"] is True

    # A length changed in the database file, the trigger that forbids it dropped first.
    with sqlite3.connect(world.data / "mukta.sqlite3") as connection:
        with pytest.raises(sqlite3.DatabaseError):
            connection.execute("UPDATE mb_row SET length = '11'")
        connection.execute("DROP TRIGGER mb_row_approved_no_update")
        changed = connection.execute(
            "UPDATE mb_row SET length = '1.6' WHERE line_id IN (SELECT l.id FROM mb_line l JOIN "
            "measurement_book m ON m.id = l.mb_id WHERE m.number = ?)",
            (first,),
        ).rowcount
        assert changed == 1
    connection.close()
    code, out, _ = run(capsys, world.data, "verify")
    assert code == 1
    assert out.startswith("Checked 1 work order, 2 approved MBs, 1 photo: 1 problem found.")
    assert f"{first} ({world.work_order}): its content no longer matches" in out
    assert second not in out

    stored = Path(run_json(capsys, world.data, "mb", "show", first)["photos"][0]["path"])
    stored.write_bytes(stored.read_bytes()[:-10] + b"0123456789")
    code, out, _ = run(capsys, world.data, "verify")
    assert code == 1
    assert "2 problems found" in out
    assert f"{first}: the photo file {stored.name} (trench.jpg) was changed" in out
    code, out, _ = run(capsys, world.data, "verify", "--json")
    assert code == 1
    assert len(json.loads(out)["problems"]) == 2


# --- muster roll and purchase bill ----------------------------------------------------------


def test_muster_roll_and_purchase_bill_checks(capsys, world: World, tmp_path: Path) -> None:
    data, order = world.data, world.work_order

    def muster(start: date, end: date, amount: str, *extra: str) -> tuple[int, str, str]:
        return run(
            capsys,
            data,
            "mb",
            "check-muster-roll",
            "--work-order",
            order,
            "--from",
            start.isoformat(),
            "--to",
            end.isoformat(),
            "--amount",
            amount,
            *extra,
        )

    def purchase(amount: str, *extra: str) -> tuple[int, str, str]:
        return run(
            capsys,
            data,
            "mb",
            "check-purchase-bill",
            "--work-order",
            order,
            "--amount",
            amount,
            *extra,
        )

    code, _, err = purchase("100")
    assert (code, "none is approved yet" in err) == (1, True)
    code, _, err = muster(world.day(0), world.day(6), "100")
    assert (code, "No approved MB covers" in err) == (1, True)

    text = {
        "work_order": order,
        "lines": [
            {
                "line": 1,
                "measurements": [
                    {"number": "2", "length": "10.5", "breadth": "0.45", "depth": "0.3"}
                ],
            },
            {"line": 2, "measurements": [{"number": "10.5"}]},
        ],
    }
    number = create_mb(capsys, world, tmp_path, text)
    approve(capsys, world, number)
    # labour 10200.39 + 1498.88 = 11699.27; material 3861.58 + 1122.14 = 4983.72
    code, out, err = muster(world.day(0), world.day(6), "11699.27")
    assert code == 0
    assert f"covered by approved {number}" in out
    assert err == ""
    code, out, err = muster(world.day(2), world.day(4), "11699.28")
    assert code == 0
    assert "warning: The wage bill ₹ 11,699.28 exceeds the labour utilization ₹ 11,699.27" in err
    code, out, err = muster(world.day(0), world.day(9), "100")
    assert code == 1
    assert f"No approved MB covers {world.day(7):%d/%m/%Y}" in err
    code, out, _ = muster(world.day(5), world.day(8), "20000", "--json")
    assert code == 1
    checked = json.loads(out)
    assert (checked["covered"], checked["covering"], checked["labour"], checked["amount"]) == (
        False,
        [number],
        "11699.27",
        "20000.00",
    )
    assert len(checked["warnings"]) == 1

    code, out, err = purchase("4983.72")
    assert (code, err) == (0, "")
    assert "consumed material worth ₹ 4,983.72" in out
    code, out, err = purchase("1000", "--billed-before", "4000")
    assert code == 0
    assert "exceeds the material utilization not yet billed ₹ 983.72" in err
    code, out, _ = purchase("900", "--billed-before", "4000", "--json")
    assert code == 0
    assert {k: json.loads(out)[k] for k in ("allowed", "material", "available", "warnings")} == {
        "allowed": True,
        "material": "4983.72",
        "available": "983.72",
        "warnings": [],
    }
    code, _, err = purchase("-5")
    assert (code, "cannot be negative" in err) == (1, True)
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "--data-dir",
                str(data),
                "mb",
                "check-purchase-bill",
                "--work-order",
                order,
                "--amount",
                "lots",
            ]
        )
    assert exit_info.value.code == 2


# --- list, export ---------------------------------------------------------------------------


def test_mb_list_filters(capsys, world: World, tmp_path: Path) -> None:
    number = create_mb(capsys, world, tmp_path, floor_mb(world, "1"))
    today = india_today()

    def listed(*args: str) -> list[str]:
        return [m["number"] for m in run_json(capsys, world.data, "mb", "list", *args)]

    assert listed() == [number]
    assert listed("--work-order", world.work_order) == [number]
    assert listed("--status", "drafted", "--ward", "5", "--project-name", "HALL") == [number]
    assert listed("--ward", "9") == []
    assert listed("--status", "APPROVED") == []
    assert listed(
        "--from",
        (today - timedelta(days=1)).isoformat(),
        "--to",
        (today + timedelta(days=1)).isoformat(),
    ) == [number]
    assert listed("--from", (today + timedelta(days=2)).isoformat()) == []
    code, _, err = run(
        capsys, world.data, "mb", "list", "--from", "2026-02-01", "--to", "2026-01-01"
    )
    assert (code, "is after --to" in err) == (1, True)
    entry = run_json(capsys, world.data, "mb", "list")[0]
    assert {k: entry[k] for k in ("work_order", "status", "total", "ward")} == {
        "work_order": world.work_order,
        "status": "DRAFTED",
        "total": "5026.14",
        "ward": "5",
    }
    code, out, _ = run(capsys, world.data, "mb", "list")
    assert code == 0
    assert number in out
    assert "1 MB(s)" in out


def test_mb_export_through_the_report_writers(
    capsys, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = create_mb(capsys, world, tmp_path, floor_mb(world, "1"))
    written: list[tuple[str, Any, Path]] = []
    for module, function in (("mb_pdf", "write_mb_pdf"), ("mb_xlsx", "write_mb_xlsx")):
        fake = types.ModuleType(f"mukta_desktop.reports.{module}")

        def writer(view: Any, path: Path, _module: str = module) -> None:
            written.append((_module, view, path))
            path.write_bytes(b"report")

        setattr(fake, function, writer)
        monkeypatch.setitem(sys.modules, f"mukta_desktop.reports.{module}", fake)
    for fmt in ("pdf", "xlsx"):
        out_file = tmp_path / f"mb.{fmt}"
        code, out, err = run(
            capsys, world.data, "mb", "export", number, "--format", fmt, "--out", str(out_file)
        )
        assert code == 0, err
        assert out.strip() == f"{number} written to {out_file}."
        assert out_file.read_bytes() == b"report"
    assert [(m, view.number, view.totals.total) for m, view, _ in written] == [
        ("mb_pdf", number, D("5026.14")),
        ("mb_xlsx", number, D("5026.14")),
    ]
    monkeypatch.setitem(sys.modules, "mukta_desktop.reports.mb_xlsx", None)
    code, _, err = run(
        capsys,
        world.data,
        "mb",
        "export",
        number,
        "--format",
        "xlsx",
        "--out",
        str(tmp_path / "x.xlsx"),
    )
    assert (code, "XLSX export is not available" in err) == (1, True)
    code, _, err = run(
        capsys,
        world.data,
        "mb",
        "export",
        "MB/0",
        "--format",
        "pdf",
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert (code, "No MB with number 'MB/0'" in err) == (1, True)


def test_mb_show_in_a_process_without_qt(capsys, world: World, tmp_path: Path) -> None:
    number = create_mb(capsys, world, tmp_path, floor_mb(world, "1"))
    script = (
        "import sys\n"
        "from mukta_desktop.cli import main\n"
        f"code = main(['--data-dir', {str(world.data)!r}, 'mb', 'show', {number!r}, '--json'])\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["lines"][0]["amount"] == "5026.14"


# --- the demo -------------------------------------------------------------------------------


def test_demo_has_a_work_order_with_approved_and_draft_mbs(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "demo"
    code, out, _ = run(capsys, data, "demo")
    assert code == 0
    assert "Demo work order WO/" in out
    orders = run_json(capsys, data, "workorder", "list")
    assert len(orders) == 1
    assert orders[0]["organisation"].startswith("[DEMO]")
    books = sorted(run_json(capsys, data, "mb", "list"), key=lambda m: m["period"]["from"])
    assert [m["status"] for m in books] == ["APPROVED", "APPROVED", "DRAFTED"]
    assert {m["work_order"] for m in books} == {orders[0]["number"]}
    shown = [run_json(capsys, data, "mb", "show", m["number"]) for m in books]
    assert shown[0]["previous_hash"] is None
    assert shown[1]["previous_hash"] == shown[0]["content_hash"]
    assert shown[2]["content_hash"] is None
    draft = shown[2]
    assert 2 <= len(draft["photos"]) <= 3
    start = date.fromisoformat(draft["period"]["from"])
    end = date.fromisoformat(draft["period"]["to"])
    for picture in draft["photos"]:
        assert start <= datetime.fromisoformat(picture["taken_at"]).date() <= end
        assert picture["latitude"].startswith("20.65")
        assert picture["longitude"].startswith("85.59")
    assert all(h["comment"].startswith("[DEMO]") for h in shown[0]["history"][1:])
    assert all(m["remarks"].startswith("[DEMO]") for m in shown)
    # Measured against the estimate in force (the approved revision), within its quantities.
    order = run_json(capsys, data, "workorder", "show", orders[0]["number"])
    assert order["estimate_in_force"].startswith("RE/")
    assert {m["estimate"] for m in shown} == {order["estimate_in_force"]}
    for line in draft["lines"]:
        assert Decimal(line["cumulative_quantity"]) <= Decimal(line["estimate_quantity"])
    total_photos = sum(len(m["photos"]) for m in shown)
    code, out, _ = run(capsys, data, "verify")
    assert (code, out.strip()) == (
        0,
        f"Checked 1 work order, 2 approved MBs, {total_photos} photos: all intact.",
    )

    # The demo user (every role) takes the draft through the workflow.
    monkeypatch.setenv("MUKTA_PASSWORD", "demo")
    for action in ("submit", "verify", "approve"):
        code, _, err = run(capsys, data, "mb", "action", draft["number"], action, user="demo")
        assert code == 0, err
    assert run(capsys, data, "verify")[0] == 0
    assert (
        run_json(capsys, data, "mb", "show", draft["number"])["previous_hash"]
        == (shown[1]["content_hash"])
    )


def test_mb_export_with_the_real_writers(capsys, world: World, tmp_path: Path) -> None:
    pytest.importorskip("mukta_desktop.reports.mb_pdf")
    pytest.importorskip("mukta_desktop.reports.mb_xlsx")
    taken = datetime.combine(world.day(1), time(9, 0), INDIA)
    photo(tmp_path, "floor.jpg", 1, taken)
    number = create_mb(capsys, world, tmp_path, floor_mb(world, "1", photos=["floor.jpg"]))
    approve(capsys, world, number)
    for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK")):
        out_file = tmp_path / f"book.{fmt}"
        code, _, err = run(
            capsys, world.data, "mb", "export", number, "--format", fmt, "--out", str(out_file)
        )
        assert code == 0, err
        assert out_file.read_bytes().startswith(magic)
