"""Reading the MUKTA SOR workbooks: `SOR MDT.xlsx` (sheet SOR, two header rows, words, rates)
and the rate-analysis template (sheets Basic SORs and Works SORs, quoted codes, no rates).

Columns are found by their header text, so column order and extra columns do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from .report import ImportProblem
from .rows import (
    CODE,
    DEFINITION_FIELDS,
    DESCRIPTION,
    LABOUR_CESS,
    RATE_QUANTITY,
    SUB_TYPE,
    TOTAL,
    TYPE,
    UOM,
    VARIANT,
    Cell,
    Source,
    SourceRow,
    is_blank,
)

SOR_SHEETS = ("sor", "basic sors", "works sors")
HEADER_SCAN_ROWS = 10  # the header is among the first rows (the MDT file has a title row)

# Header text (normalised) -> field. "Matrial" is how the MUKTA bulk-upload file spells it.
HEADERS: dict[str, str] = {
    "code": CODE,
    "sor code": CODE,
    "type": TYPE,
    "sor type": TYPE,
    "sub type": SUB_TYPE,
    "subtype": SUB_TYPE,
    "sor sub type": SUB_TYPE,
    "variant": VARIANT,
    "sor variant": VARIANT,
    "sor description": DESCRIPTION,
    "description": DESCRIPTION,
    "uom": UOM,
    "unit": UOM,
    "unit of measurement": UOM,
    "qty for which rate is defined": RATE_QUANTITY,
    "quantity for which rate is defined": RATE_QUANTITY,
    "rate quantity": RATE_QUANTITY,
    "basic material rate": "material",
    "basic material": "material",
    "material": "material",
    "basic labour rate": "labour",
    "basic labour": "labour",
    "labour": "labour",
    "basic machinery rate": "machinery",
    "basic machinery": "machinery",
    "machinery": "machinery",
    "conveyance": "conveyance",
    "royalty": "royalty",
    "dmf": "dmf",
    "district mineral fund": "dmf",
    "district mineral fund dmf": "dmf",
    "emf": "emf",
    "exploration mineral fund": "emf",
    "exploration mineral fund emf": "emf",
    "additional charges": "additional",
    "additional charge": "additional",
    "labour cess": LABOUR_CESS,
    "total": TOTAL,
    "total rate": TOTAL,
}
# How a missing required column is named in messages (the MDT file's own headers).
REQUIRED_HEADERS: dict[str, str] = {
    CODE: "Code",
    TYPE: "Type",
    SUB_TYPE: "Sub Type",
    VARIANT: "Variant",
    DESCRIPTION: "SOR Description",
    UOM: "UOM",
    RATE_QUANTITY: "Qty for which rate is defined",
}
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_header(text: str) -> str:
    words = _NON_WORD.sub(" ", text.casefold().replace("matrial", "material"))
    return " ".join(words.split())


def field_of(value: object) -> str | None:
    return HEADERS.get(normalise_header(value)) if isinstance(value, str) else None


def not_a_workbook(path: Path, detail: str) -> str:
    return f"'{path.name}' is not an .xlsx workbook or .json SOR file ({detail})"


def read_workbook(path: Path) -> Source:
    """Every non-blank row of the SOR sheets, or why the file cannot be read."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    # openpyxl raises many kinds of error for a damaged or foreign file; all mean "unreadable".
    except Exception as exc:
        return Source.failed(not_a_workbook(path, _reason(exc)))
    try:
        sheets = _sor_sheets(book.worksheets)
        source = Source(sheets=[sheet.title for sheet in sheets])
        for sheet in sheets:
            _read_sheet(sheet, source)
        return source
    # A damaged sheet inside a valid zip fails only while being read.
    except Exception as exc:
        return Source.failed(not_a_workbook(path, _reason(exc)))
    finally:
        book.close()


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _sor_sheets(sheets: Sequence[Any]) -> list[Any]:
    """The sheets named like MUKTA's SOR sheets; a workbook with none of them: its first sheet."""
    named = [s for s in sheets if " ".join(str(s.title).casefold().split()) in SOR_SHEETS]
    return named or list(sheets[:1])


def _read_sheet(sheet: Any, source: Source) -> None:
    title = str(sheet.title)
    # The stored dimensions of a sheet can be wrong (other tools); read what is there.
    sheet.reset_dimensions()
    rows: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
    top = list(islice(rows, HEADER_SCAN_ROWS))
    header_index = _header_index(top)
    if header_index is None:
        if all(_blank_row(r) for r in top) and all(_blank_row(r) for r in rows):
            source.problems.append(ImportProblem(f"sheet '{title}' has no SOR rows", title))
        else:
            source.problems.append(
                ImportProblem(
                    f"no header row in the first {HEADER_SCAN_ROWS} rows; the header needs the "
                    f"columns {_names(DEFINITION_FIELDS)}",
                    title,
                )
            )
        return
    header_row = header_index + 1
    columns = _columns(top[header_index], title, header_row, source)
    if columns is None:
        return
    found = 0
    for number, values in enumerate(top[header_index + 1 :], start=header_row + 1):
        found += _add_row(source, title, number, values, columns)
    for number, values in enumerate(rows, start=len(top) + 1):
        found += _add_row(source, title, number, values, columns)
    if not found:
        source.problems.append(ImportProblem(f"sheet '{title}' has no SOR rows", title))


def _header_index(rows: Sequence[tuple[object, ...]]) -> int | None:
    """The row with the most SOR column headers (at least two); a title row above has none."""
    best: int | None = None
    best_count = 1
    for index, values in enumerate(rows):
        count = len({f for f in map(field_of, values) if f is not None})
        if count > best_count:
            best, best_count = index, count
    return best


def _columns(
    header: tuple[object, ...], sheet: str, row: int, source: Source
) -> dict[str, tuple[int, str]] | None:
    """Field -> (column index, header text as in the file); None when the header is unusable."""
    columns: dict[str, tuple[int, str]] = {}
    problems: list[ImportProblem] = []
    for index, value in enumerate(header):
        field = field_of(value)
        if field is None:
            continue
        text = " ".join(str(value).split())
        if field in columns:
            problems.append(
                ImportProblem(
                    f"columns '{columns[field][1]}' and '{text}' hold the same thing; keep one",
                    sheet,
                    row,
                    text,
                )
            )
        else:
            columns[field] = (index, text)
    missing = [f for f in DEFINITION_FIELDS if f not in columns]
    if missing:
        problems.append(
            ImportProblem(
                f"missing column(s) {_names(missing)}; the header row needs "
                f"{_names(DEFINITION_FIELDS)}",
                sheet,
                row,
            )
        )
    source.problems.extend(problems)
    return None if problems else columns


def _names(fields: Sequence[str]) -> str:
    return ", ".join(f"'{REQUIRED_HEADERS[f]}'" for f in fields)


def _blank_row(values: tuple[object, ...]) -> bool:
    return all(is_blank(v) for v in values)


def _add_row(
    source: Source,
    sheet: str,
    number: int,
    values: tuple[object, ...],
    columns: dict[str, tuple[int, str]],
) -> int:
    """Add the row unless every SOR cell is blank (a filled-in Sr. No. alone is not a row)."""
    cells = {
        field: Cell(values[index] if index < len(values) else None, text)
        for field, (index, text) in columns.items()
    }
    if all(is_blank(cell.value) for cell in cells.values()):
        return 0
    source.rows.append(SourceRow(sheet, number, cells))
    return 1
