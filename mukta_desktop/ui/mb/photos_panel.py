"""The site photos of an MB: thumbnails with capture time (India) and GPS, adding from a file or
the camera, removing, and a larger view.

Importing a picture (checks, turning upright, downscaling, hashing, storing) runs on the runner
through the editor's queue of service calls (editor_jobs.py: each photo changes the MB's
version); a busy bar shows meanwhile and the window stays usable. Refusals — not a picture,
truncated, too many pixels, over 50 MB, a sixth photo — are said in plain words under the
thumbnails. An MB takes at most five photos: the add buttons are off at five and say why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSettings, QSize, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.mb import MAX_PHOTOS
from mukta_desktop.services.mb_views import MbView, PhotoView
from mukta_desktop.services.measurement_books import add_photo, get_mb, remove_photo

from ..context import UiContext
from ..messages import describe
from ..widgets import InlineMessage, alive, muted
from .camera_dialog import NO_CAMERA, CameraDialog, video_inputs
from .editor_jobs import SerialJobs
from .editor_models import THUMBNAIL, PhotosTableModel, photo_caption

FOLDER_KEY = "photos/folder"
FILE_FILTER = "Pictures (*.jpg *.jpeg *.png *.JPG *.JPEG *.PNG);;JPEG (*.jpg *.jpeg);;PNG (*.png)"
FULL_SIZE = QSize(1100, 800)
FULL_TIP = (f"An MB takes at most {MAX_PHOTOS} photos: remove one to add another.")


class PhotosPanel(QWidget):
    """Emits `photos_changed(MbView)` after a photo was added or removed (the MB's new
    version and photos)."""

    photos_changed = Signal(object)

    def __init__(self, ctx: UiContext, jobs: SerialJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photosPanel")
        self.ctx = ctx
        self.jobs = jobs
        self.number = ""
        self.editable = False
        self.busy = False
        self.cameras: list[object] | None = None  # looked for once, when first needed
        self.viewer: PhotoDialog | None = None
        self.camera_dialog: CameraDialog | None = None

        self.caption = QLabel()
        self.caption.setObjectName("photosCaption")
        self.model = PhotosTableModel(self)
        self.list = QListView()
        self.list.setObjectName("photosList")
        self.list.setModel(self.model)
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(THUMBNAIL)
        self.list.setGridSize(QSize(THUMBNAIL.width() + 60, THUMBNAIL.height() + 58))
        self.list.setSpacing(4)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setAccessibleName("Site photos")
        self.list.setMinimumHeight(THUMBNAIL.height() // 2 + 40)
        # It takes the height there is (the side panel scrolls rather than grow past it).
        self.list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.list.activated.connect(self.open_photo)
        self.empty = muted(QLabel("No site photos yet."))
        self.empty.setObjectName("photosEmpty")

        self.add_button = QPushButton("Add from file…")
        self.add_button.setObjectName("addPhoto")
        self.add_button.clicked.connect(self.add_from_file)
        self.camera_button = QPushButton("Take photo…")
        self.camera_button.setObjectName("takePhoto")
        self.camera_button.clicked.connect(self.take_photo)
        self.remove_button = QPushButton("Remove photo")
        self.remove_button.setObjectName("removePhoto")
        self.remove_button.setToolTip("Take the selected photo off this MB")
        self.remove_button.clicked.connect(self.remove_selected)
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("photoBusy")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumHeight(8)
        self.busy_bar.setTextVisible(False)
        self.busy_label = muted(QLabel())
        self.busy_label.setObjectName("photoBusyText")
        self.message = InlineMessage()
        self.message.setObjectName("photosMessage")

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        layout.addWidget(self.camera_button)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.message)
        self.list.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        self._set_busy(False)

    # ---------------------------------------------------------------- showing
    @property
    def photos(self) -> list[PhotoView]:
        return self.model.rows

    def set_view(self, view: MbView) -> None:
        self.number = view.number
        self.editable = view.editable
        self.show_photos(view.photos)
        if self.editable and self.cameras is None:
            # Qt Multimedia is loaded after the window is shown, not while it loads.
            QTimer.singleShot(0, self, self.look_for_cameras)

    def show_photos(self, photos: tuple[PhotoView, ...] | list[PhotoView]) -> None:
        self.model.set_photos(photos)
        count = len(photos)
        self.caption.setText(f"<b>Site photos</b> — {count} of {MAX_PHOTOS} · double-click one "
                             "to see it larger")
        self.empty.setVisible(count == 0)
        self._update_buttons()

    def look_for_cameras(self) -> None:
        """Which cameras there are (Qt Multimedia, imported now): the camera button says when
        there is none."""
        self.cameras = list(video_inputs())
        self._update_buttons()

    def _update_buttons(self) -> None:
        editable = self.editable
        full = len(self.photos) >= MAX_PHOTOS
        for button in (self.add_button, self.camera_button, self.remove_button):
            button.setVisible(editable)
        self.add_button.setEnabled(editable and not full and not self.busy)
        self.camera_button.setEnabled(editable and not full and not self.busy)
        no_camera = self.cameras is not None and not self.cameras
        self.camera_button.setText(NO_CAMERA if no_camera else "Take photo…")
        if full:
            self.add_button.setToolTip(FULL_TIP)
            self.camera_button.setToolTip(FULL_TIP)
        else:
            self.add_button.setToolTip("Add a JPEG or PNG picture of the site (at most "
                                       f"{MAX_PHOTOS}; capture time and GPS are read from it)")
            self.camera_button.setToolTip(
                "No camera is connected: choose a picture file instead" if no_camera
                else "Take a picture with this computer's camera")
        self.remove_button.setEnabled(editable and not self.busy
                                      and self.list.currentIndex().isValid())

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        self.busy_bar.setVisible(busy)
        self.busy_label.setText(text)
        self.busy_label.setVisible(busy)
        self._update_buttons()

    # ---------------------------------------------------------------- adding
    def add_from_file(self) -> None:
        if not self.editable or self.busy:
            return
        settings = QSettings()
        folder = str(settings.value(FOLDER_KEY, "") or "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation)
        chosen, _ = QFileDialog.getOpenFileName(self, "Add a site photo", folder, FILE_FILTER)
        if not chosen:
            return
        path = Path(chosen)
        settings.setValue(FOLDER_KEY, str(path.parent))
        self.import_file(path)

    def take_photo(self) -> None:
        """The camera's dialog; with no camera, say so and offer a file instead."""
        if not self.editable or self.busy:
            return
        if not self.cameras:
            self.look_for_cameras()
        if not self.cameras:
            self.message.show_hint("No camera was found on this computer: choose a picture "
                                   "file instead.")
            self.add_from_file()
            return
        dialog = CameraDialog(self.cameras[0], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.captured.connect(lambda path: self.import_file(path, temporary=True))
        self.camera_dialog = dialog
        dialog.open()

    def import_file(self, path: Path, *, temporary: bool = False) -> None:
        """Attach the picture at `path` (on the runner); `temporary`: a camera capture, deleted
        once imported."""
        db, actor, number = self.ctx.db, self.ctx.actor, self.number

        def attach() -> None:
            try:
                add_photo(db, actor, number, path)
            finally:
                if temporary:
                    path.unlink(missing_ok=True)

        self._change(attach, f"Importing {path.name}…", f"Added {path.name}.")

    def remove_selected(self) -> None:
        photo = self.model.row_at(self.list.currentIndex().row())
        if photo is None or self.busy:
            return
        db, actor, number = self.ctx.db, self.ctx.actor, self.number
        self._change(lambda: remove_photo(db, actor, number, photo.id),
                     f"Removing {photo.original_name}…", f"Removed {photo.original_name}.")

    def _change(self, change: Callable[[], object], doing: str, done_text: str) -> None:
        """Make `change` on the runner (in the editor's queue), then read the MB again: its
        photos and its new version."""
        if not self.editable:
            return
        db, actor, number = self.ctx.db, self.ctx.actor, self.number
        self.message.clear_message()
        self._set_busy(True, doing)

        def work() -> MbView:
            change()
            return get_mb(db, number, viewer=actor)

        def done(view: MbView) -> None:
            self._set_busy(False)
            self.show_photos(view.photos)
            self.message.show_info(done_text)
            self.photos_changed.emit(view)

        def failed(exc: Exception) -> None:
            self._set_busy(False)
            self.message.show_error(describe(exc))

        self.jobs.submit(lambda: work, done, failed)

    # ---------------------------------------------------------------- looking
    def open_photo(self, index: QModelIndex) -> PhotoDialog | None:
        photo = self.model.row_at(index.row())
        if photo is None:
            return None
        dialog = PhotoDialog(self.ctx, photo, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.viewer = dialog
        dialog.open()
        return dialog


def _load_picture(path: Path, bound: QSize) -> QImage:
    """The stored picture, scaled to fit `bound` (a QImage: made safely off the GUI thread)."""
    image = QImage(str(path))
    if image.isNull():
        raise FileNotFoundError(2, "the picture is missing or unreadable", str(path))
    if image.width() > bound.width() or image.height() > bound.height():
        image = image.scaled(bound, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image


class PhotoDialog(QDialog):
    """One site photo, larger, with its caption. The stored picture is read on the runner; the
    thumbnail shows meanwhile."""

    def __init__(self, ctx: UiContext, photo: PhotoView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoDialog")
        self.setWindowTitle(photo.original_name)
        self.photo = photo
        self.loaded = False
        self.picture = QLabel()
        self.picture.setObjectName("photoPicture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        thumbnail = QPixmap()
        thumbnail.loadFromData(photo.thumbnail)
        self.picture.setPixmap(thumbnail)
        scroll = QScrollArea()
        scroll.setWidget(self.picture)
        scroll.setWidgetResizable(True)
        scroll.setMinimumSize(640, 480)
        self.caption = QLabel(photo_caption(photo).replace("\n", " · ")
                              + f" · {photo.width} × {photo.height} px")
        self.caption.setObjectName("photoCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = InlineMessage()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.caption)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(FULL_SIZE.width() + 40, FULL_SIZE.height() + 100)

        path = photo.path

        def done(image: QImage) -> None:
            if alive(self):
                self.picture.setPixmap(QPixmap.fromImage(image))
                self.loaded = True

        def failed(exc: Exception) -> None:
            if alive(self):
                self.message.show_error(f"The full picture cannot be shown: {describe(exc)}")

        ctx.runner.submit(lambda: _load_picture(path, FULL_SIZE), done, failed)
