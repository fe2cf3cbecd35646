"""SOR import: the real MUKTA workbooks, re-import, rate history, bad files, ULB rates, JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from mukta_desktop.domain.errors import PermissionDenied
from mukta_desktop.domain.roles import Role
from mukta_desktop.models import Sor, SorRate
from mukta_desktop.services.database import Database, open_database
from mukta_desktop.services.sor_catalog import SorQuery, get_sor, modify_sor, search_sors
from mukta_desktop.services.sor_import import (
    ImportReport,
    export_sor_json,
    import_sor_file,
)
from mukta_desktop.services.users import Actor

TODAY = date(2026, 11, 21)
APRIL = date(2026, 4, 1)
ADMIN = Actor("admin", "State admin", "od", frozenset({Role.MDMS_STATE_ADMIN}))
CITY = Actor("dkl", "Dhenkanal rates", "od.dhenkanal", frozenset({Role.MDMS_CITY_ADMIN}))

HEADER = ["Sr. No.", "Code", "Type", "Sub Type", "Variant", "SOR Description", "UOM",
          "Qty for which rate is defined", "Basic Matrial Rate", "Basic Labour Rate",
          "Basic Machinery Rate", "Conveyance", "Royalty", "Labour Cess", "Total"]
TITLE = [None, "State Level Details", None, None, None, None, None, None, "ULB Level Details"]
# Rows as in sor-mdt.xlsx: amounts as the floats openpyxl reads and writes.
FL = [2, "FL00001", "Works", "Flooring", "Ground Floor", "Fixing tiles in floors", "SQM", 1,
      1307.8, 3598.02, None, 66.01, 4.55, 49.76, 5026.14]
LD = [1, "LD00001", "Material", "Not Applicable", "Not Applicable", "Stone boulder", "CUM", 1,
      133.33, None, None, 167.27, 130, None, 430.6]
LAB = [4, "LD00002", "Labour", "Un Skilled", "Not Applicable", "Survey Khalasi/ Chain Man",
       "Nos", 1, None, 345, None, None, None, None, 345]


def workbook(
    path: Path, rows: Sequence[Sequence[object]], *, header: Sequence[object] = HEADER,
    sheet: str = "SOR", title: bool = True,
) -> Path:
    """An MDT-style workbook: title row 1, header row 2, data from row 3 (title=False: row 2)."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    if title:
        ws.append(TITLE)
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    book.save(path)
    return path


def changed(row: Sequence[object], **cells: object) -> list[object]:
    """A copy of a row with cells replaced by header name (spaces as underscores)."""
    copy = list(row)
    for name, value in cells.items():
        copy[HEADER.index(name.replace("_", " "))] = value
    return copy


def run(db: Database, path: Path, *, actor: Actor = ADMIN, effective_from: date | None = APRIL,
        tenant: str = "od") -> ImportReport:
    return import_sor_file(db, actor, path, effective_from=effective_from, tenant=tenant,
                           today=TODAY)


def counts(db: Database) -> tuple[int, int]:
    with db.read() as session:
        sors = session.scalar(select(func.count()).select_from(Sor))
        rates = session.scalar(select(func.count()).select_from(SorRate))
        return int(sors or 0), int(rates or 0)


def refused(db: Database, report: ImportReport, before: tuple[int, int] = (0, 0)) -> list[str]:
    """The problems of a refused import, after checking that nothing was written."""
    assert not report.ok
    assert counts(db) == before
    assert report.sors_created == report.rates_added == 0
    return [str(p) for p in report.problems]


# --- the real MUKTA workbooks -------------------------------------------------------------


def test_imports_sor_mdt_with_its_real_rates(db: Database, reference: Path) -> None:
    report = run(db, reference / "sor-mdt.xlsx", effective_from=None)

    assert report.ok, report.problems
    assert (report.sors_created, report.rates_added) == (5, 5)
    ld = get_sor(db, "LD00001", at=TODAY, tenant="od")
    assert (ld.type_code, ld.sub_type_code, ld.variant_code, ld.uom) == ("M", "NA1", "NA", "CUM")
    assert ld.current is not None
    assert ld.current.total == Decimal("430.60")
    assert ld.current.effective_from == TODAY  # no date given: today
    assert ld.current.source == "IMPORT"
    fl = get_sor(db, "FL00001", at=TODAY, tenant="od")
    assert (fl.type_code, fl.sub_type_code, fl.variant_code) == ("W", "FL", "GF")
    assert fl.current is not None
    assert fl.current.heads.labour_cess == Decimal("49.76")
    assert fl.current.total == Decimal("5026.14")
    cc = get_sor(db, "CC00001", at=TODAY, tenant="od")
    assert cc.rate_quantity == Decimal("120")
    assert cc.current is not None
    # 32001.010000000002 in the file is float noise around 32001.01.
    assert cc.current.heads.conveyance == Decimal("32001.01")
    assert cc.current.heads.labour_cess == Decimal("4347.23")
    assert cc.current.total == Decimal("439070.35")
    cc2 = get_sor(db, "CC00002", at=TODAY, tenant="od")
    assert cc2.variant_code == "FF"
    assert cc2.current is not None
    assert cc2.current.total == Decimal("439070.35")
    ld2 = get_sor(db, "LD00002", at=TODAY, tenant="od")
    assert (ld2.type_code, ld2.sub_type_code, ld2.uom) == ("L", "US", "NOS")
    assert ld2.current is not None
    assert ld2.current.total == Decimal("345.00")


def test_imports_all_691_definitions_of_the_rate_analysis_template(
    db: Database, reference: Path
) -> None:
    report = run(db, reference / "rate-analysis-template.xlsx", effective_from=None)

    assert report.ok, report.problems[:5]
    assert (report.sors_created, report.rates_added) == (691, 0)
    with db.read() as session:
        per_type = {type_code: number for type_code, number in session.execute(
            select(Sor.type_code, func.count()).group_by(Sor.type_code))}
    assert per_type == {"M": 96, "L": 72, "E": 25, "W": 498}
    assert counts(db) == (691, 0)
    sand = get_sor(db, "SOR_000001", at=TODAY)
    assert sand.description == "Sand for filling and road blinding"
    assert (sand.type_code, sand.sub_type_code, sand.uom, sand.current) == ("M", "NA1", "CUM", None)
    page = search_sors(db, SorQuery(text="bituminous macadam hot mix", limit=None), TODAY)
    assert page.rows
    assert all('"' not in row.code for row in page.rows)
    # Escaped inner quotes of the template come out as plain quotes.
    assert any('"BITUMINOUS MACADAM"' in row.description for row in page.rows)
    assert not any("\\" in row.description for row in page.rows)


