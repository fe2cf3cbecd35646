"""Set-up of the MB editor tests: SORs, an approved estimate, its work order and MBs made
through the services, the officers who act on them, and helpers to open the editor window and
wait for it (pytest-qt, no sleeping)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from pytestqt.qtbot import QtBot
from sor_support import ADMIN, TODAY, WAIT, make_ctx

from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.domain.workflow import Action
from mukta_desktop.services.database import Database
from mukta_desktop.services.demo_photos import draw_site_photo
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft
from mukta_desktop.services.estimates import act, create_estimate, price_sor_line
from mukta_desktop.services.mb_views import MbLineDraft, MbView
from mukta_desktop.services.measurement_books import act_mb, create_mb
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.sor_catalog import NewSor, create_sor
from mukta_desktop.services.sor_views import SorDetail
from mukta_desktop.services.work_orders import create_work_order, get_work_order
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.mb.editor_window import MbEditorWindow, open_mb_editor, open_windows
from mukta_desktop.ui.widgets import alive

D = Decimal
ULB = "od.dhenkanal"
RATES_FROM = date(2026, 4, 1)
WO_START = date(2026, 7, 1)
WO_END = date(2026, 12, 31)
ORGANISATION = "Maa Tarini Mahila SHG"
# FL00001 of DESIGN.md: 1307.80 + 3598.02 + 66.01 + 4.55 = 4976.38 → cess 49.76 → 5026.14
FL_HEADS = RateHeads(material=D("1307.80"), labour=D("3598.02"), conveyance=D("66.01"),
                     royalty=D("4.55"))
PCC_HEADS = RateHeads(material=D("3920.55"), labour=D("1210.00"), machinery=D("85.00"),
                      conveyance=D("310.20"), royalty=D("64.00"))
JE_ROLES = frozenset({Role.ESTIMATE_CREATOR, Role.MB_CREATOR})
ESTIMATE_OFFICERS = frozenset({Role.ESTIMATE_VERIFIER, Role.TECHNICAL_SANCTIONER,
                               Role.ESTIMATE_APPROVER})


def row(number: str | None = None, length: str | None = None, breadth: str | None = None,
        depth: str | None = None, *, minus: bool = False, name: str = "") -> MeasurementRow:
    def dec(text: str | None) -> Decimal | None:
        return None if text is None else D(text)

    return MeasurementRow(RowKind.MINUS if minus else RowKind.PLUS, name, dec(number),
                          dec(length), dec(breadth), dec(depth))


# The estimate's rows: the tile floor is DESIGN's ceiling example, +10 −2 = 8 SQM.
FLOOR_ROWS = (row("1", "4", "2.5", name="Hall floor"), row("2", "1", "1", minus=True,
                                                             name="Pillars"))
PCC_ROWS = (row("2", "10.5", "0.45", "0.3", name="Footing, long walls"),
            row("3", "4.2", "0.45", "0.3", name="Footing, cross walls"))
BOARD_ROWS = (row("1", name="At the gate"),)


@dataclass
class MbSetup:
    db: Database
    je: UiContext  # ESTIMATE_CREATOR + MB_CREATOR: makes and measures the MBs
    verifier: UiContext  # MB_VERIFIER
    approver: UiContext  # MB_APPROVER
    estimate: str
    work_order: str
    floor_code: str  # the FL00001-like SOR, 5026.14 per SQM
    pcc_code: str


def build(db: Database) -> MbSetup:
    """Two SORs, an approved estimate of three lines (tile floor 8 SQM, PCC, a display board)
    and a work order awarding it from 01/07/2026."""
    floor = _sor(db, "SQM", "Vitrified tile flooring (FL00001)", FL_HEADS)
    pcc = _sor(db, "CUM", "Plain cement concrete 1:3:6 in foundation", PCC_HEADS)
    je = make_ctx(db, JE_ROLES, tenant=ULB, login="je1")
    officers = make_ctx(db, ESTIMATE_OFFICERS, tenant=ULB, login="officer")
    verifier = make_ctx(db, frozenset({Role.MB_VERIFIER}), tenant=ULB, login="mb.ae")
    approver = make_ctx(db, frozenset({Role.MB_APPROVER}), tenant=ULB, login="mb.ee")
    project = create_project(db, je.actor, NewProject("Community hall, ward 7", ward="7",
                                                      locality="Station Road"), today=TODAY)
    on = date(2026, 6, 15)
    lines = (
        _priced(db, floor.code, on, FLOOR_ROWS),
        _priced(db, pcc.code, on, PCC_ROWS),
        LineDraft(LineCategory.NON_SOR, "Display board of the work", "NOS", D("1500.00"),
                  rows=BOARD_ROWS),
    )
    estimate = create_estimate(db, je.actor, project_number=project.number,
                               draft=EstimateDraft(on, "Community hall floor", lines, ()),
                               today=TODAY).number
    act(db, je.actor, estimate, Action.SUBMIT, comment="for verification")
    for action in (Action.VERIFY, Action.SANCTION, Action.APPROVE):
        act(db, officers.actor, estimate, action, comment="ok")
    order = create_work_order(db, je.actor, estimate_number=estimate, organisation=ORGANISATION,
                              start=WO_START, end=WO_END, today=TODAY)
    return MbSetup(db, je, verifier, approver, estimate, order.number, floor.code, pcc.code)


def _sor(db: Database, uom: str, description: str, heads: RateHeads) -> SorDetail:
    """A works SOR with a state rate from 01/04/2026 (the state administrator's)."""
    return create_sor(db, ADMIN, NewSor("W", "FL", "GF", uom, D(1), description, heads,
                                        RATES_FROM), today=RATES_FROM)


def _priced(db: Database, code: str, on: date, rows: tuple[MeasurementRow, ...]) -> LineDraft:
    return replace(price_sor_line(db, code, at=on, tenant=ULB), rows=rows)


def new_mb(setup: MbSetup, *lines: MbLineDraft) -> MbView:
    """The next MB of the work order, by the JE (the service, as the work-order screen does)."""
    return create_mb(setup.db, setup.je.actor, setup.work_order, today=TODAY, lines=lines)


def item_keys(setup: MbSetup) -> list[str]:
    """The keys of the work order's items (floor, concrete, display board), as MB drafts name
    them."""
    return [line.key for line in get_work_order(setup.db, setup.work_order).lines]


def approve_mb(setup: MbSetup, number: str) -> MbView:
    act_mb(setup.db, setup.je.actor, number, Action.SUBMIT)
    act_mb(setup.db, setup.verifier.actor, number, Action.VERIFY, comment="checked at site")
    return act_mb(setup.db, setup.approver.actor, number, Action.APPROVE, comment="approved")


def site_photo(folder: Path, index: int = 1, *, name: str | None = None) -> Path:
    """A drawn JPEG with the EXIF time and GPS a phone writes (at a ward 7 site)."""
    path = folder / (name or f"site-{index}.jpg")
    path.write_bytes(draw_site_photo(
        index, taken_at=datetime(2026, 7, 6, 4, 42 + index, tzinfo=UTC),
        latitude=D("20.658123"), longitude=D("85.598765"), size=(800, 600)))
    return path


def open_window(qtbot: QtBot, ctx: UiContext, number: str) -> MbEditorWindow:
    """Open MB `number` as other screens do and wait until it is shown; autosave waits for
    the test to ask."""
    window = open_mb_editor(ctx, number)
    qtbot.waitUntil(lambda: window.view is not None and window.isVisible(), timeout=WAIT)
    window.saver.set_delays(3_600_000, 3_600_000)
    return window


def wait_jobs(qtbot: QtBot, window: MbEditorWindow) -> None:
    """Every queued service call of the window is back."""
    qtbot.waitUntil(lambda: window.jobs.pending == 0 and window.ctx.runner.pending == 0,
                    timeout=WAIT)


def close_window(qtbot: QtBot, window: MbEditorWindow) -> None:
    """Close the window (it deletes itself) once its service calls are back; pending changes
    are saved first, as closing does."""
    if not alive(window):
        return
    window.saver.stop()
    wait_jobs(qtbot, window)
    window.close()
    qtbot.waitUntil(lambda: not alive(window) or not window.isVisible(), timeout=WAIT)
    if alive(window):
        wait_jobs(qtbot, window)


def close_all(qtbot: QtBot) -> None:
    """After a test: every MB window still open is closed (and so deleted)."""
    for window in open_windows():
        close_window(qtbot, window)
    qtbot.waitUntil(lambda: not open_windows(), timeout=WAIT)
