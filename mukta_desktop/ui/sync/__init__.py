"""Sync with the head office in the desktop: the status bar indicator and the automatic
rounds (controller), File → Sync now (F9), Connect to head office…, Sync conflicts…"""

from .controller import SyncController, SyncView
from .shell import SyncUi

__all__ = ["SyncController", "SyncUi", "SyncView"]
