"""Fixtures of the report tests: estimates made once per session through the services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from report_support import approve, create, make_revision

from mukta_desktop.domain.deviation import Statement
from mukta_desktop.services.database import Database, open_database
from mukta_desktop.services.estimate_views import EstimateView


@pytest.fixture(scope="session")
def approved_estimate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EstimateView]:
    """An approved estimate: SOR lines with a deduction, an Odia non-SOR line, overheads."""
    db: Database = open_database(tmp_path_factory.mktemp("estimate") / "data")
    try:
        yield approve(db, create(db).number)
    finally:
        db.close()


@pytest.fixture(scope="session")
def revision(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EstimateView, EstimateView, Statement]]:
    """(original, revision, statement): a changed quantity, a removed line, extra items."""
    db: Database = open_database(tmp_path_factory.mktemp("revision") / "data")
    try:
        yield make_revision(db)
    finally:
        db.close()