# --- re-import and rate history -----------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing(db: Database, reference: Path) -> None:
    assert run(db, reference / "sor-mdt.xlsx").ok
    before = counts(db)

    again = run(db, reference / "sor-mdt.xlsx")

    assert again.ok
    assert (again.sors_created, again.sors_updated, again.sors_unchanged) == (0, 0, 5)
    assert (again.rates_added, again.rates_skipped) == (0, 5)
    assert counts(db) == before == (5, 5)


def test_a_later_date_adds_a_rate_and_keeps_the_history(db: Database, tmp_path: Path) -> None:
    assert run(db, workbook(tmp_path / "april.xlsx", [FL])).ok
    newer = changed(FL, Conveyance=70, Labour_Cess=None, Total=None)
    later = date(2026, 10, 1)

    report = run(db, workbook(tmp_path / "october.xlsx", [newer]), effective_from=later)

    assert report.ok, report.problems
    assert (report.rates_added, report.sors_unchanged) == (1, 1)
    now = get_sor(db, "FL00001", at=TODAY)
    assert now.current is not None
    # 1307.80 + 3598.02 + 70.00 + 4.55 = 4980.37 → cess 49.80 → 5030.17
    assert now.current.heads.labour_cess == Decimal("49.80")
    assert now.current.total == Decimal("5030.17")
    assert [h.total for h in now.history] == [Decimal("5030.17"), Decimal("5026.14")]
    summer = get_sor(db, "FL00001", at=date(2026, 9, 30))
    assert summer.current is not None
    assert summer.current.total == Decimal("5026.14")


def test_the_same_schedule_on_later_days_adds_no_duplicate_rate(
    db: Database, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "fl.xlsx", [FL])
    first = run(db, path, effective_from=date(2025, 1, 1))
    assert first.ok, first.problems
    assert first.rates_added == 1

    for day in (date(2025, 1, 2), date(2025, 1, 3)):
        again = run(db, path, effective_from=day)
        assert again.ok, again.problems
        assert (again.rates_added, again.rates_skipped) == (0, 1)
        assert "0 rate(s) added, 1 already present" in again.summary()

    assert counts(db) == (1, 1)
    history = get_sor(db, "FL00001", at=TODAY).history
    assert [(h.effective_from, h.total) for h in history] == [
        (date(2025, 1, 1), Decimal("5026.14"))]
    # A later date with other amounts is a new rate.
    newer = changed(FL, Conveyance=70, Labour_Cess=None, Total=None)
    report = run(db, workbook(tmp_path / "newer.xlsx", [newer]), effective_from=date(2025, 1, 4))
    assert report.ok, report.problems
    assert (report.rates_added, report.rates_skipped) == (1, 0)
    assert [h.total for h in get_sor(db, "FL00001", at=TODAY).history] == [
        Decimal("5030.17"), Decimal("5026.14")]
    # Going back to the first amounts later on is a change too, so it is added.
    back = run(db, path, effective_from=date(2025, 1, 5))
    assert (back.rates_added, back.rates_skipped) == (1, 0)
    assert counts(db) == (1, 3)


def test_a_date_before_the_latest_rate_is_refused(db: Database, reference: Path) -> None:
    assert run(db, reference / "sor-mdt.xlsx", effective_from=date(2026, 10, 1)).ok

    report = run(db, reference / "sor-mdt.xlsx", effective_from=APRIL)

    problems = refused(db, report, before=(5, 5))
    assert len(problems) == 5
    assert problems[0] == (
        "sheet 'SOR', row 3: effective from 01/04/2026 is earlier than the latest rate of "
        "LD00001 for od (from 01/10/2026); rate history is never rewritten")


def test_the_same_date_with_other_amounts_is_refused(db: Database, tmp_path: Path) -> None:
    assert run(db, workbook(tmp_path / "a.xlsx", [FL])).ok
    other = changed(FL, Royalty=5, Labour_Cess=None, Total=None)

    report = run(db, workbook(tmp_path / "b.xlsx", [other]))

    assert refused(db, report, before=(1, 1)) == [
        "sheet 'SOR', row 3, column 'Total': FL00001 already has a different rate for od from "
        "01/04/2026 (total 5026.14, this row 5026.60); rate history is never rewritten: "
        "import the new rate with a later effective date"]


def test_an_identical_rate_is_skipped_and_a_new_sor_beside_it_is_added(
    db: Database, tmp_path: Path
) -> None:
    assert run(db, workbook(tmp_path / "a.xlsx", [FL])).ok
    # The same amounts written differently (text, no cess, no total) are the same rate.
    same = changed(FL, Basic_Matrial_Rate="1,307.80", Labour_Cess=None, Total=None)

    report = run(db, workbook(tmp_path / "b.xlsx", [same, LD]))

    assert report.ok, report.problems
    assert (report.rates_skipped, report.rates_added, report.sors_created) == (1, 1, 1)
    assert counts(db) == (2, 2)


def test_a_new_description_updates_the_sor(db: Database, tmp_path: Path) -> None:
    assert run(db, workbook(tmp_path / "a.xlsx", [FL])).ok
    renamed = changed(FL, SOR_Description="Fixing vitrified tiles in floors")

    report = run(db, workbook(tmp_path / "b.xlsx", [renamed]))

    assert report.ok, report.problems
    assert (report.sors_updated, report.rates_skipped) == (1, 1)
    detail = get_sor(db, "FL00001", at=TODAY)
    assert detail.description == "Fixing vitrified tiles in floors"
    assert detail.version == 2
    found = search_sors(db, SorQuery(text="vitrified"), TODAY)
    assert [r.code for r in found.rows] == ["FL00001"]


