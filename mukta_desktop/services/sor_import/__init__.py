"""Importing SORs and rates from the MUKTA bulk-upload workbooks and our own JSON.

`import_sor_file` reads a whole file, checks every row, and applies everything in one unit of
work or nothing: a refused import returns every problem found and writes nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mukta_desktop.domain.roles import can_manage_sor_definitions, can_set_rates, require
from mukta_desktop.domain.sor import STATE_TENANT
from mukta_desktop.models import Tenant

from ..database import Database
from ..masters import load_masters
from ..users import Actor
from .json_format import FORMAT, export_sor_json, read_json
from .plan import Plan, apply_plan, make_plan
from .report import ImportProblem, ImportReport
from .rows import Source
from .validate import validate_rows
from .vocabulary import Vocabulary
from .xlsx_reader import not_a_workbook, read_workbook

__all__ = ["FORMAT", "ImportProblem", "ImportReport", "export_sor_json", "import_sor_file"]

_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
_SHOWN_CODES = 5


def import_sor_file(
    db: Database,
    actor: Actor,
    path: Path,
    *,
    effective_from: date | None,
    tenant: str = STATE_TENANT,
    today: date,
) -> ImportReport:
    """Import SOR definitions and (state or ULB) rates from an .xlsx or .json file.

    Rates are for `tenant` and take effect from `effective_from`; when it is None, from the
    date each rate carries in a .json file, else today. A rate equal to the latest one of its
    series is already present (skipped), whatever that one's date. Raises PermissionDenied when
    the actor may not make the changes the file asks for; any problem with the file itself
    comes back in the report.
    """
    path = Path(path)
    require(
        can_manage_sor_definitions(actor.roles) or can_set_rates(actor.roles, actor.tenant, tenant),
        "import SORs or rates",
        "MDMS_STATE_ADMIN or MDMS_CITY_ADMIN",
    )
    source = read_source(path)
    if source.problems and not source.rows:
        return ImportReport(path.name, problems=tuple(source.problems))
    with db.unit_of_work() as session:
        if session.get(Tenant, tenant) is None:
            return ImportReport(
                path.name,
                problems=(
                    ImportProblem(
                        f"tenant '{tenant}' is not known; "
                        "use 'od' or a ULB code such as od.dhenkanal"
                    ),
                ),
            )
        lines, problems = validate_rows(source.rows, Vocabulary.from_masters(load_masters(session)))
        plan = make_plan(session, lines, tenant=tenant, effective_from=effective_from, today=today)
        _check_permissions(actor, tenant, plan)
        problems = [*source.problems, *problems, *plan.problems]
        if problems:
            return ImportReport(path.name, problems=_in_file_order(problems, source))
        apply_plan(session, plan, tenant=tenant, by=actor.login)
    return ImportReport(
        path.name,
        sors_created=len(plan.creates),
        sors_updated=len(plan.updates),
        sors_unchanged=plan.unchanged,
        rates_added=len(plan.rates),
        rates_skipped=plan.rates_skipped,
    )


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


def _check_permissions(actor: Actor, tenant: str, plan: Plan) -> None:
    """Only the permissions the file needs: a city admin may load rates for existing SORs."""
    if plan.changes_definitions:
        codes = plan.definition_codes()
        shown = ", ".join(codes[:_SHOWN_CODES]) + (", ..." if len(codes) > _SHOWN_CODES else "")
        require(
            can_manage_sor_definitions(actor.roles),
            f"create or change SOR definitions ({shown})",
            "MDMS_STATE_ADMIN",
        )
    if plan.rates:
        require(
            can_set_rates(actor.roles, actor.tenant, tenant),
            f"set rates for {tenant}",
            "MDMS_STATE_ADMIN" if tenant == STATE_TENANT else f"MDMS_CITY_ADMIN (of {tenant})",
        )


def _in_file_order(problems: list[ImportProblem], source: Source) -> tuple[ImportProblem, ...]:
    sheet_order = {name: index for index, name in enumerate(source.sheets)}

    def place(problem: ImportProblem) -> tuple[int, int, int]:
        sheet = -1 if problem.sheet is None else sheet_order.get(problem.sheet, len(sheet_order))
        return (0 if problem.row is None else 1, sheet, problem.row or 0)

    return tuple(sorted(problems, key=place))
