"""Reading and checking SOR files, without a database: the MUKTA workbooks and our JSON read
into rows, every row checked on its own, and the rules that compare checked rows with what a
store already holds (`rules`).

The desktop's importer (services.sor_import) and the head-office server's publication
(mukta_server.sor_publish) both use this package, so a file is read and judged the same way
on both; each keeps its own store. Nothing here imports SQLAlchemy, the models or the services
(an import contract in pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

from .json_reader import read_json
from .report import ImportProblem
from .rows import Source
from .xlsx_reader import not_a_workbook, read_workbook

_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"


def read_source(path: Path) -> Source:
    """The rows of a file, chosen by extension (and, for other names, by the first bytes)."""
    try:
        with path.open("rb") as stream:
            start = stream.read(8)
    except FileNotFoundError:
        return Source.failed(f"'{path}' was not found")
    except OSError as exc:
        return Source.failed(f"'{path}' cannot be read ({exc.strerror or exc})")
    suffix = path.suffix.casefold()
    if start.startswith(_OLD_EXCEL_MAGIC):
        return Source.failed(
            f"'{path.name}' is an old Excel 97-2003 workbook; save it as .xlsx and import that"
        )
    if suffix == ".json" or (suffix not in _WORKBOOK_SUFFIXES and start.lstrip()[:1] == b"{"):
        return read_json(path)
    if suffix in _WORKBOOK_SUFFIXES or start.startswith(_ZIP_MAGIC):
        return read_workbook(path)
    return Source.failed(not_a_workbook(path, f"unknown kind of file '{suffix or path.name}'"))


def in_file_order(problems: list[ImportProblem], source: Source) -> tuple[ImportProblem, ...]:
    """Problems as the file shows them: the file's own first, then by sheet and row."""
    sheet_order = {name: index for index, name in enumerate(source.sheets)}

    def place(problem: ImportProblem) -> tuple[int, int, int]:
        sheet = -1 if problem.sheet is None else sheet_order.get(problem.sheet, len(sheet_order))
        return (0 if problem.row is None else 1, sheet, problem.row or 0)

    return tuple(sorted(problems, key=place))
