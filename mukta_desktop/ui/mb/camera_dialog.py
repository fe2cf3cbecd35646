"""Taking a site photo with the computer's camera (Qt Multimedia).

Qt Multimedia is imported only when a camera is looked for, and an installation without it
(or a computer without a camera) simply has none: the photos panel then offers a file instead.
The dialog shows the camera's picture live (QCamera → QMediaCaptureSession → QVideoWidget);
**Take photo** writes a JPEG to a temporary file (QImageCapture), which the panel imports like
any other file (the same checks, downscaling and EXIF reading) and then deletes.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ..widgets import InlineMessage, muted

NO_CAMERA = "No camera found — add a photo from a file"


def video_inputs() -> list[Any]:
    """The cameras Qt Multimedia sees (QCameraDevice); none without Qt Multimedia."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:
        return []
    return list(QMediaDevices.videoInputs())


def capture_path() -> Path:
    """Where a captured picture is written before it is imported (then deleted)."""
    return Path(tempfile.gettempdir()) / f"mukta-camera-{uuid.uuid4().hex}.jpg"


class CameraDialog(QDialog):
    """The camera's live picture and a Take photo button; `captured(Path)` when the JPEG is
    written."""

    captured = Signal(object)

    def __init__(self, device: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QCamera, QImageCapture, QMediaCaptureSession
        from PySide6.QtMultimediaWidgets import QVideoWidget

        self.setObjectName("cameraDialog")
        self.setWindowTitle("Take a site photo")
        self.path = capture_path()
        self.camera = QCamera(device, self)
        self.capture = QImageCapture(self)
        self.capture.setFileFormat(QImageCapture.FileFormat.JPEG)
        self.capture.setQuality(QImageCapture.Quality.VeryHighQuality)
        self.session = QMediaCaptureSession(self)
        self.session.setCamera(self.camera)
        self.session.setImageCapture(self.capture)
        self.video = QVideoWidget()
        self.video.setMinimumSize(640, 480)
        self.session.setVideoOutput(self.video)

        self.message = InlineMessage()
        self.message.setObjectName("cameraMessage")
        self.buttons = QDialogButtonBox()
        self.take_button = self.buttons.addButton(
            "Take photo", QDialogButtonBox.ButtonRole.AcceptRole)
        self.take_button.setObjectName("cameraTake")
        self.take_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.take)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(muted(QLabel(f"Camera: {device.description()}")))
        layout.addWidget(self.video, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.capture.readyForCaptureChanged.connect(self.take_button.setEnabled)
        self.capture.imageSaved.connect(self._saved)
        self.capture.errorOccurred.connect(self._capture_failed)
        self.camera.errorOccurred.connect(self._camera_failed)
        if self.camera.error() != QCamera.Error.NoError:  # refused before it was connected
            self._camera_failed(self.camera.error(), self.camera.errorString())
        else:
            self.camera.start()

    def take(self) -> None:
        self.take_button.setEnabled(False)
        self.message.show_hint("Taking the photo…")
        self.capture.captureToFile(str(self.path))

    def _saved(self, _id: int, file_name: str) -> None:
        self.camera.stop()
        self.captured.emit(Path(file_name))
        self.accept()

    def _capture_failed(self, _id: int, _error: object, text: str) -> None:
        self.message.show_error(f"The photo was not taken: {text or 'the camera failed'}.")
        self.take_button.setEnabled(self.capture.isReadyForCapture())

    def _camera_failed(self, _error: object, text: str) -> None:
        self.message.show_error(f"The camera cannot be used: {text or 'it did not start'}. "
                                "Add a photo from a file instead.")

    def done(self, result: int) -> None:
        self.camera.stop()
        super().done(result)
