"""A tiny evaluator for exactly the formulas the Excel writers emit, in Decimal arithmetic.

It lets the tests check that a workbook's live formulas give the app's figures without a
spreadsheet program: cell and cross-sheet references, ranges, + − × ÷, comparisons, and
ROUND (half away from zero, as Excel and LibreOffice), SUM, SUMIF, PRODUCT, MAX, IF.
Anything else in a formula makes it fail loudly, so a new kind of formula gets noticed.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation, localcontext
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

_TOKEN = re.compile(
    r"""
    (?P<string>"[^"]*")
    | (?P<range>(?:(?P<rsheet>[A-Za-z]\w*)!)?(?P<start>\$?[A-Z]+\$?\d+):(?P<end>\$?[A-Z]+\$?\d+))
    | (?P<ref>(?:(?P<sheet>[A-Za-z]\w*)!)?(?P<cell>\$?[A-Z]+\$?\d+))(?![\w(])
    | (?P<func>[A-Z]+)\(
    | (?P<number>\d+(?:\.\d+)?)
    | (?P<op><>|<=|>=|=|<|>|\+|-|\*|/|\(|\)|,)
    | (?P<space>\s+)
    """,
    re.VERBOSE,
)
_FUNCS = {"ROUND", "SUM", "SUMIF", "PRODUCT", "MAX", "IF"}


def _split(cell: str) -> tuple[int, int]:
    cell = cell.replace("$", "")
    match = re.fullmatch(r"([A-Z]+)(\d+)", cell)
    assert match, cell
    return int(match.group(2)), column_index_from_string(match.group(1))


class Evaluator:
    def __init__(self, path: Path) -> None:
        self.book = load_workbook(path)
        self._memo: dict[tuple[str, str], Any] = {}

    def value(self, sheet: str, cell: str) -> Any:
        """The computed value of a cell: Decimal, str, or None for a blank."""
        key = (sheet, cell.replace("$", ""))
        if key not in self._memo:
            raw = self.book[sheet][key[1]].value
            if isinstance(raw, str) and raw.startswith("="):
                result = self._evaluate(sheet, raw[1:])
            elif isinstance(raw, bool):
                result = raw
            elif isinstance(raw, int):
                result = Decimal(raw)
            elif isinstance(raw, float):
                result = Decimal(repr(raw))  # the file's text, not the binary expansion
            else:
                result = raw
            self._memo[key] = result
        return self._memo[key]

    def _range(self, sheet: str, start: str, end: str) -> list[Any]:
        (r1, c1), (r2, c2) = _split(start), _split(end)
        return [
            self.value(sheet, f"{get_column_letter(c)}{r}")
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
        ]

    def _evaluate(self, sheet: str, formula: str) -> Any:
        parts: list[str] = []
        position = 0
        while position < len(formula):
            match = _TOKEN.match(formula, position)
            if match is None:
                raise ValueError(f"cannot read formula ={formula} at {formula[position:]}")
            position = match.end()
            kind = match.lastgroup
            text = match.group(0)
            if match.group("string") is not None:
                parts.append(repr(text[1:-1]))
            elif match.group("range") is not None:
                on = match.group("rsheet") or sheet
                parts.append(f"_rng({on!r},{match.group('start')!r},{match.group('end')!r})")
            elif match.group("ref") is not None:
                on = match.group("sheet") or sheet
                parts.append(f"_ref({on!r},{match.group('cell')!r})")
            elif match.group("func") is not None:
                name = match.group("func")
                if name not in _FUNCS:
                    raise ValueError(f"unsupported function {name} in ={formula}")
                parts.append(f"_{name}(")
            elif match.group("number") is not None:
                parts.append(f"_D({text!r})")
            elif kind == "op":
                parts.append({"=": "==", "<>": "!="}.get(text, text))
        expression = "".join(parts)
        names = {
            "_D": Decimal,
            "_ref": lambda s, c: _arith(self.value(s, c)),
            "_rng": self._range,
            "_ROUND": _round,
            "_SUM": lambda *a: sum((_number(v) for v in _flat(a)), Decimal(0)),
            "_SUMIF": _sumif,
            "_PRODUCT": _product,
            "_MAX": lambda *a: max(_number(v) for v in _flat(a)),
            "_IF": lambda cond, yes, no="": yes if cond else no,
        }
        # IF evaluates both branches here; a division by zero in the branch not taken must
        # give a value (Infinity/NaN), not an exception.
        with localcontext() as ctx:
            ctx.traps[DivisionByZero] = False
            ctx.traps[InvalidOperation] = False
            return eval(expression, {"__builtins__": {}}, names)


def _arith(value: Any) -> Any:
    return Decimal(0) if value is None else value


def _number(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(0)


def _flat(args: tuple[Any, ...]) -> list[Any]:
    result: list[Any] = []
    for arg in args:
        result.extend(arg if isinstance(arg, list) else [arg])
    return result


def _round(value: Decimal, places: Decimal) -> Decimal:
    if not value.is_finite():
        return value
    return value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)


def _product(*args: Any) -> Decimal:
    numbers = [v for v in _flat(args) if isinstance(v, Decimal)]
    if not numbers:
        return Decimal(0)
    result = Decimal(1)
    for v in numbers:
        result *= v
    return result


def _sumif(criteria: list[Any], wanted: str, values: list[Any]) -> Decimal:
    """SUMIF with an equality criterion ("SOR") or its negation ("<>Deduct", which, as in
    Excel and LibreOffice, also matches blank cells)."""

    def matches(cell: Any) -> bool:
        text = cell.lower() if isinstance(cell, str) else ""
        if wanted.startswith("<>"):
            return text != wanted[2:].lower()
        return isinstance(cell, str) and text == wanted.lower()

    return sum(
        (_number(v) for c, v in zip(criteria, values, strict=True) if matches(c)),
        Decimal(0),
    )
