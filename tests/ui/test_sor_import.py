"""The import dialog: a file in, a report out; a refused file imports nothing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sor_support import CITY_ADMIN, STATE_ADMIN, TODAY, WAIT, make_ctx, wait_idle

from mukta_desktop.services.database import Database
from mukta_desktop.services.sor_catalog import SorQuery, get_sor, search_sors
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.sor.import_dialog import ImportDialog

_importer = pytest.importorskip("mukta_desktop.services.sor_import")
if not hasattr(_importer, "import_sor_file"):
    pytest.skip("the importer (import_sor_file) is not there yet", allow_module_level=True)


@pytest.fixture
def admin(qtbot: QtBot, db: Database) -> Iterator[UiContext]:
    ctx = make_ctx(db, STATE_ADMIN)
    yield ctx
    wait_idle(qtbot, ctx)


def _dialog(qtbot: QtBot, ctx: UiContext) -> ImportDialog:
    dialog = ImportDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _count(db: Database) -> int:
    return search_sors(db, SorQuery(status=None), TODAY).total


def test_a_file_that_is_not_a_workbook_is_refused(qtbot: QtBot, admin: UiContext,
                                                  tmp_path: Path) -> None:
    bad = tmp_path / "schedule.xlsx"
    bad.write_text("this is a text file, renamed", encoding="utf-8")
    dialog = _dialog(qtbot, admin)
    assert not dialog.import_button.isEnabled()
    dialog.set_path(bad)
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=WAIT) as signal:
        dialog.import_button.click()
    report = signal.args[0]
    assert not report.ok
    assert "refused, nothing imported" in dialog.summary.text()
    assert dialog.outcome.text().startswith("Nothing was imported")
    assert dialog.problems_view.isVisibleTo(dialog)
    assert dialog.problems.rowCount() == len(report.problems) >= 1
    problem = dialog.problems.data(dialog.problems.index(0, 3))
    assert "schedule.xlsx" in problem
    assert _count(admin.db) == 0


def test_bad_rows_are_listed_with_sheet_row_and_column(qtbot: QtBot, admin: UiContext,
                                                       reference: Path, tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "sor-bad.xlsx"
    shutil.copy(reference / "sor-mdt.xlsx", path)
    book = openpyxl.load_workbook(path)
    sheet = book["SOR"]
    sheet["G4"] = "BUCKETS"  # an unknown unit
    sheet["J7"] = -345  # a negative rate
    book.save(path)
    dialog = _dialog(qtbot, admin)
    dialog.set_path(path)
    with qtbot.waitSignal(dialog.imported, timeout=WAIT) as signal:
        dialog.start_import()
    report = signal.args[0]
    assert not report.ok
    rows = {(p.sheet, p.row) for p in report.problems}
    assert ("SOR", 4) in rows
    assert ("SOR", 7) in rows
    model = dialog.problems
    shown = {(model.data(model.index(r, 0)), model.data(model.index(r, 1)))
             for r in range(model.rowCount())}
    assert ("SOR", "4") in shown
    assert _count(admin.db) == 0


def test_the_official_workbook_imports(qtbot: QtBot, admin: UiContext, reference: Path) -> None:
    dialog = _dialog(qtbot, admin)
    dialog.set_path(reference / "sor-mdt.xlsx")
    with qtbot.waitSignal(dialog.imported, timeout=WAIT) as signal:
        dialog.start_import()
    report = signal.args[0]
    assert report.ok, report.problems
    assert not dialog.problems_view.isVisibleTo(dialog)
    assert dialog.outcome.text().startswith("Imported")
    assert "5 SOR(s) created" in dialog.summary.text()
    detail = get_sor(admin.db, "FL00001", at=TODAY)
    assert detail.current is not None
    assert str(detail.current.total) == "5026.14"


def test_city_admin_imports_for_own_ulb_only(qtbot: QtBot, db: Database) -> None:
    ctx = make_ctx(db, CITY_ADMIN, tenant="od.jatni")
    dialog = _dialog(qtbot, ctx)
    assert dialog.tenant.count() == 1
    assert dialog.tenant.currentData() == "od.jatni"
    assert not dialog.tenant.isEnabled()
    wait_idle(qtbot, ctx)
