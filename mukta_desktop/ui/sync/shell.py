"""What the main window gets for sync: the File menu's actions, the status bar indicator and
the controller behind them, wired together in one place so the window needs three lines."""

from __future__ import annotations

import httpx
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from ..context import UiContext
from ..widgets import alive
from .conflicts_dialog import ConflictsDialog
from .controller import SyncController, SyncView
from .enrol_dialog import EnrolDialog
from .status_bar import SyncStatusWidget


class SyncUi(QObject):
    """Built by the main window before its menus and status bar; `start()` reads the status
    and begins looking for the server when this installation is enrolled. `records_changed`
    follows rounds (and conflict resolutions) that changed local records."""

    records_changed = Signal()

    def __init__(
        self,
        window: QMainWindow,
        ctx: UiContext,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.controller = SyncController(ctx, transport=transport, parent=self)
        self.status_widget = SyncStatusWidget(window)

        self.sync_now_action = QAction("Sync &now", window)
        self.sync_now_action.setObjectName("syncNowAction")
        self.sync_now_action.setShortcut(QKeySequence("F9"))
        self.sync_now_action.setStatusTip("Send what waits to the head office and fetch what "
                                          "changed there (F9)")
        self.sync_now_action.setEnabled(False)
        self.sync_now_action.triggered.connect(self.sync_now)
        self.connect_action = QAction("&Connect to head office…", window)
        self.connect_action.setObjectName("connectAction")
        self.connect_action.setStatusTip("Enrol this PC with the head office server so its "
                                         "records sync")
        self.connect_action.triggered.connect(self.show_enrolment)
        self.conflicts_action = QAction("Sync &conflicts…", window)
        self.conflicts_action.setObjectName("conflictsAction")
        self.conflicts_action.setStatusTip("Changes the head office server did not take, and "
                                           "what to do with each")
        self.conflicts_action.triggered.connect(self.show_conflicts)
        self.actions: list[QAction] = [self.connect_action, self.sync_now_action,
                                       self.conflicts_action]

        self.controller.changed.connect(self._show)
        self.controller.photo_progress.connect(self.status_widget.show_progress)
        self.controller.records_changed.connect(self.records_changed)
        self.status_widget.conflicts_clicked.connect(self.show_conflicts)
        self._conflicts: ConflictsDialog | None = None

    def add_to_menu(self, menu: QMenu, before: QAction | None = None) -> None:
        """The sync actions, in a group of their own above `before`."""
        if before is None:
            menu.addSeparator()
            menu.addActions(self.actions)
            return
        menu.insertActions(before, self.actions)
        menu.insertSeparator(before)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def sync_now(self) -> None:
        self.controller.sync_now()

    def show_enrolment(self) -> EnrolDialog:
        dialog = EnrolDialog(self.ctx, current_server=self.controller.view.server,
                             transport=self.controller.transport, parent=self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.enrolled.connect(lambda _enrolled: self.controller.after_enrolment())
        dialog.open()
        return dialog

    def show_conflicts(self) -> ConflictsDialog:
        """One Sync conflicts window at a time (raised again when already open)."""
        if self._conflicts is not None and alive(self._conflicts):
            self._conflicts.refresh()
            self._conflicts.raise_()
            self._conflicts.activateWindow()
            return self._conflicts
        dialog = ConflictsDialog(self.ctx, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(self._after_resolution)
        self._conflicts = dialog
        dialog.show()
        return dialog

    def _after_resolution(self, _resolution: object) -> None:
        self.controller.refresh()
        self.records_changed.emit()

    def _show(self, view: SyncView) -> None:
        self.status_widget.show_view(view)
        self.sync_now_action.setEnabled(view.enrolled and not view.syncing)
