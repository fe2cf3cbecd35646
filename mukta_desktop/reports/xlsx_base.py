"""openpyxl helpers for the Excel documents: styles, Indian number formats, the heading rows
and A4 print set-up that every sheet shares.

Figures are written as Decimal (openpyxl stores their exact decimal text in the file) and
totals as formulas, so the sheet stays live when an engineer changes a factor. Text typed by
users is always stored as text: a description starting with "=" must not become a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

# Indian grouping (12,34,567.89). A format has room for two conditions, so grouping is exact
# up to 99,99,99,999 (below 100 crore); larger figures show "123,45,67,890.00". Conditional
# sections drop the minus sign, so these formats are used only for figures that cannot be
# negative; signed changes use SIGNED_* formats.
INDIAN_MONEY = r"[>=10000000]##\,##\,##\,##0.00;[>=100000]##\,##\,##0.00;##,##0.00"
INDIAN_QUANTITY = r"[>=10000000]##\,##\,##\,##0.0000;[>=100000]##\,##\,##0.0000;##,##0.0000"
INDIAN_RUPEES = r"[>=10000000]##\,##\,##\,##0;[>=100000]##\,##\,##0;##,##0"
SIGNED_QUANTITY = "+0.0000;-0.0000;0.0000"
SIGNED_PERCENT = "+0.00;-0.00;0.00"
FACTOR = "General"  # a measurement factor shows as typed: 10.5, 0.45
LINE_POINTS = 13  # height of a line of 10 pt Calibri

HEADING_FILL = PatternFill("solid", fgColor="E1E6EE")
ITEM_FILL = PatternFill("solid", fgColor="F2F4F7")
_THIN = Side(style="thin", color="A0A0A0")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOP = Border(top=_THIN)

TEXT, WRAP, NUMBER, QTY, MONEY, RUPEES, FACTORS, SIGNED_QTY, SIGNED_PCT, CENTRE = (
    "mk text",
    "mk wrap",
    "mk number",
    "mk quantity",
    "mk money",
    "mk rupees",
    "mk factor",
    "mk signed quantity",
    "mk signed percent",
    "mk centre",
)
BOLD = " bold"


def _styles() -> list[NamedStyle]:
    """Named styles: one assignment per cell instead of four, which keeps a 3,000-row sheet
    inside its time budget."""
    top = Alignment(vertical="top")
    plain = [
        (TEXT, "General", top),
        (WRAP, "General", Alignment(vertical="top", wrap_text=True)),
        (NUMBER, "General", Alignment(vertical="top", horizontal="right")),
        (QTY, INDIAN_QUANTITY, top),
        (MONEY, INDIAN_MONEY, top),
        (RUPEES, INDIAN_RUPEES, top),
        (FACTORS, FACTOR, top),
        (SIGNED_QTY, SIGNED_QUANTITY, top),
        (SIGNED_PCT, SIGNED_PERCENT, top),
        (CENTRE, "General", Alignment(vertical="top", horizontal="center")),
    ]
    styles: list[NamedStyle] = []
    for name, number_format, alignment in plain:
        for bold in (False, True):
            styles.append(
                NamedStyle(
                    name=name + (BOLD if bold else ""),
                    font=Font(name="Calibri", size=10, bold=bold),
                    number_format=number_format,
                    alignment=alignment,
                )
            )
    return styles


def new_workbook() -> Workbook:
    book = Workbook()
    for style in _styles():
        book.add_named_style(style)
    book.remove(book.active)
    return book


def clean_text(value: str) -> str:
    """Text without the control characters an .xlsx cannot hold."""
    return str(ILLEGAL_CHARACTERS_RE.sub(" ", value))


def number(value: Decimal) -> Decimal:
    """A Decimal in plain notation ('100', not '1E+2') for the file's number text."""
    return Decimal(f"{value:f}")


@dataclass(frozen=True, slots=True)
class SheetColumn:
    title: str
    width: float  # Excel character widths


