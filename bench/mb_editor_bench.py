"""MB editor benchmarks against the budgets of the MB editor issue:

- an MB of 300 lines × 10 measurement rows: load into the editor's models (from the MbView the
  service returns to the document, its models, totals, photos, history and timeline) ≤ 300 ms;
- recompute after editing one cell (parse, undo command, the row, its line, its ceiling group,
  the running totals and utilization, the model notifications, the totals panel and the
  ceiling bar) ≤ 16 ms: one item's figures, not all 300.

Each figure is the median wall time, with the CPU time beside it. The MB is made through the
services: an approved 300 × 10 estimate (the estimate bench's), its work order, and an MB whose
lines carry the estimate's own rows (what "Copy rows for all lines" gives).

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.mb_editor_bench
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import timedelta
from functools import partial
from pathlib import Path

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QApplication

from bench.editor_bench import _wait
from bench.estimate_bench import LINES, ROWS, TODAY, _draft, _fill_sors, _report, _timed
from bench.mb_bench import OFFICER, _approved_estimate, _rows_of
from mukta_desktop.domain.mb import compute_mb
from mukta_desktop.services.database import Database, open_database
from mukta_desktop.services.masters import read_masters
from mukta_desktop.services.mb_views import MbLineDraft
from mukta_desktop.services.measurement_books import create_mb, get_mb
from mukta_desktop.services.work_orders import create_work_order
from mukta_desktop.ui.background import Runner
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.estimates.editor_models import MeasurementsTableModel as M
from mukta_desktop.ui.mb.editor_models import RowsTableModel
from mukta_desktop.ui.mb.editor_window import MbEditorWindow


def build_mb(db: Database) -> str:
    started = time.perf_counter()
    codes = _fill_sors(db)
    estimate = _approved_estimate(db, "Bench project, MB editor", _draft(codes))
    order = create_work_order(db, OFFICER, estimate_number=estimate, organisation="Bench SHG",
                              start=TODAY - timedelta(days=6),
                              end=TODAY + timedelta(days=365), today=TODAY)
    lines = [MbLineDraft(line.key, _rows_of(db, estimate, line.position)) for line in order.lines]
    view = create_mb(db, OFFICER, order.number, today=TODAY, lines=lines)
    rows = sum(len(line.item.rows) for line in view.lines)
    print(f"(made {view.number}: {len(view.lines)} lines, {rows} rows, total ₹ "
          f"{view.totals.total}, in {time.perf_counter() - started:.1f} s through the services)")
    return view.number


def bench_editor(app: QApplication, db: Database, number: str) -> None:
    ctx = UiContext(db=db, actor=OFFICER, masters=read_masters(db), runner=Runner(),
                    today=lambda: TODAY)
    window = MbEditorWindow(ctx, number)
    window.saver.set_delays(3_600_000, 3_600_000)  # no saving while timing
    window.show()
    _wait(app, lambda: window.view is not None and window.jobs.pending == 0)
    view = get_mb(db, number, viewer=OFFICER)

    # Load: MbView → document → populated models, totals, photos, history, timeline
    loads = []
    for _ in range(15):
        loads.append(_timed(lambda: window.show_view(view)))
        app.processEvents()
    assert window.lines_model.rowCount() == LINES
    assert window.rows_model.rowCount() == ROWS + 1  # the first line's rows and the new row
    _report(f"load {LINES} × {ROWS} into the MB editor's models (median of {len(loads)})",
            loads, 300)

    # One cell edit → every figure (median of many); some edits cross an item's ceiling
    rng = random.Random(16)
    model = window.rows_model
    document = window.document
    edits = []
    for n in range(400):
        window.select_line(document.items[rng.randrange(LINES)])
        row = rng.randrange(ROWS)
        column = rng.choice((M.NUMBER, M.LENGTH, M.BREADTH, M.DEPTH))
        text = f"{rng.randint(1, 99999) / 100:.2f}" if n % 5 else "1,234.5"
        index = model.index(row, column)
        edits.append(_timed(partial(_edit, model, index, text)))
        if n % 50 == 0:
            app.processEvents()  # repaint now and then, as the event loop would
    _report(f"recompute after editing one cell (median of {len(edits)})", edits, 16)
    walls = sorted(t[0] for t in edits)
    print(f"{'':<58} p95 {walls[int(len(walls) * 0.95)]:.2f} ms, max {walls[-1]:.2f} ms; "
          f"{len(document.ceiling_problems)} items over their ceiling now")

    # The incremental figures equal a full recompute; and what that would cost per keystroke
    items = [line.to_item() for line in document.items]
    fulls = [_timed(lambda: compute_mb(items)) for _ in range(10)]
    assert document.mb_totals() == compute_mb(items), "the incremental figures differ"
    _report("(a full compute_mb of the MB, for comparison: not done per edit)", fulls, None)

    undos = []
    for _ in range(100):
        undos.append(_timed(window.editing.stack.undo))
        undos.append(_timed(window.editing.stack.redo))
    _report("undo or redo of one cell edit (median of 200)", undos, 16)
    snapshots = [_timed(document.to_mb_draft) for _ in range(10)]
    _report("autosave snapshot of the draft on the GUI thread (median)", snapshots, 16)
    window.saver.reset(document.revision)  # nothing to save on closing
    window.close()
    ctx.runner.wait_for_idle()


def _edit(model: RowsTableModel, index: QModelIndex, text: str) -> None:
    assert model.setData(index, text)


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "data")
        number = build_mb(db)
        bench_editor(app, db, number)
        db.close()


if __name__ == "__main__":
    main()
