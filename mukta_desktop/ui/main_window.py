"""The main window: sections on the left, the chosen section on the right, menus, status bar.

Only sections that work are listed. Each section is a widget with a `title`, its
`actions_for_menu` (put in a menu named after it) and `refresh()`; it gets the UiContext
and shows or hides its own buttons by the actor's roles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, cast

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from mukta_desktop.domain.roles import ROLE_LABELS

from .about_dialog import AboutDialog
from .context import UiContext
from .estimates.inbox_section import InboxSection
from .estimates.projects_section import ProjectsSection
from .masters_section import MastersSection
from .mb.search_section import MbSearchSection
from .mb.work_orders_section import WorkOrdersSection
from .messages import show_error
from .settings_dialog import Preferences, SettingsDialog
from .sor.section import SorSection
from .sync import SyncUi
from .sync.status_bar import OFFLINE_TEXT as OFFLINE_TEXT
from .users_dialog import UsersDialog

APP_NAME = "MUKTA Desktop"
GEOMETRY_KEY = "main_window/geometry"
STATE_KEY = "main_window/state"
SPLITTER_KEY = "main_window/splitter"
SECTION_KEY = "main_window/section"


class Section(Protocol):
    """What the shell needs of a section widget (SorSection is one)."""

    title: str
    actions_for_menu: list[QAction]

    def refresh(self) -> None: ...


SectionFactory = Callable[[UiContext], QWidget]


def default_sections() -> list[SectionFactory]:
    """The sections that work today, in the order they are listed (the Inbox is home)."""
    return [InboxSection, ProjectsSection, WorkOrdersSection, MbSearchSection, SorSection,
            MastersSection]


class ElidedLabel(QLabel):
    """A label for a long path: elided in the middle to fit, the full text in the tooltip."""

    def __init__(self, text: str, parent: QWidget | None = None, *, preferred: int = 320) -> None:
        super().__init__(parent)
        self._full = text
        self._preferred = preferred
        self.setToolTip(text)
        self.setMinimumWidth(80)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        wanted = self.fontMetrics().horizontalAdvance(self._full) + 8
        return QSize(min(wanted, self._preferred), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.width(), self.minimumWidth()) - 4
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle,
                                                   width))


class MainWindow(QMainWindow):
    """Emits `signed_out` after File → Sign out, `closed` when the user quits."""

    signed_out = Signal()
    closed = Signal()

    def __init__(self, ctx: UiContext, *, data_dir: Path, log_file: Path,
                 sections: Sequence[SectionFactory] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data_dir = data_dir
        self.log_file = log_file
        self._signing_out = False
        self._closing_done = False
        self._quit_confirmed = False
        self.setObjectName("mainWindow")
        self.tenant_name = ctx.masters.tenant_name(ctx.actor.tenant)
        self.setWindowTitle(f"{APP_NAME} — {ctx.actor.name} ({self.tenant_name})")

        self.navigation = QListWidget(self)
        self.navigation.setObjectName("navigation")
        self.navigation.setMinimumWidth(150)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("sectionStack")
        self.sections: list[QWidget] = []
        for factory in sections if sections is not None else default_sections():
            widget = factory(ctx)
            self.sections.append(widget)
            self.stack.addWidget(widget)
            QListWidgetItem(self._section(widget).title, self.navigation)
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("splitter")
        self.splitter.addWidget(self.navigation)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([190, 1000])
        self.setCentralWidget(self.splitter)

        self.sync = SyncUi(self, ctx)
        self._build_menus()
        self._build_status_bar()
        ctx.runner.busy_changed.connect(self._set_busy)
        ctx.runner.error.connect(self._on_unhandled_error)
        self._set_busy(ctx.runner.pending > 0)
        self._restore_layout()
        self.sync.records_changed.connect(self._refresh_current_section)
        self.sync.start()

    @staticmethod
    def _section(widget: QWidget) -> Section:
        return cast(Section, widget)

    # -- building -------------------------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.users_action = QAction("&Users…", self)
        self.users_action.setObjectName("usersAction")
        self.users_action.setStatusTip("See who may sign in on this computer, and add a user")
        self.users_action.triggered.connect(self.show_users)
        self.settings_action = QAction("&Settings…", self)
        self.settings_action.setObjectName("settingsAction")
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.show_settings)
        self.sign_out_action = QAction("Sign &out", self)
        self.sign_out_action.setObjectName("signOutAction")
        self.sign_out_action.setStatusTip(f"Sign out {self.ctx.actor.name}; another user may "
                                          "sign in")
        self.sign_out_action.triggered.connect(self.sign_out)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setObjectName("quitAction")
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.users_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.sign_out_action)
        file_menu.addAction(self.quit_action)
        self.sync.add_to_menu(file_menu, before=self.sign_out_action)

        self.section_actions: list[QAction] = []
        for index, widget in enumerate(self.sections):
            section = self._section(widget)
            menu = bar.addMenu(section.title)
            menu.setObjectName(f"sectionMenu{index}")
            go = QAction(f"Show {section.title}", self)
            go.setObjectName(f"showSection{index}")
            if index < 9:
                go.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            go.triggered.connect(lambda _checked=False, i=index: self.show_section(i))
            self.section_actions.append(go)
            menu.addAction(go)
            if section.actions_for_menu:
                menu.addSeparator()
                menu.addActions(section.actions_for_menu)

        help_menu = bar.addMenu("&Help")
        self.about_action = QAction("&About MUKTA Desktop…", self)
        self.about_action.setObjectName("aboutAction")
        self.about_action.setShortcut(QKeySequence("F1"))
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        actor = self.ctx.actor
        count = len(actor.roles)
        self.user_status = QLabel(f"{actor.name} · {count} role{'s' if count != 1 else ''}", self)
        self.user_status.setObjectName("userStatus")
        self.user_status.setToolTip(
            f"Signed in as {actor.login}\n"
            + "\n".join(ROLE_LABELS[r] for r in sorted(actor.roles, key=lambda r: r.value)))
        self.ulb_status = QLabel(self.tenant_name, self)
        self.ulb_status.setObjectName("ulbStatus")
        self.ulb_status.setToolTip(f"ULB: {self.tenant_name} ({actor.tenant})")
        self.database_status = ElidedLabel(str(self.ctx.db.path), self)
        self.database_status.setObjectName("databaseStatus")
        self.database_status.setToolTip(f"Database file: {self.ctx.db.path}")
        self.sync_status = self.sync.status_widget.label
        self.busy_indicator = QProgressBar(self)
        self.busy_indicator.setObjectName("busyIndicator")
        self.busy_indicator.setRange(0, 0)
        self.busy_indicator.setTextVisible(False)
        self.busy_indicator.setFixedSize(80, 12)
        self.busy_indicator.setToolTip("Working…")
        self.busy_indicator.setVisible(False)
        for widget in (self.busy_indicator, self.user_status, self.ulb_status,
                       self.database_status, self.sync.status_widget):
            status.addPermanentWidget(widget)
        # A thin line between the permanent items, so they do not read as one sentence.
        status.setStyleSheet("QStatusBar::item { border: none; border-left: 1px solid "
                             "palette(mid); } QStatusBar QLabel { padding: 0 6px; }")

    # -- layout persistence ---------------------------------------------------------------

    def _restore_layout(self) -> None:
        settings = QSettings()
        geometry = settings.value(GEOMETRY_KEY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1200, 760)
        state = settings.value(STATE_KEY)
        if state is not None:
            self.restoreState(state)
        splitter = settings.value(SPLITTER_KEY)
        if splitter is not None:
            self.splitter.restoreState(splitter)
        index = int(str(settings.value(SECTION_KEY, 0)) or 0) if self.sections else -1
        self.show_section(index if 0 <= index < len(self.sections) else 0)

    def save_layout(self) -> None:
        settings = QSettings()
        settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        settings.setValue(STATE_KEY, self.saveState())
        settings.setValue(SPLITTER_KEY, self.splitter.saveState())
        settings.setValue(SECTION_KEY, max(self.navigation.currentRow(), 0))
        settings.sync()

    # -- actions --------------------------------------------------------------------------

    def current_section(self) -> QWidget | None:
        return self.stack.currentWidget()

    def show_section(self, index: int) -> None:
        if 0 <= index < len(self.sections):
            self.navigation.setCurrentRow(index)

    def show_settings(self) -> None:
        dialog = SettingsDialog(self.data_dir, self.ctx.db.path, self.log_file, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_users(self) -> UsersDialog:
        dialog = UsersDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_about(self) -> None:
        dialog = AboutDialog(self.data_dir, self.ctx.db.path, self.log_file, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def sign_out(self) -> None:
        self._signing_out = True
        if not self.close():
            self._signing_out = False

    def confirm_quit(self) -> bool:
        """Ask before quitting (only when the preference says so)."""
        answer = QMessageBox.question(
            self, "Quit MUKTA Desktop",
            "Quit MUKTA Desktop? Your work is saved.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _close_document_windows(self) -> bool:
        """Close the editor windows first, so each saves what was typed; False while one is
        still saving."""
        all_closed = True
        for widget in QApplication.topLevelWidgets():
            if widget is self or not widget.isVisible():
                continue
            if not hasattr(widget, "has_unsaved_changes"):
                continue
            if not widget.close():
                all_closed = False
                getattr(widget, "closed").connect(self._close_again)  # noqa: B009
        return all_closed

    def _close_again(self) -> None:
        QTimer.singleShot(0, self.close)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing_done:
            event.accept()
            return
        if (
            not self._quit_confirmed
            and not self._signing_out
            and Preferences.load().confirm_quit
            and not self.confirm_quit()
        ):
            event.ignore()
            return
        self._quit_confirmed = True
        if not self._close_document_windows():
            # An editor is still saving; it says `closed` when done and we close again then.
            event.ignore()
            return
        self.save_layout()
        self.sync.stop()
        self._closing_done = True
        try:
            self.ctx.runner.busy_changed.disconnect(self._set_busy)
            self.ctx.runner.error.disconnect(self._on_unhandled_error)
        except (RuntimeError, TypeError):  # already disconnected
            pass
        event.accept()
        if self._signing_out:
            self.signed_out.emit()
        else:
            self.closed.emit()

    # -- runner feedback ------------------------------------------------------------------

    def _refresh_current_section(self) -> None:
        """After a sync that brought changes: the section in view reads again (the others
        read when shown)."""
        widget = self.current_section()
        if widget is not None:
            self._section(widget).refresh()

    def _set_busy(self, busy: bool) -> None:
        self.busy_indicator.setVisible(busy)

    def _on_unhandled_error(self, exc: object) -> None:
        if isinstance(exc, BaseException):
            show_error(self, exc)
