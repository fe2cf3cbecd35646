"""Before the main window: the start-up notice, the first-run dialog (its new-user form is
also used by File → Users…) and the sign-in dialog.

Both dialogs end with `actor` set (and `accept()`), or are rejected when the user quits.
Password hashing and checking (argon2) and every database call run on the Runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import india_today
from mukta_desktop.domain.errors import DomainError, ValidationError
from mukta_desktop.domain.roles import ROLE_LABELS, Role
from mukta_desktop.domain.sor import STATE_TENANT
from mukta_desktop.services.database import Database
from mukta_desktop.services.demo import load_demo
from mukta_desktop.services.masters import Masters
from mukta_desktop.services.users import Actor, authenticate, create_user

from .background import Runner
from .messages import show_error
from .style import error_label, heading, hint, set_error, set_invalid

DEMO_LOGIN = "demo"
DEMO_PASSWORD = "demo"
LAST_LOGIN_KEY = "sign_in/last_login"
DEMO_DISCLAIMER = ("Demo data is written by the MUKTA Desktop team and is not an official "
                   "Schedule of Rates.")


class StartupSplash(QWidget):
    """A small window shown while the database opens (and migrates, on a new version)."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.SplashScreen)
        self.setObjectName("startupSplash")
        self.setWindowTitle("MUKTA Desktop")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(heading("MUKTA Desktop", self))
        self.message = QLabel("Opening database…", self)
        self.message.setObjectName("startupMessage")
        layout.addWidget(self.message)
        bar = QProgressBar(self)
        bar.setRange(0, 0)
        bar.setTextVisible(False)
        bar.setMaximumHeight(10)
        layout.addWidget(bar)
        layout.addWidget(hint(str(data_dir), self))
        self.setMinimumWidth(380)


def _tenant_label(code: str, name: str) -> str:
    if code == STATE_TENANT:
        return f"{name} – state level ({code})"
    return f"{name} ({code})"


