"""The estimate screens other than the editor: Projects, the estimate viewer with its workflow
panel and timeline, revisions and the deviation statement, templates and copies, exports.

With MUKTA_SCREENSHOTS=1 the pictures are written to docs/screenshots/estimates-*.png:
    MUKTA_SCREENSHOTS=1 QT_QPA_PLATFORM=offscreen .venv/bin/pytest \
        tests/ui/test_estimate_screens.py -k screenshots
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sor_support import TODAY, WAIT, make_ctx, wait_idle

from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.numbers import format_indian, format_money
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.services.database import Database
from mukta_desktop.services.demo import DemoResult, load_demo
from mukta_desktop.services.estimate_json import create_from_json
from mukta_desktop.services.estimates import act, get_estimate, list_estimates, save_estimate
from mukta_desktop.services.projects import get_project
from mukta_desktop.services.revisions import deviation_statement, revise
from mukta_desktop.services.templates import list_templates
from mukta_desktop.services.users import Actor
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.estimates import export as export_module
from mukta_desktop.ui.estimates.deviation_view import DeviationStatementView
from mukta_desktop.ui.estimates.estimate_view import (
    EstimateViewer,
    editor_available,
    open_estimate,
)
from mukta_desktop.ui.estimates.export import (
    EXCEL,
    PDF,
    ExportDialog,
    ExportRun,
    estimate_export_available,
    estimate_job,
)
from mukta_desktop.ui.estimates.models import (
    DeviationTableModel,
    EstimateLinesTableModel,
    HistoryTableModel,
    InboxTableModel,
    OverheadsTableModel,
    ProjectEstimatesTableModel,
    ProjectsTableModel,
    TemplatesTableModel,
    india_time,
)
from mukta_desktop.ui.estimates.projects_section import NewProjectDialog, ProjectsSection
from mukta_desktop.ui.estimates.templates_dialog import (
    CopyEstimateDialog,
    SaveTemplateDialog,
    StartFromTemplateDialog,
)
from mukta_desktop.ui.widgets import alive

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ULB = "od.dhenkanal"
JE = Actor("je", "Asha Das (JE)", ULB, frozenset({Role.ESTIMATE_CREATOR}))
JE2 = Actor("je2", "Bikash Sahu (JE)", ULB, frozenset({Role.ESTIMATE_CREATOR}))
AE = Actor("ae", "Chitra Mohanty (AE)", ULB, frozenset({Role.ESTIMATE_VERIFIER}))
AE2 = Actor("ae2", "Second AE", ULB, frozenset({Role.ESTIMATE_VERIFIER}))
EE = Actor("ee", "Deepak Nayak (EE)", ULB, frozenset({Role.TECHNICAL_SANCTIONER}))
EO = Actor("eo", "Executive Officer", ULB, frozenset({Role.ESTIMATE_APPROVER}))
DEMO = Actor("demo", "Demo Engineer (demo)", ULB, frozenset(Role))
D = Decimal


# ---------------------------------------------------------------- set-up


def document(name: str = "Drain at ward 5") -> dict[str, Any]:
    """Two demo SOR lines: a trench of 2 × 40 × 0.9 × 0.75 = 54 CUM and plaster of
    4 × 40 × 0.6 = 96 SQM, with the supervision charge."""
    return {
        "project": {"name": name, "ward": "5", "locality": "Station Road"},
        "date": date(2026, 11, 1).isoformat(),
        "description": "Drain, both sides of the road",
        "lines": [
            {"category": "SOR", "sor_code": "DEMO-W-001", "measurements": [
                {"kind": "plus", "name": "Trench", "number": "2", "length": "40",
                 "breadth": "0.9", "depth": "0.75"}]},
            {"category": "SOR", "sor_code": "DEMO-W-004", "measurements": [
                {"kind": "plus", "name": "Walls", "number": "4", "length": "40",
                 "depth": "0.6"}]},
        ],
        "overheads": [{"code": "SC"}],
    }


def new_estimate(db: Database, actor: Actor = JE, name: str = "Drain at ward 5") -> str:
    return create_from_json(db, actor, document(name), today=TODAY).number


def take(db: Database, number: str, *steps: tuple[Actor, Action, str]) -> None:
    for actor, action, comment in steps:
        act(db, actor, number, action, comment=comment)


def approved(db: Database, actor: Actor = JE) -> str:
    number = new_estimate(db, actor)
    take(db, number, (actor, Action.SUBMIT, "measured"), (AE, Action.VERIFY, "checked"),
         (EE, Action.SANCTION, "sanctioned"), (EO, Action.APPROVE, "approved"))
    return number


def at(db: Database, status: Status) -> str:
    """An estimate of JE in `status`."""
    number = new_estimate(db)
    steps: dict[Status, list[tuple[Actor, Action, str]]] = {
        Status.DRAFTED: [],
        Status.PENDING_VERIFICATION: [(JE, Action.SUBMIT, "")],
        Status.PENDING_TECHNICAL_SANCTION: [(JE, Action.SUBMIT, ""), (AE, Action.VERIFY, "")],
        Status.PENDING_APPROVAL: [(JE, Action.SUBMIT, ""), (AE, Action.VERIFY, ""),
                                  (EE, Action.SANCTION, "")],
        Status.PENDING_CORRECTION: [(JE, Action.SUBMIT, ""),
                                    (AE, Action.SEND_BACK, "Give the depth")],
        Status.APPROVED: [(JE, Action.SUBMIT, ""), (AE, Action.VERIFY, ""),
                          (EE, Action.SANCTION, ""), (EO, Action.APPROVE, "")],
    }
    take(db, number, *steps[status])
    return number


def revised(db: Database) -> tuple[str, str]:
    """An approved estimate and a revision of it: the trench shallower (0.6 m: less), the
    plaster on five faces (excess), each with its reason."""
    original = approved(db)
    revision = revise(db, JE, original, today=TODAY)
    lines = list(revision.draft.lines)
    lines[0] = replace(lines[0], reason="Hard soil at 0.6 m", rows=(
        MeasurementRow(RowKind.PLUS, "Trench", D(2), D(40), D("0.9"), D("0.6")),))
    lines[1] = replace(lines[1], reason="Outer faces plastered too", rows=(
        MeasurementRow(RowKind.PLUS, "Walls", D(5), D(40), None, D("0.6")),))
    save_estimate(db, JE, revision.number, replace(revision.draft, lines=tuple(lines)))
    return original, revision.number


class Screens:
    """Contexts made in a test; their background work is waited for at the end."""

    def __init__(self, qtbot: QtBot, db: Database) -> None:
        self.qtbot = qtbot
        self.db = db
        self.contexts: list[UiContext] = []

    def ctx(self, actor: Actor) -> UiContext:
        ctx = make_ctx(self.db, actor.roles, tenant=actor.tenant, login=actor.login)
        ctx.actor = actor
        self.contexts.append(ctx)
        return ctx

    def viewer(self, actor: Actor, number: str) -> EstimateViewer:
        viewer = EstimateViewer(self.ctx(actor), number)
        self.qtbot.addWidget(viewer)
        with self.qtbot.waitSignal(viewer.loaded, timeout=WAIT):
            viewer.show()
        return viewer

    def projects(self, actor: Actor) -> ProjectsSection:
        section = ProjectsSection(self.ctx(actor))
        self.qtbot.addWidget(section)
        with self.qtbot.waitSignal(section.searched, timeout=WAIT):
            section.show()
        wait_idle(self.qtbot, section.ctx)
        return section


@pytest.fixture
def screens(qtbot: QtBot, demo_db: Database) -> Iterator[Screens]:
    made = Screens(qtbot, demo_db)
    yield made
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, EstimateViewer | DeviationStatementView | ExportDialog) \
                or widget.objectName() == "estimateEditor":
            widget.close()
    for ctx in made.contexts:
        wait_idle(qtbot, ctx)


def window_of(kind: type[QWidget], number: str) -> QWidget | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and getattr(widget, "number", None) == number \
                and widget.isVisible():
            return widget
    return None


# ---------------------------------------------------------------- the workflow panel


@pytest.mark.parametrize(
    ("status", "actor", "labels"),
    [
        (Status.DRAFTED, JE, ["Submit"]),
        (Status.DRAFTED, JE2, []),
        (Status.PENDING_VERIFICATION, AE, ["Verify and forward", "Send back", "Reject"]),
        (Status.PENDING_VERIFICATION, JE, []),
        (Status.PENDING_TECHNICAL_SANCTION, EE,
         ["Technical sanction", "Send back", "Send back to originator", "Reject"]),
        (Status.PENDING_APPROVAL, EO,
         ["Approve", "Send back", "Send back to originator", "Reject"]),
        (Status.PENDING_APPROVAL, AE, []),
        (Status.PENDING_CORRECTION, JE, ["Re-submit"]),
        (Status.APPROVED, EO, []),
    ],
)
def test_the_workflow_panel_shows_exactly_the_allowed_actions(
        screens: Screens, demo_db: Database, status: Status, actor: Actor,
        labels: list[str]) -> None:
    number = at(demo_db, status)
    viewer = screens.viewer(actor, number)
    panel = viewer.workflow
    assert panel.action_labels() == labels
    assert viewer.badge.text() == status.label
    assert panel.comment.isHidden() == (not labels)
    assert panel.none_label.isHidden() == bool(labels)
    assert panel.hint.isHidden() == (not {"Send back", "Reject"} & set(labels))
    # Only the creator edits, and only while Drafted or Pending correction.
    editable = actor is JE and status in (Status.DRAFTED, Status.PENDING_CORRECTION)
    assert ("Edit" in viewer.visible_actions()) == editable


def test_acting_with_a_comment_updates_the_status_and_the_timeline(
        screens: Screens, demo_db: Database) -> None:
    number = at(demo_db, Status.PENDING_VERIFICATION)
    viewer = screens.viewer(AE, number)
    assert viewer.history_model.rowCount() == 2  # saved as a draft, submitted
    viewer.workflow.comment.setPlainText("Quantities checked against the drawing")
    with screens.qtbot.waitSignal(viewer.changed, timeout=WAIT) as changed:
        viewer.workflow.buttons[Action.VERIFY].click()
    assert changed.args == [number]
    assert viewer.badge.text() == "Pending technical sanction"
    assert viewer.workflow.action_labels() == []
    assert viewer.workflow.comment.toPlainText() == ""
    assert "is now Pending technical sanction" in viewer.workflow.message.text()
    history = viewer.history_model
    assert history.rowCount() == 3
    assert history.texts("Action")[-1] == "Verify and forward"
    assert history.texts("By")[-1] == "Chitra Mohanty (AE)"
    assert history.texts("Status")[-1] == "Pending verification → Pending technical sanction"
    assert history.texts("Comment")[-1] == "Quantities checked against the drawing"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", history.texts("When (India time)")[-1])
    assert history.texts("Action")[:2] == ["Save draft", "Submit"]
    assert get_estimate(demo_db, number).status is Status.PENDING_TECHNICAL_SANCTION


def test_a_send_back_without_a_comment_is_refused_inline(
        screens: Screens, demo_db: Database) -> None:
    number = at(demo_db, Status.PENDING_VERIFICATION)
    viewer = screens.viewer(AE, number)
    panel = viewer.workflow
    ctx = screens.contexts[-1]
    for action in (Action.SEND_BACK, Action.REJECT):
        assert not panel.take(action)
        assert ctx.runner.pending == 0  # nothing was asked of the service
        assert panel.message.kind == "error"
        assert panel.message.text().startswith("Comment: say why you")
        assert not panel.message.isHidden()
    assert get_estimate(demo_db, number).status is Status.PENDING_VERIFICATION

    panel.comment.setPlainText("Give the depth of the trench")
    assert panel.message.isHidden()  # typing clears the refusal
    with screens.qtbot.waitSignal(panel.acted, timeout=WAIT):
        panel.buttons[Action.SEND_BACK].click()
    assert viewer.badge.text() == "Pending correction"
    assert viewer.history_model.texts("Comment")[-1] == "Give the depth of the trench"


def test_a_refusal_from_the_service_is_shown_inline_and_the_estimate_reloaded(
        screens: Screens, demo_db: Database) -> None:
    number = at(demo_db, Status.PENDING_VERIFICATION)
    viewer = screens.viewer(AE, number)
    act(demo_db, AE2, number, Action.VERIFY, comment="verified on another desk")
    with screens.qtbot.waitSignal(viewer.workflow.refused, timeout=WAIT) as refused:
        viewer.workflow.buttons[Action.VERIFY].click()
    assert "is not possible" in str(refused.args[0])
    assert "Pending technical sanction" in viewer.workflow.message.text()
    screens.qtbot.waitUntil(lambda: viewer.badge.text() == "Pending technical sanction",
                            timeout=WAIT)
    assert viewer.workflow.action_labels() == []
    assert viewer.history_model.texts("By")[-1] == "Second AE"
    assert not viewer.workflow.message.isHidden()


def test_the_viewer_shows_the_header_lines_and_totals(
        screens: Screens, demo_db: Database) -> None:
    number = new_estimate(demo_db)
    view = get_estimate(demo_db, number)
    viewer = screens.viewer(JE2, number)
    assert viewer.title.text() == f"Estimate {number}"
    assert viewer.revision_label.text() == ""
    assert view.project.number in viewer.subtitle.text()
    assert "dated 01/11/2026" in viewer.subtitle.text()
    assert viewer.lines_model.texts("Code") == ["DEMO-W-001", "DEMO-W-004"]
    assert viewer.lines_model.texts("Quantity") == ["54.0000", "96.0000"]
    assert viewer.overheads_model.texts("Overhead") == ["Supervision Charge"]
    assert viewer.total_labels["total"].text() == f"₹ {format_money(view.total)}"
    assert viewer.words.text() == f"In words: {view.total_in_words}"
    # Another JE of the ULB may copy it or keep it as a template, not edit or act on it.
    assert viewer.visible_actions() == ["Export PDF…", "Export Excel…", "Save as template…",
                                        "Copy estimate…"]


# ---------------------------------------------------------------- projects


def test_creating_a_project_and_searching(screens: Screens, demo_db: Database) -> None:
    section = screens.projects(JE)
    assert section.model.rowCount() == 1  # the demo project
    dialog = section.new_project()
    assert isinstance(dialog, NewProjectDialog)
    dialog.name_edit.setText("  Community hall   at Ward 3 ")
    dialog.description_edit.setPlainText("Hall with a toilet block")
    dialog.ward_edit.setText("3")
    dialog.locality_edit.setText("Kunjakanta")
    dialog.sanctioned_check.setChecked(True)
    with screens.qtbot.waitSignal(section.project_shown, timeout=WAIT,
                                  check_params_cb=lambda p: p.name.startswith("Community")):
        dialog.ok_button.click()
    assert not alive(dialog)  # closed (and deleted)
    panel = section.panel
    assert panel.project is not None
    number = panel.project.number
    assert re.fullmatch(r"PJ/2026-27/\d{6}", number)
    assert panel.title.text() == number
    assert panel.name.text() == "Community hall at Ward 3"
    assert panel.details.text().startswith("Ward 3 · Kunjakanta · sanctioned on 21/11/2026")
    assert panel.empty.text().startswith("No estimates yet")
    assert section.selected_number() == number
    assert section.message.text() == f"Created {number}."
    assert section.model.rowCount() == 2

    # Search as you type: the words in any order, over number, name and ward.
    with screens.qtbot.waitSignal(section.searched, timeout=WAIT):
        section.search_edit.setText("hall community")
    assert section.model.texts("Number") == [number]
    with screens.qtbot.waitSignal(section.searched, timeout=WAIT):
        section.search_edit.setText("nothing like this")
    assert section.model.rowCount() == 0
    assert section.count_label.text() == "0 projects"
    assert section.panel.project is None


def test_project_refusals_are_shown_at_the_field(screens: Screens, demo_db: Database) -> None:
    section = screens.projects(JE)
    dialog = section.new_project()
    assert dialog is not None
    dialog.ok_button.click()
    assert dialog.message.text() == "Project name: name the work."
    assert dialog.name_edit.property("invalid") is True
    assert section.ctx.runner.pending == 0

    existing = get_project(demo_db, section.model.rows[0].number).name
    dialog.name_edit.setText(existing.upper())
    assert dialog.name_edit.property("invalid") is False
    dialog.ok_button.click()
    screens.qtbot.waitUntil(lambda: dialog.message.kind == "error", timeout=WAIT)
    assert "already has this name in your ULB" in dialog.message.text()
    assert dialog.name_edit.property("invalid") is True
    assert dialog.isVisible()
    assert dialog.ok_button.isEnabled()


def test_only_estimate_creators_make_projects_and_estimates(
        screens: Screens, demo_db: Database) -> None:
    section = screens.projects(AE)
    assert "New project…" not in [a.text() for a in section.actions_for_menu]
    assert section.new_project() is None
    section.select_number(section.model.rows[0].number)
    screens.qtbot.waitUntil(lambda: section.panel.project is not None, timeout=WAIT)
    assert section.panel.new_button.isHidden()
    assert section.panel.template_button.isHidden()
    assert section.new_estimate() is None


def test_the_project_view_lists_its_estimates_and_opens_one(
        screens: Screens, demo_db: Database) -> None:
    seeded = demo_result(demo_db)
    section = screens.projects(DEMO)
    with screens.qtbot.waitSignal(section.project_shown, timeout=WAIT):
        section.select_number(seeded.project)
    panel = section.panel
    assert panel.model.texts("Number") == [seeded.estimate, seeded.revision]
    assert panel.model.texts("Revision of") == ["", seeded.estimate]
    assert panel.model.texts("Status") == ["Approved", "Approved"]
    assert panel.estimates_caption.text() == "Estimates (2)"
    assert panel.empty.isHidden()
    panel.table.selectRow(1)
    assert panel.open_button.isEnabled()
    panel.open_button.click()
    viewer = window_of(EstimateViewer, seeded.revision)
    assert isinstance(viewer, EstimateViewer)
    screens.qtbot.waitUntil(lambda: viewer.view is not None, timeout=WAIT)
    assert viewer.revision_label.text() == f"Revision 1 of {seeded.estimate}"
    assert "Deviation statement" in viewer.visible_actions()


def demo_result(db: Database) -> DemoResult:
    """The numbers of the demo project, estimate and revision (the demo is loaded once)."""
    estimates = list_estimates(db, tenant=ULB)
    revision = next(e for e in estimates if e.revision_of)
    return DemoResult(0, 0, False, True, revision.project_number, revision.revision_of or "",
                      revision.number)


# ---------------------------------------------------------------- revisions and deviation


def test_the_deviation_statement_shows_less_and_excess_rows_and_totals(
        screens: Screens, demo_db: Database) -> None:
    original, revision = revised(demo_db)
    viewer = screens.viewer(JE, revision)
    assert viewer.revision_label.text() == f"Revision 1 of {original}"
    assert viewer.lines_model.texts("Quantity") == ["43.2000", "120.0000"]
    view = viewer.show_deviation()
    assert isinstance(view, DeviationStatementView)
    screens.qtbot.waitUntil(lambda: view.statement is not None, timeout=WAIT)
    model = view.model
    items = model.items()
    assert [r.code for r in items] == ["DEMO-W-001", "DEMO-W-004"]
    # Trench: 54 × 196.34 = 10,602 → 43.2 × 196.34 = 8,482: less 2,120 (−20 %).
    # Plaster: 96 × 249.62 = 23,964 → 120 × 249.62 = 29,954: excess 5,990 (+25 %).
    texts = {header: model.texts(header)[:2] for header in (
        "Original\nqty", "Original\namount (₹)", "Revised\nqty", "Revised\namount (₹)",
        "Excess (+) /\nsaving (−) qty", "Excess (+) /\nsaving (−) ₹", "Deviation\n%",
        "Less /\nExcess / Nil", "Reason", "Unit", "Rate (₹)")}
    assert texts == {
        "Original\nqty": ["54.0000", "96.0000"],
        "Original\namount (₹)": ["10,602", "23,964"],
        "Revised\nqty": ["43.2000", "120.0000"],
        "Revised\namount (₹)": ["8,482", "29,954"],
        "Excess (+) /\nsaving (−) qty": ["-10.8000", "+24.0000"],
        "Excess (+) /\nsaving (−) ₹": ["-2,120", "+5,990"],
        "Deviation\n%": ["-20.00 %", "+25.00 %"],
        "Less /\nExcess / Nil": ["Less", "Excess"],
        "Reason": ["Hard soil at 0.6 m", "Outer faces plastered too"],
        "Unit": ["CUM", "SQM"],
        "Rate (₹)": ["196.34", "249.62"],
    }
    # The supervision charge follows the items; the total closes the table.
    descriptions = model.texts("Description")
    assert descriptions[2].startswith("Supervision Charge")
    assert descriptions[-1] == "Total"
    _, _, statement = deviation_statement(demo_db, revision)
    original_total = model.texts("Original\namount (₹)")[-1]
    revised_total = model.texts("Revised\namount (₹)")[-1]
    assert original_total == format_indian(statement.original_total, 0)
    assert revised_total == format_indian(statement.revised_total, 0)
    assert view.original_total.text() == f"₹ {original_total}"
    assert view.revised_total.text() == f"₹ {revised_total}"
    assert view.less_total.text() == "₹ 2,120"
    assert view.excess_total.text() == "₹ 5,990"
    assert view.net_total.text().startswith("Excess ₹ ")
    assert f"against {original}" in view.title.text()


def test_revise_makes_a_draft_revision_and_shows_it(
        screens: Screens, demo_db: Database) -> None:
    original = approved(demo_db)
    viewer = screens.viewer(JE, original)
    assert "Revise" in viewer.visible_actions()
    assert "Deviation statement" not in viewer.visible_actions()
    with screens.qtbot.waitSignal(viewer.changed, timeout=WAIT) as changed:
        viewer.revise_action.trigger()
    revision = str(changed.args[0])
    assert revision.startswith("RE/")
    assert viewer.number == revision
    assert viewer.badge.text() == "Drafted"
    assert viewer.revision_label.text() == f"Revision 1 of {original}"
    assert "Change the quantities in the editor" in viewer.message.text()
    assert viewer.workflow.action_labels() == ["Submit"]
    assert "Deviation statement" in viewer.visible_actions()
    assert get_estimate(demo_db, original).status is Status.APPROVED  # untouched

    # A verifier sees the approved original without Revise; so does a JE once a newer
    # revision is in force elsewhere (only the estimate in force is revised).
    other = screens.viewer(AE, original)
    assert "Revise" not in other.visible_actions()


# ---------------------------------------------------------------- templates and copies


def test_save_as_template_then_start_an_estimate_from_it(
        screens: Screens, demo_db: Database) -> None:
    number = new_estimate(demo_db)
    viewer = screens.viewer(JE, number)
    dialog = viewer.save_as_template()
    assert isinstance(dialog, SaveTemplateDialog)
    dialog.name_edit.setText("Brick drain, both sides")
    with screens.qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.ok_button.click()
    assert "Brick drain, both sides" in viewer.message.text()
    assert [t.name for t in list_templates(demo_db, ULB)] == ["Brick drain, both sides"]

    # The same name again is refused inline.
    again = viewer.save_as_template()
    assert again is not None
    again.name_edit.setText("Brick drain, both sides")
    again.ok_button.click()
    screens.qtbot.waitUntil(lambda: again.message.kind == "error", timeout=WAIT)
    assert "is already used" in again.message.text()
    again.reject()

    project = get_estimate(demo_db, number).project.number
    section = screens.projects(JE)
    with screens.qtbot.waitSignal(section.project_shown, timeout=WAIT):
        section.select_number(project)
    start = section.start_from_template()
    assert isinstance(start, StartFromTemplateDialog)
    screens.qtbot.waitUntil(lambda: start.loaded, timeout=WAIT)
    assert start.model.texts("Template") == ["Brick drain, both sides"]
    assert start.model.texts("Lines") == ["2"]
    with screens.qtbot.waitSignal(start.created, timeout=WAIT) as created:
        start.ok_button.click()
    made = created.args[0]
    assert made.number != number
    assert made.status is Status.DRAFTED
    assert [line.draft.sor_code for line in made.lines] == ["DEMO-W-001", "DEMO-W-004"]
    screens.qtbot.waitUntil(lambda: section.panel.model.rowCount() == 2, timeout=WAIT)
    assert made.number in section.panel.model.texts("Number")
    # The new draft opens for editing (in the viewer when this build has no editor).
    assert (window_of(QWidget, made.number) is not None)


def test_copy_an_estimate_into_another_project(screens: Screens, demo_db: Database) -> None:
    number = new_estimate(demo_db)
    target = new_estimate(demo_db, name="Road at ward 9")
    target_project = get_estimate(demo_db, target).project.number
    viewer = screens.viewer(JE, number)
    dialog = viewer.copy_estimate()
    assert isinstance(dialog, CopyEstimateDialog)
    screens.qtbot.waitUntil(lambda: dialog.project_combo.count() >= 3, timeout=WAIT)
    dialog.project_combo.setCurrentIndex(dialog.project_combo.findData(target_project))
    with screens.qtbot.waitSignal(dialog.created, timeout=WAIT) as created:
        dialog.ok_button.click()
    copy = created.args[0]
    assert copy.project.number == target_project
    assert copy.status is Status.DRAFTED
    assert copy.history[0].comment == f"Copied from {number}"
    assert f"Copied into {copy.number}" in viewer.message.text()


def test_edit_opens_the_editor(screens: Screens, demo_db: Database) -> None:
    if not editor_available():
        pytest.skip("the estimate editor (ui/estimates/editor.py) is not in this build")
    number = new_estimate(demo_db)
    viewer = screens.viewer(JE, number)
    assert viewer.edit_action.isVisible()
    assert viewer.edit_action.isEnabled()
    viewer.edit_action.trigger()
    from mukta_desktop.ui.estimates.editor import EstimateEditor

    editor = viewer.editor
    assert isinstance(editor, EstimateEditor)
    assert editor.isVisible()
    assert getattr(editor, "number", None) == number
    screens.qtbot.waitUntil(lambda: getattr(editor, "view", None) is not None, timeout=WAIT)
    # Edit again raises the same editor.
    viewer.edit_action.trigger()
    assert viewer.editor is editor
    # The editor's window belongs to the main window (here: the viewer has none), and each
    # save reloads the viewer and tells the lists.
    assert editor.parentWidget() is viewer
    with screens.qtbot.waitSignal(viewer.loaded, timeout=WAIT), \
            screens.qtbot.waitSignal(viewer.changed, timeout=WAIT):
        editor.saved.emit(number)


# ---------------------------------------------------------------- exports


def needs_writer(kind: str) -> None:
    if not estimate_export_available(kind):
        pytest.skip(f"the estimate {kind} writer (mukta_desktop.reports) is not in this build")


@pytest.mark.parametrize("kind", [PDF, EXCEL])
def test_an_export_runs_with_progress_and_completes(
        screens: Screens, demo_db: Database, tmp_path: Path, kind: str) -> None:
    needs_writer(kind)
    number = new_estimate(demo_db)
    viewer = screens.viewer(JE, number)
    target = tmp_path / f"estimate.{kind}"
    dialog = viewer.export(kind, target)
    assert isinstance(dialog, ExportDialog)
    values: list[int] = []
    dialog.bar.valueChanged.connect(values.append)
    with screens.qtbot.waitSignal(dialog.exported, timeout=WAIT) as exported:
        pass
    assert exported.args == [target]
    assert dialog.state == "done"
    assert target.stat().st_size > 0
    assert dialog.open_button.isVisible()
    assert dialog.close_button.isVisible()
    assert not dialog.cancel_button.isVisible()
    assert dialog.message.text() == f"Saved to {target}"
    assert values  # the bar moved
    dialog.close_button.click()


def test_cancel_stops_a_running_export_and_leaves_no_file(
        screens: Screens, demo_db: Database, tmp_path: Path) -> None:
    from mukta_desktop.reports import ExportCancelled

    ctx = screens.ctx(JE)
    target = tmp_path / "slow.pdf"
    started = threading.Event()

    def slow(path: Path, progress: export_module.Progress,
             cancelled: export_module.Cancelled) -> None:
        progress(1, 10)
        started.set()
        while not cancelled():  # the worker waits for Cancel, as a long export would
            threading.Event().wait(0.005)
        raise ExportCancelled("Export cancelled.")

    dialog = ExportDialog(ctx, "Slow export", slow, target)
    dialog.show()
    dialog.start()
    screens.qtbot.waitUntil(lambda: dialog.bar.maximum() == 10 and dialog.bar.value() == 1,
                            timeout=WAIT)
    assert dialog.state == "running"
    with screens.qtbot.waitSignal(dialog.cancelled, timeout=WAIT):
        dialog.cancel_button.click()
        assert dialog.state == "cancelling"
    assert dialog.state == "cancelled"
    assert not dialog.isVisible()
    assert not target.exists()


def test_a_real_writer_cancelled_half_way_leaves_no_file(
        screens: Screens, demo_db: Database, tmp_path: Path) -> None:
    needs_writer(PDF)
    from mukta_desktop.reports import ExportCancelled

    number = new_estimate(demo_db)
    view = get_estimate(demo_db, number)
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "estimate.pdf"

    # Before it starts: the writer stops at its first check.
    run = ExportRun(estimate_job(view, PDF), target)
    run.cancel()
    with pytest.raises(ExportCancelled):
        run.run()
    assert not target.exists()

    # Half-way: Cancel is pressed (here by the test, from the progress hook) after the first
    # step; the dialog closes and nothing is left in the folder.
    dialog: ExportDialog | None = None
    real = estimate_job(view, PDF)

    def job(path: Path, progress: export_module.Progress,
            cancelled: export_module.Cancelled) -> None:
        def tick(done: int, total: int) -> None:
            progress(done, total)
            assert dialog is not None
            dialog.run.cancel()

        real(path, tick, cancelled)

    dialog = ExportDialog(screens.ctx(JE), "Estimate", job, target)
    dialog.show()
    with screens.qtbot.waitSignal(dialog.cancelled, timeout=WAIT):
        dialog.start()
    assert not target.exists()
    assert list(folder.iterdir()) == []  # no temporary file either


def test_a_failed_export_is_said_inline(screens: Screens, tmp_path: Path) -> None:
    from mukta_desktop.domain.errors import ValidationError

    def failing(path: Path, progress: export_module.Progress,
                cancelled: export_module.Cancelled) -> None:
        raise ValidationError("The estimate has no lines to print.")

    dialog = ExportDialog(screens.ctx(JE), "Failing", failing, tmp_path / "x.pdf")
    dialog.show()
    with screens.qtbot.waitSignal(dialog.failed, timeout=WAIT):
        dialog.start()
    assert dialog.state == "failed"
    assert dialog.message.text() == "The estimate has no lines to print."
    assert dialog.close_button.isVisible()


def test_the_deviation_statement_exports(
        screens: Screens, demo_db: Database, tmp_path: Path) -> None:
    if not export_module.deviation_export_available(PDF):
        pytest.skip("the deviation PDF writer is not in this build")
    _, revision = revised(demo_db)
    view = DeviationStatementView(screens.ctx(JE), revision)
    screens.qtbot.addWidget(view)
    view.show()
    screens.qtbot.waitUntil(lambda: view.statement is not None, timeout=WAIT)
    assert view.pdf_button.isEnabled()
    for kind in (PDF, EXCEL):
        if not export_module.deviation_export_available(kind):
            continue
        target = tmp_path / f"deviation.{kind}"
        dialog = view.export(kind, target)
        assert dialog is not None
        with screens.qtbot.waitSignal(dialog.exported, timeout=WAIT):
            pass
        assert target.stat().st_size > 0
        dialog.close_button.click()


# ---------------------------------------------------------------- the models


def test_every_table_model_passes_the_model_tester(
        screens: Screens, qtmodeltester: ModelTester, demo_db: Database) -> None:
    _, revision = revised(demo_db)
    view = get_estimate(demo_db, revision)
    project = get_project(demo_db, view.project.number)
    _, _, statement = deviation_statement(demo_db, revision)
    lines = EstimateLinesTableModel()
    lines.set_lines(view.lines)
    models = [
        ProjectsTableModel([project]),
        ProjectEstimatesTableModel(project.estimates),
        InboxTableModel(list_estimates(demo_db, tenant=ULB)),
        lines,
        OverheadsTableModel(view.overheads),
        HistoryTableModel(view.history),
        TemplatesTableModel(list_templates(demo_db, ULB)),
        DeviationTableModel(statement),
        DeviationTableModel(),
    ]
    for model in models:
        qtmodeltester.check(model)
    assert lines.texts("No.") == ["1", "2"]
    assert india_time(view.history[0].at).count("/") == 2


# ---------------------------------------------------------------- screenshots


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    if os.environ.get("MUKTA_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        return DOCS
    return tmp_path


def _save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()  # pending layout requests first
    picture = widget.grab()
    assert not picture.isNull()
    assert picture.width() >= 400
    assert picture.save(str(path))


def test_render_the_estimate_screenshots(
        qtbot: QtBot, db: Database, out_dir: Path) -> None:
    from mukta_desktop.ui.estimates.inbox_section import InboxSection

    seeded = load_demo(db, today=TODAY)
    screens = Screens(qtbot, db)
    try:
        # Something waits for the demo user (every role): sent back once, re-submitted.
        waiting = new_estimate(db, JE, name="[DEMO] Community hall, Ward 3")
        take(db, waiting, (JE, Action.SUBMIT, "Measured at site with the ward officer."),
             (AE, Action.SEND_BACK, "Give the depth of the foundation trench."),
             (JE, Action.RESUBMIT, "Depth 0.75 m added to the trench."))
        draft = create_from_json(db, DEMO, document("[DEMO] Road at Ward 9"),
                                 today=TODAY).number

        inbox = InboxSection(screens.ctx(DEMO))
        qtbot.addWidget(inbox)
        inbox.resize(1100, 560)
        with qtbot.waitSignal(inbox.loaded, timeout=WAIT):
            inbox.show()
        assert inbox.waiting_model.texts("Number") == [waiting]
        assert inbox.drafts_model.texts("Number") == [draft]
        inbox.waiting_table.selectRow(0)
        _save(inbox, out_dir / "estimates-inbox.png")

        section = screens.projects(DEMO)
        section.resize(1280, 600)
        with qtbot.waitSignal(section.project_shown, timeout=WAIT):
            section.select_number(seeded.project)
        section.panel.table.selectRow(1)
        _save(section, out_dir / "estimates-project.png")

        viewer = open_estimate(screens.ctx(DEMO), waiting, section)
        qtbot.waitUntil(lambda: viewer.view is not None, timeout=WAIT)
        viewer.resize(1360, 820)
        viewer.workflow.comment.setPlainText("Depth checked against the drawing.")
        _save(viewer, out_dir / "estimates-viewer.png")
        viewer.close()

        statement = DeviationStatementView(screens.ctx(DEMO), seeded.revision)
        qtbot.addWidget(statement)
        statement.resize(1500, 560)
        statement.show()
        qtbot.waitUntil(lambda: statement.statement is not None, timeout=WAIT)
        _save(statement, out_dir / "estimates-deviation.png")
        statement.close()
    finally:
        for ctx in screens.contexts:
            wait_idle(qtbot, ctx)


def test_quitting_saves_what_an_open_editor_holds(qtbot: QtBot, demo_db: Database,
                                                   tmp_path: Path) -> None:
    """The main window closes editor windows first, and each saves before the window goes."""
    from PySide6.QtCore import Qt

    from mukta_desktop.ui.estimates.editor import EstimateEditor
    from mukta_desktop.ui.estimates.editor_models import MeasurementsTableModel as M
    from mukta_desktop.ui.main_window import MainWindow

    ctx = make_ctx(demo_db, frozenset(Role), tenant="od.dhenkanal", login="demo")
    window = MainWindow(ctx, data_dir=tmp_path, log_file=tmp_path / "log.txt", sections=[])
    qtbot.addWidget(window)
    window.show()
    document = {
        "project": {"name": "Quit test"},
        "date": "2026-11-21",
        "lines": [{"category": "NON-SOR", "description": "Board", "unit": "NOS", "rate": "100",
                   "measurements": [{"kind": "plus", "number": "1"}]}],
    }
    number = create_from_json(demo_db, ctx.actor, document, today=TODAY).number
    editor = EstimateEditor(ctx, number, parent=window)
    editor.setWindowFlag(Qt.WindowType.Window)
    editor.autosave_idle_ms = editor.autosave_max_ms = 3_600_000  # only the close saves
    editor.show()
    qtbot.waitUntil(lambda: not editor.loading, timeout=WAIT)
    model = editor.measurements_model
    assert model.setData(model.index(0, M.NUMBER), "3")
    assert editor.has_unsaved_changes()
    with qtbot.waitSignal(window.closed, timeout=WAIT):
        window.close()
    wait_idle(qtbot, ctx)
    assert get_estimate(demo_db, number).lines[0].quantity == Decimal("3.0000")
