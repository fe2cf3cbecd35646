"""Set-up of the work-order and Measurement Book screen tests: the officers of a ULB, approved
estimates of demo SORs, work orders and MBs made through the services, and a stand-in for
the MB editor window (another screen) that records what it was asked to open."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sor_support import TODAY, WAIT, make_ctx, wait_idle

from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import Action
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_json import create_from_json
from mukta_desktop.services.estimates import act
from mukta_desktop.services.mb_views import MbLineDraft, MbView, WorkOrderView
from mukta_desktop.services.measurement_books import act_mb, create_mb
from mukta_desktop.services.revisions import revise
from mukta_desktop.services.users import Actor
from mukta_desktop.services.work_orders import create_work_order
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.mb.work_order_view import WorkOrderPanel

ULB = "od.jatni"  # the demo's own work order and MBs are Dhenkanal's
JE = Actor("je", "Asha Das (JE)", ULB, frozenset({Role.ESTIMATE_CREATOR, Role.MB_CREATOR}))
AE = Actor("ae", "Chitra Mohanty (AE)", ULB,
           frozenset({Role.ESTIMATE_VERIFIER, Role.MB_VERIFIER}))
EE = Actor("ee", "Deepak Nayak (EE)", ULB,
           frozenset({Role.TECHNICAL_SANCTIONER, Role.MB_APPROVER}))
EO = Actor("eo", "Executive Officer", ULB, frozenset({Role.ESTIMATE_APPROVER}))
MB_AE = Actor("mb.ae", "Manas Behera (AE, MBs)", ULB, frozenset({Role.MB_VERIFIER}))
OTHER_ULB_AE = Actor("ae.dhenkanal", "Dhenkanal AE", "od.dhenkanal",
                     frozenset({Role.MB_VERIFIER}))
ORGANISATION = "Maa Tarini Mahila SHG"
WO_START = date(2026, 11, 1)
WO_END = date(2027, 1, 31)
D = Decimal


def _sor_line(code: str, name: str, **factors: str) -> dict[str, Any]:
    return {"category": "SOR", "sor_code": code,
            "measurements": [{"kind": "plus", "name": name, **factors}]}


def document(name: str, ward: str) -> dict[str, Any]:
    """Two demo SOR lines: earthwork 2 × 40 × 0.9 × 0.75 = 54 CUM, walls 4 × 40 × 0.6 = 96."""
    return {"project": {"name": name, "ward": ward, "locality": "Station Road"},
            "date": date(2026, 11, 1).isoformat(), "description": "Drain, both sides",
            "lines": [_sor_line("DEMO-W-001", "Trench", number="2", length="40",
                                breadth="0.9", depth="0.75"),
                      _sor_line("DEMO-W-004", "Walls", number="4", length="40", depth="0.6")],
            "overheads": [{"code": "SC"}]}


def approve_estimate(db: Database, number: str) -> None:
    act(db, JE, number, Action.SUBMIT, comment="for verification")
    act(db, AE, number, Action.VERIFY, comment="checked")
    act(db, EE, number, Action.SANCTION, comment="sanctioned")
    act(db, EO, number, Action.APPROVE, comment="approved")


def approved_estimate(db: Database, name: str = "Drain at ward 5", ward: str = "5") -> str:
    """An estimate of the demo SORs taken through the workflow to Approved."""
    number = create_from_json(db, JE, document(name, ward), today=TODAY).number
    approve_estimate(db, number)
    return number


def approved_revision(db: Database, number: str) -> str:
    """An approved revision (unchanged quantities) of approved estimate `number`."""
    revision = revise(db, JE, number, today=TODAY).number
    approve_estimate(db, revision)
    return revision


def awarded(db: Database, name: str = "Drain at ward 5", ward: str = "5",
            start: date = WO_START, end: date = WO_END) -> WorkOrderView:
    """A work order of a new approved estimate."""
    return create_work_order(db, JE, estimate_number=approved_estimate(db, name, ward),
                             organisation=ORGANISATION, start=start, end=end, today=TODAY)


def measured(order: WorkOrderView, *quantities: str) -> list[MbLineDraft]:
    """One plus row per work-order line with the given quantity."""
    return [MbLineDraft(line.key, (MeasurementRow(RowKind.PLUS, "Site", D(q), None, None,
                                                  None),))
            for line, q in zip(order.lines, quantities, strict=False)]


def new_mb(db: Database, order: WorkOrderView, *quantities: str) -> MbView:
    return create_mb(db, JE, order.number, today=TODAY, lines=measured(order, *quantities))


def submit_mb(db: Database, number: str) -> MbView:
    return act_mb(db, JE, number, Action.SUBMIT)


def approve_mb(db: Database, number: str) -> MbView:
    submit_mb(db, number)
    act_mb(db, AE, number, Action.VERIFY, comment="checked at site")
    return act_mb(db, EE, number, Action.APPROVE, comment="approved")


def ctx_of(db: Database, actor: Actor) -> UiContext:
    return make_ctx(db, actor.roles, tenant=actor.tenant, login=actor.login)


W = TypeVar("W", bound=QWidget)


def shown(qtbot: QtBot, db: Database, actor: Actor, contexts: list[UiContext],
          screen: Callable[[UiContext], W], loaded: str, size: tuple[int, int] = (1280, 760)) -> W:
    """A screen of `actor`, shown; showing it loads it (its signal `loaded` says when)."""
    ctx = ctx_of(db, actor)
    contexts.append(ctx)
    widget = screen(ctx)
    qtbot.addWidget(widget)
    widget.resize(*size)
    with qtbot.waitSignal(getattr(widget, loaded), timeout=WAIT):
        widget.show()
    return widget


def work_order_panel(qtbot: QtBot, db: Database, actor: Actor, number: str,
                     contexts: list[UiContext]) -> WorkOrderPanel:
    """The view of work order `number`, as `actor` sees it."""
    ctx = ctx_of(db, actor)
    contexts.append(ctx)
    panel = WorkOrderPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1200, 700)
    panel.show()
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        panel.load(number)
    return panel


@pytest.fixture
def contexts(qtbot: QtBot, demo_db: Database) -> Iterator[list[UiContext]]:
    """Screen contexts of a test; their background calls finish before the database closes."""
    made: list[UiContext] = []
    yield made
    for ctx in made:
        wait_idle(qtbot, ctx)


@dataclass
class EditorCalls:
    """What the MB editor stand-in was asked to open: (number, parent) pairs."""

    opened: list[tuple[str, QWidget | None]] = field(default_factory=list)

    @property
    def numbers(self) -> list[str]:
        return [number for number, _ in self.opened]


@pytest.fixture
def editor_calls(monkeypatch: pytest.MonkeyPatch) -> EditorCalls:
    """Replace `mukta_desktop.ui.mb.editor_window` (another engineer's screen) by a module
    whose `open_mb_editor` records its calls."""
    calls = EditorCalls()

    def open_mb_editor(ctx: UiContext, number: str, parent: QWidget | None = None) -> None:
        calls.opened.append((number, parent))

    module = types.ModuleType("mukta_desktop.ui.mb.editor_window")
    module.open_mb_editor = open_mb_editor  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mukta_desktop.ui.mb.editor_window", module)
    return calls
