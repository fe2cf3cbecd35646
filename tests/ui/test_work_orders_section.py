"""The Work orders section, the work order dialog and view: made from an approved estimate
(in the section or in Projects), a new MB for the proposed period, cancel with a reason,
complete, close the project; refusals in the service's own words."""

from __future__ import annotations

import sys
from datetime import date

import mb_sections_support as support
import pytest
from mb_sections_support import (
    AE,
    JE,
    MB_AE,
    ORGANISATION,
    WO_START,
    EditorCalls,
    approve_mb,
    approved_estimate,
    approved_revision,
    awarded,
    ctx_of,
    new_mb,
    shown,
    work_order_panel,
)
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sor_support import TODAY, WAIT

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.mb import Period
from mukta_desktop.domain.workflow import Status
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimates import get_estimate
from mukta_desktop.services.mb_views import WorkOrderStatus
from mukta_desktop.services.measurement_books import get_mb
from mukta_desktop.services.users import Actor
from mukta_desktop.services.work_orders import (
    cancel_work_order,
    close_project,
    create_work_order,
    get_work_order,
    list_work_orders,
)
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.estimates.projects_section import ProjectsSection
from mukta_desktop.ui.mb.editor_window import open_windows
from mukta_desktop.ui.mb.work_order_dialog import WorkOrderDialog
from mukta_desktop.ui.mb.work_order_view import (
    CancelWorkOrderDialog,
    MbHistoryTableModel,
    WorkOrderLinesTableModel,
    WorkOrderWindow,
)
from mukta_desktop.ui.mb.work_orders_section import WorkOrdersSection, WorkOrdersTableModel
from mukta_desktop.ui.widgets import to_qdate

# The fixtures shared by the MB screen tests.
contexts = support.contexts
editor_calls = support.editor_calls


def open_section(qtbot: QtBot, db: Database, actor: Actor,
                 contexts: list[UiContext]) -> WorkOrdersSection:
    return shown(qtbot, db, actor, contexts, WorkOrdersSection, "listed", (1280, 820))


def open_projects(qtbot: QtBot, db: Database, actor: Actor, project: str,
                  contexts: list[UiContext]) -> ProjectsSection:
    projects = shown(qtbot, db, actor, contexts, ProjectsSection, "searched")
    with qtbot.waitSignal(projects.project_shown, timeout=WAIT):
        projects.select_number(project)
    return projects


def fill(dialog: WorkOrderDialog, organisation: str, start: date, end: date,
         issued: date = TODAY, days: int = 7) -> None:
    dialog.organisation.setText(organisation)
    dialog.issued.setDate(to_qdate(issued))
    dialog.start.setDate(to_qdate(start))
    dialog.end.setDate(to_qdate(end))
    dialog.period_days.setValue(days)


def confirm_yes(qtbot: QtBot, box: QMessageBox | None) -> None:
    assert box is not None
    yes = next(b for b in box.buttons() if b.objectName() == "confirmYes")
    yes.click()


# ---------------------------------------------------------------- creating


