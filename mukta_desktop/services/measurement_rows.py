"""Measurement rows (plus/minus, name, No., L, B, D) as estimates and MBs store them, read
and written in bulk: an estimate or MB holds thousands and is saved every few seconds.

Plain columns rather than ORM objects (several times faster to load), and executemany
inserts straight to the driver with the Decimals as the exact text `DecimalText` stores."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.measurements import MeasurementRow, RowKind

ROW_COLUMNS = ("id", "line_id", "position", "kind", "name", "number", "length", "breadth", "depth")
_KINDS = {kind.value: kind for kind in RowKind}
CHUNK = 900  # ids per IN (...): SQLite allows 999 bound parameters in older builds


def insert_sql(table: Table) -> str:
    return (
        f"INSERT INTO {table.name} ({', '.join(ROW_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in ROW_COLUMNS)})"
    )


def read_rows(
    session: Session, table: Table, line_ids: Sequence[str]
) -> dict[str, list[MeasurementRow]]:
    """The rows of each line, in order (every line id present, rows or not)."""
    rows: dict[str, list[MeasurementRow]] = {line_id: [] for line_id in line_ids}
    ids = list(line_ids)
    c = table.c
    for offset in range(0, len(ids), CHUNK):
        for line_id, kind, name, number, length, breadth, depth in session.execute(
            select(c.line_id, c.kind, c.name, c.number, c.length, c.breadth, c.depth)
            .where(c.line_id.in_(ids[offset : offset + CHUNK]))
            .order_by(c.line_id, c.position)
        ):
            rows[line_id].append(MeasurementRow(_KINDS[kind], name, number, length, breadth, depth))
    return rows


def row_values(line_id: str, rows: Iterable[MeasurementRow]) -> Iterator[tuple[object, ...]]:
    """Driver parameters of `insert_sql` for the rows of one line."""
    for position, row in enumerate(rows):
        yield (
            new_id(),
            line_id,
            position,
            row.kind.value,
            row.name,
            _text(row.number),
            _text(row.length),
            _text(row.breadth),
            _text(row.depth),
        )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