def test_a_changed_definition_is_refused_naming_both_values(
    db: Database, tmp_path: Path
) -> None:
    assert run(db, workbook(tmp_path / "a.xlsx", [FL])).ok
    other = changed(FL, UOM="CUM", Qty_for_which_rate_is_defined=10, Variant="First Floor")

    report = run(db, workbook(tmp_path / "b.xlsx", [other]))

    assert refused(db, report, before=(1, 1)) == [
        "sheet 'SOR', row 3, column 'Variant': variant differs from the stored SOR FL00001: "
        "file FF, stored GF; a SOR's definition changes only through Modify SOR",
        "sheet 'SOR', row 3, column 'UOM': unit differs from the stored SOR FL00001: "
        "file CUM, stored SQM; a SOR's definition changes only through Modify SOR",
        "sheet 'SOR', row 3, column 'Qty for which rate is defined': quantity for which the "
        "rate is defined differs from the stored SOR FL00001: file 10, stored 1; a SOR's "
        "definition changes only through Modify SOR",
    ]


# --- words, codes, units, columns -----------------------------------------------------------


def test_codes_or_words_in_any_case_and_unit_aliases(db: Database, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["", " BW00001 ", "w", "fl", "gf", "Tiles", "sqm", "1", "10", "", "", "", "", "", ""],
        ["", "BM00001", "MATERIAL", "na", "na", "Cement", "QTL", 1, 400, None, None, None, None,
         0, 400],
        ["", "BE00001", "Machinery", "not applicable", "NA", "Roller", "hrs", 1, None, None,
         900, None, None, None, None],
        ["", "BL00001", "L", "US", "Not Applicable", "Mazdoor", "nos", 1, None, "400.5", None,
         None, None, None, "400.50"],
        ["", "BR00001", "Works", "Road Work", "not applicable", "Kerb", "MTR", 1, None, None,
         None, None, None, None, None],
    ]

    report = run(db, workbook(tmp_path / "words.xlsx", rows))

    assert report.ok, report.problems
    assert (report.sors_created, report.rates_added) == (5, 4)
    expected = {
        "BW00001": ("W", "FL", "GF", "SQM"), "BM00001": ("M", "NA1", "NA", "QNTL"),
        "BE00001": ("E", "NA2", "NA", "HOUR"), "BL00001": ("L", "US", "NA", "NOS"),
        "BR00001": ("W", "RD", "NA", "RMT"),
    }
    for code, definition in expected.items():
        sor = get_sor(db, code, at=TODAY)
        assert (sor.type_code, sor.sub_type_code, sor.variant_code, sor.uom) == definition
    bw = get_sor(db, "BW00001", at=TODAY)
    assert bw.current is not None
    assert (bw.current.heads.labour_cess, bw.current.total) == (Decimal("0.10"), Decimal("10.10"))
    assert get_sor(db, "BR00001", at=TODAY).current is None  # no heads: definition only


def test_columns_are_found_by_name_in_any_order_with_optional_heads(
    db: Database, tmp_path: Path
) -> None:
    header = ["UOM", "code", "SOR  Description", "Sub Type", "Type", "Variant",
              "Qty for which rate is defined", "Basic Material Rate", "DMF",
              "Exploration Mineral Fund", "Additional Charges", "Labour Cess", "Total", "Notes"]
    row = ["CUM", "QW00001", "Quarry work", "EW", "W", "NA", 1, 100, 2, 1, 7, 1.1, 111.1, "x"]

    report = run(db, workbook(tmp_path / "order.xlsx", [row], header=header, title=False))

    assert report.ok, report.problems
    rate = get_sor(db, "QW00001", at=TODAY).current
    assert rate is not None
    assert (rate.heads.dmf, rate.heads.emf, rate.heads.additional) == (
        Decimal("2.00"), Decimal("1.00"), Decimal("7.00"))
    assert rate.total == Decimal("111.10")


def test_blank_rows_are_ignored_and_row_numbers_are_the_sheets(
    db: Database, tmp_path: Path
) -> None:
    rows: list[list[object]] = [FL, [None] * 15, [7, *[None] * 14], changed(LD, UOM="BAGS")]

    report = run(db, workbook(tmp_path / "gaps.xlsx", rows))

    assert refused(db, report) == [
        "sheet 'SOR', row 6, column 'UOM': unit 'BAGS' is not known; allowed: CFT, CUM, FT, "
        "HOUR, KG, KL, LTR, MT, NOS, QNTL, RMT, SFT, SQM (or an alias such as QTL, MTR, Nos)"]


TEMPLATE_HEADER = HEADER[:8]


def template(path: Path, basic: list[list[object]], works: list[list[object]]) -> Path:
    """A rate-analysis-template style workbook: one header row, quoted text, no rates."""
    book = Workbook()
    for title, rows in (("Basic SORs", basic), ("Works SORs", works), ("Rate Analysis", [])):
        ws = book.create_sheet(title)
        ws.append(TEMPLATE_HEADER)
        for row in rows:
            ws.append(row)
    book.remove(book.worksheets[0])
    book.save(path)
    return path


def test_template_sheets_with_quoted_codes(db: Database, tmp_path: Path) -> None:
    basic: list[list[object]] = [[1, "SOR_000001", '"M"', '"NA1"', '"NA"', '"Sand"', '"CUM"', 1.0]]
    works: list[list[object]] = [
        [1, "SOR_000122", '"W"', '"EW"', '"EF"', '"Earth work 0\'-4\\" deep"', '"CUM"', 1.0]]

    report = run(db, template(tmp_path / "t.xlsx", basic, works))

    assert report.ok, report.problems
    assert (report.sors_created, report.rates_added) == (2, 0)
    assert get_sor(db, "SOR_000122", at=TODAY).description == "Earth work 0'-4\" deep"


