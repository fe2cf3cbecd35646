"""Measurement Books in the Inbox: an MB waits for the role whose step it is (verifier, then
approver; the creator after a send back), the creator sees their MB drafts, another ULB sees
nothing; an MB opens in the MB editor."""

from __future__ import annotations

import mb_sections_support as support
from mb_sections_support import (
    AE,
    EE,
    JE,
    MB_AE,
    OTHER_ULB_AE,
    EditorCalls,
    awarded,
    document,
    new_mb,
    shown,
    submit_mb,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sor_support import TODAY, WAIT

from mukta_desktop.domain.workflow import Action
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_json import create_from_json
from mukta_desktop.services.measurement_books import act_mb
from mukta_desktop.services.users import Actor
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.estimates.inbox_section import InboxSection

# The fixtures shared by the MB screen tests.
contexts = support.contexts
editor_calls = support.editor_calls


def open_inbox(qtbot: QtBot, db: Database, actor: Actor,
               contexts: list[UiContext]) -> InboxSection:
    return shown(qtbot, db, actor, contexts, InboxSection, "loaded", (1100, 700))


def mbs(inbox: InboxSection) -> list[str]:
    return inbox.mbs_model.texts("Number")


def test_a_submitted_mb_waits_for_an_mb_verifier_of_the_ulb_and_then_for_the_approver(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    order = awarded(demo_db)
    mb = new_mb(demo_db, order, "10", "20")
    submit_mb(demo_db, mb.number)

    verifier = open_inbox(qtbot, demo_db, MB_AE, contexts)
    assert mbs(verifier) == [mb.number]
    assert verifier.mbs_caption.text() == "Measurement Books for you (1 waiting)"
    model = verifier.mbs_model
    assert model.texts("Status") == ["Pending verification"]
    assert model.texts("Work order") == [order.number]
    assert model.texts("Period") == ["01/11/2026 – 07/11/2026"]
    assert model.texts("Amount (₹)") == ["6,955.80"]
    assert model.texts("Project")[0].endswith("— Drain at ward 5")
    assert verifier.mbs_empty.isHidden()
    assert verifier.waiting_model.rowCount() == 0  # no estimate role: estimates never wait
    assert verifier.waiting_empty.text().startswith("Your roles take no part in the estimate")

    other_ulb = open_inbox(qtbot, demo_db, OTHER_ULB_AE, contexts)
    assert mbs(other_ulb) == []
    assert other_ulb.mbs_empty.text() == "No MB waits for you."

    creator = open_inbox(qtbot, demo_db, JE, contexts)
    assert mbs(creator) == []  # submitted: it waits for the verifier, not for Asha
    approver = open_inbox(qtbot, demo_db, EE, contexts)
    assert mbs(approver) == []

    act_mb(demo_db, AE, mb.number, Action.VERIFY, comment="checked at site")
    with qtbot.waitSignal(approver.loaded, timeout=WAIT):
        approver.refresh()
    assert mbs(approver) == [mb.number]
    assert approver.mbs_model.texts("Status") == ["Pending approval"]
    with qtbot.waitSignal(verifier.loaded, timeout=WAIT):
        verifier.refresh()
    assert mbs(verifier) == []

    act_mb(demo_db, EE, mb.number, Action.SEND_BACK_TO_ORIGINATOR, comment="Measure the walls")
    with qtbot.waitSignal(creator.loaded, timeout=WAIT):
        creator.refresh()
    assert mbs(creator) == [mb.number]
    assert creator.mbs_model.texts("Status") == ["Pending correction"]


def test_the_creators_mb_drafts_come_after_what_waits_and_open_in_the_editor(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext],
        editor_calls: EditorCalls) -> None:
    sent_back = new_mb(demo_db, awarded(demo_db, "Drain at ward 5"), "1")
    submit_mb(demo_db, sent_back.number)
    act_mb(demo_db, AE, sent_back.number, Action.SEND_BACK, comment="Give the depth")
    draft = new_mb(demo_db, awarded(demo_db, "Road at ward 9", "9"), "2")
    estimate = create_from_json(demo_db, JE, document("Culvert at ward 2", "2"),
                                today=TODAY).number

    inbox = open_inbox(qtbot, demo_db, JE, contexts)
    assert mbs(inbox) == [sent_back.number, draft.number]
    assert inbox.mbs_caption.text() == "Measurement Books for you (1 waiting, 1 your draft)"
    assert inbox.mbs_model.texts("Status") == ["Pending correction", "Drafted"]
    assert inbox.drafts_model.texts("Number") == [estimate]  # estimates keep their lists

    # One selection across the lists: Open opens what is chosen.
    inbox.drafts_table.selectRow(0)
    assert inbox.selected_number() == estimate
    inbox.mbs_table.selectRow(1)
    assert not inbox.drafts_table.selectionModel().selectedRows()
    assert inbox.open_action.isEnabled()
    assert inbox.selected_number() == draft.number
    assert inbox.open_selected() is None  # an MB opens in the MB editor, not a viewer
    assert editor_calls.opened == [(draft.number, inbox.window())]
    inbox.mbs_table.activated.emit(inbox.mbs_model.index(0, 0))
    assert editor_calls.numbers == [draft.number, sent_back.number]


def test_the_mb_inbox_model_passes_the_model_tester(
        qtbot: QtBot, qtmodeltester: ModelTester, demo_db: Database,
        contexts: list[UiContext]) -> None:
    mb = new_mb(demo_db, awarded(demo_db), "1")
    submit_mb(demo_db, mb.number)
    inbox = open_inbox(qtbot, demo_db, MB_AE, contexts)
    assert inbox.mbs_model.rowCount() == 1
    qtmodeltester.check(inbox.mbs_model)
