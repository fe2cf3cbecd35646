"""File → Connect to head office…: the server's address, the user's login and password on the
server, and a name for this PC. Enrolment runs on a worker (the server checks the password
with argon2; the network may be slow); refusals are said in plain words next to the field
they concern. On success the dialog says what was queued for the first sync."""

from __future__ import annotations

import platform
import re
from urllib.parse import urlsplit

import httpx
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.errors import DomainError, ValidationError
from mukta_desktop.services.sync_setup import Enrolled, enrol_device
from mukta_desktop.sync.client import NotAuthorised, Refused, SyncError, Unreachable
from mukta_desktop.sync.credentials import Stored

from ..context import UiContext
from ..messages import describe, report
from ..style import error_label, heading, hint, set_error, set_invalid
from ..widgets import alive

DEVICE_NAME_MAX = 200  # what the server keeps
LOGIN_MAX = 60


def check_server_url(text: str) -> str:
    """The server's address as typed, checked and without a trailing slash."""
    url = text.strip().rstrip("/")
    if not url:
        raise ValidationError("Server address: type the address the head office gave you, "
                              "e.g. https://mukta-ho.example.in", field="server")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        raise ValidationError(f"Server address: '{text.strip()}' is not a web address; it "
                              "starts with https:// (e.g. https://mukta-ho.example.in).",
                              field="server")
    return url


def check_form(server: str, login: str, password: str, device_name: str) -> str:
    """Refuses the first empty or malformed field, naming it; returns the server URL."""
    url = check_server_url(server)
    if not login.strip():
        raise ValidationError("Login: type your login on the head office server.",
                              field="login")
    if len(login.strip()) > LOGIN_MAX:
        raise ValidationError(f"Login: at most {LOGIN_MAX} characters.", field="login")
    if not password:
        raise ValidationError("Password: type your password on the head office server.",
                              field="password")
    if not device_name.strip():
        raise ValidationError("Name of this PC: type a name the head office will know it by, "
                              "e.g. 'JE laptop, Dhenkanal'.", field="device")
    if len(device_name.strip()) > DEVICE_NAME_MAX:
        raise ValidationError(f"Name of this PC: at most {DEVICE_NAME_MAX} characters.",
                              field="device")
    return url


def enrolment_refusal(exc: BaseException, server: str) -> tuple[str, str | None]:
    """(plain words, the field they concern) for what stopped an enrolment."""
    if isinstance(exc, NotAuthorised):
        return ("The server did not accept this login and password. Check both (they are "
                "your login on the head office server, which may differ from this PC's) and "
                "try again.", "password")
    if isinstance(exc, Unreachable):
        return (f"The server at {server} cannot be reached. Check the address and that this "
                "PC is connected, then try again. Nothing was changed.", "server")
    if isinstance(exc, Refused):
        # "403: The user … is disabled on this server. Ask the head office."
        words = re.sub(r"^\d{3}: ", "", exc.message)
        return (f"The server refused: {words}", None)
    if isinstance(exc, SyncError):
        return (exc.message, None)
    if isinstance(exc, DomainError):
        return (exc.message, exc.field)
    report(exc)
    return (describe(exc), None)


def enrolled_text(enrolled: Enrolled, stored: Stored) -> str:
    queued = enrolled.queued
    what = ("Nothing was waiting to be sent." if queued == 0 else
            f"{queued} change{'s' if queued != 1 else ''} of the records on this PC "
            f"{'are' if queued != 1 else 'is'} queued for the first sync.")
    text = (f"Connected to {enrolled.server_url} as {enrolled.login} ({enrolled.tenant}). "
            f"{what} Sync starts now and then runs by itself whenever the server can be "
            "reached.")
    if stored.warning:
        text += f"\n\n{stored.warning}"
    return text


