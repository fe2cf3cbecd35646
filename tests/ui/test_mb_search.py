"""Search MB (the Measurement Books section): ward, project name, MB number, status and the
dates an MB was created between narrow the results; an MB opens in the MB editor."""

from __future__ import annotations

from datetime import date, timedelta

import mb_sections_support as support
import pytest
from mb_sections_support import (
    JE,
    EditorCalls,
    approve_mb,
    awarded,
    new_mb,
    shown,
    submit_mb,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sor_support import WAIT

from mukta_desktop.domain.dates import india_today
from mukta_desktop.domain.workflow import Status
from mukta_desktop.services.database import Database
from mukta_desktop.services.mb_views import MbView
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.mb.search_section import MbSearchSection
from mukta_desktop.ui.widgets import to_qdate

# The fixtures shared by the MB screen tests.
contexts = support.contexts
editor_calls = support.editor_calls


@pytest.fixture
def books(demo_db: Database) -> dict[str, MbView]:
    """Approved and submitted MBs of a drain in ward 5, a draft of a road in ward 9."""
    drain = awarded(demo_db, "Covered drain at ward 5", "5")
    road = awarded(demo_db, "Road near the market", "9")
    approved = new_mb(demo_db, drain, "10", "20")
    approve_mb(demo_db, approved.number)
    submitted = new_mb(demo_db, drain, "5")
    submit_mb(demo_db, submitted.number)
    draft = new_mb(demo_db, road, "3")
    return {"approved": approved, "submitted": submitted, "draft": draft}


def open_search(qtbot: QtBot, db: Database, contexts: list[UiContext]) -> MbSearchSection:
    return shown(qtbot, db, JE, contexts, MbSearchSection, "searched", (1280, 700))


def numbers(section: MbSearchSection) -> list[str]:
    return section.model.texts("Number")


def choose_status(qtbot: QtBot, section: MbSearchSection, status: Status | None) -> None:
    with qtbot.waitSignal(section.searched, timeout=WAIT):
        section.status_combo.setCurrentIndex(
            section.status_combo.findData(None if status is None else status.value))


def test_the_filters_narrow_the_results(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext],
        books: dict[str, MbView]) -> None:
    approved, submitted, draft = books["approved"], books["submitted"], books["draft"]
    section = open_search(qtbot, demo_db, contexts)
    # Newest first; the demo's own MBs are another ULB's and never show.
    assert numbers(section) == [draft.number, submitted.number, approved.number]
    assert section.count_label.text() == "3 MBs"
    model = section.model
    assert model.texts("Ward") == ["9", "5", "5"]
    assert model.texts("Work order") == [draft.work_order.number, approved.work_order.number,
                                         approved.work_order.number]
    assert model.texts("Period") == ["01/11/2026 – 07/11/2026", "08/11/2026 – 14/11/2026",
                                     "01/11/2026 – 07/11/2026"]
    assert model.texts("Measured on") == ["07/11/2026", "14/11/2026", "07/11/2026"]
    assert model.texts("Status") == ["Drafted", "Pending verification", "Approved"]
    assert model.texts("Amount (₹)")[2] == "6,955.80"
    assert model.texts("Project")[0].endswith("— Road near the market")

    with qtbot.waitSignal(section.searched, timeout=WAIT):
        section.ward_edit.setText("9")
    assert numbers(section) == [draft.number]
    with qtbot.waitSignal(section.searched, timeout=WAIT):
        section.ward_edit.setText("5")
    assert numbers(section) == [submitted.number, approved.number]
    choose_status(qtbot, section, Status.APPROVED)
    assert numbers(section) == [approved.number]
    choose_status(qtbot, section, Status.PENDING_VERIFICATION)
    assert numbers(section) == [submitted.number]
    with qtbot.waitSignal(section.searched, timeout=WAIT):
        section.ward_edit.setText("9")
    assert numbers(section) == []
    assert section.empty.text() == "No MB matches these filters."
    assert section.count_label.text() == "0 MBs"

    with qtbot.waitSignal(section.searched, timeout=WAIT):
        section.clear_filters()
    assert len(numbers(section)) == 3
    with qtbot.waitSignal(section.searched, timeout=WAIT):
        section.project_edit.setText("MARKET")
    assert numbers(section) == [draft.number]
    with qtbot.waitSignal(section.searched, timeout=WAIT):
        section.clear_filters()
    with qtbot.waitSignal(section.searched, timeout=WAIT):
        section.number_edit.setText(approved.number)
    assert numbers(section) == [approved.number]


def test_created_between_two_dates(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext],
        books: dict[str, MbView]) -> None:
    section = open_search(qtbot, demo_db, contexts)
    assert not section.created_from.isEnabled()
    assert section.created_from.displayFormat() == "dd/MM/yyyy"
    # MBs are stamped when they are made (India calendar days); these were made today.
    today = india_today()
    section.created_from.setDate(to_qdate(today - timedelta(days=1)))
    section.created_to.setDate(to_qdate(today + timedelta(days=1)))
    with qtbot.waitSignal(section.searched, timeout=WAIT):
        section.created_check.setChecked(True)
    assert len(numbers(section)) == 3
    assert section.created_between() == (today - timedelta(days=1), today + timedelta(days=1))

    with qtbot.waitSignal(section.searched, timeout=WAIT):
        section.created_from.setDate(to_qdate(date(2020, 1, 1)))
        section.created_to.setDate(to_qdate(date(2020, 12, 31)))
    assert numbers(section) == []
    assert section.empty.text() == "No MB matches these filters."

    section.created_from.setDate(to_qdate(date(2021, 1, 1)))
    section.search_now()
    assert section.message.text() == "Created between: the second date is before the first."
    with qtbot.waitSignal(section.searched, timeout=WAIT):
        section.created_check.setChecked(False)
    assert len(numbers(section)) == 3
    assert section.message.isHidden()


def test_an_mb_found_opens_in_the_mb_editor(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext],
        books: dict[str, MbView], editor_calls: EditorCalls) -> None:
    section = open_search(qtbot, demo_db, contexts)
    assert not section.open_action.isEnabled()
    section.table.activated.emit(section.model.index(2, 0))  # Enter or a double click
    assert editor_calls.opened == [(books["approved"].number, section.window())]
    section.table.selectRow(0)
    assert section.open_action.isEnabled()
    section.open_action.trigger()
    assert editor_calls.numbers == [books["approved"].number, books["draft"].number]


def test_the_search_model_passes_the_model_tester(
        qtbot: QtBot, qtmodeltester: ModelTester, demo_db: Database,
        contexts: list[UiContext], books: dict[str, MbView]) -> None:
    section = open_search(qtbot, demo_db, contexts)
    assert section.model.rowCount() == 3
    qtmodeltester.check(section.model)