def test_a_code_in_both_template_sheets(db: Database, tmp_path: Path) -> None:
    basic: list[list[object]] = [[1, "SOR_000001", '"M"', '"NA1"', '"NA"', '"Sand"', '"CUM"', 1]]
    works: list[list[object]] = [
        [1, "SOR_000002", '"W"', '"EW"', '"NA"', '"Earth work"', '"CUM"', 1],
        [2, "SOR_000001", '"W"', '"EW"', '"NA"', '"Earth work, hard"', '"KGS"', 1]]

    report = run(db, template(tmp_path / "t.xlsx", basic, works))

    assert refused(db, report) == [
        "sheet 'Works SORs', row 3, column 'Code': code 'SOR_000001' appears twice (row 2 of "
        "sheet 'Basic SORs' and row 3); a code may be on one row only"]


def test_float_noise_is_rounded_but_a_real_third_decimal_is_not(
    db: Database, tmp_path: Path
) -> None:
    noisy = changed(LD, Basic_Matrial_Rate=0.1 + 0.2, Conveyance=167.27, Royalty=130,
                    Total=None)  # 0.30000000000000004

    report = run(db, workbook(tmp_path / "noise.xlsx", [noisy]))

    assert report.ok, report.problems
    rate = get_sor(db, "LD00001", at=TODAY).current
    assert rate is not None
    assert (rate.heads.material, rate.total) == (Decimal("0.30"), Decimal("297.57"))


# --- bad files: every problem named, nothing imported ----------------------------------------


def test_no_header_row(db: Database, tmp_path: Path) -> None:
    report = run(db, workbook(tmp_path / "nohead.xlsx", [FL], header=["Item", "Rate"]))

    assert refused(db, report) == [
        "sheet 'SOR': no header row in the first 10 rows; the header needs the columns "
        "'Code', 'Type', 'Sub Type', 'Variant', 'SOR Description', 'UOM', "
        "'Qty for which rate is defined'"]



def test_missing_column(db: Database, tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "UOM"]
    row = [v for h, v in zip(HEADER, FL, strict=True) if h != "UOM"]

    report = run(db, workbook(tmp_path / "no-uom.xlsx", [row], header=header))

    problems = refused(db, report)
    assert len(problems) == 1
    assert problems[0].startswith("sheet 'SOR', row 2: missing column(s) 'UOM'; the header row "
                                  "needs 'Code', 'Type', 'Sub Type'")


def test_text_in_a_number_cell(db: Database, tmp_path: Path) -> None:
    report = run(db, workbook(tmp_path / "text.xlsx", [changed(FL, Basic_Labour_Rate="abc")]))

    assert refused(db, report) == [
        "sheet 'SOR', row 3, column 'Basic Labour Rate': 'abc' is not a number"]


def test_negative_rate(db: Database, tmp_path: Path) -> None:
    report = run(db, workbook(tmp_path / "neg.xlsx", [changed(LD, Royalty=-130)]))

    assert refused(db, report) == [
        "sheet 'SOR', row 3, column 'Royalty': -130 is negative; amounts and quantities may "
        "not be negative"]


def test_wrong_total(db: Database, tmp_path: Path) -> None:
    report = run(db, workbook(tmp_path / "total.xlsx", [changed(FL, Total=5026.41)]))

    assert refused(db, report) == [
        "sheet 'SOR', row 3, column 'Total': total 5026.41 is not the sum of the heads (5026.14)"]


def test_wrong_labour_cess(db: Database, tmp_path: Path) -> None:
    report = run(db, workbook(tmp_path / "cess.xlsx", [changed(FL, Labour_Cess=49.77)]))

    assert refused(db, report) == [
        "sheet 'SOR', row 3, column 'Labour Cess': labour cess 49.77 should be 49.76 "
        "(1 % of 4976.38, rounded half-up to paise)"]


def test_labour_cess_on_a_material_item(db: Database, tmp_path: Path) -> None:
    report = run(db, workbook(tmp_path / "cess.xlsx", [changed(LD, Labour_Cess=4.31)]))

    assert refused(db, report) == [
        "sheet 'SOR', row 3, column 'Labour Cess': labour cess applies to works items only; "
        "Material items carry none (got 4.31)"]


def test_more_than_two_decimals(db: Database, tmp_path: Path) -> None:
    report = run(db, workbook(tmp_path / "dec.xlsx", [
        changed(LD, Basic_Matrial_Rate=133.335, Total=None),
        changed(LAB, Code="LD00003", Basic_Labour_Rate="345.001", Total=None)]))

    assert refused(db, report) == [
        "sheet 'SOR', row 3, column 'Basic Matrial Rate': 133.335 has more than 2 decimals",
        "sheet 'SOR', row 4, column 'Basic Labour Rate': 345.001 has more than 2 decimals"]


def test_unknown_unit(db: Database, tmp_path: Path) -> None:
    report = run(db, workbook(tmp_path / "unit.xlsx", [changed(FL, UOM="Sq.Yd")]))

    problems = refused(db, report)
    assert problems == [
        "sheet 'SOR', row 3, column 'UOM': unit 'Sq.Yd' is not known; allowed: CFT, CUM, FT, "
        "HOUR, KG, KL, LTR, MT, NOS, QNTL, RMT, SFT, SQM (or an alias such as QTL, MTR, Nos)"]


def test_unknown_type_sub_type_and_variant(db: Database, tmp_path: Path) -> None:
    rows = [changed(FL, Type="Civil"),
            changed(LD, Code="LD00009", Sub_Type="Flooring"),
            changed(LAB, Variant="Ground Floor"),
            changed(FL, Code="FL00009", Variant="Basement")]

    report = run(db, workbook(tmp_path / "words.xlsx", rows))

    assert refused(db, report) == [
        "sheet 'SOR', row 3, column 'Type': type 'Civil' is not known; allowed: M (Material), "
        "L (Labour), E (Machinery), W (Works)",
        "sheet 'SOR', row 4, column 'Sub Type': sub type 'Flooring' is not a sub type of "
        "Material; allowed: NA1 (or their names)",
        "sheet 'SOR', row 5, column 'Variant': variant 'Ground Floor' applies to works items "
        "only; Labour items use NA (Not Applicable)",
        "sheet 'SOR', row 6, column 'Variant': variant 'Basement' is not known; allowed: EF, GF, "
        "FF, SF, TF, FP, SG, SS, ST, NA (or their names)",
    ]


