"""File → Users…: the local users of this computer, and adding one.

The list comes from `services.users.list_users` and a new user is made by
`services.users.create_user(..., granted_by=ctx.actor)`, both on the Runner. The acting user
may only grant roles they hold: the other role boxes are greyed, and any refusal of the
service is shown in red under the form, naming the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.errors import DomainError, PermissionDenied
from mukta_desktop.domain.roles import ROLE_LABELS, Role
from mukta_desktop.services.users import UserInfo, create_user, list_users

from .context import UiContext
from .messages import describe, report
from .sign_in import UserForm
from .style import HINT_COLOUR, heading, hint
from .widgets import InlineMessage, alive, configure_table

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
_ROLE_ORDER = {role.value: position for position, role in enumerate(Role)}


def _sorted_roles(codes: Sequence[str]) -> list[str]:
    """Role codes in the order the roles are listed everywhere (JE first, admins last)."""
    return sorted(codes, key=lambda code: (_ROLE_ORDER.get(code, len(_ROLE_ORDER)), code))


def _role_label(code: str) -> str:
    try:
        return ROLE_LABELS[Role(code)]
    except ValueError:  # a code this version does not know: show it as stored
        return code


def roles_text(codes: Sequence[str]) -> str:
    return ", ".join(_role_label(code) for code in _sorted_roles(codes))


class UsersTableModel(QAbstractTableModel):
    """The users of this computer: login, name, ULB, roles (by label) and whether active."""

    COLUMNS = ("Login", "Name", "ULB", "Roles", "Active")
    LOGIN, NAME, ULB, ROLES, ACTIVE = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._users: list[UserInfo] = []

    # Qt interface -----------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._users)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._users):
            return None
        user = self._users[index.row()]
        column = index.column()
        if role == DISPLAY:
            return self._text(user, column)
        if role == TOOLTIP:
            if column == self.ULB:
                return f"{user.tenant_name} ({user.tenant})"
            if column == self.ROLES:
                return "\n".join(f"{_role_label(code)} ({code})"
                                 for code in _sorted_roles(user.roles))
            if column == self.ACTIVE and not user.active:
                return "This user may not sign in."
            return None
        if role == FOREGROUND and not user.active:
            return QBrush(QColor(HINT_COLOUR))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == DISPLAY
                and 0 <= section < len(self.COLUMNS)):
            return self.COLUMNS[section]
        return None

    def _text(self, user: UserInfo, column: int) -> str:
        if column == self.LOGIN:
            return user.login
        if column == self.NAME:
            return user.name
        if column == self.ULB:
            return user.tenant_name
        if column == self.ROLES:
            return roles_text(user.roles)
        return "Yes" if user.active else "No"

    # Python interface -------------------------------------------------------------------
    @property
    def users(self) -> list[UserInfo]:
        return list(self._users)

    def set_users(self, users: Sequence[UserInfo]) -> None:
        self.beginResetModel()
        self._users = list(users)
        self.endResetModel()

    def row_of(self, login: str) -> int:
        return next((row for row, user in enumerate(self._users) if user.login == login), -1)


class AddUserDialog(QDialog):
    """The new-user form of the first run, for a signed-in user; emits `created(UserInfo)`."""

    created = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.busy = False
        self.setObjectName("addUserDialog")
        self.setWindowTitle("Add a user — MUKTA Desktop")
        outer = QVBoxLayout(self)
        outer.addWidget(heading("Add a user", self, size_delta=2.0))
        outer.addWidget(hint(
            "The new user signs in on this computer with this login and password. You may "
            "grant only roles you hold yourself.", self))
        self.form = UserForm(ctx.masters, self, error_name="addUserError")
        self.form.limit_roles(ctx.actor.roles)
        self.form.tenant_combo.select_code(ctx.actor.tenant)
        outer.addWidget(self.form)

        row = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setObjectName("statusLabel")
        row.addWidget(self.status, 1)
        self.create_button = QPushButton("Create user", self)
        self.create_button.setObjectName("createButton")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create_the_user)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        row.addWidget(self.create_button)
        row.addWidget(self.cancel_button)
        outer.addLayout(row)
        self._lockable: list[QWidget] = [*self.form.fields.values(), self.create_button,
                                         self.cancel_button]
        self.setMinimumWidth(560)
        self.form.name_edit.setFocus()

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy = busy
        self.status.setText(message if busy else "")
        for widget in self._lockable:
            widget.setEnabled(not busy)

    def create_the_user(self) -> None:
        if self.busy:
            return
        form = self.form
        form.clear_errors()
        refusal = form.local_refusal()
        if refusal is not None:
            form.show_refusal(refusal.message, refusal.field)
            return
        entry = form.entry()
        db, actor = self.ctx.db, self.ctx.actor

        def work() -> UserInfo:
            return create_user(db, login=entry.login, name=entry.name, tenant=entry.tenant,
                               roles=list(entry.roles), password=entry.password,
                               granted_by=actor)

        self._set_busy(True, "Creating the user…")
        self.ctx.runner.submit(work, self._created, self._refused)

    def _created(self, user: UserInfo) -> None:
        if not alive(self):
            return
        self._set_busy(False)
        self.created.emit(user)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        report(exc)  # logs unexpected errors only
        if not alive(self):
            return
        self._set_busy(False)
        field = None
        if isinstance(exc, DomainError):
            # A refused grant (or an unknown role) is about the roles, though it names no field.
            field = exc.field or ("roles" if isinstance(exc, PermissionDenied) else None)
        self.form.show_refusal(describe(exc), field)

    # While the service works the dialog stays: its answer is on the way.
    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.busy and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)


class UsersDialog(QDialog):
    """The users of this computer in a table, and "Add user…"."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.loaded = False
        self.setObjectName("usersDialog")
        self.setWindowTitle("Users — MUKTA Desktop")
        outer = QVBoxLayout(self)
        outer.addWidget(heading("Users of this computer", self, size_delta=2.0))
        outer.addWidget(hint(
            "Everyone here may sign in to MUKTA Desktop on this computer with their own login "
            "and password. A new user may be given only roles you hold yourself.", self))

        self.model = UsersTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("usersTable")
        self.table.setModel(self.model)
        configure_table(self.table, stretch_column=UsersTableModel.ROLES,
                        widths={UsersTableModel.LOGIN: 12, UsersTableModel.NAME: 24,
                                UsersTableModel.ULB: 16, UsersTableModel.ACTIVE: 7})
        outer.addWidget(self.table, 1)

        self.message = InlineMessage(self)
        self.message.setObjectName("usersMessage")
        outer.addWidget(self.message)

        row = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setObjectName("statusLabel")
        row.addWidget(self.status, 1)
        self.add_button = QPushButton("&Add user…", self)
        self.add_button.setObjectName("addUserButton")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_user)
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("closeButton")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        row.addWidget(self.add_button)
        row.addWidget(self.close_button)
        outer.addLayout(row)
        self.resize(900, 420)
        self.reload()

    def reload(self, select_login: str = "") -> None:
        """Read the users again (on the Runner); `select_login` is selected when it is in."""
        self.status.setText("Reading the users…")
        db = self.ctx.db

        def done(users: list[UserInfo]) -> None:
            if not alive(self):
                return
            self.model.set_users(users)
            self.loaded = True
            count = len(users)
            self.status.setText(f"{count} user{'s' if count != 1 else ''}")
            row = self.model.row_of(select_login) if select_login else -1
            if row >= 0:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))

        def failed(exc: Exception) -> None:
            report(exc)
            if not alive(self):
                return
            self.status.setText("")
            self.message.show_error(describe(exc))

        self.ctx.runner.submit(lambda: list_users(db), done, failed)

    def add_user(self) -> AddUserDialog:
        dialog = AddUserDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(self._user_added)
        dialog.open()
        return dialog

    def _user_added(self, user: UserInfo) -> None:
        self.message.show_info(f"User '{user.login}' ({user.name}) was added; they can sign in "
                               "now.")
        self.reload(select_login=user.login)
