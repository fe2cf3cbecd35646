"""Where an installation keeps its data unless `--data-dir` says otherwise."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_DIR_NAME = "mukta-desktop"
APP_AUTHOR = "MUKTA"


def default_data_dir() -> Path:
    """The platform's user data directory (e.g. ~/.local/share/mukta-desktop on Linux)."""
    return platformdirs.user_data_path(APP_DIR_NAME, APP_AUTHOR)
