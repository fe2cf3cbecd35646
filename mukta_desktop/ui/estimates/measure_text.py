"""Measurement rows as text: cells typed in the grid, rows copied to and pasted from Excel.

Pure Python (no Qt). A copied row is tab-separated: kind, name, No., L, B, D (kind as
`plus`/`minus`, which Excel keeps as text). Pasted rows may have 6 columns like that, 5 (name,
No., L, B, D) or 4 (No., L, B, D); numbers may carry commas or Indian grouping. One bad cell
refuses the whole paste, naming the pasted row and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.measurements import (
    FACTOR_LABELS,
    FACTOR_NAMES,
    FACTOR_PLACES,
    MAX_FACTOR,
    MeasurementRow,
    RowKind,
)
from mukta_desktop.domain.numbers import decimal_places, format_indian, parse_decimal

MAX_NAME = 500
MAX_PASTE_ROWS = 5000
_PLUS = {"+", "plus", "p", "add", "addition", "measurement"}
_MINUS = {"-", "−", "–", "minus", "m", "d", "ded", "deduct", "deduction", "less"}
KIND_HELP = "type + for a measurement or − (or d) for a deduction"
PASTE_HELP = (
    "paste rows of 6 columns (+/−, name, No., L, B, D), 5 (name, No., L, B, D) or 4 "
    "(No., L, B, D)"
)


def parse_kind(text: str, *, field: str) -> RowKind:
    cleaned = text.strip().lower()
    if cleaned in _PLUS or not cleaned:
        return RowKind.PLUS
    if cleaned in _MINUS:
        return RowKind.MINUS
    raise ValidationError(f"{field}: '{text.strip()}' is not + or −; {KIND_HELP}.", field=field)


def parse_factor(text: str, *, field: str) -> Decimal | None:
    """A factor typed as text: blank (counts as 1) or 0 to 99,999.9999 with up to 4 decimals;
    `1,234.5` and Indian `12,345.5` are understood."""
    if not text.strip():
        return None
    return parse_decimal(text, field=field, places=FACTOR_PLACES, maximum=MAX_FACTOR)


def parse_name(text: str, *, field: str) -> str:
    name = " ".join(text.split())
    if len(name) > MAX_NAME:
        raise ValidationError(f"{field}: at most {MAX_NAME} characters.", field=field)
    return name


def factor_text(value: Decimal | None) -> str:
    """A factor as shown: Indian grouping, the decimals it was typed with (10.50 stays)."""
    if value is None:
        return ""
    return format_indian(value, decimal_places(value))


def factor_plain(value: Decimal | None) -> str:
    """A factor for editing and for the clipboard: no grouping."""
    return "" if value is None else f"{value:f}"


def rows_to_tsv(rows: Sequence[MeasurementRow]) -> str:
    lines = []
    for row in rows:
        kind = "minus" if row.kind is RowKind.MINUS else "plus"
        name = row.name.replace("\t", " ").replace("\n", " ")
        lines.append("\t".join([kind, name, *(factor_plain(f) for f in row.factors())]))
    return "\r\n".join(lines) + ("\r\n" if lines else "")


def _cells(line: str) -> list[str]:
    cells = line.split("\t")
    return [c[1:-1].replace('""', '"') if len(c) >= 2 and c[0] == c[-1] == '"' else c
            for c in cells]


def is_single_cell(text: str) -> bool:
    """One value without tabs (a number copied from one Excel cell)."""
    stripped = text.strip("\r\n")
    return "\t" not in stripped and "\n" not in stripped and "\r" not in stripped


def rows_from_tsv(text: str) -> list[MeasurementRow]:
    """Rows pasted from Excel (or copied from the grid); blank lines are skipped."""
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
             if line.strip()]
    if not lines:
        raise ValidationError("Nothing to paste: the clipboard holds no rows.")
    if len(lines) > MAX_PASTE_ROWS:
        raise ValidationError(f"At most {MAX_PASTE_ROWS:,} rows may be pasted at once.")
    rows: list[MeasurementRow] = []
    for number, line in enumerate(lines, start=1):
        cells = [c.strip() for c in _cells(line)]
        while len(cells) > 6 and not cells[-1]:
            cells.pop()  # Excel pads ragged selections with empty cells
        where = f"Pasted row {number}"
        if len(cells) == 6:
            kind_text, name_text, *factor_texts = cells
        elif len(cells) == 5:
            kind_text, (name_text, *factor_texts) = "", cells
        elif len(cells) == 4:
            kind_text, name_text, factor_texts = "", "", cells
        else:
            raise ValidationError(
                f"{where} has {len(cells)} column{'s' if len(cells) != 1 else ''}: "
                f"{PASTE_HELP}. Nothing was pasted."
            )
        try:
            kind = parse_kind(kind_text, field=f"{where}, +/−")
            name = parse_name(name_text, field=f"{where}, name")
            factors = [
                parse_factor(value, field=f"{where}, {FACTOR_LABELS[factor]}")
                for factor, value in zip(FACTOR_NAMES, factor_texts, strict=True)
            ]
        except ValidationError as exc:
            raise ValidationError(f"{exc.message} Nothing was pasted.", field=exc.field) from None
        rows.append(MeasurementRow(kind, name, *factors))
    return rows
