"""Set-up shared by the UI tests: a screen context on a test database, waiting for workers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pytestqt.qtbot import QtBot

from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.services.database import Database
from mukta_desktop.services.masters import read_masters
from mukta_desktop.services.sor_catalog import NewSor, create_sor
from mukta_desktop.services.sor_views import SorDetail
from mukta_desktop.services.users import Actor
from mukta_desktop.ui.background import Runner
from mukta_desktop.ui.context import UiContext

TODAY = date(2026, 11, 21)
WAIT = 10_000  # ms
STATE_ADMIN = frozenset({Role.MDMS_STATE_ADMIN})
CITY_ADMIN = frozenset({Role.MDMS_CITY_ADMIN})
JE = frozenset({Role.ESTIMATE_CREATOR})
ADMIN = Actor("admin", "State SOR administrator", "od", STATE_ADMIN)


def make_ctx(
    db: Database, roles: frozenset[Role], tenant: str = "od", login: str = "tester"
) -> UiContext:
    actor = Actor(login, "Test user", tenant, roles)
    return UiContext(
        db=db, actor=actor, masters=read_masters(db), runner=Runner(), today=lambda: TODAY
    )


def wait_idle(qtbot: QtBot, ctx: UiContext) -> None:
    """Let every background call finish and deliver its result (before the database closes)."""
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=WAIT)


def new_sor(
    db: Database,
    type_code: str = "W",
    sub_type: str = "FL",
    variant: str = "GF",
    uom: str = "SQM",
    description: str = "Tile flooring, test item",
    rate: RateHeads | None = None,
) -> SorDetail:
    return create_sor(
        db,
        ADMIN,
        NewSor(type_code, sub_type, variant, uom, Decimal("1"), description, rate, TODAY),
        today=TODAY,
    )
