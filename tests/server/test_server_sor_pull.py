"""Rates published at the head office reach a desktop by pull, and its estimates dated on or
after a rate's effective date use it (SQLite and PostgreSQL, the app in-process)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from desktop_flow import OFFICER, ULB
from server_sor_support import SOR_MDT, fl_file
from server_support import Server
from sqlalchemy import func, select

from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.models import Sor, SorRate, SyncedRecord
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft
from mukta_desktop.services.estimates import create_estimate
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.sor_import import import_sor_file
from mukta_desktop.services.sync_setup import connect, enrol_device
from mukta_desktop.services.sync_sor import apply_sor_change
from mukta_desktop.services.users import Actor
from mukta_desktop.sync.client import Change, SyncClient
from mukta_server.admin import add_user
from mukta_server.sor_publish import publish_sor_file

PASSWORD = "officer-secret"
STATE_ADMIN = "stateadmin"
CITY_ADMIN = "dklrates"
TODAY = date(2026, 11, 21)
D = Decimal


@pytest.fixture
def head_office(server: Server) -> Server:
    for login, tenant, roles in (
        (OFFICER.login, ULB, [r.value for r in OFFICER.roles]),
        (STATE_ADMIN, "od", ["MDMS_STATE_ADMIN"]),
        (CITY_ADMIN, ULB, ["MDMS_CITY_ADMIN"]),
    ):
        add_user(
            server.database,
            login=login,
            name=login,
            tenant=tenant,
            roles=roles,
            password=PASSWORD,
        )
    return server


@pytest.fixture
def client(db: Database, head_office: Server) -> SyncClient:
    enrol_device(
        db,
        server_url="http://testserver",
        login=OFFICER.login,
        password=PASSWORD,
        device_name="officer laptop",
        transport=head_office.client._transport,
    )
    return connect(db, transport=head_office.client._transport)


def publish(
    server: Server, path: Path, day: str, *, tenant: str = "od", by: str = STATE_ADMIN
) -> None:
    report = publish_sor_file(
        server.database,
        path,
        tenant=tenant,
        by=by,
        effective_from=date.fromisoformat(day),
        today=TODAY,
    )
    assert report.ok, report.problems
    assert report.version is not None


def pull(db: Database, client: SyncClient, cursor: str = "0") -> tuple[str, list[Change]]:
    """Every change after `cursor`, each SOR change applied as the pull loop does."""
    received: list[Change] = []
    while True:
        page = client.changes(cursor)
        with db.unit_of_work() as session:
            for change in page.changes:
                assert apply_sor_change(session, change) is (change.record_type == "sor_set")
        received.extend(page.changes)
        cursor = page.cursor
        if not page.more:
            return cursor, received


def apply_again(db: Database, changes: Sequence[Change]) -> None:
    with db.unit_of_work() as session:
        for change in changes:
            assert apply_sor_change(session, change)


def estimate_rate(db: Database, project: str, day: date) -> Decimal:
    """The rate a new estimate dated `day` takes for FL00001 (priced on its date)."""
    row = MeasurementRow(RowKind.PLUS, "", D("2"), D("10.5"), D("0.45"), D("0.3"))
    line = LineDraft(LineCategory.SOR, "", "", D(0), rows=(row,), sor_code="FL00001")
    view = create_estimate(
        db,
        OFFICER,
        project_number=project,
        draft=EstimateDraft(day, "", (line,)),
        today=TODAY,
    )
    [priced] = view.lines
    return priced.draft.rate


def fl_series(db: Database) -> list[tuple[str, date, Decimal, str]]:
    with db.read() as session:
        return [
            tuple(row)  # type: ignore[misc]
            for row in session.execute(
                select(SorRate.tenant_code, SorRate.effective_from, SorRate.total, SorRate.source)
                .join(Sor, Sor.id == SorRate.sor_id)
                .where(Sor.code == "FL00001")
                .order_by(SorRate.tenant_code, SorRate.effective_from)
            )
        ]


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as session:
        return (
            int(session.scalar(select(func.count()).select_from(Sor)) or 0),
            int(session.scalar(select(func.count()).select_from(SorRate)) or 0),
            int(session.scalar(select(func.count()).select_from(SyncedRecord)) or 0),
        )


def test_published_rates_reach_the_desktop_and_price_estimates_by_date(
    db: Database, head_office: Server, client: SyncClient, tmp_path: Path
) -> None:
    project = create_project(db, OFFICER, NewProject(name="Drain", ward="5"), today=TODAY).number
    sors_before, rates_before, _ = counts(db)
    publish(head_office, SOR_MDT, "2024-04-01")
    cursor, first = pull(db, client)
    assert [c.record_type for c in first] == ["sor_set"]
    assert counts(db)[:2] == (sors_before + 5, rates_before + 5)
    assert fl_series(db) == [("od", date(2024, 4, 1), D("5026.14"), "SERVER")]
    with db.read() as session:
        fl = session.scalars(select(Sor).where(Sor.code == "FL00001")).one()
        assert (fl.type_code, fl.sub_type_code, fl.uom_code, fl.rate_quantity) == (
            "W",
            "FL",
            "SQM",
            D("1"),
        )
    # DESIGN §2: 2 × 10.5 × 0.45 × 0.3 = 2.8350; × 5026.14 = 14249.11.
    assert estimate_rate(db, project, date(2024, 4, 1)) == D("5026.14")

    # A new schedule from 1 April 2025: 1400 + 3700 = 5100, cess 51.00, 5151.00.
    publish(head_office, fl_file(tmp_path / "2025.json", "1400.00", "3700.00"), "2025-04-01")
    cursor, second = pull(db, client, cursor)
    assert len(second) == 1
    assert fl_series(db) == [
        ("od", date(2024, 4, 1), D("5026.14"), "SERVER"),
        ("od", date(2025, 4, 1), D("5151.00"), "SERVER"),
    ]
    assert estimate_rate(db, project, date(2025, 4, 1)) == D("5151.00")
    assert estimate_rate(db, project, date(2025, 3, 31)) == D("5026.14")
    assert estimate_rate(db, project, date(2026, 1, 10)) == D("5151.00")

    # Applying the same changes again changes nothing; nor does pulling from the start.
    before = counts(db)
    apply_again(db, [*first, *second])
    pull(db, client)
    assert counts(db) == before
    assert len(fl_series(db)) == 2

    # Dhenkanal's own rate from 1 June 2025 wins there (and only Dhenkanal pulls it):
    # 1350 + 3598.02 = 4948.02, cess 49.48, 4997.50.
    publish(
        head_office,
        fl_file(tmp_path / "dkl.json", "1350.00", "3598.02"),
        "2025-06-01",
        tenant=ULB,
        by=CITY_ADMIN,
    )
    _, third = pull(db, client, cursor)
    assert [c.payload["publication"]["tenant"] for c in third] == [ULB]
    assert estimate_rate(db, project, date(2025, 6, 1)) == D("4997.50")
    assert estimate_rate(db, project, date(2025, 5, 31)) == D("5151.00")


def test_a_desktop_that_imported_the_workbook_itself_gains_nothing_twice(
    db: Database, head_office: Server, client: SyncClient
) -> None:
    admin = Actor("admin", "State admin", "od", frozenset({Role.MDMS_STATE_ADMIN}))
    local = import_sor_file(
        db, admin, SOR_MDT, effective_from=date(2024, 4, 1), tenant="od", today=TODAY
    )
    assert local.ok
    before = counts(db)
    publish(head_office, SOR_MDT, "2024-04-01")
    pull(db, client)
    # The same SORs and the same rates, matched rather than added; the part is remembered.
    assert counts(db) == (before[0], before[1], before[2] + 1)
    assert fl_series(db) == [("od", date(2024, 4, 1), D("5026.14"), "IMPORT")]
