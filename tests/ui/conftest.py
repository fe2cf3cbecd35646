"""Fixtures of the UI tests."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from sor_support import TODAY

from mukta_desktop.services.database import Database
from mukta_desktop.services.demo import load_demo


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_gui_thread() -> Iterator[None]:
    """Python's cyclic GC can start on a worker thread while Qt deletes widgets on the GUI
    thread; PySide then traverses wrappers in mid-destruction and crashes. The application
    collects on the GUI thread only (mukta_desktop.ui.gc_control); the tests do the same."""
    gc.disable()
    yield
    gc.enable()
    gc.collect()


@pytest.fixture
def demo_db(db: Database) -> Database:
    load_demo(db, today=TODAY)
    return db
