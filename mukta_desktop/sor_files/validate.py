"""Checking each row on its own: fields, master codes, rate heads, labour cess, total.

Every problem of every row is collected; nothing here looks at the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from mukta_desktop.domain.numbers import MAX_AMOUNT, ZERO, round2, to_str2
from mukta_desktop.domain.sor import INPUT_HEADS, RateHeads, SorStatus, SorType, complete_heads

from .report import ImportProblem
from .rows import (
    CODE,
    DESCRIPTION,
    LABOUR_CESS,
    RATE_FIELDS,
    RATE_FROM,
    RATE_QUANTITY,
    STATUS,
    SUB_TYPE,
    TOTAL,
    TYPE,
    UOM,
    VARIANT,
    SourceRow,
    is_blank,
)
from .values import BadValue, number_of, plain, text_of
from .vocabulary import Vocabulary

MAX_CODE = 40  # the width of sor.code
MAX_DESCRIPTION = 2000
MAX_RATE_QUANTITY = Decimal("99999.9999")
_QUANTITY_PLACES = 4
_AMOUNT_PLACES = 2
_NO_AMOUNT = Decimal("0.00")  # a blank head, spelt like the others
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STATUSES = tuple(s.value for s in SorStatus)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SorLine:
    """A row that passed every check of its own, with master codes and the complete rate."""

    source: SourceRow
    code: str
    type_code: str
    sub_type_code: str
    variant_code: str
    uom_code: str
    rate_quantity: Decimal
    description: str
    heads: RateHeads | None  # None: the row defines the SOR only
    status: str | None = None  # JSON only: the status a new SOR takes (None: ACTIVE)
    rate_from: date | None = None  # JSON only: the rate's date as exported


class _RowCheck:
    """Collects the problems of one row while its fields are read."""

    def __init__(self, row: SourceRow) -> None:
        self.row = row
        self.problems: list[ImportProblem] = []

    def get(self, field: str, read: Callable[[object], T]) -> T | None:
        try:
            return read(self.row.value(field))
        except BadValue as exc:
            self.problems.append(self.row.problem(str(exc), field))
            return None

    def fail(self, message: str, field: str | None = None) -> None:
        self.problems.append(self.row.problem(message, field))


def validate_rows(
    rows: Iterable[SourceRow], vocabulary: Vocabulary
) -> tuple[list[SorLine], list[ImportProblem]]:
    """The good rows, and every problem of the bad ones (including codes used twice)."""
    lines: list[SorLine] = []
    problems: list[ImportProblem] = []
    first_row: dict[str, SourceRow] = {}
    for row in rows:
        line, row_problems = validate_row(row, vocabulary)
        problems.extend(row_problems)
        code = text_of(row.value(CODE))
        if code:
            earlier = first_row.setdefault(code.casefold(), row)
            if earlier is not row:
                problems.append(row.problem(_duplicate_message(code, earlier, row), CODE))
                continue
        if line is not None:
            lines.append(line)
    return lines, problems


def _duplicate_message(code: str, earlier: SourceRow, row: SourceRow) -> str:
    if earlier.sheet is None:  # JSON items
        return (
            f"code '{code}' appears twice (items {earlier.row} and {row.row}); "
            "a code may be on one item only"
        )
    where = (
        f"rows {earlier.row} and {row.row}"
        if earlier.sheet == row.sheet
        else f"row {earlier.row} of sheet '{earlier.sheet}' and row {row.row}"
    )
    return f"code '{code}' appears twice ({where}); a code may be on one row only"


def validate_row(
    row: SourceRow, vocabulary: Vocabulary
) -> tuple[SorLine | None, list[ImportProblem]]:
    check = _RowCheck(row)
    code = check.get(CODE, _code)
    type_code = check.get(TYPE, lambda v: vocabulary.sor_type(_required(v, "type")))
    sub_type = None
    if type_code is not None:
        sub_type = check.get(
            SUB_TYPE, lambda v: vocabulary.sub_type(_required(v, "sub type"), type_code)
        )
    variant = check.get(VARIANT, lambda v: vocabulary.variant(_required(v, "variant"), type_code))
    uom = check.get(UOM, lambda v: vocabulary.unit(_required(v, "unit")))
    description = check.get(DESCRIPTION, _description)
    rate_quantity = check.get(RATE_QUANTITY, _rate_quantity)
    status = check.get(STATUS, _status)
    heads = _rate(check, type_code)
    rate_from = check.get(RATE_FROM, _iso_date)
    if (
        check.problems
        or code is None
        or type_code is None
        or sub_type is None
        or variant is None
        or uom is None
        or description is None
        or rate_quantity is None
    ):
        return None, check.problems
    return SorLine(
        row,
        code,
        type_code,
        sub_type,
        variant,
        uom,
        rate_quantity,
        description,
        heads,
        status,
        rate_from,
    ), []


def _required(value: object, what: str) -> str:
    text = text_of(value)
    if not text:
        raise BadValue(f"the {what} is blank")
    return text


def _code(value: object) -> str:
    code = text_of(value)
    if not code:
        raise BadValue("the code is blank; every row needs the SOR code")
    if len(code) > MAX_CODE:
        raise BadValue(f"code '{code[:20]}...' is longer than {MAX_CODE} characters")
    return code


def _description(value: object) -> str:
    text = text_of(value)
    if not text:
        raise BadValue("the description is blank; describe the item")
    if len(text) > MAX_DESCRIPTION:
        raise BadValue(f"the description has {len(text)} characters; at most {MAX_DESCRIPTION}")
    return text


def _status(value: object) -> str | None:
    text = text_of(value)
    if not text:
        return None
    if text.upper() not in _STATUSES:
        raise BadValue(f"status '{text[:40]}' is not known; allowed: {', '.join(_STATUSES)}")
    return text.upper()


def _iso_date(value: object) -> date | None:
    text = text_of(value)
    if not text:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadValue(
            f"'{text[:40]}' is not a date; write it as YYYY-MM-DD, such as 2024-04-01"
        ) from None


def _rate_quantity(value: object) -> Decimal:
    number = number_of(value, places=_QUANTITY_PLACES, maximum=MAX_RATE_QUANTITY, above_zero=True)
    if number is None:
        raise BadValue("blank; give the quantity the rate is defined for (a number above 0)")
    if number == ZERO:
        raise BadValue(
            "0 is not allowed; give the quantity the rate is defined for (a number above 0)"
        )
    # One spelling per value, so that 120, 120.0 and 120.00 are stored and compared alike.
    return plain(number)


def _amount(value: object) -> Decimal:
    number = number_of(value, places=_AMOUNT_PLACES, maximum=MAX_AMOUNT)
    if number is None:
        return _NO_AMOUNT
    return round2(number)  # exact: at most 2 decimals by now; gives the 1307.80 spelling


def _rate(check: _RowCheck, type_code: str | None) -> RateHeads | None:
    """The complete heads of the row's rate, None when every rate cell is blank."""
    row = check.row
    if all(is_blank(row.value(f)) for f in RATE_FIELDS):
        return None
    amounts = {f: check.get(f, _amount) for f in INPUT_HEADS}
    cess = check.get(LABOUR_CESS, _amount)
    total = check.get(TOTAL, _amount)
    if type_code is None or cess is None or total is None:
        return None
    parts = {name: value for name, value in amounts.items() if value is not None}
    if len(parts) != len(amounts):
        return None
    heads = _with_cess(check, RateHeads(**parts), SorType(type_code), cess)
    if heads is None:
        return None
    if not is_blank(row.value(TOTAL)) and total != heads.total:
        check.fail(
            f"total {to_str2(total)} is not the sum of the heads ({to_str2(heads.total)})", TOTAL
        )
    elif heads.total <= ZERO:
        check.fail(
            "a rate needs at least one head above zero (or leave every rate cell "
            "blank for a SOR without a rate)",
            TOTAL if row.column(TOTAL) else None,
        )
    return heads


def _with_cess(
    check: _RowCheck, heads: RateHeads, sor_type: SorType, given: Decimal
) -> RateHeads | None:
    """The heads with the cess the domain computes; a given cess must match it."""
    complete = complete_heads(sor_type, heads)
    if is_blank(check.row.value(LABOUR_CESS)) or given == complete.labour_cess:
        return complete
    if sor_type is SorType.WORKS:
        check.fail(
            f"labour cess {to_str2(given)} should be {to_str2(complete.labour_cess)} "
            f"(1 % of {to_str2(heads.sum_without_cess())}, rounded half-up to paise)",
            LABOUR_CESS,
        )
    else:
        check.fail(
            f"labour cess applies to works items only; {sor_type.label} items carry "
            f"none (got {to_str2(given)})",
            LABOUR_CESS,
        )
    return None
