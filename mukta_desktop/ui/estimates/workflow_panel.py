"""The workflow panel of the estimate viewer (and of the MB editor): one button per action the
user may take now, a comment box, and refusals said inline.

The buttons come from the record view's `allowed_actions` (worked out by the service for this
user); the service checks again when the action is taken, and its refusal is shown here. The
panel takes the record's `act` service and who acts at each status, so one panel serves every
workflow (estimates by default).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.services.estimates import act

from ..context import UiContext
from ..messages import describe, report
from ..widgets import InlineMessage, alive, muted

# Sending back or rejecting without saying why leaves the engineer guessing.
COMMENT_REQUIRED = frozenset({Action.SEND_BACK, Action.SEND_BACK_TO_ORIGINATOR, Action.REJECT})
MAX_COMMENT = 2000
_WHO_NEXT = {
    Status.DRAFTED: "the creator (Submit)",
    Status.PENDING_VERIFICATION: "an estimate verifier (AE/ME)",
    Status.PENDING_TECHNICAL_SANCTION: "a technical sanctioner (EE)",
    Status.PENDING_APPROVAL: "an estimate approver (Executive Officer)",
    Status.PENDING_CORRECTION: "the creator (correct and Re-submit)",
}
_DANGER = "QPushButton { color: #b00020; }"


class WorkflowRecord(Protocol):
    """What the panel reads of a record's view (an EstimateView, an MbView)."""

    @property
    def number(self) -> str: ...

    @property
    def status(self) -> Status: ...

    @property
    def allowed_actions(self) -> tuple[Action, ...]: ...


# act(db, actor, number, action, comment=...) → the record's view after the action
ActService = Callable[..., WorkflowRecord]


def waiting_text(view: WorkflowRecord, who_next: Mapping[Status, str] = _WHO_NEXT) -> str:
    if view.status is Status.APPROVED:
        return "Approved: final."
    if view.status is Status.REJECTED:
        return "Rejected: final."
    return f"Waiting for {who_next[view.status]}."


class WorkflowPanel(QGroupBox):
    """Emits `acted(view)` with the record (an estimate by default) as it stands after an
    action."""

    acted = Signal(object)
    refused = Signal(str)
    reload_requested = Signal()  # the service refused: the record may have moved on

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        act_service: ActService = act,
        noun: str = "estimate",
        who_next: Mapping[Status, str] = _WHO_NEXT,
    ) -> None:
        super().__init__("Workflow", parent)
        self.setObjectName("workflowPanel")
        self.ctx = ctx
        self.act_service = act_service
        self.who_next = who_next
        self.view: WorkflowRecord | None = None
        self.busy = False
        self.buttons: dict[Action, QPushButton] = {}

        self.waiting = QLabel()
        self.waiting.setObjectName("workflowWaiting")
        self.waiting.setWordWrap(True)
        self.comment_label = QLabel("&Comment")
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("workflowComment")
        self.comment.setPlaceholderText("What you checked, or why you send it back or reject "
                                        "it. Kept in the timeline with your name.")
        self.comment.setTabChangesFocus(True)
        self.comment.setMaximumHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.comment_label.setBuddy(self.comment)
        self.hint = muted(QLabel("A comment is required to send back or reject."))
        self.hint.setObjectName("workflowHint")
        self.hint.setWordWrap(True)
        self.none_label = muted(QLabel(f"There is nothing for you to do on this {noun} now."))
        self.none_label.setObjectName("workflowNothing")
        self.none_label.setWordWrap(True)
        self.button_grid = QGridLayout()
        self.button_grid.setContentsMargins(0, 0, 0, 0)
        self.message = InlineMessage()
        self.message.setObjectName("workflowMessage")

        layout = QVBoxLayout(self)
        layout.addWidget(self.waiting)
        layout.addWidget(self.none_label)
        layout.addWidget(self.comment_label)
        layout.addWidget(self.comment)
        layout.addWidget(self.hint)
        layout.addLayout(self.button_grid)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.comment.textChanged.connect(self._comment_changed)
        self.set_view(None)

    # ---------------------------------------------------------------- showing
    def set_view(self, view: WorkflowRecord | None) -> None:
        self.view = view
        for button in self.buttons.values():
            self.button_grid.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        actions = () if view is None else view.allowed_actions
        for position, action in enumerate(actions):
            button = QPushButton(action.label)
            button.setObjectName(f"action-{action.value}")
            needs = action in COMMENT_REQUIRED
            button.setToolTip(f"{action.label} (a comment is required)" if needs
                              else f"{action.label}, with the comment if you wrote one")
            if action is Action.REJECT:
                button.setStyleSheet(_DANGER)
            button.clicked.connect(lambda _checked=False, a=action: self.take(a))
            self.button_grid.addWidget(button, position // 2, position % 2)
            self.buttons[action] = button
        has_actions = bool(actions)
        self.waiting.setText("" if view is None else waiting_text(view, self.who_next))
        self.none_label.setVisible(view is not None and not has_actions)
        for widget in (self.comment_label, self.comment):
            widget.setVisible(has_actions)
        self.hint.setVisible(has_actions and any(a in COMMENT_REQUIRED for a in actions))
        self._set_busy(False)

    def action_labels(self) -> list[str]:
        return [button.text() for button in self.buttons.values()]

    def _comment_changed(self) -> None:
        if self.message.kind == "error":
            self.message.clear_message()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in self.buttons.values():
            button.setEnabled(not busy)
        self.comment.setReadOnly(busy)

    # ---------------------------------------------------------------- acting
    def take(self, action: Action) -> bool:
        """Take `action` with the typed comment; False when refused before asking the service."""
        view = self.view
        if view is None or self.busy:
            return False
        comment = self.comment.toPlainText().strip()
        if action in COMMENT_REQUIRED and not comment:
            self._refuse(f"Comment: say why you {action.label.lower()} {view.number}; the "
                         "creator reads it in the timeline.")
            self.comment.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        if len(comment) > MAX_COMMENT:
            self._refuse(f"Comment: at most {MAX_COMMENT} characters ({len(comment)} now).")
            return False
        self.message.clear_message()
        self._set_busy(True)

        def done(result: WorkflowRecord) -> None:
            if not alive(self):
                return
            self.comment.clear()
            self.set_view(result)
            self.message.show_info(f"{action.label}: {result.number} is now "
                                   f"{result.status.label}.")
            self.acted.emit(result)

        def failed(exc: Exception) -> None:
            if not alive(self):
                report(exc)
                return
            report(exc)
            self._set_busy(False)
            self._refuse(describe(exc))
            self.reload_requested.emit()

        self.submit(action, comment, done, failed)
        return True

    def submit(
        self,
        action: Action,
        comment: str,
        on_done: Callable[[WorkflowRecord], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        """Run the action on the runner (an editor may first save what is typed)."""
        assert self.view is not None
        db, actor, number, service = self.ctx.db, self.ctx.actor, self.view.number, self.act_service
        self.ctx.runner.submit(lambda: service(db, actor, number, action, comment=comment),
                               on_done, on_error)

    def _refuse(self, text: str) -> None:
        self.message.show_error(text)
        self.refused.emit(text)