def test_quantity_for_which_rate_is_defined(db: Database, tmp_path: Path) -> None:
    rows = [changed(FL, Qty_for_which_rate_is_defined=None),
            changed(LD, Qty_for_which_rate_is_defined=0),
            changed(LAB, Qty_for_which_rate_is_defined="one")]

    report = run(db, workbook(tmp_path / "qty.xlsx", rows))

    column = "column 'Qty for which rate is defined'"
    assert refused(db, report) == [
        f"sheet 'SOR', row 3, {column}: blank; give the quantity the rate is defined for "
        "(a number above 0)",
        f"sheet 'SOR', row 4, {column}: 0 is not allowed; give the quantity the rate is "
        "defined for (a number above 0)",
        f"sheet 'SOR', row 5, {column}: 'one' is not a number",
    ]


def test_duplicate_code_names_both_rows(db: Database, tmp_path: Path) -> None:
    report = run(db, workbook(tmp_path / "dup.xlsx", [FL, LD, changed(LAB, Code=" FL00001")]))

    assert refused(db, report) == [
        "sheet 'SOR', row 5, column 'Code': code 'FL00001' appears twice (rows 3 and 5); "
        "a code may be on one row only"]


def test_sheet_without_rows(db: Database, tmp_path: Path) -> None:
    report = run(db, workbook(tmp_path / "empty.xlsx", []))

    assert refused(db, report) == ["sheet 'SOR': sheet 'SOR' has no SOR rows"]


