"""Test set-up: Qt offscreen before any Qt import, the decimal FloatOperation trap on."""

from __future__ import annotations

import decimal
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"
TODAY = date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _float_trap() -> Iterator[None]:
    """Mixing float into Decimal arithmetic raises in every test."""
    context = decimal.getcontext()
    before = context.traps[decimal.FloatOperation]
    context.traps[decimal.FloatOperation] = True
    yield
    context.traps[decimal.FloatOperation] = before


@pytest.fixture
def reference() -> Path:
    if not REFERENCE.is_dir():
        pytest.fail(f"the shared reference data is missing at {REFERENCE}")
    return REFERENCE


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def db(data_dir: Path) -> Iterator[object]:
    from mukta_desktop.services.database import open_database

    database = open_database(data_dir)
    yield database
    database.close()
