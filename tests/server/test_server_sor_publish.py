"""`mukta-server sor import`: a SOR file published at the head office, all or nothing, as a new
immutable version announced in the change log (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from server_sor_support import ANALYSIS_TEMPLATE, SOR_MDT, fl_item, sor_file
from server_support import ULB, initialise
from sqlalchemy import func, select

from mukta_server import cli
from mukta_server.admin import add_user
from mukta_server.db import Database
from mukta_server.models import Change, PublishedRate, SorDefinition, SorPublication
from mukta_server.sor_publish import RECORD_TYPE, SORS_PER_CHANGE

STATE_ADMIN = "stateadmin"
CITY_ADMIN = "dklrates"


@pytest.fixture
def head_office(server_url: str) -> Iterator[tuple[str, Database]]:
    initialise(server_url)
    database = Database.open(server_url)
    try:
        add_user(
            database,
            login=STATE_ADMIN,
            name="State SOR administrator",
            tenant="od",
            roles=["MDMS_STATE_ADMIN"],
            password="state-admin-secret",
        )
        add_user(
            database,
            login=CITY_ADMIN,
            name="Dhenkanal rates",
            tenant=ULB,
            roles=["MDMS_CITY_ADMIN"],
            password="city-admin-secret",
        )
        yield server_url, database
    finally:
        database.close()


def sor_import(url: str, path: Path, *extra: str, by: str = STATE_ADMIN) -> int:
    return cli.main(["sor", "import", str(path), "--database-url", url, "--by", by, *extra])


def json_file(tmp_path: Path, name: str, items: list[dict[str, Any]]) -> Path:
    return sor_file(tmp_path / name, items)


def fl_rates(database: Database) -> list[tuple[str, date, Decimal]]:
    with database.read() as session:
        return [
            (tenant, day, total)
            for tenant, day, total in session.execute(
                select(PublishedRate.tenant_code, PublishedRate.effective_from, PublishedRate.total)
                .join(SorDefinition, SorDefinition.id == PublishedRate.sor_id)
                .where(SorDefinition.code == "FL00001")
                .order_by(PublishedRate.tenant_code, PublishedRate.effective_from)
            )
        ]


def changes(database: Database) -> list[Change]:
    with database.read() as session:
        return list(session.scalars(select(Change).order_by(Change.seq)))


def counts(database: Database) -> tuple[int, int, int, int]:
    with database.read() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model))
            for model in (SorPublication, SorDefinition, PublishedRate, Change)
        )


def test_the_reference_workbook_is_published_once_as_version_1(
    head_office: tuple[str, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    url, database = head_office
    assert sor_import(url, SOR_MDT, "--effective-from", "2024-04-01") == cli.EXIT_OK
    out = capsys.readouterr().out
    assert out == (
        "sor-mdt.xlsx: 5 SOR(s) created, 0 updated, 0 unchanged; 5 rate(s) added, 0 already "
        "present. Published as version 1 of od's SORs and rates: 1 change(s) for the desktops "
        "to pull.\n"
    )
    assert fl_rates(database) == [("od", date(2024, 4, 1), Decimal("5026.14"))]
    with database.read() as session:
        publication = session.scalars(select(SorPublication)).one()
        assert (publication.tenant_code, publication.version, publication.published_by) == (
            "od",
            1,
            STATE_ADMIN,
        )
        assert publication.file_sha256 == hashlib.sha256(SOR_MDT.read_bytes()).hexdigest()
    [change] = changes(database)
    assert (change.tenant_code, change.record_type, change.version) == ("od", RECORD_TYPE, 1)
    assert change.content_hash == hashlib.sha256(change.payload.encode()).hexdigest()
    payload = json.loads(change.payload)
    assert (payload["part"], payload["parts"], payload["publication"]["version"]) == (1, 1, 1)
    fl = next(s for s in payload["sors"] if s["code"] == "FL00001")
    assert (fl["type"], fl["sub_type"], fl["variant"], fl["uom"]) == ("W", "FL", "GF", "SQM")
    assert fl["rates"] == [
        {
            "effective_from": "2024-04-01",
            "material": "1307.80",
            "labour": "3598.02",
            "machinery": "0.00",
            "conveyance": "66.01",
            "royalty": "4.55",
            "dmf": "0.00",
            "emf": "0.00",
            "additional": "0.00",
            "labour_cess": "49.76",
            "total": "5026.14",
        }
    ]

    # The same file again: nothing new, nothing published, no change for the desktops.
    assert sor_import(url, SOR_MDT, "--effective-from", "2024-04-01") == cli.EXIT_OK
    assert capsys.readouterr().out.endswith(
        "5 already present. Nothing new for od: nothing published.\n"
    )
    assert counts(database) == (1, 5, 5, 1)


def test_a_new_schedule_is_a_new_version_and_never_changes_the_earlier_one(
    head_office: tuple[str, Database], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, database = head_office
    assert sor_import(url, SOR_MDT, "--effective-from", "2024-04-01") == cli.EXIT_OK
    first = changes(database)[0].payload
    capsys.readouterr()
    revised = json_file(tmp_path, "2025.json", [fl_item("1400.00", "3700.00")])
    assert sor_import(url, revised, "--effective-from", "2025-04-01", "--json") == cli.EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert (report["version"], report["rates_added"], report["changes"]) == (2, 1, 1)
    # 1400 + 3700 = 5100; cess 51.00; 5151.00 — the 2024 rate is still there, unchanged.
    assert fl_rates(database) == [
        ("od", date(2024, 4, 1), Decimal("5026.14")),
        ("od", date(2025, 4, 1), Decimal("5151.00")),
    ]
    old, new = changes(database)
    assert old.payload == first
    payload = json.loads(new.payload)
    [fl] = payload["sors"]
    assert [r["effective_from"] for r in fl["rates"]] == ["2025-04-01"]
    assert (fl["rates"][0]["labour_cess"], fl["rates"][0]["total"]) == ("51.00", "5151.00")

    # An older date than the latest rate is refused: history is never rewritten.
    older = json_file(tmp_path, "old.json", [fl_item("1000.00", "3000.00")])
    assert sor_import(url, older, "--effective-from", "2024-10-01") == cli.EXIT_REFUSED
    out = capsys.readouterr().out
    assert "refused, nothing published" in out
    assert "  row 1: effective from 01/10/2024" in out
    assert "earlier than the latest rate of FL00001 for od (from 01/04/2025)" in out
    assert counts(database) == (2, 5, 6, 2)


def test_every_bad_row_is_named_and_nothing_is_written(
    head_office: tuple[str, Database], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, database = head_office
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "SOR"
    sheet.append(
        ["Code", "Type", "Sub Type", "Variant", "SOR Description", "UOM",
         "Qty for which rate is defined", "Basic Matrial Rate", "Basic Labour Rate",
         "Labour Cess", "Total"]
    )  # fmt: skip
    sheet.append(["GOOD01", "Works", "Flooring", "Ground Floor", "Tiles", "SQM", 1, 100, 50, 1.5,
                  151.5])  # fmt: skip
    sheet.append(["BAD01", "Works", "Flooring", "Ground Floor", "Tiles", "FURLONG", 1, 100, 0,
                  None, None])  # fmt: skip
    sheet.append(["BAD02", "Works", "Flooring", "Ground Floor", "Tiles", "SQM", 1, 4976.5, 0,
                  49.76, None])  # fmt: skip
    path = tmp_path / "bad.xlsx"
    book.save(path)
    assert sor_import(url, path) == cli.EXIT_REFUSED
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "bad.xlsx: refused, nothing published; 2 problem(s) to fix."
    assert lines[1].startswith("  sheet 'SOR', row 3, column 'UOM': unit 'FURLONG' is not known")
    assert lines[2] == (
        "  sheet 'SOR', row 4, column 'Labour Cess': labour cess 49.76 should be 49.77 "
        "(1 % of 4976.50, rounded half-up to paise)"
    )
    assert counts(database) == (0, 0, 0, 0)


def test_only_administrators_publish_and_a_ulb_publishes_only_its_own_rates(
    head_office: tuple[str, Database], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, database = head_office
    # A JE holds no SOR role; a ULB's rate administrator may not publish state data.
    assert sor_import(url, SOR_MDT, by="je1") == cli.EXIT_REFUSED
    assert "You may not create or change SOR definitions" in capsys.readouterr().err
    assert sor_import(url, SOR_MDT, by=CITY_ADMIN) == cli.EXIT_REFUSED
    assert "it needs the MDMS_STATE_ADMIN role" in capsys.readouterr().err
    assert sor_import(url, SOR_MDT, by="nobody") == cli.EXIT_REFUSED
    assert "'nobody' is not a user of this server" in capsys.readouterr().err
    assert counts(database) == (0, 0, 0, 0)

    assert sor_import(url, SOR_MDT, "--effective-from", "2024-04-01") == cli.EXIT_OK
    ulb_rates = json_file(tmp_path, "dkl.json", [fl_item("1350.00", "3598.02")])
    # Not before the state's latest rate, which wins nowhere the ULB's own rate exists.
    assert (
        sor_import(url, ulb_rates, "--tenant", ULB, "--effective-from", "2024-06-01", by=CITY_ADMIN)
        == cli.EXIT_OK
    )
    assert "Published as version 1 of od.dhenkanal's SORs and rates" in capsys.readouterr().out
    # 1350.00 + 3598.02 = 4948.02; cess 49.48; 4997.50 for Dhenkanal from 1 June.
    assert fl_rates(database) == [
        ("od", date(2024, 4, 1), Decimal("5026.14")),
        (ULB, date(2024, 6, 1), Decimal("4997.50")),
    ]
    ulb_change = changes(database)[-1]
    assert ulb_change.tenant_code == ULB  # seen by Dhenkanal's desktops only
    # The city administrator may not publish another ULB's rates, nor new SORs for the ULB.
    assert sor_import(url, ulb_rates, "--tenant", "od", by=CITY_ADMIN) == cli.EXIT_REFUSED
    assert "set rates for od" in capsys.readouterr().err
    new_sor = json_file(tmp_path, "new.json", [{**fl_item("10.00", "5.00"), "code": "NEW0001"}])
    assert sor_import(url, new_sor, "--tenant", ULB, by=STATE_ADMIN) == cli.EXIT_REFUSED
    assert "NEW0001 is not a published SOR" in capsys.readouterr().out


def test_definitions_without_rates_are_published_in_parts(
    head_office: tuple[str, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    url, database = head_office
    assert sor_import(url, ANALYSIS_TEMPLATE) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "691 SOR(s) created" in out
    assert "0 rate(s) added" in out
    parts = [json.loads(c.payload) for c in changes(database)]
    assert [len(p["sors"]) for p in parts] == [SORS_PER_CHANGE] * 3 + [691 - 3 * SORS_PER_CHANGE]
    assert {p["parts"] for p in parts} == {4}
    assert all(s["rates"] == [] for p in parts for s in p["sors"])
