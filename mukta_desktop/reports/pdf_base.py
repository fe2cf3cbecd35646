"""An A4 report page for fpdf2: header and "Page x of y" on every page, tables whose column
headings repeat after a page break, signature blocks, and text that may hold ₹ or Odia.

Text shaping (HarfBuzz) is what makes Odia conjuncts and vowel signs come out right, but it
costs about four times as much per cell as plain text; a 3,000-row measurement sheet would
miss its budget. So shaping and the Odia fallback font are switched on only for a string that
has characters beyond Latin and the common symbols; figures and English text go the fast way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from fpdf.fonts import TTFFont

from mukta_desktop.domain.estimate import CostAnalysis

from ._common import Signatory, money
from .fonts import RUPEE, FontFiles, find_fonts

Align = Literal["L", "R", "C"]

BODY_SIZE = 7.5
LINE_H = 3.5  # mm per text line at BODY_SIZE
PAD = 0.6  # mm above and below the text of a table row
HEADING_FILL = (225, 230, 238)
TOTAL_FILL = (242, 244, 247)
RULE_GREY = 170


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: float  # mm
    align: Align = "L"
    wrap: bool = False


@dataclass(frozen=True, slots=True)
class Span:
    """A cell that covers `columns` table columns (an item's description across figures)."""

    text: str
    columns: int
    align: Align | None = None
    wrap: bool = True


Cell = str | Span


@dataclass(frozen=True, slots=True)
class PageHeading:
    organisation: str  # the ULB
    title: str  # "DETAILED ESTIMATE"
    lines: tuple[str, ...]  # project, number, date, status
    footer: str = ""


def _is_complex(text: str) -> bool:
    """Whether a string needs shaping/fallback: any letter of a script beyond Latin, Greek
    and Cyrillic, other than the general punctuation and currency symbols (₹) every text
    font here carries."""
    return any(ord(c) >= 0x0530 and not 0x2000 <= ord(c) <= 0x2BFF for c in text)


class ReportPdf(FPDF):
    """A document of titled sections and tables, driven by the writers."""

    def __init__(
        self,
        heading: PageHeading,
        *,
        orientation: Literal["P", "L"] = "P",
        fonts: FontFiles | None = None,
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.heading = heading
        self.set_margins(10, 10, 10)
        # Rows are placed by `row`, which breaks pages itself so that a row never splits and
        # the column headings repeat; fpdf2's own break would cut through a row.
        self.set_auto_page_break(False, margin=12)
        self.alias_nb_pages()
        self.set_creator("MUKTA Desktop")
        self.set_title(f"{heading.title.title()} {heading.footer}".strip())
        self._load_fonts(fonts if fonts is not None else find_fonts())
        self._complex_mode = False
        self.columns: tuple[Column, ...] = ()
        self.section = ""
        self._section_page = 0

    # ------------------------------------------------------------ fonts and text

    def _load_fonts(self, fonts: FontFiles) -> None:
        self.unicode = fonts.text is not None
        self.has_odia = False
        if fonts.text is None:
            self.family = "helvetica"  # no Unicode font at all: core font, ₹ spelt "Rs."
            return
        self.family = "text"
        self.add_font("text", "", str(fonts.text))
        self.add_font("text", "B", str(fonts.text_bold or fonts.text))
        if fonts.odia is not None:
            self.add_font("odia", "", str(fonts.odia))
            self.add_font("odia", "B", str(fonts.odia_bold or fonts.odia))
            self.has_odia = True

    def use_font(self, size: float = BODY_SIZE, *, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def prepare(self, text: str) -> str:
        """The text as this document can print it, with shaping switched to suit it."""
        if not self.unicode:
            return text.replace(RUPEE, "Rs.").encode("latin-1", errors="replace").decode("latin-1")
        complex_text = _is_complex(text)
        if complex_text != self._complex_mode:
            self._complex_mode = complex_text
            if complex_text:
                self.set_text_shaping(True)
                self.set_fallback_fonts(["odia"] if self.has_odia else [], exact_match=False)
            else:
                self.set_text_shaping(False)
                self.set_fallback_fonts([])
        return text

    def width_of(self, text: str) -> float:
        """The width (mm) of one line of text in the current font."""
        fast = self._plain_width(text)
        return fast if fast is not None else self.get_string_width(self.prepare(text))

    def _plain_width(self, text: str) -> float | None:
        """The width from the font's advance widths, when the text needs neither shaping nor
        a fallback font (None otherwise). fpdf2's own measuring goes through its fragment
        machinery and costs ten times as much; a long estimate measures tens of thousands
        of figures."""
        font = self.current_font
        if not self.unicode or not isinstance(font, TTFFont) or _is_complex(text):
            return None
        cmap, widths = font.cmap, font.cw
        total = 0.0
        for char in text:
            code = ord(char)
            if code not in cmap:
                return None
            total += widths[code]
        return total * self.font_size_pt * 0.001 / self.k

    def fit(self, text: str, width: float) -> str:
        """The text cut with an ellipsis so it fits in one line of `width` mm."""
        room = width - 2 * self.c_margin
        if self.width_of(text) <= room:
            return text
        ellipsis = "..." if not self.unicode else "…"
        low, high = 0, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if self.width_of(text[:middle] + ellipsis) <= room:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + ellipsis

    def wrap(self, text: str, width: float) -> list[str]:
        """The lines `text` takes in a column `width` mm wide (words kept whole where
        they fit; explicit line breaks kept)."""
        room = width - 2 * self.c_margin
        if "\n" not in text:
            single = self._plain_width(text)
            if single is not None and single <= room:
                return [text]
        plain = self._wrap_plain(text, room)
        if plain is not None:
            return plain
        lines = self.multi_cell(
            width, LINE_H, self.prepare(text), dry_run=True, output=MethodReturnValue.LINES
        )
        assert isinstance(lines, list)
        return [str(line) for line in lines] or [""]

    def _wrap_plain(self, text: str, room: float) -> list[str] | None:
        space = self._plain_width(" ")
        if space is None:
            return None
        lines: list[str] = []
        for paragraph in text.split("\n"):
            current, current_width = "", 0.0
            for word in paragraph.split(" "):
                word_width = self._plain_width(word)
                if word_width is None:
                    return None
                if current and current_width + space + word_width <= room:
                    current, current_width = f"{current} {word}", current_width + space + word_width
                    continue
                if current:
                    lines.append(current)
                while word_width > room and len(word) > 1:  # a word longer than the column
                    cut = len(word) - 1
                    while cut > 1 and (self._plain_width(word[:cut]) or 0.0) > room:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_width = self._plain_width(word) or 0.0
                current, current_width = word, word_width
            lines.append(current)
        return lines

    def put_text(self, x: float, y: float, width: float, text: str, align: Align = "L") -> None:
        """One line of text in a box `width` mm wide at (x, y), LINE_H high."""
        if not text:
            return
        text_width = self._plain_width(text)
        if text_width is None:  # shaping, fallback fonts or the core font: fpdf2's cell
            self.set_xy(x, y)
            self.cell(width, LINE_H, self.prepare(text), align=align)
            return
        if align == "R":
            left = x + width - self.c_margin - text_width
        elif align == "C":
            left = x + (width - text_width) / 2
        else:
            left = x + self.c_margin
        # The baseline where fpdf2's cell puts it, so both paths line up.
        self.text(left, y + 0.5 * LINE_H + 0.3 * self.font_size, text)

    def text_cell(
        self, width: float, height: float, text: str, *, align: Align = "L", fill: bool = False
    ) -> None:
        self.cell(width, height, self.prepare(text), align=align, fill=fill)

    # ------------------------------------------------------------ page furniture

    def header(self) -> None:
        self.set_draw_color(0)
        self.use_font(11, bold=True)
        self.text_cell(0, 5, self.heading.organisation, align="C")
        self.ln(5)
        self.use_font(10, bold=True)
        self.text_cell(0, 5, self.heading.title, align="C")
        self.ln(5.5)
        self.use_font(8)
        for line in self.heading.lines:
            self.cell(0, 4, self.fit(line, self.epw))
            self.ln(4)
        y = self.get_y() + 0.8
        self.set_line_width(0.3)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_line_width(0.2)
        self.set_y(y + 1.5)
        if self.section and self.page_no() > self._section_page:
            self.use_font(8.5, bold=True)
            self.text_cell(0, 5, f"{self.section} (continued)")
            self.ln(5.5)
        if self.columns:
            self._column_headings()

    def footer(self) -> None:
        self.set_y(-9)
        self.use_font(7)
        self.set_text_color(90)
        self.text_cell(self.epw / 2, 4, self.heading.footer)
        self.text_cell(self.epw / 2, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    @property
    def bottom(self) -> float:
        return self.h - 13

    def room(self) -> float:
        return self.bottom - self.get_y()

    # ------------------------------------------------------------ sections and tables

    def begin_section(
        self, title: str, columns: Sequence[Column] = (), *, need: float = 20
    ) -> None:
        """A titled section; a table section's column headings repeat on each new page."""
        self.columns = ()
        if self.page_no() == 0 or self.room() < need + 12:
            self.add_page()
        else:
            self.ln(3)
        self.section = title
        self._section_page = self.page_no()
        self.use_font(9, bold=True)
        self.text_cell(0, 5.5, title)
        self.ln(6)
        self.columns = tuple(columns)
        if self.columns:
            self._column_headings()

    def end_section(self) -> None:
        self.columns = ()
        self.section = ""

    def _column_headings(self) -> None:
        self.use_font(BODY_SIZE, bold=True)
        wrapped = [self.wrap(c.title, c.width) for c in self.columns]
        height = max(len(lines) for lines in wrapped) * LINE_H + 2 * PAD
        x, y = self.l_margin, self.get_y()
        self.set_fill_color(*HEADING_FILL)
        for column, lines in zip(self.columns, wrapped, strict=True):
            self.rect(x, y, column.width, height, style="DF")
            top = y + (height - len(lines) * LINE_H) / 2
            for n, line in enumerate(lines):
                self.set_xy(x, top + n * LINE_H)
                self.cell(column.width, LINE_H, line, align="C")
            x += column.width
        self.set_xy(self.l_margin, y + height)
        self.use_font()

    def row(
        self,
        cells: Sequence[Cell],
        *,
        bold: bool = False,
        fill: tuple[int, int, int] | None = None,
        rule: bool = False,
        keep_with_next: float = 0,
    ) -> None:
        """One table row; wrapped text makes it taller, and it never splits over pages.

        `rule` draws a line under the row; `keep_with_next` is room (mm) the following rows
        need, so an item's heading does not stay alone at the bottom of a page.
        """
        self.use_font(BODY_SIZE, bold=bold)
        placed: list[tuple[float, list[str], Align]] = []
        index = 0
        for cell in cells:
            if isinstance(cell, Span):
                columns = self.columns[index : index + cell.columns]
                width = sum(c.width for c in columns)
                align = cell.align or columns[0].align
                lines = self.wrap(cell.text, width) if cell.wrap else [self.fit(cell.text, width)]
                index += cell.columns
            else:
                column = self.columns[index]
                width, align = column.width, column.align
                lines = self.wrap(cell, width) if column.wrap else [self.fit(cell, width)]
                index += 1
            placed.append((width, lines, align))
        height = max((len(lines) for _, lines, _ in placed), default=1) * LINE_H + 2 * PAD
        if self.get_y() + height + keep_with_next > self.bottom:
            self.add_page()
            self.use_font(BODY_SIZE, bold=bold)
        x, y = self.l_margin, self.get_y()
        if fill is not None:
            self.set_fill_color(*fill)
            self.rect(x, y, sum(w for w, _, _ in placed), height, style="F")
        for width, lines, align in placed:
            for n, line in enumerate(lines):
                self.put_text(x, y + PAD + n * LINE_H, width, line, align)
            x += width
        if rule:
            self.set_draw_color(RULE_GREY)
            self.line(self.l_margin, y + height, x, y + height)
            self.set_draw_color(0)
        self.set_xy(self.l_margin, y + height)

    def rule(self, *, strong: bool = False) -> None:
        y = self.get_y()
        right = self.l_margin + sum(c.width for c in self.columns) if self.columns else self.w
        self.set_draw_color(0 if strong else RULE_GREY)
        self.line(self.l_margin, y, right - (0 if self.columns else self.r_margin), y)
        self.set_draw_color(0)

    def cost_totals(self, cost: CostAnalysis, skipped: int) -> None:
        """The total row of a material / labour / machinery statement (five columns of item
        before the amounts) and a note on the non-SOR items it leaves out; ends the section."""
        self.row(
            [
                Span("Total", 5, align="R", wrap=False),
                money(cost.material),
                money(cost.labour),
                money(cost.machinery),
                money(cost.material + cost.labour + cost.machinery),
            ],
            bold=True,
            fill=TOTAL_FILL,
            rule=True,
        )
        self.end_section()
        if skipped:
            self.ln(1)
            self.paragraph(
                f"{skipped} non-SOR item(s) have no rate analysis and are not in this statement.",
                size=7,
            )

    def paragraph(self, text: str, *, size: float = 8, bold: bool = False) -> None:
        self.use_font(size, bold=bold)
        lines = self.wrap(text, self.epw)
        line_height = size * 0.5
        if self.get_y() + len(lines) * line_height > self.bottom:
            self.add_page()
            self.use_font(size, bold=bold)
        for line in lines:
            self.set_x(self.l_margin)
            self.cell(self.epw, line_height, self.prepare(line))
            self.ln(line_height)

    def key_values(self, pairs: Sequence[tuple[str, str]], *, key_width: float = 38) -> None:
        """A small block of labelled facts ("Name of work: ...")."""
        for key, value in pairs:
            self.use_font(8)
            lines = self.wrap(value, self.epw - key_width)
            if self.get_y() + len(lines) * 4 > self.bottom:
                self.add_page()
            self.use_font(8, bold=True)
            y = self.get_y()
            self.set_xy(self.l_margin, y)
            self.text_cell(key_width, 4, key)
            self.use_font(8)
            for n, line in enumerate(lines):
                self.set_xy(self.l_margin + key_width, y + n * 4)
                self.cell(self.epw - key_width, 4, self.prepare(line))
            self.set_xy(self.l_margin, y + len(lines) * 4)

    def signatures(self, signatories: Sequence[Signatory]) -> None:
        """Signature blocks side by side: the act, space to sign, the officer, name, date."""
        self.end_section()
        height = 28.0  # 12 mm of it left empty to sign in
        if self.room() < height + 4:
            self.add_page()
        self.ln(4)
        width = self.epw / max(len(signatories), 1)
        y = self.get_y()
        for n, who in enumerate(signatories):
            x = self.l_margin + n * width
            self.use_font(8, bold=True)
            self.set_xy(x, y)
            self.text_cell(width, 4, who.act, align="C")
            self.set_draw_color(RULE_GREY)
            self.line(x + 6, y + 15, x + width - 6, y + 15)
            self.set_draw_color(0)
            self.set_xy(x, y + 15.5)
            self.text_cell(width, 4, who.officer, align="C")
            self.use_font(7.5)
            self.set_xy(x, y + 19.5)
            name = self.fit(f"Name: {who.name}" if who.name else "Name:", width)
            self.cell(width, 4, name, align="C")
            self.set_xy(x, y + 23.5)
            self.text_cell(width, 4, f"Date: {who.on}" if who.on else "Date:", align="C")
        self.set_xy(self.l_margin, y + height)

    def save(self, path: Path) -> None:
        self.output(str(path))