def test_workbook_with_an_empty_sheet(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    book = Workbook()
    assert book.active is not None
    book.active.title = "SOR"
    book.save(path)

    assert refused(db, run(db, path)) == ["sheet 'SOR': sheet 'SOR' has no SOR rows"]


def test_text_file_renamed_to_xlsx(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "rates.xlsx"
    path.write_text("Code,UOM\nFL00001,SQM\n", "utf-8")

    problems = refused(db, run(db, path))

    assert len(problems) == 1
    assert problems[0].startswith("'rates.xlsx' is not an .xlsx workbook or .json SOR file (")


def test_corrupt_zip(db: Database, tmp_path: Path, reference: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes((reference / "sor-mdt.xlsx").read_bytes()[:3000])

    problems = refused(db, run(db, path))

    assert len(problems) == 1
    assert problems[0].startswith("'broken.xlsx' is not an .xlsx workbook or .json SOR file (")


def test_missing_file(db: Database, tmp_path: Path) -> None:
    problems = refused(db, run(db, tmp_path / "nowhere.xlsx"))

    assert problems == [f"'{tmp_path / 'nowhere.xlsx'}' was not found"]


def test_unknown_extension(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("FL00001 5026.14\n", "utf-8")

    assert refused(db, run(db, path)) == [
        "'x.txt' is not an .xlsx workbook or .json SOR file (unknown kind of file '.txt')"]


def test_old_excel_file(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))

    assert refused(db, run(db, path)) == [
        "'old.xls' is an old Excel 97-2003 workbook; save it as .xlsx and import that"]


def test_several_bad_rows_are_all_reported_in_row_order(db: Database, tmp_path: Path) -> None:
    rows = [
        changed(FL, Total=1),
        LD,
        changed(LAB, UOM="bags", Basic_Labour_Rate=-1, Total=None),
        ["", "", "W", "FL", "GF", "", "SQM", 1],
    ]

    report = run(db, workbook(tmp_path / "many.xlsx", rows))

    assert refused(db, report) == [
        "sheet 'SOR', row 3, column 'Total': total 1.00 is not the sum of the heads (5026.14)",
        "sheet 'SOR', row 5, column 'UOM': unit 'bags' is not known; allowed: CFT, CUM, FT, "
        "HOUR, KG, KL, LTR, MT, NOS, QNTL, RMT, SFT, SQM (or an alias such as QTL, MTR, Nos)",
        "sheet 'SOR', row 5, column 'Basic Labour Rate': -1 is negative; amounts and "
        "quantities may not be negative",
        "sheet 'SOR', row 6, column 'Code': the code is blank; every row needs the SOR code",
        "sheet 'SOR', row 6, column 'SOR Description': the description is blank; describe "
        "the item",
    ]


def test_a_bad_row_leaves_existing_data_untouched(db: Database, tmp_path: Path) -> None:
    assert run(db, workbook(tmp_path / "a.xlsx", [FL])).ok
    rows = [changed(FL, SOR_Description="New words"), LD, changed(LAB, Total=1)]

    report = run(db, workbook(tmp_path / "b.xlsx", rows))

    assert len(refused(db, report, before=(1, 1))) == 1
    assert get_sor(db, "FL00001", at=TODAY).description == "Fixing tiles in floors"


def test_unknown_tenant(db: Database, tmp_path: Path) -> None:
    report = run(db, workbook(tmp_path / "a.xlsx", [FL]), tenant="od.nowhere")

    assert refused(db, report) == [
        "tenant 'od.nowhere' is not known; use 'od' or a ULB code such as od.dhenkanal"]


# --- ULB rates and permissions ------------------------------------------------------------


def test_a_ulb_rate_administrator_loads_rates_for_that_ulb(
    db: Database, reference: Path, tmp_path: Path
) -> None:
    assert run(db, reference / "sor-mdt.xlsx").ok
    # Dhenkanal's own conveyance, from the day of the state's latest rate (not earlier).
    stored = get_sor(db, "FL00001", at=TODAY).description
    local = changed(FL, SOR_Description=stored, Conveyance=80, Labour_Cess=None, Total=None)

    report = run(db, workbook(tmp_path / "dkl.xlsx", [local]), actor=CITY,
                 tenant="od.dhenkanal", effective_from=APRIL)

    assert report.ok, report.problems
    assert (report.rates_added, report.sors_unchanged) == (1, 1)
    ulb = get_sor(db, "FL00001", at=TODAY, tenant="od.dhenkanal")
    assert ulb.current is not None
    assert ulb.current.tenant == "od.dhenkanal"
    assert ulb.current.total == Decimal("5040.27")  # 4990.37 + cess 49.90 (half-up of 49.9037)
    state = get_sor(db, "FL00001", at=TODAY, tenant="od")
    assert state.current is not None
    assert (state.current.tenant, state.current.total) == ("od", Decimal("5026.14"))
    other_ulb = get_sor(db, "FL00001", at=TODAY, tenant="od.jatni")
    assert other_ulb.current is not None
    assert other_ulb.current.total == Decimal("5026.14")


JATNI = Actor("jtn", "Jatni rates", "od.jatni", frozenset({Role.MDMS_CITY_ADMIN}))


def test_a_ulb_rate_may_not_start_before_the_latest_state_or_ulb_rate(
    db: Database, tmp_path: Path
) -> None:
    assert run(db, workbook(tmp_path / "state.xlsx", [FL]), effective_from=APRIL).ok
    local = workbook(tmp_path / "jatni.xlsx",
                     [changed(FL, Conveyance=80, Labour_Cess=None, Total=None)])

    # No Jatni rate yet: the state's rate of 01/04/2026 is what Jatni pays from that day.
    early = run(db, local, actor=JATNI, tenant="od.jatni", effective_from=date(2026, 3, 1))

    assert refused(db, early, before=(1, 1)) == [
        "sheet 'SOR', row 3: effective from 01/03/2026 is earlier than the latest rate of "
        "FL00001 (for od.jatni: none; for od: from 01/04/2026); a rate for od.jatni wins over "
        "the state's there, so it may not start before either: rate history is never "
        "rewritten"]

    assert run(db, local, actor=JATNI, tenant="od.jatni", effective_from=date(2026, 5, 1)).ok
    newer_state = changed(FL, Conveyance=70, Labour_Cess=None, Total=None)
    assert run(db, workbook(tmp_path / "june.xlsx", [newer_state]),
               effective_from=date(2026, 6, 1)).ok
    cheaper = workbook(tmp_path / "jatni2.xlsx",
                       [changed(FL, Conveyance=75, Labour_Cess=None, Total=None)])

    # After Jatni's own latest rate (01/05/2026) but before the state's (01/06/2026).
    between = run(db, cheaper, actor=JATNI, tenant="od.jatni", effective_from=date(2026, 5, 15))

    assert refused(db, between, before=(1, 3)) == [
        "sheet 'SOR', row 3: effective from 15/05/2026 is earlier than the latest rate of "
        "FL00001 (for od.jatni: from 01/05/2026; for od: from 01/06/2026); a rate for od.jatni "
        "wins over the state's there, so it may not start before either: rate history is "
        "never rewritten"]
    paid = get_sor(db, "FL00001", at=date(2026, 5, 20), tenant="od.jatni").current
    assert paid is not None
    assert (paid.tenant, paid.effective_from) == ("od.jatni", date(2026, 5, 1))
    # From the state's latest date on: allowed.
    assert run(db, cheaper, actor=JATNI, tenant="od.jatni", effective_from=date(2026, 6, 1)).ok
    assert counts(db) == (1, 4)


def test_a_ulb_rate_administrator_cannot_create_or_change_sors(
    db: Database, tmp_path: Path
) -> None:
    with pytest.raises(PermissionDenied, match=r"create or change SOR definitions \(FL00001\)"):
        run(db, workbook(tmp_path / "new.xlsx", [FL]), actor=CITY, tenant="od.dhenkanal")
    assert counts(db) == (0, 0)
    assert run(db, workbook(tmp_path / "state.xlsx", [FL])).ok
    reworded = changed(FL, SOR_Description="Tiles, reworded", Conveyance=80, Labour_Cess=None,
                       Total=None)

    with pytest.raises(PermissionDenied, match="MDMS_STATE_ADMIN"):
        run(db, workbook(tmp_path / "ulb.xlsx", [reworded]), actor=CITY, tenant="od.dhenkanal")
    assert counts(db) == (1, 1)


def test_a_ulb_rate_administrator_cannot_set_state_or_other_ulb_rates(
    db: Database, reference: Path
) -> None:
    assert run(db, reference / "sor-mdt.xlsx").ok

    with pytest.raises(PermissionDenied):
        run(db, reference / "sor-mdt.xlsx", actor=CITY, tenant="od", effective_from=TODAY)
    with pytest.raises(PermissionDenied):
        run(db, reference / "sor-mdt.xlsx", actor=CITY, tenant="od.jatni")
    assert counts(db) == (5, 5)


def test_definitions_need_the_state_administrator(db: Database, reference: Path) -> None:
    creator = Actor("je", "JE", "od.dhenkanal", frozenset({Role.ESTIMATE_CREATOR}))

    with pytest.raises(PermissionDenied):
        run(db, reference / "rate-analysis-template.xlsx", actor=creator)
    with pytest.raises(PermissionDenied):
        run(db, reference / "rate-analysis-template.xlsx", actor=CITY, tenant="od.dhenkanal")
    assert counts(db) == (0, 0)


# --- our own JSON -------------------------------------------------------------------------


def test_json_round_trip(db: Database, reference: Path, tmp_path: Path) -> None:
    assert run(db, reference / "sor-mdt.xlsx").ok
    exported = tmp_path / "sors.json"
    assert export_sor_json(db, exported, at=TODAY) == 5
    document = json.loads(exported.read_text("utf-8"))
    assert document["format"] == "mukta-sor/1"
    fl = next(item for item in document["sors"] if item["code"] == "FL00001")
    assert fl["rate"]["material"] == "1307.80"
    assert fl["rate"]["labour_cess"] == "49.76"
    assert fl["rate"]["total"] == "5026.14"
    assert next(i for i in document["sors"] if i["code"] == "CC00001")["rate_quantity"] == "120"

    other = open_database(tmp_path / "other")
    try:
        report = run(other, exported)
        assert report.ok, report.problems
        assert (report.sors_created, report.rates_added) == (5, 5)
        for code in ("LD00001", "FL00001", "CC00001", "CC00002", "LD00002"):
            a, b = get_sor(db, code, at=TODAY), get_sor(other, code, at=TODAY)
            assert (a.type_code, a.sub_type_code, a.variant_code, a.uom, a.rate_quantity,
                    a.description) == (b.type_code, b.sub_type_code, b.variant_code, b.uom,
                                       b.rate_quantity, b.description)
            assert a.current is not None
            assert b.current is not None
            assert a.current.heads == b.current.heads
    finally:
        other.close()
    again = run(db, exported)
    assert (again.sors_unchanged, again.rates_skipped, again.rates_added) == (5, 5, 0)


def test_json_numbers_are_read_without_float(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "numbers.json"
    path.write_text(json.dumps({"format": "mukta-sor/1", "sors": [{
        "code": "FL00001", "type": "Works", "sub_type": "Flooring", "variant": "GF",
        "uom": "sqm", "rate_quantity": 1, "description": "Tiles",
        "rate": {"material": "1307.80", "labour": "3598.02", "conveyance": "66.01",
                 "royalty": "4.55"}}]}).replace('"1307.80"', "1307.80"), "utf-8")

    report = run(db, path)

    assert report.ok, report.problems
    rate = get_sor(db, "FL00001", at=TODAY).current
    assert rate is not None
    assert rate.total == Decimal("5026.14")


def test_json_with_bad_items(db: Database, tmp_path: Path) -> None:
    good = {"code": "LD00001", "type": "M", "sub_type": "NA1", "variant": "NA", "uom": "CUM",
            "rate_quantity": "1", "description": "Stone boulder", "rate": None}
    items = [
        good,
        {**good, "code": "LD00002", "uom": "bags"},
        {**good, "code": "LD00003", "rate": {"material": "12.345", "cess": "1"}},
        "LD00004",
        {**good, "code": "LD00005", "colour": "red", "rate_quantity": None},
    ]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "mukta-sor/1", "sors": items}), "utf-8")

    report = run(db, path)

    assert refused(db, report) == [
        "row 2, column 'uom': unit 'bags' is not known; allowed: CFT, CUM, FT, HOUR, KG, KL, "
        "LTR, MT, NOS, QNTL, RMT, SFT, SQM (or an alias such as QTL, MTR, Nos)",
        "row 3, column 'rate.cess': unknown rate head; allowed: material, labour, machinery, "
        "conveyance, royalty, dmf, emf, additional, labour_cess, total, effective_from, tenant",
        "row 3, column 'rate.material': 12.345 has more than 2 decimals",
        "row 4: an item must be an object with the SOR's fields",
        "row 5, column 'colour': unknown field; allowed: code, description, rate, "
        "rate_quantity, status, sub_type, type, uom, variant",
        "row 5, column 'rate_quantity': blank; give the quantity the rate is defined for "
        "(a number above 0)",
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("{not json", "'bad.json' is not valid JSON (line 1, column 2: Expecting property name "
                  "enclosed in double quotes)"),
    ('{"format": "other", "sors": []}',
     "'bad.json' is not a SOR file: it needs \"format\": \"mukta-sor/1\" and a list \"sors\""),
    ('{"format": "mukta-sor/1", "sors": []}', "'bad.json' has no SOR items"),
])
def test_json_that_is_not_a_sor_file(
    db: Database, tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, "utf-8")

    assert refused(db, run(db, path)) == [expected]


