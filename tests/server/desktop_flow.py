"""A desktop's work for the sync tests: one officer holding every role of a ULB (small ULBs
do) makes a project, an approved estimate, a work order and an approved MB."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from server_support import Server

from mukta_desktop.domain.dates import INDIA
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.domain.workflow import Action
from mukta_desktop.services.database import Database
from mukta_desktop.services.demo_photos import draw_site_photo
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft
from mukta_desktop.services.estimates import act, create_estimate
from mukta_desktop.services.mb_views import MbLineDraft
from mukta_desktop.services.measurement_books import act_mb, add_photo, create_mb
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.sor_catalog import NewSor, create_sor
from mukta_desktop.services.sync_setup import enrol_device
from mukta_desktop.services.users import Actor
from mukta_desktop.services.work_orders import create_work_order
from mukta_server.admin import add_user

ULB = "od.dhenkanal"
OFFICER = Actor("officer", "ULB officer", ULB, frozenset(Role))
ADMIN = Actor("admin", "State admin", "od", frozenset({Role.MDMS_STATE_ADMIN}))
TODAY = date(2026, 11, 21)
D = Decimal


def row(number: str) -> MeasurementRow:
    return MeasurementRow(RowKind.PLUS, "", D(number), None, None, None)


def tile_sor(db: Database) -> str:
    """A state SOR (vitrified tile flooring, 1307.80 material + 3598.02 labour per SQM)."""
    return create_sor(
        db,
        ADMIN,
        NewSor(
            type_code="W",
            sub_type_code="FL",
            variant_code="GF",
            uom_code="SQM",
            rate_quantity=D(1),
            description="Vitrified tile flooring",
            first_rate=RateHeads(material=D("1307.80"), labour=D("3598.02")),
            first_rate_from=date(2026, 4, 1),
        ),
        today=date(2026, 4, 1),
    ).code


def site_photo(tmp_path: Path, seed: int = 1, size: tuple[int, int] = (1600, 1200)) -> Path:
    """A JPEG site photo with EXIF time and GPS, as a phone would give it."""
    path = tmp_path / f"site-{seed}.jpg"
    path.write_bytes(
        draw_site_photo(
            seed,
            taken_at=datetime(2026, 7, 3, 10, 0, tzinfo=INDIA),
            latitude=D("20.658741"),
            longitude=D("85.598512"),
            size=size,
        )
    )
    return path


def officer_work(db: Database, photo: Path | None = None) -> tuple[str, str]:
    """The numbers of the approved estimate and of the approved MB (with `photo`)."""
    sor = tile_sor(db)
    project = create_project(db, OFFICER, NewProject(name="Drain", ward="5"), today=TODAY).number
    line = LineDraft(LineCategory.SOR, "", "", D(0), rows=(row("8"),), sor_code=sor)
    estimate = create_estimate(
        db,
        OFFICER,
        project_number=project,
        draft=EstimateDraft(date(2026, 6, 15), "", (line,)),
        today=TODAY,
    ).number
    for action in (Action.SUBMIT, Action.VERIFY, Action.SANCTION, Action.APPROVE):
        act(db, OFFICER, estimate, action, comment=action.label)
    order = create_work_order(
        db,
        OFFICER,
        estimate_number=estimate,
        organisation="Maa Tarini SHG",
        start=date(2026, 7, 1),
        end=date(2026, 9, 30),
        today=TODAY,
    )
    mb = create_mb(
        db, OFFICER, order.number, today=TODAY, lines=[MbLineDraft(order.lines[0].key, (row("5"),))]
    ).number
    if photo is not None:
        add_photo(db, OFFICER, mb, photo)
    for action in (Action.SUBMIT, Action.VERIFY, Action.APPROVE):
        act_mb(db, OFFICER, mb, action)
    return estimate, mb


OFFICER_PASSWORD = "officer-secret"


def add_officer(server: Server) -> Server:
    """The officer as a user of the ULB on the server, with every role they hold here."""
    add_user(
        server.database,
        login=OFFICER.login,
        name=OFFICER.name,
        tenant=ULB,
        roles=[r.value for r in OFFICER.roles],
        password=OFFICER_PASSWORD,
    )
    return server


def enrol_officer(db: Database, server: Server) -> None:
    """Enrol the desktop `db` as the officer's laptop with the in-process server."""
    enrol_device(
        db,
        server_url="http://testserver",
        login=OFFICER.login,
        password=OFFICER_PASSWORD,
        device_name="officer laptop",
        transport=server.client._transport,
    )