def test_a_work_order_made_in_the_dialog_is_stored_with_the_typed_organisation_and_dates(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    estimate = approved_estimate(demo_db)
    section = open_section(qtbot, demo_db, JE, contexts)
    assert section.model.rowCount() == 0
    assert "No work orders yet" in section.empty.text()

    dialog = section.new_work_order()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.in_force is not None, timeout=WAIT)
    assert dialog.estimate_number() == estimate
    assert dialog.in_force_label.text().startswith(f"In force: {estimate} · ₹ ")
    assert dialog.period_days.value() == 7  # MUKTA's MB period
    assert dialog.start.displayFormat() == "dd/MM/yyyy"

    # The service refuses an end before the start, and the dialog marks the field.
    fill(dialog, "  Maa   Tarini Mahila SHG ", date(2026, 12, 1), date(2026, 11, 30))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.message.kind == "error", timeout=WAIT)
    assert dialog.message.text() == ("The work order ends (30/11/2026) before it starts "
                                     "(01/12/2026).")
    assert dialog.end.styleSheet() != ""
    assert list_work_orders(demo_db, tenant=JE.tenant) == []

    fill(dialog, "  Maa   Tarini Mahila SHG ", date(2026, 11, 2), date(2027, 2, 28),
         issued=date(2026, 11, 20), days=10)
    with qtbot.waitSignal(section.listed, timeout=WAIT):
        dialog.ok_button.click()
    [summary] = list_work_orders(demo_db, tenant=JE.tenant)
    stored = get_work_order(demo_db, summary.number)
    assert stored.organisation == "Maa Tarini Mahila SHG"
    assert (stored.start_date, stored.end_date) == (date(2026, 11, 2), date(2027, 2, 28))
    assert stored.work_order_date == date(2026, 11, 20)
    assert stored.period_days == 10
    assert stored.estimate_number == estimate
    assert stored.status is WorkOrderStatus.ACTIVE

    # The list shows it, chosen, and the view below shows it.
    model = section.model
    assert model.texts("Number") == [stored.number]
    assert model.texts("Estimate") == [estimate]
    assert model.texts("Organisation") == ["Maa Tarini Mahila SHG"]
    assert model.texts("Start") == ["02/11/2026"]
    assert model.texts("End") == ["28/02/2027"]
    assert model.texts("Status") == ["Active"]
    assert section.message.text().startswith(f"Created {stored.number} for {estimate}")
    qtbot.waitUntil(lambda: section.panel.view is not None, timeout=WAIT)
    assert section.panel.title.text() == f"Work order {stored.number}"
    assert section.panel.new_mb_button.text() == "New MB for 02/11/2026 – 11/11/2026"

    # An awarded estimate is no longer offered.
    again = section.new_work_order()
    assert again is not None
    qtbot.waitUntil(lambda: again.choices_loaded, timeout=WAIT)
    assert again.estimate_combo.count() == 0
    assert "No approved estimate" in again.in_force_label.text()
    assert not again.ok_button.isEnabled()
    again.reject()


def test_create_work_order_from_the_approved_estimate_in_projects_shows_the_revision_in_force(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    original = approved_estimate(demo_db)
    revision = approved_revision(demo_db, original)
    project = get_estimate(demo_db, original).project.number
    projects = open_projects(qtbot, demo_db, JE, project, contexts)
    panel = projects.panel
    assert panel.work_order_button.isVisible()
    assert not panel.work_order_button.isEnabled()  # no estimate chosen yet
    assert panel.select_number(original)
    assert panel.work_order_button.isEnabled()
    assert projects.work_order_action.isEnabled()

    panel.work_order_button.click()
    dialog = projects.dialog
    assert isinstance(dialog, WorkOrderDialog)
    assert not dialog.estimate_combo.isEnabled()  # the chosen estimate, fixed
    qtbot.waitUntil(lambda: dialog.in_force is not None, timeout=WAIT)
    assert dialog.in_force_label.text().startswith(
        f"In force: {revision}, revision 1 of {original} · ₹ ")
    fill(dialog, "Jay Jagannath SHG", date(2026, 11, 1), date(2027, 3, 31))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: any(isinstance(w, WorkOrderWindow) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=WAIT)
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, WorkOrderWindow))
    qtbot.waitUntil(lambda: window.view is not None, timeout=WAIT)
    assert window.view is not None
    stored = get_work_order(demo_db, window.view.number)
    assert stored.organisation == "Jay Jagannath SHG"
    assert stored.estimate_in_force == revision
    assert window.detail_labels["estimate"].text().startswith(
        f"{original} (in force: {revision}) · ₹ ")
    assert projects.message.text().startswith(f"Created {stored.number} for {original}")
    window.close()