class EnrolDialog(QDialog):
    """Emits `enrolled(Enrolled)` once the server accepted this PC."""

    enrolled = Signal(object)

    def __init__(self, ctx: UiContext, *, current_server: str = "",
                 transport: httpx.BaseTransport | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrolDialog")
        self.setWindowTitle("Connect to head office")
        self.ctx = ctx
        self.transport = transport
        self.result_value: Enrolled | None = None
        self.busy = False

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Connect to the head office server", self, size_delta=2))
        intro = ("Sign in once with your login on the head office server. This PC is then "
                 "enrolled: records you submit are sent, and decisions and new rates come "
                 "back, whenever there is a connection. Nothing on this PC is deleted.")
        if current_server:
            intro += (f"\n\nThis PC already syncs with {current_server}. Connecting again "
                      "(e.g. after the head office revoked it) keeps all its records.")
        self.intro = hint(intro, self)
        layout.addWidget(self.intro)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.server_edit = QLineEdit(current_server, self)
        self.server_edit.setObjectName("serverEdit")
        self.server_edit.setPlaceholderText("https://mukta-ho.example.in")
        self.login_edit = QLineEdit(ctx.actor.login, self)
        self.login_edit.setObjectName("serverLoginEdit")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("serverPasswordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.device_edit = QLineEdit(self._default_device_name(), self)
        self.device_edit.setObjectName("deviceNameEdit")
        self.device_edit.setMaxLength(DEVICE_NAME_MAX)
        form.addRow("&Server address:", self.server_edit)
        form.addRow("&Login on the server:", self.login_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("&Name of this PC:", self.device_edit)
        layout.addLayout(form)
        self.fields: dict[str, QLineEdit] = {
            "server": self.server_edit, "login": self.login_edit,
            "password": self.password_edit, "device": self.device_edit,
        }

        self.progress = QProgressBar(self)
        self.progress.setObjectName("enrolProgress")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.error = error_label("enrolError", self)
        layout.addWidget(self.error)
        self.done_label = QLabel(self)
        self.done_label.setObjectName("enrolDone")
        self.done_label.setWordWrap(True)
        self.done_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.done_label.setStyleSheet("color: #1b5e20;")
        self.done_label.setVisible(False)
        layout.addWidget(self.done_label)

        self.buttons = QDialogButtonBox(self)
        self.connect_button = QPushButton("&Connect", self)
        self.connect_button.setObjectName("connectButton")
        self.connect_button.setDefault(True)
        self.buttons.addButton(self.connect_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button.setObjectName("enrolCloseButton")
        self.connect_button.clicked.connect(self.connect_to_server)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        (self.password_edit if current_server else self.server_edit).setFocus()

    def _default_device_name(self) -> str:
        tenant = self.ctx.masters.tenant_name(self.ctx.actor.tenant)
        return f"{platform.node() or 'PC'} ({tenant})"[:DEVICE_NAME_MAX]

    # -- actions --------------------------------------------------------------------------

    def show_refusal(self, text: str, field: str | None) -> None:
        set_error(self.error, text)
        for name, widget in self.fields.items():
            set_invalid(widget, name == field)
        if field in self.fields:
            self.fields[field].setFocus()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        for widget in self.fields.values():
            widget.setEnabled(not busy)
        self.connect_button.setEnabled(not busy)

    def connect_to_server(self) -> None:
        if self.busy or self.result_value is not None:
            return
        server, login = self.server_edit.text(), self.login_edit.text()
        password, device = self.password_edit.text(), self.device_edit.text()
        try:
            url = check_form(server, login, password, device)
        except ValidationError as refusal:
            self.show_refusal(refusal.message, refusal.field)
            return
        self.show_refusal("", None)
        self._set_busy(True)
        db, transport = self.ctx.db, self.transport

        def work() -> tuple[Enrolled, Stored]:
            return enrol_device(db, server_url=url, login=login.strip(), password=password,
                                device_name=device.strip(), transport=transport)

        def done(result: tuple[Enrolled, Stored]) -> None:
            if not alive(self):
                return
            self._set_busy(False)
            enrolled, stored = result
            self.result_value = enrolled
            self.password_edit.clear()
            for widget in self.fields.values():
                widget.setEnabled(False)
            self.done_label.setText(enrolled_text(enrolled, stored))
            self.done_label.setVisible(True)
            self.connect_button.setVisible(False)
            self.close_button.setText("Close")
            self.close_button.clicked.disconnect()
            self.close_button.clicked.connect(self.accept)
            self.close_button.setFocus()
            self.enrolled.emit(enrolled)

        def failed(exc: Exception) -> None:
            if not alive(self):
                return
            self._set_busy(False)
            self.show_refusal(*enrolment_refusal(exc, url))

        self.ctx.runner.submit(work, done, failed)