class TenantCombo(QComboBox):
    """The Odisha tenant list, searchable by any part of the ULB's name or code."""

    def __init__(self, masters: Masters, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tenantCombo")
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        model = QStandardItemModel(self)
        # ULBs by name, the state last: a JE is far more likely to want a ULB.
        tenants = sorted(masters.tenants, key=lambda t: (t.code == STATE_TENANT, t.name))
        for tenant in tenants:
            item = QStandardItem(_tenant_label(tenant.code, tenant.name))
            item.setData(tenant.code, Qt.ItemDataRole.UserRole)
            model.appendRow(item)
        self.setModel(model)
        completer = QCompleter(self)
        completer.setModel(model)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.setCurrentIndex(-1)
        line = self.lineEdit()
        if line is not None:
            line.setPlaceholderText("Type part of the ULB's name…")
        self.setMaxVisibleItems(15)

    def tenant_code(self) -> str:
        """The chosen tenant's code; typed text that names no tenant is returned as typed."""
        text = self.currentText().strip()
        if not text:
            return ""
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if index < 0:
            lowered = text.lower()
            for row in range(self.count()):
                code = str(self.itemData(row))
                label = self.itemText(row).lower()
                if lowered == code or label.startswith(lowered + " ("):
                    index = row
                    break
        return str(self.itemData(index)) if index >= 0 else text

    def select_code(self, code: str) -> None:
        index = self.findData(code)
        self.setCurrentIndex(index)


@dataclass(frozen=True, slots=True)
class UserEntry:
    """What was typed into a `UserForm`, as the service wants it."""

    login: str
    name: str
    tenant: str
    roles: tuple[str, ...]
    password: str


class UserForm(QWidget):
    """A new user's name, login, password (twice), ULB and roles, with an inline refusal.

    Used by the first-run dialog and by File → Users… → Add user. Only the fields are here;
    the dialog around it owns the buttons and the service call. `limit_roles` disables the
    roles the acting user may not grant.
    """

    def __init__(self, masters: Masters, parent: QWidget | None = None, *,
                 error_name: str = "createError") -> None:
        super().__init__(parent)
        self.setObjectName("userForm")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.setPlaceholderText("e.g. Sushree Sangita Das")
        self.login_edit = QLineEdit(self)
        self.login_edit.setObjectName("loginEdit")
        self.login_edit.setPlaceholderText("lower-case letters and digits, e.g. ssdas")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setObjectName("confirmEdit")
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.tenant_combo = TenantCombo(masters, self)
        form.addRow("Full &name:", self.name_edit)
        form.addRow("&Login:", self.login_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("&Confirm password:", self.confirm_edit)
        form.addRow("&ULB:", self.tenant_combo)
        layout.addLayout(form)

        self.roles_box = QGroupBox("Roles", self)
        self.roles_box.setObjectName("rolesBox")
        grid = QGridLayout(self.roles_box)
        self.role_checks: dict[Role, QCheckBox] = {}
        for position, role in enumerate(Role):
            check = QCheckBox(ROLE_LABELS[role], self.roles_box)
            check.setObjectName(f"role_{role.value}")
            check.setToolTip(role.value)
            grid.addWidget(check, position // 2, position % 2)
            self.role_checks[role] = check
        layout.addWidget(self.roles_box)

        self.error = error_label(error_name, self)
        layout.addWidget(self.error)

        self.fields: dict[str, QWidget] = {
            "name": self.name_edit, "login": self.login_edit, "password": self.password_edit,
            "confirm": self.confirm_edit, "tenant": self.tenant_combo, "roles": self.roles_box,
        }

    def limit_roles(self, grantable: frozenset[Role]) -> None:
        """Only the roles in `grantable` can be ticked; the others are greyed, with the reason
        in their tooltip."""
        for role, check in self.role_checks.items():
            allowed = role in grantable
            if not allowed:
                check.setChecked(False)
            check.setEnabled(allowed)
            check.setToolTip(role.value if allowed else
                             f"{role.value}: you do not hold this role, so you may not grant "
                             "it.")

    def chosen_roles(self) -> list[str]:
        return [role.value for role, check in self.role_checks.items() if check.isChecked()]

    def entry(self) -> UserEntry:
        return UserEntry(self.login_edit.text(), self.name_edit.text(),
                         self.tenant_combo.tenant_code(), tuple(self.chosen_roles()),
                         self.password_edit.text())

    def local_refusal(self) -> ValidationError | None:
        """What can be refused without the database: passwords that differ, no ULB."""
        if self.password_edit.text() != self.confirm_edit.text():
            return ValidationError(
                "Confirm password: the two passwords are not the same; type them again.",
                field="confirm")
        if not self.tenant_combo.tenant_code():
            return ValidationError(
                "ULB: choose the ULB this user works for (Odisha for a state administrator).",
                field="tenant")
        return None

    def clear_errors(self) -> None:
        set_error(self.error, "")
        for widget in self.fields.values():
            set_invalid(widget, False)

    def show_refusal(self, message: str, field: str | None = None) -> None:
        """The refusal in red under the form; the field it names outlined and focused."""
        set_error(self.error, message)
        widget = self.fields.get(field or "")
        if widget is not None:
            set_invalid(widget, True)
            if widget is self.roles_box:
                first = next((c for c in self.role_checks.values() if c.isEnabled()), None)
                if first is not None:
                    first.setFocus()
            else:
                widget.setFocus()


class _AsyncDialog(QDialog):
    """A dialog whose work runs on the Runner; inputs are locked while it runs."""

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.actor: Actor | None = None
        self._busy = False
        self._lockable: list[QWidget] = []
        self.status = QLabel(self)
        self.status.setObjectName("statusLabel")

    @property
    def busy(self) -> bool:
        return self._busy

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        self.status.setText(message if busy else "")
        for widget in self._lockable:
            widget.setEnabled(not busy)

    def _run(self, message: str, work: Callable[[], Actor],
             on_refused: Callable[[DomainError], None]) -> None:
        self._set_busy(True, message)

        def done(actor: Actor) -> None:
            self._set_busy(False)
            self.actor = actor
            QSettings().setValue(LAST_LOGIN_KEY, actor.login)
            self.accept()

        def failed(exc: Exception) -> None:
            self._set_busy(False)
            if isinstance(exc, DomainError):
                on_refused(exc)
            else:
                show_error(self, exc)

        self.runner.submit(work, done, failed)

    def reject(self) -> None:
        if self._busy:  # the result is on its way; quitting now would leave it half-seen
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._busy and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)


class FirstRunDialog(_AsyncDialog):
    """No users yet: create the first local user, or load the demo and sign in as `demo`."""

    def __init__(self, db: Database, masters: Masters, runner: Runner,
                 today: Callable[[], date] = india_today, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.db = db
        self.masters = masters
        self.today = today
        self.setObjectName("firstRunDialog")
        self.setWindowTitle("MUKTA Desktop — first start")

        outer = QVBoxLayout(self)
        outer.addWidget(heading("Welcome to MUKTA Desktop", self))
        outer.addWidget(hint(
            "No one has used MUKTA Desktop on this computer yet. Create the first user to "
            "start work, or load the demo to look around first. Everything stays on this "
            f"computer, in {db.path.parent}.", self))

        columns = QHBoxLayout()
        columns.addWidget(self._user_box(), 3)
        columns.addWidget(self._demo_box(), 2)
        outer.addLayout(columns)

        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        self.quit_button = QPushButton("Quit", self)
        self.quit_button.setObjectName("quitButton")
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.reject)
        bottom.addWidget(self.quit_button)
        outer.addLayout(bottom)
        self._lockable += [self.quit_button]
        self.name_edit.setFocus()

    # -- building -------------------------------------------------------------------------

    def _user_box(self) -> QGroupBox:
        box = QGroupBox("Create the first user", self)
        layout = QVBoxLayout(box)
        self.form = UserForm(self.masters, box)
        layout.addWidget(self.form)
        # The form's widgets under their old names (tests and the screenshot script use them).
        self.name_edit = self.form.name_edit
        self.login_edit = self.form.login_edit
        self.password_edit = self.form.password_edit
        self.confirm_edit = self.form.confirm_edit
        self.tenant_combo = self.form.tenant_combo
        self.roles_box = self.form.roles_box
        self.role_checks = self.form.role_checks
        self.create_error = self.form.error

        row = QHBoxLayout()
        row.addStretch(1)
        self.create_button = QPushButton("Create user and sign in", box)
        self.create_button.setObjectName("createButton")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create_first_user)
        row.addWidget(self.create_button)
        layout.addLayout(row)

        self._fields = self.form.fields
        self._lockable += [*self._fields.values(), self.create_button]
        return box

    def _demo_box(self) -> QGroupBox:
        box = QGroupBox("Try the demo", self)
        layout = QVBoxLayout(box)
        text = QLabel(
            "Loads demo SORs (material, labour, machinery and works items) with demo rates and "
            "a rate analysis, and signs you in as the demo user "
            f"(login <b>{DEMO_LOGIN}</b>, password <b>{DEMO_PASSWORD}</b>), who holds every "
            "role at Dhenkanal.", box)
        text.setWordWrap(True)
        layout.addWidget(text)
        disclaimer = hint(DEMO_DISCLAIMER, box)
        disclaimer.setObjectName("demoDisclaimer")
        layout.addWidget(disclaimer)
        layout.addWidget(hint("You can still create your own users later.", box))
        layout.addStretch(1)
        self.demo_error = error_label("demoError", box)
        layout.addWidget(self.demo_error)
        row = QHBoxLayout()
        row.addStretch(1)
        self.demo_button = QPushButton("Load the demo", box)
        self.demo_button.setObjectName("demoButton")
        self.demo_button.setAutoDefault(False)
        self.demo_button.clicked.connect(self.load_the_demo)
        row.addWidget(self.demo_button)
        layout.addLayout(row)
        self._lockable.append(self.demo_button)
        return box

    # -- acting ---------------------------------------------------------------------------

    def _clear_errors(self) -> None:
        self.form.clear_errors()
        set_error(self.demo_error, "")

    def _show_refusal(self, exc: DomainError) -> None:
        self.form.show_refusal(exc.message, exc.field)

    def chosen_roles(self) -> list[str]:
        return self.form.chosen_roles()

    def create_first_user(self) -> None:
        if self.busy:
            return
        self._clear_errors()
        refusal = self.form.local_refusal()
        if refusal is not None:
            self._show_refusal(refusal)
            return
        entry = self.form.entry()
        db = self.db

        def work() -> Actor:
            create_user(db, login=entry.login, name=entry.name, tenant=entry.tenant,
                        roles=list(entry.roles), password=entry.password)
            return authenticate(db, entry.login, entry.password)

        self._run("Creating the user…", work, self._show_refusal)

    def load_the_demo(self) -> None:
        if self.busy:
            return
        self._clear_errors()
        db, today = self.db, self.today()

        def work() -> Actor:
            load_demo(db, today=today)
            return authenticate(db, DEMO_LOGIN, DEMO_PASSWORD)

        self._run("Loading the demo…", work,
                  lambda exc: set_error(self.demo_error, exc.message))


class SignInDialog(_AsyncDialog):
    """Login and password; a refusal is shown under the form in the service's words."""

    def __init__(self, db: Database, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.db = db
        self.setObjectName("signInDialog")
        self.setWindowTitle("MUKTA Desktop — sign in")
        outer = QVBoxLayout(self)
        outer.setSpacing(10)
        outer.addWidget(heading("Sign in to MUKTA Desktop", self))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.login_edit = QLineEdit(self)
        self.login_edit.setObjectName("loginEdit")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&Login:", self.login_edit)
        form.addRow("&Password:", self.password_edit)
        outer.addLayout(form)
        self.error = error_label("signInError", self)
        outer.addWidget(self.error)
        location = hint(f"Data on this computer: {db.path}", self)
        location.setObjectName("databaseHint")
        outer.addWidget(location)

        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        self.sign_in_button = QPushButton("Sign in", self)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.quit_button = QPushButton("Quit", self)
        self.quit_button.setObjectName("quitButton")
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.reject)
        row.addWidget(self.sign_in_button)
        row.addWidget(self.quit_button)
        outer.addLayout(row)
        self._lockable += [self.login_edit, self.password_edit, self.sign_in_button,
                           self.quit_button]
        self.setMinimumWidth(420)

        last = QSettings().value(LAST_LOGIN_KEY, "", type=str)
        if last:
            self.login_edit.setText(str(last))
            self.password_edit.setFocus()
        else:
            self.login_edit.setFocus()

    def _refused(self, exc: DomainError) -> None:
        set_error(self.error, exc.message)
        self.password_edit.clear()
        self.password_edit.setFocus()

    def sign_in(self) -> None:
        if self.busy:
            return
        set_error(self.error, "")
        set_invalid(self.login_edit, False)
        login = self.login_edit.text().strip()
        password = self.password_edit.text()
        if not login:
            set_error(self.error, "Login: type your login.")
            set_invalid(self.login_edit, True)
            self.login_edit.setFocus()
            return
        db = self.db
        self._run("Checking the password…", lambda: authenticate(db, login, password),
                  self._refused)