JSON_ITEM: dict[str, object] = {
    "code": "FL00001", "type": "W", "sub_type": "FL", "variant": "GF", "uom": "SQM",
    "rate_quantity": "1", "description": "Fixing tiles in floors",
    "rate": {"material": "1307.80", "labour": "3598.02", "conveyance": "66.01",
             "royalty": "4.55"},
}


def json_file(path: Path, *items: dict[str, object], raw: dict[str, str] | None = None) -> Path:
    """A mukta-sor/1 file; `raw` puts JSON text in place of string placeholders ("@name")."""
    text = json.dumps({"format": "mukta-sor/1", "sors": list(items)})
    for name, literal in (raw or {}).items():
        text = text.replace(f'"@{name}"', literal)
    path.write_text(text, "utf-8")
    return path


def with_rate(**heads: object) -> dict[str, object]:
    rate = JSON_ITEM["rate"]
    assert isinstance(rate, dict)
    return {**JSON_ITEM, "rate": {**rate, **heads}}


AMOUNT_RANGE = "allowed: 0 to 99,99,99,99,999.99 with up to 2 decimals"
QUANTITY_RANGE = "allowed: above 0 to 99,999.9999 with up to 4 decimals"


@pytest.mark.parametrize(("item", "raw", "expected"), [
    (with_rate(material="@n"), {"n": "1E+1000000"},
     f"row 1, column 'rate.material': 1E+1000000 is too large; {AMOUNT_RANGE}"),
    (with_rate(material="1E+1000000"), None,
     f"row 1, column 'rate.material': 1E+1000000 is too large; {AMOUNT_RANGE}"),
    (with_rate(labour="-1E+1000000"), None,
     "row 1, column 'rate.labour': -1E+1000000 is negative; amounts and quantities may not "
     "be negative"),
    (with_rate(machinery="@n"), {"n": "1" * 5000},  # beyond Python's int-from-text limit
     f"row 1, column 'rate.machinery': {'1' * 37}... is too large; {AMOUNT_RANGE}"),
    (with_rate(machinery="@n"), {"n": "0.1000000000000000000000000000001"},
     "row 1, column 'rate.machinery': 0.1000000000000000000000000000001 has more than 2 "
     "decimals"),
    (with_rate(dmf="1E-1000000"), None,
     "row 1, column 'rate.dmf': 1E-1000000 has more than 2 decimals"),
    ({**JSON_ITEM, "rate_quantity": "@n"}, {"n": "120.0000000000000000000000000001"},
     "row 1, column 'rate_quantity': 120.0000000000000000000000000001 has more than 4 "
     "decimals"),
    ({**JSON_ITEM, "rate_quantity": "1.00001"}, None,
     "row 1, column 'rate_quantity': 1.00001 has more than 4 decimals"),
    ({**JSON_ITEM, "rate_quantity": "@n"}, {"n": "1E+1000000"},
     f"row 1, column 'rate_quantity': 1E+1000000 is too large; {QUANTITY_RANGE}"),
    ({**JSON_ITEM, "rate_quantity": "100000"}, None,
     f"row 1, column 'rate_quantity': 100000 is too large; {QUANTITY_RANGE}"),
])
def test_absurd_and_over_precise_numbers_are_refused_not_rounded(
    db: Database, tmp_path: Path, item: dict[str, object], raw: dict[str, str] | None,
    expected: str,
) -> None:
    report = run(db, json_file(tmp_path / "n.json", item, raw=raw))

    assert refused(db, report) == [expected]