def test_roles_decide_what_the_section_and_the_view_offer(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    order = awarded(demo_db)
    section = open_section(qtbot, demo_db, MB_AE, contexts)
    assert not section.new_action.isVisible()
    assert section.new_work_order() is None
    assert section.select_number(order.number)
    qtbot.waitUntil(lambda: section.panel.view is not None, timeout=WAIT)
    panel = section.panel
    assert panel.visible_actions() == ["Bill checks…", "Refresh"]
    assert not panel.new_mb_button.isEnabled()  # a verifier makes no MBs
    assert "MB_CREATOR" in panel.new_mb_button.toolTip()

    je = open_section(qtbot, demo_db, JE, contexts)
    assert je.select_number(order.number)
    qtbot.waitUntil(lambda: je.panel.view is not None, timeout=WAIT)
    assert je.panel.visible_actions() == ["Bill checks…", "Complete", "Cancel work order…",
                                          "Close project", "Refresh"]
    assert je.panel.new_mb_button.isEnabled()


# ---------------------------------------------------------------- MBs


def test_new_mb_makes_the_mb_of_the_proposed_period_and_opens_it_in_the_editor(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext],
        editor_calls: EditorCalls) -> None:
    order = awarded(demo_db)
    panel = work_order_panel(qtbot, demo_db, JE, order.number, contexts)
    assert panel.new_mb_button.text() == "New MB for 01/11/2026 – 07/11/2026"
    assert panel.new_mb_button.isEnabled()
    assert panel.refusal.isHidden()
    assert panel.lines_model.texts("Estimate qty") == ["54.0000", "96.0000"]
    assert panel.lines_model.texts("Measured qty") == ["0.0000", "0.0000"]

    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        panel.new_mb_button.click()
    assert len(editor_calls.opened) == 1
    number, parent = editor_calls.opened[0]
    assert parent is panel.window()
    mb = get_mb(demo_db, number, viewer=JE)
    assert mb.period == Period(WO_START, date(2026, 11, 7))
    assert mb.status is Status.DRAFTED
    assert mb.work_order.number == order.number
    assert panel.message.text().startswith(f"Made {number} for 01/11/2026 – 07/11/2026")

    # The view reloads: the MB in the history, no new MB while it is in workflow.
    qtbot.waitUntil(lambda: panel.mbs_model.rowCount() == 1, timeout=WAIT)
    assert panel.mbs_model.texts("Number") == [number]
    assert panel.mbs_model.texts("Period") == ["01/11/2026 – 07/11/2026"]
    assert panel.mbs_model.texts("Status") == ["Drafted"]
    assert panel.mbs_model.texts("Measured on") == ["07/11/2026"]
    assert not panel.new_mb_button.isEnabled()
    assert panel.new_mb_button.text() == "New MB"
    assert panel.refusal.text() == (f"{number} is Drafted; a new MB is made only when it is "
                                    "approved (or rejected).")
    assert panel.mbs_caption.text() == "Measurement Books (1)"

    # A double click (or Enter) on the history opens the MB.
    panel.mbs_table.activated.emit(panel.mbs_model.index(0, 0))
    assert editor_calls.numbers == [number, number]


def test_new_mb_opens_the_mb_in_the_real_mb_editor_window(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    order = awarded(demo_db)
    panel = work_order_panel(qtbot, demo_db, JE, order.number, contexts)
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        panel.new_mb_button.click()
    qtbot.waitUntil(lambda: any(w.view is not None and w.isVisible() for w in open_windows()),
                    timeout=WAIT)
    [window] = open_windows()
    assert window.view is not None
    [mb] = get_work_order(demo_db, order.number).mbs
    assert window.number == mb.number
    assert window.view.period == Period(WO_START, date(2026, 11, 7))
    assert window.view.work_order.number == order.number
    assert window.parentWidget() is panel.window()
    assert not window.read_only  # Asha made it: she measures it

    # Closing the editor refreshes the view.
    window.saver.stop()
    qtbot.waitUntil(lambda: window.jobs.pending == 0 and window.ctx.runner.pending == 0,
                    timeout=WAIT)
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        window.close()
    qtbot.waitUntil(lambda: not open_windows(), timeout=WAIT)
    assert panel.mbs_model.texts("Number") == [mb.number]


def test_after_an_approved_mb_the_next_period_follows_and_measured_quantities_show(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext],
        editor_calls: EditorCalls) -> None:
    order = awarded(demo_db)
    first = new_mb(demo_db, order, "10", "20")
    approve_mb(demo_db, first.number)
    panel = work_order_panel(qtbot, demo_db, JE, order.number, contexts)
    assert panel.new_mb_button.text() == "New MB for 08/11/2026 – 14/11/2026"
    assert panel.lines_model.texts("Measured qty") == ["10.0000", "20.0000"]
    assert panel.lines_model.texts("Balance qty") == ["44.0000", "76.0000"]
    assert panel.mbs_model.texts("Status") == ["Approved"]
    assert panel.mbs_model.texts("Amount (₹)") == ["6,955.80"]
    assert panel.detail_labels["totals"].text() == "₹ 6,955.80 in approved MBs"
    panel.mbs_table.selectRow(0)
    assert panel.open_mb_button.isEnabled()
    panel.open_mb_button.click()
    assert editor_calls.numbers == [first.number]


