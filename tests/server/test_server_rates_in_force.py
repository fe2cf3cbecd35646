"""check_rates: an estimate's SOR lines against the rates the head office published for the
ULB on the estimate date (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from server_sor_support import SOR_MDT, fl_file
from server_support import ULB, initialise
from sqlalchemy import select

from mukta_desktop.domain.canonical import canonical_json
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.models import Estimate
from mukta_desktop.services.database import Database as DesktopDatabase
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft
from mukta_desktop.services.estimates import create_estimate
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.record_documents import estimate_document
from mukta_desktop.services.sor_import import import_sor_file
from mukta_desktop.services.users import Actor
from mukta_server.admin import add_user
from mukta_server.db import Database
from mukta_server.rates_in_force import check_rates
from mukta_server.sor_publish import publish_sor_file

TODAY = date(2026, 11, 21)
FL_2024 = {
    "material": "1307.80",
    "labour": "3598.02",
    "machinery": "0.00",
    "conveyance": "66.01",
    "royalty": "4.55",
    "dmf": "0.00",
    "emf": "0.00",
    "additional": "0.00",
    "labour_cess": "49.76",
}


@pytest.fixture
def published(server_url: str, tmp_path: Path) -> Iterator[Database]:
    """sor-mdt.xlsx from 1 April 2024; FL00001 at 5151.00 from 1 April 2025; Dhenkanal's own
    FL00001 at 4997.50 from 1 June 2025."""
    initialise(server_url)
    database = Database.open(server_url)
    try:
        add_user(
            database,
            login="stateadmin",
            name="State admin",
            tenant="od",
            roles=["MDMS_STATE_ADMIN"],
            password="state-admin-secret",
        )
        for path, tenant, day in (
            (SOR_MDT, "od", date(2024, 4, 1)),
            (fl_file(tmp_path / "2025.json", "1400.00", "3700.00"), "od", date(2025, 4, 1)),
            (fl_file(tmp_path / "dkl.json", "1350.00", "3598.02"), ULB, date(2025, 6, 1)),
        ):
            report = publish_sor_file(
                database, path, tenant=tenant, by="stateadmin", effective_from=day, today=TODAY
            )
            assert report.version is not None, report.problems
        yield database
    finally:
        database.close()


def estimate(day: str, *lines: dict[str, Any]) -> dict[str, Any]:
    return {"type": "estimate", "estimate_date": day, "lines": list(lines)}


def sor_line(
    position: int, code: str, rate: str, heads: dict[str, str] | None = None, quantity: str = "1"
) -> dict[str, Any]:
    return {
        "position": position,
        "category": "SOR",
        "sor_code": code,
        "rate": rate,
        "rate_quantity": quantity,
        "heads": heads,
    }


def check(database: Database, tenant: str, payload: dict[str, Any]) -> None:
    with database.read() as session:
        check_rates(session, tenant, payload)


def test_the_rate_in_force_on_the_estimate_date_passes(published: Database) -> None:
    check(published, ULB, estimate("2024-04-01", sor_line(0, "FL00001", "5026.14", FL_2024)))
    check(published, ULB, estimate("2025-03-31", sor_line(0, "FL00001", "5026.14")))
    check(published, "od.jatni", estimate("2025-04-01", sor_line(0, "fl00001", "5151.00")))
    check(published, ULB, estimate("2025-05-31", sor_line(0, "FL00001", "5151.00")))
    check(published, ULB, estimate("2025-06-01", sor_line(0, "FL00001", "4997.50")))
    # Nothing published to compare with: not refused.
    check(published, ULB, estimate("2024-03-31", sor_line(0, "FL00001", "4000.00")))
    check(published, ULB, estimate("2025-06-01", sor_line(0, "SOR_000001", "12.00")))
    non_sor = {"position": 1, "category": "NON-SOR", "sor_code": None, "rate": "99.00"}
    check(published, ULB, estimate("2025-06-01", non_sor))


def test_a_rate_not_in_force_is_refused_naming_line_code_and_both_rates(
    published: Database,
) -> None:
    payload = estimate(
        "2025-06-15",
        sor_line(0, "LD00001", "430.60"),
        sor_line(1, "FL00001", "5151.00"),
    )
    with pytest.raises(ValidationError) as refused:
        check(published, ULB, payload)
    assert refused.value.message == (
        "Line 2 (FL00001): the rate given is 5151.00, but the rate in force on 15/06/2025 for "
        "od.dhenkanal is 4997.50 (od.dhenkanal's own rate from 01/06/2025)."
    )
    with pytest.raises(ValidationError) as refused:
        check(published, "od.jatni", estimate("2025-04-01", sor_line(0, "FL00001", "5026.14")))
    assert refused.value.message == (
        "Line 1 (FL00001): the rate given is 5026.14, but the rate in force on 01/04/2025 for "
        "od.jatni is 5151.00 (the state's rate from 01/04/2025)."
    )
    moved = {**FL_2024, "material": "1300.00", "conveyance": "73.81"}
    with pytest.raises(ValidationError, match=r"heads other than .* \(material, conveyance differ"):
        check(published, ULB, estimate("2024-05-01", sor_line(0, "FL00001", "5026.14", moved)))
    with pytest.raises(
        ValidationError, match="per 10 units, but the published SOR's rate is per 1"
    ):
        check(published, ULB, estimate("2024-05-01", sor_line(0, "FL00001", "5026.14", None, "10")))


def test_a_desktop_estimate_document_is_checked_as_pushed(
    published: Database, db: DesktopDatabase
) -> None:
    admin = Actor("admin", "State admin", "od", frozenset({Role.MDMS_STATE_ADMIN}))
    officer = Actor("officer", "ULB officer", ULB, frozenset(Role))
    # The desktop imported sor-mdt.xlsx itself, dated 1 April 2024, and never pulled the 2025
    # schedules: its estimate of 1 July 2025 is priced at 5026.14.
    assert import_sor_file(db, admin, SOR_MDT, effective_from=date(2024, 4, 1), today=TODAY).ok
    project = create_project(db, officer, NewProject(name="Drain", ward="5"), today=TODAY).number
    rows = (MeasurementRow(RowKind.PLUS, "", Decimal("4"), None, None, None),)
    line = LineDraft(LineCategory.SOR, "", "", Decimal(0), rows=rows, sor_code="FL00001")
    number = create_estimate(
        db,
        officer,
        project_number=project,
        draft=EstimateDraft(date(2025, 7, 1), "", (line,)),
        today=TODAY,
    ).number
    with db.read() as session:
        record = session.scalars(select(Estimate).where(Estimate.number == number)).one()
        payload = json.loads(canonical_json(estimate_document(session, record)))
    with pytest.raises(ValidationError, match=r"Line 1 \(FL00001\): the rate given is 5026.14"):
        check(published, ULB, payload)