def test_trailing_zeros_beyond_the_allowed_decimals_are_fine(
    db: Database, tmp_path: Path
) -> None:
    item = {**with_rate(material="@m"), "rate_quantity": "@q"}
    raw = {"m": "1307.8000000000000000000000000000000", "q": "1.000000000000000000000000000000"}

    report = run(db, json_file(tmp_path / "zeros.json", item, raw=raw))

    assert report.ok, report.problems
    sor = get_sor(db, "FL00001", at=TODAY)
    assert sor.rate_quantity == Decimal("1")
    assert sor.current is not None
    assert sor.current.total == Decimal("5026.14")


def test_a_number_where_text_belongs_does_not_crash(db: Database, tmp_path: Path) -> None:
    report = run(db, json_file(tmp_path / "code.json", {**JSON_ITEM, "description": "@n"},
                               raw={"n": "1E+1000000"}))

    assert report.ok, report.problems
    assert get_sor(db, "FL00001", at=TODAY).description == "1E+1000000"


def test_export_keeps_status_and_rate_dates(db: Database, tmp_path: Path) -> None:
    assert run(db, workbook(tmp_path / "a.xlsx", [FL, LD]), effective_from=date(2024, 4, 1)).ok
    modify_sor(db, ADMIN, "LD00001", status="INACTIVE", today=TODAY)
    exported = tmp_path / "sors.json"

    assert export_sor_json(db, exported, at=TODAY) == 2

    items = {i["code"]: i for i in json.loads(exported.read_text("utf-8"))["sors"]}
    assert (items["LD00001"]["status"], items["FL00001"]["status"]) == ("INACTIVE", "ACTIVE")
    assert items["LD00001"]["rate"]["effective_from"] == "2024-04-01"
    assert items["LD00001"]["rate"]["tenant"] == "od"
    assert not list(tmp_path.glob("*.partial"))

    fresh = open_database(tmp_path / "fresh")
    try:
        report = run(fresh, exported, effective_from=None)
        assert report.ok, report.problems
        assert (report.sors_created, report.rates_added) == (2, 2)
        ld = get_sor(fresh, "LD00001", at=TODAY)
        assert ld.status == "INACTIVE"
        assert ld.current is not None
        assert ld.current.effective_from == date(2024, 4, 1)
        assert ld.current.total == Decimal("430.60")
        fl = get_sor(fresh, "FL00001", at=TODAY)
        assert fl.status == "ACTIVE"
        assert fl.current is not None
        assert fl.current.effective_from == date(2024, 4, 1)
    finally:
        fresh.close()

    # The command's date wins over the file's.
    dated_db = open_database(tmp_path / "dated")
    try:
        assert run(dated_db, exported, effective_from=APRIL).ok
        current = get_sor(dated_db, "LD00001", at=TODAY).current
        assert current is not None
        assert current.effective_from == APRIL
    finally:
        dated_db.close()


def test_the_status_of_an_existing_sor_changes_only_through_modify(
    db: Database, tmp_path: Path
) -> None:
    assert run(db, workbook(tmp_path / "a.xlsx", [FL])).ok

    report = run(db, json_file(tmp_path / "s.json", {**JSON_ITEM, "status": "INACTIVE"}))

    assert report.ok, report.problems
    assert (report.sors_unchanged, report.rates_skipped) == (1, 1)
    assert get_sor(db, "FL00001", at=TODAY).status == "ACTIVE"


def test_json_rate_dates_in_the_file(db: Database, tmp_path: Path) -> None:
    path = json_file(tmp_path / "d.json", with_rate(effective_from="2026-10-01", tenant="od"))
    assert run(db, path, effective_from=None).ok

    early = json_file(tmp_path / "e.json", with_rate(effective_from="2026-09-30", royalty="5"))
    assert refused(db, run(db, early, effective_from=None), before=(1, 1)) == [
        "row 1: effective from 30/09/2026 is earlier than the latest rate of FL00001 for od "
        "(from 01/10/2026); rate history is never rewritten"]


def test_json_bad_status_and_rate_date(db: Database, tmp_path: Path) -> None:
    items = [{**JSON_ITEM, "status": "RETIRED"},
             {**with_rate(effective_from="01/04/2024"), "code": "FL00002"},
             {**with_rate(effective_from="2024-02-30"), "code": "FL00003"}]

    report = run(db, json_file(tmp_path / "bad.json", *items), effective_from=None)

    assert refused(db, report) == [
        "row 1, column 'status': status 'RETIRED' is not known; allowed: ACTIVE, INACTIVE",
        "row 2, column 'rate.effective_from': '01/04/2024' is not a date; write it as "
        "YYYY-MM-DD, such as 2024-04-01",
        "row 3, column 'rate.effective_from': '2024-02-30' is not a date; write it as "
        "YYYY-MM-DD, such as 2024-04-01",
    ]


def test_a_failed_export_leaves_no_partial_file(db: Database, tmp_path: Path) -> None:
    assert run(db, workbook(tmp_path / "a.xlsx", [FL])).ok
    target = tmp_path / "out.json"
    target.mkdir()
    (target / "keep").write_text("x", "utf-8")  # a non-empty folder cannot be replaced

    with pytest.raises(IsADirectoryError):
        export_sor_json(db, target, at=TODAY)

    assert not (tmp_path / "out.json.partial").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "data", "out.json"]
