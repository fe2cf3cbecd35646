"""What every file reader hands to validation: rows of cells keyed by SOR field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mukta_desktop.domain.sor import INPUT_HEADS

from .report import ImportProblem

CODE = "code"
TYPE = "type"
SUB_TYPE = "sub_type"
VARIANT = "variant"
DESCRIPTION = "description"
UOM = "uom"
RATE_QUANTITY = "rate_quantity"
LABOUR_CESS = "labour_cess"
TOTAL = "total"
# Only in our JSON: the SOR's status, and the date and tenant of the rate as exported.
STATUS = "status"
RATE_FROM = "effective_from"
RATE_TENANT = "tenant"

DEFINITION_FIELDS: tuple[str, ...] = (
    CODE,
    TYPE,
    SUB_TYPE,
    VARIANT,
    DESCRIPTION,
    UOM,
    RATE_QUANTITY,
)
RATE_FIELDS: tuple[str, ...] = (*INPUT_HEADS, LABOUR_CESS, TOTAL)


@dataclass(frozen=True, slots=True)
class Cell:
    """A value as the reader found it, and the column header (or JSON key) it came from."""

    value: object
    column: str


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One non-blank row of a file. `cells` has a key for every column the file has."""

    sheet: str | None
    row: int
    cells: Mapping[str, Cell]

    def value(self, key: str) -> object:
        cell = self.cells.get(key)
        return None if cell is None else cell.value

    def column(self, key: str) -> str | None:
        cell = self.cells.get(key)
        return None if cell is None else cell.column

    def problem(self, message: str, key: str | None = None) -> ImportProblem:
        column = None if key is None else self.column(key)
        return ImportProblem(message, self.sheet, self.row, column)


@dataclass(slots=True)
class Source:
    """The rows read from a file, or the reasons it could not be read."""

    rows: list[SourceRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    # Sheet names in file order, so problems can be listed as the file shows them.
    sheets: list[str] = field(default_factory=list)

    @classmethod
    def failed(cls, message: str) -> Source:
        return cls(problems=[ImportProblem(message)])


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
