"""File → Users…: the list of local users and adding one through the first run's form.

With MUKTA_SCREENSHOTS=1 the picture is written to docs/screenshots/shell-users.png:
    MUKTA_SCREENSHOTS=1 QT_QPA_PLATFORM=offscreen .venv/bin/pytest tests/ui/test_users_dialog.py
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sor_support import WAIT, make_ctx, wait_idle

from mukta_desktop.domain.roles import Role
from mukta_desktop.services.database import Database
from mukta_desktop.services.users import UserInfo, create_user, list_users
from mukta_desktop.ui import users_dialog
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.logging_setup import log_file_path
from mukta_desktop.ui.main_window import MainWindow
from mukta_desktop.ui.users_dialog import AddUserDialog, UsersDialog, UsersTableModel

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ALL_ROLES = frozenset(Role)
CITY = frozenset({Role.ESTIMATE_CREATOR, Role.MB_CREATOR, Role.MDMS_CITY_ADMIN})


@pytest.fixture
def ctx(qtbot: QtBot, demo_db: Database) -> Iterator[UiContext]:
    """The demo user (every role, Dhenkanal) is signed in."""
    context = make_ctx(demo_db, ALL_ROLES, tenant="od.dhenkanal", login="demo")
    yield context
    wait_idle(qtbot, context)


def open_users(qtbot: QtBot, ctx: UiContext, rows: int) -> UsersDialog:
    dialog = UsersDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded and dialog.model.rowCount() == rows, timeout=WAIT)
    return dialog


def open_add(qtbot: QtBot, dialog: UsersDialog) -> AddUserDialog:
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    add = dialog.findChild(AddUserDialog)
    assert add is not None
    assert add.isVisible()
    return add


def fill(add: AddUserDialog, *, login: str = "ssdas", name: str = "Sushree Sangita Das",
         password: str = "secret1", tenant: str = "od.dhenkanal",
         roles: tuple[Role, ...] = (Role.ESTIMATE_CREATOR, Role.MB_CREATOR)) -> None:
    form = add.form
    form.name_edit.setText(name)
    form.login_edit.setText(login)
    form.password_edit.setText(password)
    form.confirm_edit.setText(password)
    form.tenant_combo.select_code(tenant)
    for role in roles:
        form.role_checks[role].setChecked(True)


def cell(model: UsersTableModel, row: int, header: str) -> str:
    return str(model.index(row, UsersTableModel.COLUMNS.index(header)).data())


def visible_boxes() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


def test_the_dialog_lists_the_existing_users(qtbot: QtBot, ctx: UiContext) -> None:
    create_user(ctx.db, login="rkmohanty", name="R K Mohanty", tenant="od.dhenkanal",
                roles=["MB_CREATOR", "ESTIMATE_CREATOR"], password="secret1",
                granted_by=ctx.actor)
    dialog = open_users(qtbot, ctx, rows=2)
    model = dialog.model
    assert [cell(model, r, "Login") for r in range(2)] == ["demo", "rkmohanty"]
    assert cell(model, 1, "Name") == "R K Mohanty"
    assert cell(model, 1, "ULB") == "Dhenkanal"
    assert cell(model, 1, "Roles") == "Estimate creator (JE), MB creator (JE)"
    assert cell(model, 1, "Active") == "Yes"
    assert "State SOR administrator" in cell(model, 0, "Roles")
    ulb = model.index(1, UsersTableModel.ULB)
    assert ulb.data(Qt.ItemDataRole.ToolTipRole) == "Dhenkanal (od.dhenkanal)"
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == [
        "Login", "Name", "ULB", "Roles", "Active"]
    assert dialog.status.text() == "2 users"


def test_adding_a_user_through_the_form(qtbot: QtBot, demo_db: Database) -> None:
    ctx = make_ctx(demo_db, CITY, tenant="od.dhenkanal", login="demo")
    dialog = open_users(qtbot, ctx, rows=1)
    add = open_add(qtbot, dialog)
    assert add.form.tenant_combo.tenant_code() == "od.dhenkanal"  # the actor's ULB to start
    fill(add)
    with qtbot.waitSignal(add.created, timeout=WAIT) as blocker:
        qtbot.mouseClick(add.create_button, Qt.MouseButton.LeftButton)
        assert add.busy
        assert not add.create_button.isEnabled()
    assert not add.isVisible()  # closed (and deleted later) once the user is made
    created = blocker.args[0]
    assert isinstance(created, UserInfo)
    assert created.login == "ssdas"
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=WAIT)

    users = {u.login: u for u in list_users(demo_db)}
    assert users["ssdas"].name == "Sushree Sangita Das"
    assert users["ssdas"].tenant == "od.dhenkanal"
    assert set(users["ssdas"].roles) == {"ESTIMATE_CREATOR", "MB_CREATOR"}
    assert users["ssdas"].active

    row = dialog.model.row_of("ssdas")
    assert cell(dialog.model, row, "Roles") == "Estimate creator (JE), MB creator (JE)"
    assert dialog.table.currentIndex().row() == row  # the new user is selected
    assert dialog.message.text().startswith("User 'ssdas' (Sushree Sangita Das) was added")
    wait_idle(qtbot, ctx)


def test_roles_the_actor_does_not_hold_are_disabled(qtbot: QtBot, demo_db: Database) -> None:
    ctx = make_ctx(demo_db, CITY, tenant="od.dhenkanal", login="demo")
    dialog = open_users(qtbot, ctx, rows=1)
    add = open_add(qtbot, dialog)
    checks = add.form.role_checks
    for role, check in checks.items():
        assert check.isEnabled() == (role in CITY), role
    state = checks[Role.MDMS_STATE_ADMIN]
    assert "you may not grant it" in state.toolTip()
    state.setChecked(True)  # a click on a disabled box does nothing; code could still tick it
    assert checks[Role.ESTIMATE_CREATOR].toolTip() == "ESTIMATE_CREATOR"
    add.reject()
    wait_idle(qtbot, ctx)


def test_a_grant_the_service_refuses_is_shown_inline_at_the_roles(
        qtbot: QtBot, demo_db: Database) -> None:
    ctx = make_ctx(demo_db, CITY, tenant="od.dhenkanal", login="demo")
    dialog = open_users(qtbot, ctx, rows=1)
    add = open_add(qtbot, dialog)
    fill(add, roles=(Role.ESTIMATE_CREATOR,))
    # Were a disabled box ticked anyway, the service still refuses, in its own words.
    add.form.role_checks[Role.MDMS_STATE_ADMIN].setEnabled(True)
    add.form.role_checks[Role.MDMS_STATE_ADMIN].setChecked(True)
    qtbot.mouseClick(add.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: add.form.error.isVisible(), timeout=WAIT)
    assert add.form.error.text() == "You may not grant roles you do not hold: MDMS_STATE_ADMIN."
    assert add.form.roles_box.property("invalid") is True
    assert add.isVisible()
    assert not add.busy
    assert not visible_boxes()
    assert [u.login for u in list_users(demo_db)] == ["demo"]
    add.reject()
    wait_idle(qtbot, ctx)


def test_a_duplicate_login_is_shown_inline_naming_the_login(
        qtbot: QtBot, ctx: UiContext) -> None:
    dialog = open_users(qtbot, ctx, rows=1)
    add = open_add(qtbot, dialog)
    fill(add, login="demo")
    qtbot.mouseClick(add.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: add.form.error.isVisible(), timeout=WAIT)
    assert add.form.error.text() == "Login 'demo' is already taken."
    assert add.form.error.objectName() == "addUserError"
    assert add.form.login_edit.property("invalid") is True
    assert add.isVisible()
    assert add.create_button.isEnabled()
    assert not visible_boxes()
    assert dialog.model.rowCount() == 1

    # Another login clears the mark and the user is made.
    add.form.login_edit.setText("ssdas")
    with qtbot.waitSignal(add.created, timeout=WAIT):
        qtbot.mouseClick(add.create_button, Qt.MouseButton.LeftButton)
    assert not add.form.login_edit.property("invalid")
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=WAIT)


def test_passwords_that_differ_are_refused_before_the_database(
        qtbot: QtBot, ctx: UiContext) -> None:
    dialog = open_users(qtbot, ctx, rows=1)
    add = open_add(qtbot, dialog)
    fill(add)
    add.form.confirm_edit.setText("other")
    qtbot.mouseClick(add.create_button, Qt.MouseButton.LeftButton)
    assert add.form.error.text().startswith("Confirm password:")
    assert add.form.confirm_edit.property("invalid") is True
    assert ctx.runner.pending == 0
    add.reject()


def test_a_failure_to_read_the_users_is_shown_in_plain_words(
        qtbot: QtBot, ctx: UiContext, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_db: Database) -> list[UserInfo]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(users_dialog, "list_users", broken)
    dialog = UsersDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=WAIT)
    assert dialog.message.text().startswith("Something unexpected went wrong")
    assert "disk on fire" not in dialog.message.text()
    assert "Traceback" not in dialog.message.text()
    assert not visible_boxes()


def test_users_table_model(qtmodeltester: ModelTester) -> None:
    model = UsersTableModel()
    qtmodeltester.check(model)
    model.set_users([
        UserInfo("demo", "Demo Engineer (demo)", "od.dhenkanal", "Dhenkanal",
                 tuple(sorted(r.value for r in Role)), True),
        UserInfo("old", "Retired JE", "od.jatni", "Jatni", ("ESTIMATE_CREATOR",), False),
    ])
    qtmodeltester.check(model)
    assert model.index(1, UsersTableModel.ACTIVE).data() == "No"
    assert model.index(1, UsersTableModel.LOGIN).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(0, UsersTableModel.LOGIN).data(Qt.ItemDataRole.ForegroundRole) is None
    # Roles in the order they are listed everywhere, by their labels.
    assert model.index(0, UsersTableModel.ROLES).data().startswith(
        "Estimate creator (JE), Estimate verifier (AE/ME), Technical sanctioner (EE)")
    assert model.row_of("old") == 1
    assert model.row_of("nobody") == -1


def test_the_file_menu_opens_users(qtbot: QtBot, ctx: UiContext, data_dir: Path) -> None:
    window = MainWindow(ctx, data_dir=data_dir, log_file=log_file_path(data_dir), sections=[])
    qtbot.addWidget(window)
    window.show()
    file_menu = window.menuBar().actions()[0].menu()
    assert file_menu is not None
    texts = [a.text().replace("&", "") for a in file_menu.actions()]  # type: ignore[union-attr]
    assert "Users…" in texts
    assert texts.index("Users…") < texts.index("Settings…")
    window.users_action.trigger()
    dialog = window.findChild(UsersDialog)
    assert dialog is not None
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=WAIT)
    dialog.close_button.click()
    assert not dialog.isVisible()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    if os.environ.get("MUKTA_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        return DOCS
    return tmp_path


def test_render_the_users_dialog(qtbot: QtBot, ctx: UiContext, out_dir: Path) -> None:
    for login, name, tenant, roles in [
        ("ssdas", "Sushree Sangita Das", "od.dhenkanal", ["ESTIMATE_CREATOR", "MB_CREATOR"]),
        ("pkpanda", "Prasanta Kumar Panda", "od.dhenkanal",
         ["ESTIMATE_VERIFIER", "MB_VERIFIER"]),
        ("bnayak", "Bijay Nayak", "od.dhenkanal", ["TECHNICAL_SANCTIONER", "MB_APPROVER"]),
        ("rates.dkl", "Smita Rath", "od.dhenkanal", ["MDMS_CITY_ADMIN"]),
    ]:
        create_user(ctx.db, login=login, name=name, tenant=tenant, roles=roles,
                    password="secret1", granted_by=ctx.actor)
    dialog = open_users(qtbot, ctx, rows=5)
    dialog.table.selectRow(dialog.model.row_of("ssdas"))
    QApplication.processEvents()
    picture = dialog.grab()
    assert not picture.isNull()
    assert picture.width() >= 600
    assert picture.save(str(out_dir / "shell-users.png"))
