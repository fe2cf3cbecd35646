"""Our own SOR file: {"format": "mukta-sor/1", "sors": [...]}, amounts as strings.

Each item has the SOR's definition, its "status" (ACTIVE or INACTIVE) and its "rate" (null, or
the head amounts with "total", "effective_from" as YYYY-MM-DD and the "tenant" whose rate it
is). Reading parses numbers as Decimal (never float); writing gives every amount as a
2-decimal string, so a file written here imports back unchanged.

On import:
- a new SOR takes the item's status (ACTIVE when the item has none); for an SOR already
  stored the file's status is ignored: a status changes only through Modify SOR;
- a rate takes effect from the importer's date when one is given, else from the item's
  "effective_from" (else today);
- "tenant" only says whose rate was exported; rates are loaded for the import's tenant.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from .report import ImportProblem
from .rows import (
    DEFINITION_FIELDS,
    RATE_FIELDS,
    RATE_FROM,
    RATE_TENANT,
    STATUS,
    Cell,
    Source,
    SourceRow,
)

FORMAT = "mukta-sor/1"
RATE_KEY = "rate"
_ITEM_KEYS = frozenset((*DEFINITION_FIELDS, STATUS, RATE_KEY))
_RATE_KEYS = (*RATE_FIELDS, RATE_FROM, RATE_TENANT)


def read_json(path: Path) -> Source:
    """The items of a mukta-sor/1 file as rows (row = item number from 1), or why not."""
    try:
        # Integers as Decimal too: no float, and no limit on their digits (int() has one).
        data = json.loads(
            path.read_text("utf-8"), parse_float=Decimal, parse_int=Decimal, parse_constant=Decimal
        )
    except UnicodeDecodeError:
        return Source.failed(f"'{path.name}' is not a .json SOR file (not UTF-8 text)")
    except json.JSONDecodeError as exc:
        return Source.failed(
            f"'{path.name}' is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        )
    except RecursionError:
        return Source.failed(f"'{path.name}' is not a SOR file (nested too deeply)")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return Source.failed(
            f'\'{path.name}\' is not a SOR file: it needs "format": "{FORMAT}" and a list "sors"'
        )
    items = data.get("sors")
    if not isinstance(items, list):
        return Source.failed(f"'{path.name}': \"sors\" must be a list of SOR items")
    if not items:
        return Source.failed(f"'{path.name}' has no SOR items")
    source = Source()
    for number, item in enumerate(items, start=1):
        row = _item_row(number, item, source.problems)
        if row is not None:
            source.rows.append(row)
    return source


def _item_row(number: int, item: object, problems: list[ImportProblem]) -> SourceRow | None:
    if not isinstance(item, dict):
        problems.append(
            ImportProblem("an item must be an object with the SOR's fields", row=number)
        )
        return None
    for unknown in sorted(set(item) - _ITEM_KEYS):
        problems.append(
            ImportProblem(
                f"unknown field; allowed: {', '.join(sorted(_ITEM_KEYS))}",
                row=number,
                column=str(unknown),
            )
        )
    cells = {key: Cell(item.get(key), key) for key in (*DEFINITION_FIELDS, STATUS)}
    rate = item.get(RATE_KEY)
    if rate is None:
        return SourceRow(None, number, cells)
    if not isinstance(rate, dict):
        problems.append(
            ImportProblem(
                "the rate must be null or an object of head amounts", row=number, column=RATE_KEY
            )
        )
        return None
    for unknown in sorted(set(rate) - set(_RATE_KEYS)):
        problems.append(
            ImportProblem(
                f"unknown rate head; allowed: {', '.join(_RATE_KEYS)}",
                row=number,
                column=f"{RATE_KEY}.{unknown}",
            )
        )
    for head in (*RATE_FIELDS, RATE_FROM):
        cells[head] = Cell(rate.get(head), f"{RATE_KEY}.{head}")
    return SourceRow(None, number, cells)