def test_without_the_mb_editor_opening_an_mb_says_so(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mukta_desktop.ui.mb.editor_window", None)
    order = awarded(demo_db)
    mb = new_mb(demo_db, order, "1")
    panel = work_order_panel(qtbot, demo_db, JE, order.number, contexts)
    assert not panel.open_mb(mb.number)
    assert panel.message.text() == "The MB editor is not part of this version yet."


# ---------------------------------------------------------------- cancel, complete, close


def test_cancel_needs_a_reason_and_is_refused_in_plain_words_once_an_mb_is_approved(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    measured = awarded(demo_db, "Drain at ward 5")
    approve_mb(demo_db, new_mb(demo_db, measured, "10").number)
    panel = work_order_panel(qtbot, demo_db, JE, measured.number, contexts)
    dialog = panel.cancel()
    assert isinstance(dialog, CancelWorkOrderDialog)
    dialog.reason.setPlainText("The CBO withdrew")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.message.kind == "error", timeout=WAIT)
    assert dialog.message.text() == (
        f"{measured.number} has 1 approved MB(s); a work order with approved measurements "
        "cannot be cancelled.")
    assert get_work_order(demo_db, measured.number).status is WorkOrderStatus.ACTIVE
    dialog.reject()

    order = awarded(demo_db, "Road at ward 9", "9")
    panel.load(order.number)
    qtbot.waitUntil(lambda: panel.view is not None and panel.view.number == order.number,
                    timeout=WAIT)
    dialog = panel.cancel()
    assert dialog is not None
    dialog.ok_button.click()  # no reason yet: refused here, nothing asked of the service
    assert dialog.message.text() == "Reason: say why the work order is cancelled."
    assert dialog.isVisible()
    dialog.reason.setPlainText("Site handed over to the PWD")
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        dialog.ok_button.click()
    stored = get_work_order(demo_db, order.number)
    assert stored.status is WorkOrderStatus.CANCELLED
    assert stored.status_reason == "Site handed over to the PWD"
    assert panel.badge.text() == "Cancelled"
    assert panel.reason.text() == "Cancelled: Site handed over to the PWD"
    assert panel.refusal.text() == f"Work order {order.number} is cancelled; it takes no new MBs."
    assert not panel.cancel_action.isEnabled()
    assert not panel.complete_action.isEnabled()


def test_complete_then_close_the_project_from_the_view(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    order = awarded(demo_db)
    panel = work_order_panel(qtbot, demo_db, JE, order.number, contexts)
    box = panel.complete()
    confirm_yes(qtbot, box)
    qtbot.waitUntil(lambda: panel.message.kind == "error", timeout=WAIT)
    assert panel.message.text() == (f"{order.number} has no approved MB; cancel it instead if "
                                    "no work was done.")

    approve_mb(demo_db, new_mb(demo_db, order, "54", "96").number)
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        confirm_yes(qtbot, panel.complete())
    assert get_work_order(demo_db, order.number).status is WorkOrderStatus.COMPLETED
    assert panel.badge.text() == "Completed"
    assert panel.message.text() == f"{order.number} is completed."

    # Cancel in the box closes nothing: the project closes on the second try, once.
    box = panel.close_project()
    assert box is not None
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert panel.ctx.runner.pending == 0
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        confirm_yes(qtbot, panel.close_project())
    assert panel.message.kind == "info"
    assert panel.message.text() == f"Project {order.project.number} is closed."
    with pytest.raises(ValidationError, match="closed already"):
        close_project(demo_db, JE, order.project.number)


def test_a_project_with_an_active_work_order_is_not_closed_from_projects(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    order = awarded(demo_db)
    projects = open_projects(qtbot, demo_db, JE, order.project.number, contexts)
    assert projects.close_action.isEnabled()
    confirm_yes(qtbot, projects.close_project())
    qtbot.waitUntil(lambda: projects.message.kind == "error", timeout=WAIT)
    assert projects.message.text() == (
        f"Project {order.project.number} still has active work orders ({order.number}); "
        "complete or cancel them first.")

    cancel_work_order(demo_db, JE, order.number, reason="Awarded by mistake")
    with qtbot.waitSignal(projects.project_shown, timeout=WAIT):
        confirm_yes(qtbot, projects.close_project())
    assert projects.message.text() == f"Project {order.project.number} is closed."
    assert projects.panel.details.text().startswith("Closed: no new estimates, work orders")
    assert not projects.close_action.isEnabled()
    assert projects.panel.select_number(order.estimate_number)
    assert not projects.panel.work_order_button.isEnabled()  # a closed project awards nothing

    verifier = ProjectsSection(ctx_of(demo_db, AE))
    contexts.append(verifier.ctx)
    qtbot.addWidget(verifier)
    assert not verifier.close_action.isVisible()
    assert verifier.close_project() is None


# ---------------------------------------------------------------- the list


def test_the_list_filters_by_words_and_status(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    drain = awarded(demo_db, "Drain at ward 5")
    road = create_work_order(demo_db, JE, estimate_number=approved_estimate(
        demo_db, "Road at ward 9", "9"), organisation="Jay Jagannath SHG", start=WO_START,
        end=date(2027, 1, 31), today=TODAY)
    section = open_section(qtbot, demo_db, JE, contexts)
    assert sorted(section.model.texts("Number")) == sorted([drain.number, road.number])
    assert section.count_label.text() == "2 work orders"

    section.filter_edit.setText("jagannath road")
    assert section.model.texts("Number") == [road.number]
    assert section.count_label.text() == "1 of 2 work orders"
    qtbot.waitUntil(lambda: section.panel.view is not None
                    and section.panel.view.number == road.number, timeout=WAIT)
    section.filter_edit.setText("culvert")
    assert section.model.rowCount() == 0
    assert section.empty.text() == "No work order matches the filter."
    section.filter_edit.clear()

    cancel_work_order(demo_db, JE, drain.number, reason="Duplicate award")
    with qtbot.waitSignal(section.listed, timeout=WAIT):
        section.status_combo.setCurrentIndex(section.status_combo.findData(
            WorkOrderStatus.CANCELLED.value))
    assert section.model.texts("Number") == [drain.number]
    assert section.model.texts("Status") == ["Cancelled"]
    with qtbot.waitSignal(section.listed, timeout=WAIT):
        section.status_combo.setCurrentIndex(section.status_combo.findData(
            WorkOrderStatus.COMPLETED.value))
    assert section.model.rowCount() == 0
    assert section.empty.text() == "No completed work orders."


def test_the_work_order_models_pass_the_model_tester(
        qtbot: QtBot, qtmodeltester: ModelTester, demo_db: Database) -> None:
    order = awarded(demo_db)
    approve_mb(demo_db, new_mb(demo_db, order, "10", "20").number)
    view = get_work_order(demo_db, order.number)
    for model in (WorkOrdersTableModel(list_work_orders(demo_db, tenant=JE.tenant)),
                  WorkOrderLinesTableModel(view.lines), MbHistoryTableModel(view.mbs)):
        qtmodeltester.check(model)
    assert view.organisation == ORGANISATION
