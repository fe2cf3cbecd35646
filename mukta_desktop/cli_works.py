"""The work-order, Measurement Book, project and `verify` commands of `mukta-desktop`.

cli.py registers them (`add_parsers`, `HANDLERS`); exit status and errors as there: 0 done,
1 refused input (the reason on stderr), 2 usage error. Services are imported inside each
command, so the headless path stays light and never imports Qt. JSON prints quantities with
4 decimals and amounts with 2, as strings.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mukta_desktop.cli import (
    EXIT_OK,
    EXIT_REFUSED,
    Refused,
    _acting_user,
    _clip,
    _date_arg,
    _factor,
    _print_json,
    export_document,
)
from mukta_desktop.domain.dates import INDIA, format_date, india_today, parse_date
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.mb import DEFAULT_PERIOD_DAYS, MAX_PHOTOS, Period
from mukta_desktop.domain.numbers import format_indian, format_money, plain_text, round4, to_str2
from mukta_desktop.domain.workflow import Action, Status

if TYPE_CHECKING:
    from mukta_desktop.domain.measurements import MeasurementRow
    from mukta_desktop.services.database import Database
    from mukta_desktop.services.estimate_views import HistoryEvent
    from mukta_desktop.services.mb_views import (
        MbLineDraft,
        MbSummary,
        MbView,
        WorkOrderLine,
        WorkOrderView,
    )

Handler = Callable[["Database", argparse.Namespace], int]

WORK_ORDER_STATUSES = ["ACTIVE", "COMPLETED", "CANCELLED"]
MB_ACTIONS = [a.value for a in Action if a is not Action.SANCTION]
MB_STATUSES = [s.value for s in Status if s is not Status.PENDING_TECHNICAL_SANCTION]

MB_JSON_HELP = (
    'The file: {"work_order": "WO/...", "period": {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}, '
    '"measurement_date": "YYYY-MM-DD", "remarks": "...", "lines": [{"sor_code": "..." | '
    '"line": N, "measurements": [{"kind": "plus"|"minus", "name": "...", "number": "2", '
    '"length": "10.5", "breadth": "0.45", "depth": "0.3"}], "remarks": "..."}], "photos": '
    '["site.jpg", ...]}. "line" is the 1-based position of the item in the work order; '
    '"sor_code" must name exactly one work-order line. Items not listed measure nothing in '
    "this MB. A blank factor is null (it counts as 1). The period (default: the next one in "
    "full) may lie in the past; measurement_date defaults to the period's last day (or today "
    "while it runs). Photo paths are relative to the file; at most "
    f"{MAX_PHOTOS} JPEG or PNG photos. All or nothing: if anything is refused, no MB is made."
)


# ---------------------------------------------------------------- parsers


def _amount_arg(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not an amount; write it like 12500.50"
        ) from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"'{text}' is not an amount; write it like 12500.50")
    return value


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    """The `workorder`, `mb`, `project` and `verify` commands."""
    _work_order_parser(commands, common)
    _mb_parser(commands, common)
    project = commands.add_parser("project", parents=[common], help="projects")
    project_commands = project.add_subparsers(
        dest="project_command", metavar="ACTION", required=True
    )
    close = project_commands.add_parser(
        "close",
        parents=[common],
        help="close a project (as --user)",
        description="Close a project when every work order of it is completed or cancelled; "
        "a closed project takes no new estimates, work orders or MBs.",
    )
    close.add_argument("number", metavar="NUMBER")
    verify = commands.add_parser(
        "verify",
        parents=[common],
        help="check that approved MBs and photos are unchanged",
        description="Recompute the content hash of every approved MB and the chain of each "
        "work order's approved MBs, and the SHA-256 of every stored photo; name each "
        "mismatch. Exit status 1 when anything was changed behind the app's back.",
    )
    verify.add_argument("--json", action="store_true")


def _work_order_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    work_order = commands.add_parser(
        "workorder",
        parents=[common],
        help="work orders (an approved estimate awarded to an organisation)",
        description="Work orders. create, cancel and complete act as --user (password from "
        "MUKTA_PASSWORD or a prompt); list and show only read.",
    )
    sub = work_order.add_subparsers(dest="workorder_command", metavar="ACTION", required=True)
    create = sub.add_parser(
        "create",
        parents=[common],
        help="award an approved estimate (prints the work order number)",
        description="A work order of an approved estimate (it follows the estimate in force: "
        "the latest approved revision). Dates may lie in the past (work kept on paper "
        "entered later); MB periods run from --start, --period-days long.",
    )
    create.add_argument("--estimate", required=True, metavar="NUMBER")
    create.add_argument("--organisation", required=True, metavar="NAME", help="the CBO")
    create.add_argument("--start", type=_date_arg, required=True, metavar="YYYY-MM-DD")
    create.add_argument("--end", type=_date_arg, required=True, metavar="YYYY-MM-DD")
    create.add_argument(
        "--date",
        type=_date_arg,
        default=None,
        metavar="YYYY-MM-DD",
        help="the work order's date (default today)",
    )
    create.add_argument(
        "--period-days",
        dest="period_days",
        type=int,
        default=DEFAULT_PERIOD_DAYS,
        metavar="N",
        help=f"length of an MB period (default {DEFAULT_PERIOD_DAYS})",
    )
    lst = sub.add_parser("list", parents=[common], help="list work orders (newest first)")
    lst.add_argument("--project", default=None, metavar="NUMBER", help="only this project")
    lst.add_argument(
        "--status",
        type=str.upper,
        choices=WORK_ORDER_STATUSES,
        default=None,
        metavar="STATUS",
        help=f"only this status: {', '.join(WORK_ORDER_STATUSES)}",
    )
    lst.add_argument("--tenant", default=None, help="only this ULB (od.<ulb>; default: all)")
    lst.add_argument("--json", action="store_true")
    show = sub.add_parser(
        "show",
        parents=[common],
        help="a work order with its lines, MBs and next period",
        description="A work order: its lines with estimate and measured quantities, its MBs, "
        "and the period of the next MB (or why none may be made now).",
    )
    show.add_argument("number", metavar="NUMBER")
    show.add_argument("--json", action="store_true")
    cancel = sub.add_parser(
        "cancel", parents=[common], help="cancel a work order with no approved MB (as --user)"
    )
    cancel.add_argument("number", metavar="NUMBER")
    cancel.add_argument("--reason", required=True, metavar="TEXT")
    complete = sub.add_parser(
        "complete",
        parents=[common],
        help="mark a work order completed: its last MB approved (as --user)",
    )
    complete.add_argument("number", metavar="NUMBER")


def _mb_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    mb = commands.add_parser(
        "mb",
        parents=[common],
        help="Measurement Books",
        description="Measurement Books. create, action and discard act as --user (password from "
        "MUKTA_PASSWORD or a prompt); the others only read.",
    )
    sub = mb.add_subparsers(dest="mb_command", metavar="ACTION", required=True)
    create = sub.add_parser(
        "create",
        parents=[common],
        help="an MB from a JSON file (prints its number)",
        description="Create an MB (Drafted) for the next period of a work order from a JSON "
        "file, with the checks of a submitted MB (rows, ceiling per SOR item), and attach its "
        "photos. " + MB_JSON_HELP,
    )
    create.add_argument("--from-json", dest="from_json", type=Path, required=True, metavar="FILE")

    show = sub.add_parser(
        "show",
        parents=[common],
        help="an MB with its figures, photos, hashes and history",
        description="An MB: every item with its estimate, previous, this MB's and up-to-date "
        "quantities and amounts, the measurement rows, totals, utilization, photos, the "
        "content hash and its chain, and the history. --json: quantities as strings with 4 "
        "decimals, amounts with 2.",
    )
    show.add_argument("number", metavar="NUMBER")
    show.add_argument("--json", action="store_true")

    lst = sub.add_parser(
        "list",
        parents=[common],
        help="list or search MBs (newest first)",
        description="MBs in this installation, newest first. --inbox lists what waits for "
        "--user instead.",
    )
    lst.add_argument("--work-order", dest="work_order", default=None, metavar="NUMBER")
    lst.add_argument(
        "--status",
        type=str.upper,
        choices=MB_STATUSES,
        default=None,
        metavar="STATUS",
        help=f"only this status: {', '.join(MB_STATUSES)}",
    )
    lst.add_argument("--ward", default="", help="words of the project's ward")
    lst.add_argument(
        "--project-name", dest="project_name", default="", help="words of the project's name"
    )
    lst.add_argument("--search", default="", help="words of the MB number")
    lst.add_argument(
        "--from",
        dest="date_from",
        type=_date_arg,
        default=None,
        metavar="YYYY-MM-DD",
        help="created on or after this day",
    )
    lst.add_argument(
        "--to",
        dest="date_to",
        type=_date_arg,
        default=None,
        metavar="YYYY-MM-DD",
        help="created on or before this day",
    )
    lst.add_argument("--tenant", default=None, help="only this ULB (od.<ulb>; default: all)")
    lst.add_argument("--inbox", action="store_true", help="what waits for --user")
    lst.add_argument("--json", action="store_true")

    action = sub.add_parser(
        "action",
        parents=[common],
        help="take a workflow action as --user",
        description="Take a workflow action on an MB as --user: "
        + "; ".join(f"{a} ({Action(a).label})" for a in MB_ACTIONS)
        + ". Send back, send back to originator and reject need --comment.",
    )
    action.add_argument("number", metavar="NUMBER")
    action.add_argument("action", type=str.lower, choices=MB_ACTIONS, metavar="ACTION")
    action.add_argument("--comment", default="", help="the comment kept in the history")

    discard = sub.add_parser(
        "discard",
        parents=[common],
        help="discard a draft MB never submitted (as --user, its creator)",
        description="Discard a Drafted MB its creator never submitted, e.g. one made from a "
        "wrong file: its period is free again; its number is not reused and the history "
        "keeps the discard.",
    )
    discard.add_argument("number", metavar="NUMBER")

    export = sub.add_parser("export", parents=[common], help="write an MB to PDF or Excel")
    export.add_argument("number", metavar="NUMBER")
    export.add_argument("--format", dest="fmt", choices=["pdf", "xlsx"], required=True)
    export.add_argument("--out", type=Path, required=True, metavar="FILE")

    muster = sub.add_parser(
        "check-muster-roll",
        parents=[common],
        help="may a muster roll (wage bill) be approved? (exit 1: not covered)",
        description="Is every day of the muster roll's period inside approved MBs of the work "
        "order? Exit status 0 when covered, 1 when not; a warning when the wage bill exceeds "
        "the labour utilization of those MBs.",
    )
    muster.add_argument("--work-order", dest="work_order", required=True, metavar="NUMBER")
    muster.add_argument("--from", dest="date_from", type=_date_arg, required=True)
    muster.add_argument("--to", dest="date_to", type=_date_arg, required=True)
    muster.add_argument(
        "--amount", type=_amount_arg, required=True, metavar="X", help="the wage bill"
    )
    muster.add_argument("--json", action="store_true")

    purchase = sub.add_parser(
        "check-purchase-bill",
        parents=[common],
        help="may a purchase bill be approved? (exit 1: no approved MB)",
        description="A purchase bill needs an approved MB of the work order (exit status 1 "
        "when there is none); a warning when it exceeds the material utilization of the "
        "approved MBs not billed yet.",
    )
    purchase.add_argument("--work-order", dest="work_order", required=True, metavar="NUMBER")
    purchase.add_argument("--amount", type=_amount_arg, required=True, metavar="X")
    purchase.add_argument(
        "--billed-before",
        dest="billed_before",
        type=_amount_arg,
        default=Decimal(0),
        metavar="Y",
        help="material billed before (default 0)",
    )
    purchase.add_argument("--json", action="store_true")


# ---------------------------------------------------------------- shared pieces


def _q4(value: Decimal) -> str:
    """A quantity: 4 decimals, half-up."""
    return f"{round4(value):.4f}"


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _moment(value: datetime | None) -> str | None:
    """An instant in India time, ISO 8601 with its offset."""
    return None if value is None else value.astimezone(INDIA).isoformat()


def _period_json(period: Period) -> dict[str, str]:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


def _period_text(period: Period) -> str:
    return f"{format_date(period.start)} to {format_date(period.end)}"


def _history_json(history: Sequence[HistoryEvent]) -> list[dict[str, Any]]:
    return [
        {
            "action": h.action,
            "by": h.by_login,
            "at": _moment(h.at),
            "comment": h.comment,
            "from": h.from_status,
            "status": h.to_status,
        }
        for h in history
    ]


def _print_history(history: Sequence[HistoryEvent]) -> None:
    print("  History:")
    for event in history:
        when = event.at.astimezone(INDIA).strftime("%d/%m/%Y %H:%M")
        try:
            what = Action(event.action).label
        except ValueError:
            what = event.action.replace("-", " ").capitalize()
        try:
            status = Status(event.to_status).label
        except ValueError:
            status = event.to_status.capitalize()
        print(f"    {when}  {what:<24} {event.by_login:<14} -> {status}")
        if event.comment:
            print(f"{'':<23}{event.comment}")


def _summary_json(mb: MbSummary) -> dict[str, Any]:
    return {
        "number": mb.number,
        "work_order": mb.work_order_number,
        "project": {"number": mb.project_number, "name": mb.project_name},
        "ward": mb.ward,
        "period": _period_json(mb.period),
        "measurement_date": mb.measurement_date.isoformat(),
        "status": mb.status.value,
        "total": to_str2(mb.total),
        "cumulative_total": to_str2(mb.cumulative_total),
        "created_by": mb.created_by,
        "created_at": _moment(mb.created_at),
        "updated_at": _moment(mb.updated_at),
    }


def _summary_line(mb: MbSummary) -> str:
    return (
        f"{mb.number:<20} {mb.status.label:<22} {_period_text(mb.period):<24} "
        f"{format_money(mb.total):>14} {format_money(mb.cumulative_total):>16}  "
        f"{mb.work_order_number}"
    )


def _warn(warnings: Sequence[str]) -> None:
    for warning in warnings:
        print(f"mukta-desktop: warning: {warning}", file=sys.stderr)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# ---------------------------------------------------------------- work orders


def _workorder_create(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.work_orders import create_work_order

    actor = _acting_user(db, args, "workorder create")
    view = create_work_order(
        db,
        actor,
        estimate_number=args.estimate,
        organisation=args.organisation,
        start=args.start,
        end=args.end,
        today=india_today(),
        work_order_date=args.date,
        period_days=args.period_days,
    )
    print(view.number)
    return EXIT_OK


def _workorder_list(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.mb_views import WorkOrderStatus
    from mukta_desktop.services.work_orders import list_work_orders

    if args.tenant is not None:
        from mukta_desktop.services.sor_store import check_tenant

        with db.read() as session:
            check_tenant(session, args.tenant)
    found = list_work_orders(
        db,
        tenant=args.tenant,
        project_number=args.project,
        statuses=[WorkOrderStatus(args.status)] if args.status else [],
    )
    if args.json:
        _print_json(
            [
                {
                    "number": w.number,
                    "project": {"number": w.project_number, "name": w.project_name},
                    "estimate": w.estimate_number,
                    "organisation": w.organisation,
                    "start": w.start_date.isoformat(),
                    "end": w.end_date.isoformat(),
                    "status": w.status.value,
                    "created_by": w.created_by,
                }
                for w in found
            ]
        )
        return EXIT_OK
    for w in found:
        print(
            f"{w.number:<20} {w.status.label:<10} {format_date(w.start_date)} - "
            f"{format_date(w.end_date)}  {w.estimate_number:<20} {w.project_number}  "
            f"{_clip(w.project_name, 40)}  ({_clip(w.organisation, 40)})"
        )
    print(f"{len(found)} work order(s)")
    return EXIT_OK


def _work_order_line_json(line: WorkOrderLine) -> dict[str, Any]:
    return {
        "line": line.position,
        "category": line.category.value,
        "sor_code": line.sor_code,
        "description": line.description,
        "unit": line.unit,
        "rate": to_str2(line.rate),
        "rate_quantity": plain_text(line.rate_quantity),
        "estimate_quantity": _q4(line.estimate_quantity),
        "measured_quantity": _q4(line.measured_quantity),
        "balance_quantity": _q4(line.estimate_quantity - line.measured_quantity),
        "measured_amount": to_str2(line.measured_amount),
    }


def work_order_json(view: WorkOrderView) -> dict[str, Any]:
    return {
        "number": view.number,
        "tenant": view.tenant,
        "project": {"number": view.project.number, "name": view.project.name},
        "location": view.location,
        "estimate": view.estimate_number,
        "estimate_in_force": view.estimate_in_force,
        "organisation": view.organisation,
        "date": view.work_order_date.isoformat(),
        "start": view.start_date.isoformat(),
        "end": view.end_date.isoformat(),
        "period_days": view.period_days,
        "status": view.status.value,
        "status_reason": view.status_reason,
        "created_by": view.created_by,
        "lines": [_work_order_line_json(line) for line in view.lines],
        "estimate_total": to_str2(view.estimate_total),
        "measured_total": to_str2(view.measured_total),
        "measurement_books": [_summary_json(mb) for mb in view.mbs],
        "next_period": None if view.next_period is None else _period_json(view.next_period),
        "new_mb_refusal": view.new_mb_refusal or None,
        "history": _history_json(view.history),
    }


def _workorder_show(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.work_orders import get_work_order

    view = get_work_order(db, args.number)
    if args.json:
        _print_json(work_order_json(view))
        return EXIT_OK
    print(f"{view.number}  {view.status.label}")
    if view.status_reason:
        print(f"  Reason: {view.status_reason}")
    print(f"  Project {view.project.number}  {view.project.name}")
    if view.location:
        print(f"  {view.location}, {view.tenant_name}")
    in_force = (
        view.estimate_number
        if view.estimate_in_force == view.estimate_number
        else f"{view.estimate_number} (in force: {view.estimate_in_force})"
    )
    print(f"  Estimate {in_force}, awarded to {view.organisation}")
    print(
        f"  Dated {format_date(view.work_order_date)}, from {format_date(view.start_date)} to "
        f"{format_date(view.end_date)}, MB periods of {view.period_days} day(s); created by "
        f"{view.created_by}"
    )
    print()
    print(
        f"  {'#':>3}  {'Item':<44} {'Unit':<5} {'Estimate qty':>14} {'Measured qty':>14} "
        f"{'Balance':>14} {'Measured amount':>16}"
    )
    for line in view.lines:
        item = f"{line.sor_code} {line.description}" if line.sor_code else line.description
        print(
            f"  {line.position:>3}  {_clip(item, 44):<44} {line.unit:<5} "
            f"{format_indian(line.estimate_quantity, 4):>14} "
            f"{format_indian(line.measured_quantity, 4):>14} "
            f"{format_indian(line.estimate_quantity - line.measured_quantity, 4):>14} "
            f"{format_money(line.measured_amount):>16}"
        )
    print()
    print(f"  Estimate in force: {format_money(view.estimate_total)}")
    print(f"  Measured in approved MBs: {format_money(view.measured_total)}")
    print()
    print("  Measurement Books:" if view.mbs else "  No Measurement Book yet.")
    for mb in view.mbs:
        print(f"    {_summary_line(mb)}")
    if view.next_period is not None:
        print(f"  Next MB: {_period_text(view.next_period)}")
    else:
        print(f"  No new MB now: {view.new_mb_refusal}")
    print()
    _print_history(view.history)
    return EXIT_OK


def _workorder_cancel(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.work_orders import cancel_work_order

    actor = _acting_user(db, args, "workorder cancel")
    view = cancel_work_order(db, actor, args.number, reason=args.reason)
    print(f"{view.number}: cancelled.")
    return EXIT_OK


def _workorder_complete(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.work_orders import complete_work_order

    actor = _acting_user(db, args, "workorder complete")
    view = complete_work_order(db, actor, args.number)
    print(f"{view.number}: completed.")
    return EXIT_OK


def _project_close(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.work_orders import close_project

    actor = _acting_user(db, args, "project close")
    close_project(db, actor, args.number)
    print(f"Project {args.number.strip()} closed.")
    return EXIT_OK


# ---------------------------------------------------------------- mb create


@dataclass(frozen=True, slots=True)
class _LineSpec:
    entry: int  # 1-based position in the file's "lines"
    line: int | None
    sor_code: str | None
    rows: tuple[MeasurementRow, ...]
    remarks: str


@dataclass(frozen=True, slots=True)
class _MbFile:
    work_order: str
    period: Period | None
    measurement_date: date | None
    remarks: str
    lines: tuple[_LineSpec, ...]
    photos: tuple[Path, ...]


_TOP_KEYS = {"work_order", "period", "measurement_date", "remarks", "lines", "photos"}
_LINE_KEYS = {"sor_code", "line", "measurements", "remarks"}


def _refuse_constant(name: str) -> Any:
    raise Refused(f"'{name}' is not a number; write numbers like \"10.5\".")


def _read_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise Refused(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise Refused(f"{path} is not a UTF-8 text file ({what}).") from None
    try:
        # Decimal, never float: 2.675 stays 2.675.
        return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise Refused(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refused(f"{where}: expected text.")
    return value.strip()


def _a_date(value: Any, where: str) -> date:
    if not isinstance(value, str) or not value.strip():
        raise Refused(f'{where}: expected a date such as "2026-07-01".')
    try:
        return parse_date(value, field=where)
    except ValidationError as error:
        raise Refused(error.message) from None


def _unknown_keys(item: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(k for k in item if k not in allowed and not str(k).startswith("_"))
    if unknown:
        raise Refused(
            f"{where}: unknown key(s) {', '.join(repr(k) for k in unknown)}; expected "
            f"{', '.join(sorted(allowed))}."
        )


def _line_number(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise Refused(f'{where}, "line": expected a whole number (1 for the first line).')
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise Refused(f'{where}, "line": expected a whole number (1 for the first line).')


def parse_mb_file(data: Any, base: Path) -> _MbFile:
    """The MB file of `mb create --from-json` (`base`: the folder photo paths are relative
    to). Refuses a malformed file naming the entry; the services check the rest."""
    from mukta_desktop.services.estimate_json import parse_rows

    if not isinstance(data, dict):
        raise Refused('the MB file must hold one JSON object ({"work_order": ..., ...}).')
    _unknown_keys(data, _TOP_KEYS, "The MB file")
    work_order = _text(data.get("work_order"), '"work_order"')
    if not work_order:
        raise Refused('the MB file names no "work_order" (its number, WO/...).')
    period: Period | None = None
    if data.get("period") is not None:
        raw = data["period"]
        if not isinstance(raw, dict) or "from" not in raw or "to" not in raw:
            raise Refused('"period": expected {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}.')
        period = Period(_a_date(raw["from"], "period from"), _a_date(raw["to"], "period to"))
    measured_on = (
        None
        if data.get("measurement_date") in (None, "")
        else _a_date(data["measurement_date"], "measurement_date")
    )
    entries = data.get("lines")
    if not isinstance(entries, list) or not entries:
        raise Refused('"lines": expected a list of the items measured in this MB.')
    lines: list[_LineSpec] = []
    for entry, item in enumerate(entries, start=1):
        where = f"lines entry {entry}"
        if not isinstance(item, dict):
            raise Refused(f"{where}: expected an object.")
        _unknown_keys(item, _LINE_KEYS, where)
        code = _text(item.get("sor_code"), f'{where}, "sor_code"') or None
        line = None if item.get("line") is None else _line_number(item["line"], where)
        if code is None and line is None:
            raise Refused(f'{where}: name the item with "sor_code" or "line".')
        label = f"line {line}" if line is not None else code
        try:
            rows = parse_rows(item.get("measurements"), f"{where} ({label})")
        except ValidationError as error:
            raise Refused(error.message) from None
        lines.append(
            _LineSpec(entry, line, code, rows, _text(item.get("remarks"), f"{where}, remarks"))
        )
    photos = data.get("photos") or []
    if not isinstance(photos, list) or not all(isinstance(p, str) and p for p in photos):
        raise Refused('"photos": expected a list of file paths.')
    if len(photos) > MAX_PHOTOS:
        raise Refused(f"the file lists {len(photos)} photos; an MB takes at most {MAX_PHOTOS}.")
    return _MbFile(
        work_order=work_order,
        period=period,
        measurement_date=measured_on,
        remarks=_text(data.get("remarks"), '"remarks"'),
        lines=tuple(lines),
        photos=tuple(base / Path(p).expanduser() for p in photos),
    )


def resolve_lines(
    specs: Sequence[_LineSpec], order_lines: Sequence[WorkOrderLine], work_order: str
) -> list[MbLineDraft]:
    """Each file entry as the work-order item it names."""
    from mukta_desktop.services.mb_views import MbLineDraft

    drafts: list[MbLineDraft] = []
    seen: dict[int, int] = {}
    for spec in specs:
        where = f"lines entry {spec.entry}"
        if spec.line is not None:
            if not 1 <= spec.line <= len(order_lines):
                raise Refused(
                    f"{where}: work order {work_order} has lines 1 to {len(order_lines)}; "
                    f"there is no line {spec.line}."
                )
            target = order_lines[spec.line - 1]
            if spec.sor_code is not None and (target.sor_code or "").upper() != (
                spec.sor_code.upper()
            ):
                raise Refused(
                    f"{where}: line {spec.line} of work order {work_order} is "
                    f"{target.sor_code or 'a non-SOR item'} ({_clip(target.description, 60)}), "
                    f"not {spec.sor_code}."
                )
        else:
            assert spec.sor_code is not None
            code = spec.sor_code.upper()
            matches = [line for line in order_lines if (line.sor_code or "").upper() == code]
            if not matches:
                codes = sorted({line.sor_code for line in order_lines if line.sor_code})
                raise Refused(
                    f"{where}: {spec.sor_code} is not an item of work order {work_order} "
                    f"(its SOR items: {', '.join(codes) or 'none'})."
                )
            if len(matches) > 1:
                positions = ", ".join(str(line.position) for line in matches)
                raise Refused(
                    f"{where}: {spec.sor_code} is on {len(matches)} lines of work order "
                    f'{work_order} (lines {positions}); name the line with "line" instead of '
                    '"sor_code".'
                )
            target = matches[0]
        if target.position in seen:
            raise Refused(
                f"{where}: line {target.position} of work order {work_order} is listed already "
                f"(lines entry {seen[target.position]}); put all its rows in one entry."
            )
        seen[target.position] = spec.entry
        drafts.append(MbLineDraft(target.key, spec.rows, spec.remarks))
    return drafts


def _mb_create(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.measurement_books import (
        attach_in,
        create_mb_in,
        mb_view,
        photo_store,
    )
    from mukta_desktop.services.photo_files import prepare_photo
    from mukta_desktop.services.work_orders import find_work_order, work_order_lines

    actor = _acting_user(db, args, "mb create")
    path: Path = args.from_json
    document = parse_mb_file(_read_json(path, "an MB JSON file"), path.parent)
    # The slow part (decoding and downscaling photos) before the database is locked; a
    # refused photo stops everything before any MB exists.
    prepared = [prepare_photo(photo) for photo in document.photos]
    store = photo_store(db)
    for photo in prepared:
        # Content-addressed: a file left by a refused MB below is harmless and reused.
        store.put(photo.data, photo.media_type)
    with db.unit_of_work() as session:
        order = find_work_order(session, document.work_order, actor)
        lines = resolve_lines(document.lines, work_order_lines(session, order), order.number)
        mb = create_mb_in(
            session,
            actor,
            order.number,
            today=india_today(),
            period=document.period,
            measurement_date=document.measurement_date,
            lines=lines,
            remarks=document.remarks,
            complete=True,
        )
        for photo in prepared:
            attach_in(session, actor, mb, photo)
        view = mb_view(session, mb, actor, store=store)
    _warn(view.warnings)
    print(view.number)
    return EXIT_OK


# ---------------------------------------------------------------- mb show


def _row_json(row: MeasurementRow) -> dict[str, Any]:
    return {
        "kind": row.kind.value,
        "name": row.name,
        "number": None if row.number is None else plain_text(row.number),
        "length": None if row.length is None else plain_text(row.length),
        "breadth": None if row.breadth is None else plain_text(row.breadth),
        "depth": None if row.depth is None else plain_text(row.depth),
        "quantity": _q4(row.quantity),
    }


def _coordinate(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def mb_json(view: MbView) -> dict[str, Any]:
    """The JSON of `mb show --json`: `amount`/`total` are this MB's, `cumulative_*` up to
    date, `previous_*` the approved MBs before it."""
    totals = view.totals
    return {
        "number": view.number,
        "tenant": view.tenant,
        "work_order": view.work_order.number,
        "organisation": view.work_order.organisation,
        "project": {"number": view.project.number, "name": view.project.name},
        "location": view.location,
        "estimate": view.estimate_number,
        "status": view.status.value,
        "period": _period_json(view.period),
        "measurement_date": view.measurement_date.isoformat(),
        "remarks": view.remarks,
        "created_by": view.created_by,
        "created_at": _moment(view.created_at),
        "version": view.version,
        "lines": [
            {
                "line": line.position,
                "category": line.item.category.value,
                "sor_code": line.item.sor_code,
                "description": line.item.description,
                "unit": line.item.unit,
                "rate": to_str2(line.item.rate),
                "rate_quantity": plain_text(line.item.rate_quantity),
                "estimate_quantity": _q4(line.item.estimate_quantity),
                "previous_quantity": _q4(line.item.previous_quantity),
                "previous_amount": to_str2(line.item.previous_amount),
                "measurements": [_row_json(row) for row in line.item.rows],
                "quantity": _q4(line.figures.quantity),
                "cumulative_quantity": _q4(line.figures.cumulative_quantity),
                "amount": to_str2(line.figures.amount),
                "cumulative_amount": to_str2(line.figures.cumulative_amount),
                "utilization": {
                    "material": to_str2(line.figures.utilization.material),
                    "labour": to_str2(line.figures.utilization.labour),
                    "machinery": to_str2(line.figures.utilization.machinery),
                },
                "remarks": line.remarks,
            }
            for line in view.lines
        ],
        "total": to_str2(totals.total),
        "previous_total": to_str2(totals.previous_total),
        "cumulative_total": to_str2(totals.cumulative_total),
        "total_rupees": f"{totals.total_rupees:f}",
        "total_in_words": view.total_in_words,
        "utilization": {
            "material": to_str2(totals.utilization.material),
            "labour": to_str2(totals.utilization.labour),
            "machinery": to_str2(totals.utilization.machinery),
        },
        "photos": [
            {
                "position": photo.position + 1,
                "sha256": photo.sha256,
                "media_type": photo.media_type,
                "width": photo.width,
                "height": photo.height,
                "stored_bytes": photo.stored_bytes,
                "original_sha256": photo.original_sha256,
                "original_name": photo.original_name,
                "original_bytes": photo.original_bytes,
                "taken_at": _moment(photo.taken_at),
                "latitude": _coordinate(photo.latitude),
                "longitude": _coordinate(photo.longitude),
                "path": str(photo.path),
                "added_by": photo.added_by,
                "added_at": _moment(photo.added_at),
            }
            for photo in view.photos
        ],
        "previous_mb": view.previous_mb,
        "approved_at": _moment(view.approved_at),
        "content_hash": view.content_hash,
        "previous_hash": view.previous_hash,
        "warnings": list(view.warnings),
        "history": _history_json(view.history),
        "mb_history": [_summary_json(mb) for mb in view.mb_history],
    }


def _mb_show(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.measurement_books import get_mb

    view = get_mb(db, args.number)
    if args.json:
        _print_json(mb_json(view))
        return EXIT_OK
    _print_mb(view)
    return EXIT_OK


def _print_mb(view: MbView) -> None:
    totals = view.totals
    print(f"{view.number}  {view.status.label}")
    print(f"  Work order {view.work_order.number}, {view.work_order.organisation}")
    print(f"  Project {view.project.number}  {view.project.name}")
    if view.location:
        print(f"  {view.location}, {view.tenant_name}")
    print(
        f"  Period {_period_text(view.period)}, measured on {format_date(view.measurement_date)}"
        f", against {view.estimate_number}; created by {view.created_by_name}"
    )
    if view.remarks:
        print(f"  {view.remarks}")
    print()
    print(
        f"  {'#':>3}  {'Item':<40} {'Unit':<5} {'Estimate':>12} {'Previous':>12} "
        f"{'This MB':>12} {'Up to date':>12} {'Rate':>12} {'Amount':>14}"
    )
    for line in view.lines:
        item = line.item
        figures = line.figures
        rate = format_money(item.rate)
        if item.rate_quantity != 1:
            rate += f" /{plain_text(item.rate_quantity)}"
        print(
            f"  {line.position:>3}  {_clip(item.label, 40):<40} {item.unit:<5} "
            f"{format_indian(item.estimate_quantity, 4):>12} "
            f"{format_indian(item.previous_quantity, 4):>12} "
            f"{format_indian(figures.quantity, 4):>12} "
            f"{format_indian(figures.cumulative_quantity, 4):>12} {rate:>12} "
            f"{format_money(figures.amount):>14}"
        )
        for row in item.rows:
            sign = "+" if row.kind.value == "plus" else "-"
            factors = " x ".join(_factor(f) or "·" for f in row.factors())
            print(f"         {sign} {_clip(row.name, 38):<38} {factors:<32} = {_q4(row.quantity)}")
        if line.remarks:
            print(f"         Remarks: {line.remarks}")
    print()
    width = 40
    print(f"  {'This MB':<{width}} {format_money(totals.total):>18}")
    print(f"  {'Up to the previous MB':<{width}} {format_money(totals.previous_total):>18}")
    print(f"  {'Up to date':<{width}} {format_money(totals.cumulative_total):>18}")
    print(f"  {'This MB in whole rupees':<{width}} {format_indian(totals.total_rupees, 0):>18}")
    print(f"  {view.total_in_words}")
    u = totals.utilization
    print(
        f"  Utilization of this MB: material {format_money(u.material)}, labour "
        f"{format_money(u.labour)}, machinery {format_money(u.machinery)}"
    )
    for warning in view.warnings:
        print(f"  Warning: {warning}")
    print()
    print(f"  Photos ({len(view.photos)}):" if view.photos else "  No photos.")
    for photo in view.photos:
        taken = (
            photo.taken_at.astimezone(INDIA).strftime("%d/%m/%Y %H:%M")
            if photo.taken_at
            else "time unknown"
        )
        where = (
            f"{_coordinate(photo.latitude)}, {_coordinate(photo.longitude)}"
            if photo.latitude is not None and photo.longitude is not None
            else "no GPS"
        )
        print(f"    {photo.position + 1}. {_clip(photo.original_name, 40):<40} {taken:<17} {where}")
        print(f"       SHA-256 {photo.sha256}")
    if view.content_hash:
        print()
        approved = _moment(view.approved_at) or ""
        print(f"  Approved {approved}; content hash {view.content_hash}")
        print(
            f"  Previous approved MB: {view.previous_mb or 'none'} "
            f"(hash {view.previous_hash or 'none'})"
        )
    print()
    if view.mb_history:
        print("  MBs of the work order:")
        for mb in view.mb_history:
            mark = "*" if mb.number == view.number else " "
            print(f"   {mark}{_summary_line(mb)}")
        print()
    _print_history(view.history)


# ---------------------------------------------------------------- mb list, action, export


def _mb_list(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.measurement_books import mb_inbox, search_mbs

    if args.inbox:
        if not getattr(args, "user", None):
            raise Refused("--inbox lists what waits for a user: name them with --user LOGIN.")
        filters = (
            args.work_order,
            args.status,
            args.ward,
            args.project_name,
            args.search,
            args.date_from,
            args.date_to,
            args.tenant,
        )
        if any(filters):
            raise Refused("--inbox takes no other filter.")
        found = mb_inbox(db, _acting_user(db, args, "mb list --inbox"))
    else:
        if args.date_from and args.date_to and args.date_from > args.date_to:
            raise Refused(
                f"--from {format_date(args.date_from)} is after --to {format_date(args.date_to)}."
            )
        if args.tenant is not None:
            from mukta_desktop.services.sor_store import check_tenant

            with db.read() as session:
                check_tenant(session, args.tenant)
        found = search_mbs(
            db,
            tenant=args.tenant,
            work_order=args.work_order,
            ward=args.ward,
            project_name=args.project_name,
            number=args.search,
            statuses=[Status(args.status)] if args.status else [],
            created_from=args.date_from,
            created_to=args.date_to,
        )
    if args.json:
        _print_json([_summary_json(mb) for mb in found])
        return EXIT_OK
    for mb in found:
        print(f"{_summary_line(mb)}  {_clip(mb.project_name, 40)}")
    print(f"{len(found)} MB(s)")
    return EXIT_OK


def _mb_action(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.measurement_books import act_mb

    action = Action(args.action)
    actor = _acting_user(db, args, f"mb action {action.value}")
    view = act_mb(db, actor, args.number, action, comment=args.comment)
    print(f"{view.number}: {action.label} done; now {view.status.label}.")
    if view.content_hash:
        print(f"Content hash {view.content_hash}")
    return EXIT_OK


def _mb_discard(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.measurement_books import discard_mb

    actor = _acting_user(db, args, "mb discard")
    discard_mb(db, actor, args.number)
    print(f"{args.number.strip()}: discarded.")
    return EXIT_OK


def _mb_export(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.measurement_books import get_mb

    view = get_mb(db, args.number)

    def write_pdf() -> None:
        from mukta_desktop.reports.mb_pdf import write_mb_pdf

        write_mb_pdf(view, args.out)

    def write_xlsx() -> None:
        from mukta_desktop.reports.mb_xlsx import write_mb_xlsx

        write_mb_xlsx(view, args.out)

    return export_document(view.number, args, write_pdf, write_xlsx)


# ---------------------------------------------------------------- bill checks


def _mb_check_muster_roll(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.bills import muster_roll_check

    result = muster_roll_check(
        db, args.work_order, start=args.date_from, end=args.date_to, wage_bill=args.amount
    )
    check = result.check
    if args.json:
        _print_json(
            {
                "work_order": result.work_order,
                "period": {"from": args.date_from.isoformat(), "to": args.date_to.isoformat()},
                "amount": to_str2(args.amount),
                "covered": check.covered,
                "covering": list(check.covering),
                "labour": to_str2(check.labour),
                "message": check.message,
                "warnings": list(check.warnings),
            }
        )
    elif check.covered:
        print(check.message)
    else:
        print(f"mukta-desktop: {check.message}", file=sys.stderr)
    if not args.json:
        _warn(check.warnings)
    return EXIT_OK if check.covered else EXIT_REFUSED


def _mb_check_purchase_bill(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.bills import purchase_bill_check

    result = purchase_bill_check(
        db, args.work_order, amount=args.amount, billed_before=args.billed_before
    )
    check = result.check
    if args.json:
        _print_json(
            {
                "work_order": result.work_order,
                "amount": to_str2(args.amount),
                "billed_before": to_str2(args.billed_before),
                "allowed": check.allowed,
                "material": to_str2(check.material),
                "available": to_str2(check.available),
                "message": check.message,
                "warnings": list(check.warnings),
            }
        )
    elif check.allowed:
        print(check.message)
    else:
        print(f"mukta-desktop: {check.message}", file=sys.stderr)
    if not args.json:
        _warn(check.warnings)
    return EXIT_OK if check.allowed else EXIT_REFUSED


# ---------------------------------------------------------------- verify


def _verify(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.mb_verify import verify_records

    report = verify_records(db)
    if args.json:
        _print_json(
            {
                "ok": report.ok,
                "work_orders": report.work_orders,
                "measurement_books": report.measurement_books,
                "photos": report.photos,
                "problems": list(report.problems),
            }
        )
        return EXIT_OK if report.ok else EXIT_REFUSED
    checked = (
        f"Checked {_plural(report.work_orders, 'work order')}, "
        f"{_plural(report.measurement_books, 'approved MB')}, {_plural(report.photos, 'photo')}"
    )
    if report.ok:
        print(f"{checked}: all intact.")
        return EXIT_OK
    print(f"{checked}: {_plural(len(report.problems), 'problem')} found.")
    for problem in report.problems:
        print(f"  {problem}")
    return EXIT_REFUSED


HANDLERS: dict[tuple[str, str | None], Handler] = {
    ("workorder", "create"): _workorder_create,
    ("workorder", "list"): _workorder_list,
    ("workorder", "show"): _workorder_show,
    ("workorder", "cancel"): _workorder_cancel,
    ("workorder", "complete"): _workorder_complete,
    ("project", "close"): _project_close,
    ("mb", "create"): _mb_create,
    ("mb", "show"): _mb_show,
    ("mb", "list"): _mb_list,
    ("mb", "action"): _mb_action,
    ("mb", "discard"): _mb_discard,
    ("mb", "export"): _mb_export,
    ("mb", "check-muster-roll"): _mb_check_muster_roll,
    ("mb", "check-purchase-bill"): _mb_check_purchase_bill,
    ("verify", None): _verify,
}
