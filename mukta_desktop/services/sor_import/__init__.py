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
from mukta_desktop.sor_files import in_file_order, read_source
from mukta_desktop.sor_files.json_reader import FORMAT
from mukta_desktop.sor_files.report import ImportProblem, ImportReport
from mukta_desktop.sor_files.rules import check_permissions
from mukta_desktop.sor_files.validate import validate_rows
from mukta_desktop.sor_files.vocabulary import Vocabulary

from ..database import Database
from ..masters import load_masters
from ..users import Actor
from .json_format import export_sor_json
from .plan import apply_plan, make_plan

__all__ = ["FORMAT", "ImportProblem", "ImportReport", "export_sor_json", "import_sor_file"]


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
        check_permissions(actor.roles, actor.tenant, tenant, plan)
        problems = [*source.problems, *problems, *plan.problems]
        if problems:
            return ImportReport(path.name, problems=in_file_order(problems, source))
        apply_plan(session, plan, tenant=tenant, by=actor.login)
    return ImportReport(
        path.name,
        sors_created=len(plan.creates),
        sors_updated=len(plan.updates),
        sors_unchanged=plan.unchanged,
        rates_added=len(plan.rates),
        rates_skipped=plan.rates_skipped,
    )