class Sheet:
    """A worksheet filled row by row."""

    def __init__(
        self,
        book: Workbook,
        title: str,
        columns: Sequence[SheetColumn],
        *,
        landscape: bool = False,
    ) -> None:
        self.ws: Worksheet = book.create_sheet(title)
        self.columns = tuple(columns)
        self.row = 0
        self.landscape = landscape
        self._lines: dict[int, int] = {}  # rows whose wrapped text needs more than one line
        self._style_arrays: dict[str, object] = {}  # named style → the cell style it gives
        for index, column in enumerate(self.columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width

    @property
    def last_letter(self) -> str:
        return str(get_column_letter(len(self.columns)))

    def text(self, row: int, col: int, value: str, style: str = TEXT) -> None:
        cell = self.ws.cell(row, col, clean_text(value))
        cell.data_type = "s"  # never a formula, whatever the user typed
        self._apply(cell, style)
        if style.startswith(WRAP):
            self._note_lines(row, col, value)

    def _note_lines(self, row: int, col: int, value: str) -> None:
        """Remember how many lines wrapped text takes. LibreOffice does not grow a row for
        wrapped text in a file without row heights, so the writer sets them (an estimate
        from the column width: about 1.15 characters of 10 pt text per width unit)."""
        per_line = max(int(self.columns[col - 1].width * 1.15), 1)
        lines = sum(max(-(-len(part) // per_line), 1) for part in value.split("\n"))
        if lines > self._lines.get(row, 1):
            self._lines[row] = lines

    def put(self, row: int, col: int, value: object, style: str) -> None:
        """A number, a formula (a str starting with "=") or None, with a named style."""
        cell = self.ws.cell(row, col, value)
        self._apply(cell, style)

    def _apply(self, cell: Cell, style: str) -> None:
        """Give a cell a named style. openpyxl looks the name up among the workbook's styles
        on every assignment (two scans of the list); a copy of the style array the first
        assignment produced is the same cell at a third of the cost, which keeps a sheet of
        tens of thousands of styled cells inside its time budget."""
        array = self._style_arrays.get(style)
        if array is None:
            cell.style = style
            self._style_arrays[style] = copy(cell._style)
        else:
            cell._style = copy(array)

    def next_row(self) -> int:
        self.row += 1
        return self.row

    def heading(self, organisation: str, title: str, lines: Sequence[str]) -> None:
        """The document heading and the column headings, repeated on every printed page."""
        for text, size in [(organisation, 12), (title, 11), *[(line, 10) for line in lines]]:
            r = self.next_row()
            self.text(r, 1, text)
            cell = self.ws.cell(r, 1)
            big = size > 10
            cell.font = Font(name="Calibri", size=size, bold=big)
            cell.alignment = Alignment(horizontal="center" if big else "left")
            self.ws.merge_cells(f"A{r}:{self.last_letter}{r}")
        r = self.next_row()
        for index, column in enumerate(self.columns, start=1):
            self.text(r, index, column.title, CENTRE + BOLD)
            cell = self.ws.cell(r, index)
            cell.fill = HEADING_FILL
            cell.border = _BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            self._note_lines(r, index, column.title)
        self.ws.print_title_rows = f"1:{r}"
        self.ws.freeze_panes = f"A{r + 1}"

    def fill(self, row: int, fill: PatternFill = ITEM_FILL) -> None:
        for col in range(1, len(self.columns) + 1):
            self.ws.cell(row, col).fill = fill

    def top_rule(self, row: int) -> None:
        for col in range(1, len(self.columns) + 1):
            self.ws.cell(row, col).border = _TOP

    def print_setup(self, footer: str) -> None:
        """Row heights for wrapped text, A4, fit to the page width, page numbers."""
        ws = self.ws
        for row, lines in self._lines.items():
            ws.row_dimensions[row].height = LINE_POINTS * lines + 2
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if self.landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages tall as it takes
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.print_options.horizontalCentered = True
        ws.oddFooter.left.text = footer
        ws.oddFooter.left.size = 8
        ws.oddFooter.right.text = "Page &P of &N"
        ws.oddFooter.right.size = 8


def save_workbook(book: Workbook, path: Path) -> None:
    book.save(path)
