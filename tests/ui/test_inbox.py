"""The Inbox (the home screen): what waits for the signed-in user's roles, and their drafts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sor_support import TODAY, WAIT, make_ctx, wait_idle

from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_json import create_from_json
from mukta_desktop.services.estimates import act
from mukta_desktop.services.users import Actor
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.estimates.estimate_view import EstimateViewer
from mukta_desktop.ui.estimates.inbox_section import InboxSection, split_inbox

ULB = "od.dhenkanal"
JE = Actor("je", "Asha Das (JE)", ULB, frozenset({Role.ESTIMATE_CREATOR}))
JE2 = Actor("je2", "Bikash Sahu (JE)", ULB, frozenset({Role.ESTIMATE_CREATOR}))
AE = Actor("ae", "Chitra Mohanty (AE)", ULB, frozenset({Role.ESTIMATE_VERIFIER}))
JATNI_AE = Actor("ae.jatni", "Jatni AE", "od.jatni", frozenset({Role.ESTIMATE_VERIFIER}))


def document(name: str = "Drain at ward 5") -> dict[str, Any]:
    """An estimate of two demo SOR lines, as `estimate create --from-json` reads it."""
    return {
        "project": {"name": name, "ward": "5"},
        "date": date(2026, 11, 1).isoformat(),
        "description": "Drain, both sides",
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


def ctx_of(db: Database, actor: Actor) -> UiContext:
    return make_ctx(db, actor.roles, tenant=actor.tenant, login=actor.login)


@pytest.fixture
def contexts(qtbot: QtBot, demo_db: Database) -> Iterator[list[UiContext]]:
    made: list[UiContext] = []
    yield made
    for ctx in made:
        wait_idle(qtbot, ctx)


def open_inbox(qtbot: QtBot, db: Database, actor: Actor,
               contexts: list[UiContext]) -> InboxSection:
    ctx = ctx_of(db, actor)
    contexts.append(ctx)
    inbox = InboxSection(ctx)
    qtbot.addWidget(inbox)
    with qtbot.waitSignal(inbox.loaded, timeout=WAIT):
        inbox.show()  # showing the section refreshes it
    return inbox


def numbers(inbox: InboxSection) -> tuple[list[str], list[str]]:
    return (inbox.waiting_model.texts("Number"), inbox.drafts_model.texts("Number"))


def test_the_inbox_shows_a_submitted_estimate_to_a_verifier_and_not_to_another_je(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    number = new_estimate(demo_db)
    act(demo_db, JE, number, Action.SUBMIT, comment="Measured at site")

    verifier = open_inbox(qtbot, demo_db, AE, contexts)
    assert numbers(verifier) == ([number], [])
    assert verifier.waiting_caption.text() == "Waiting for you (1)"
    model = verifier.waiting_model
    assert model.texts("Status") == ["Pending verification"]
    assert model.texts("Project")[0].endswith("— Drain at ward 5")
    assert model.texts("Total (₹)")[0].count(",") >= 1  # Indian grouping
    assert verifier.waiting_empty.isHidden()

    other_je = open_inbox(qtbot, demo_db, JE2, contexts)
    assert numbers(other_je) == ([], [])
    assert other_je.waiting_empty.text() == "Nothing waits for you."

    creator = open_inbox(qtbot, demo_db, JE, contexts)
    assert numbers(creator) == ([], [])  # submitted: it waits for the verifier, not for Asha

    other_ulb = open_inbox(qtbot, demo_db, JATNI_AE, contexts)
    assert numbers(other_ulb) == ([], [])


def test_own_drafts_are_listed_apart_and_a_sent_back_estimate_waits_for_its_creator(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    draft = new_estimate(demo_db, name="Drain at ward 5")
    sent_back = new_estimate(demo_db, name="Road at ward 9")
    act(demo_db, JE, sent_back, Action.SUBMIT)
    act(demo_db, AE, sent_back, Action.SEND_BACK, comment="Give the depth of the trench")
    other = new_estimate(demo_db, JE2, name="Culvert at ward 2")

    inbox = open_inbox(qtbot, demo_db, JE, contexts)
    assert numbers(inbox) == ([sent_back], [draft])
    assert inbox.waiting_model.texts("Status") == ["Pending correction"]
    assert inbox.drafts_caption.text() == "Your drafts (1)"
    assert other not in numbers(inbox)[1]

    verifier = open_inbox(qtbot, demo_db, AE, contexts)
    assert numbers(verifier) == ([], [])
    assert verifier.drafts_table.isHidden()  # a verifier makes no drafts


def test_opening_an_estimate_and_acting_on_it_refreshes_the_inbox(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    number = new_estimate(demo_db)
    act(demo_db, JE, number, Action.SUBMIT)
    inbox = open_inbox(qtbot, demo_db, AE, contexts)
    inbox.waiting_table.selectRow(0)
    assert inbox.open_action.isEnabled()
    # Enter or a double click "activates" a row.
    inbox.waiting_table.activated.emit(inbox.waiting_model.index(0, 0))
    viewer = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, EstimateViewer) and w.number == number)
    qtbot.waitUntil(lambda: viewer.view is not None, timeout=WAIT)
    assert viewer.isVisible()
    assert viewer.workflow.action_labels() == ["Verify and forward", "Send back", "Reject"]

    viewer.workflow.comment.setPlainText("Quantities checked")
    with qtbot.waitSignal(inbox.loaded, timeout=WAIT):
        viewer.workflow.buttons[Action.VERIFY].click()
    assert viewer.view is not None
    assert viewer.view.status is Status.PENDING_TECHNICAL_SANCTION
    assert numbers(inbox) == ([], [])
    # Opening the same estimate again raises the open viewer instead of a second one.
    assert inbox.open_estimate(number) is viewer
    viewer.close()


def test_split_keeps_drafts_of_the_user_only() -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    from mukta_desktop.services.estimate_views import EstimateSummary

    def summary(number: str, by: str, status: Status) -> EstimateSummary:
        return EstimateSummary(number, number, "PJ/1", "P", None, TODAY, status,
                               Decimal("10"), by, datetime(2026, 11, 1, tzinfo=UTC))

    items = [summary("A", "je", Status.DRAFTED), summary("B", "je", Status.PENDING_CORRECTION),
             summary("C", "ae", Status.PENDING_VERIFICATION)]
    waiting, drafts = split_inbox(items, "je")
    assert [s.number for s in waiting] == ["B", "C"]
    assert [s.number for s in drafts] == ["A"]


def test_the_inbox_model_passes_the_model_tester(
        qtbot: QtBot, qtmodeltester: ModelTester, demo_db: Database,
        contexts: list[UiContext]) -> None:
    number = new_estimate(demo_db)
    act(demo_db, JE, number, Action.SUBMIT)
    inbox = open_inbox(qtbot, demo_db, AE, contexts)
    assert inbox.waiting_model.rowCount() == 1
    qtmodeltester.check(inbox.waiting_model)
    qtmodeltester.check(inbox.drafts_model)
