"""The `mukta-desktop` command: the GUI without a sub-command, headless commands otherwise.

Exit status: 0 done, 1 refused input (message on stderr), 2 usage error. The headless path
never imports Qt, so `sor show` starts fast.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mukta_desktop import __version__
from mukta_desktop.domain.dates import INDIA, format_date, india_today
from mukta_desktop.domain.errors import DomainError
from mukta_desktop.domain.numbers import format_indian, format_money, plain_text
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.services.paths import default_data_dir

if TYPE_CHECKING:
    from mukta_desktop.domain.deviation import Statement
    from mukta_desktop.services.database import Database
    from mukta_desktop.services.estimate_views import EstimateSummary, EstimateView
    from mukta_desktop.services.users import Actor

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
PASSWORD_ENV = "MUKTA_PASSWORD"


class Refused(Exception):
    """A command refused its input; the message goes to stderr with exit status 1."""


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mukta-desktop",
        description="MUKTA Desktop: Schedule of Rates, estimates and Measurement Book, offline.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="where the database lives (default: the user data directory)",
    )
    common.add_argument(
        "--user",
        default=argparse.SUPPRESS,
        help="the local user acting (password from MUKTA_PASSWORD or a prompt)",
    )
    for action in common._actions:
        if action.dest != "help":
            parser._add_action(action)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    sor = commands.add_parser("sor", help="Schedule of Rates", parents=[common])
    sor_commands = sor.add_subparsers(dest="sor_command", metavar="ACTION", required=True)
    imp = sor_commands.add_parser(
        "import", parents=[common], help="import SORs and rates from .xlsx or .json"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--effective-from",
        type=_date_arg,
        default=None,
        help="rates take effect from this date "
        "(YYYY-MM-DD; default: a .json file's own rate dates, else today)",
    )
    imp.add_argument("--tenant", default="od", help="od (state rates) or od.<ulb>")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    lst = sor_commands.add_parser("list", parents=[common], help="list or search SORs")
    lst.add_argument("--search", default="", help="words of the code or description")
    lst.add_argument("--type", choices=["M", "L", "E", "W"], default=None)
    lst.add_argument("--status", choices=["ACTIVE", "INACTIVE"], default=None)
    lst.add_argument("--tenant", default="od", help="whose rates to show (od or od.<ulb>)")
    lst.add_argument("--at", type=_date_arg, default=None, help="rates in force on YYYY-MM-DD")
    lst.add_argument("--limit", type=int, default=None, help="at most this many (default all)")
    lst.add_argument("--offset", type=int, default=0)
    lst.add_argument("--json", action="store_true")
    show = sor_commands.add_parser("show", parents=[common], help="one SOR with its rates")
    show.add_argument("code")
    show.add_argument("--at", type=_date_arg, default=None, help="rate in force on YYYY-MM-DD")
    show.add_argument("--tenant", default="od", help="od or od.<ulb>")
    show.add_argument("--json", action="store_true")

    export = sor_commands.add_parser(
        "export", parents=[common], help="write every SOR with its rate to a JSON file"
    )
    export.add_argument("file", type=Path)
    export.add_argument("--at", type=_date_arg, default=None, help="rates in force on YYYY-MM-DD")
    export.add_argument("--tenant", default="od", help="od or od.<ulb>")

    user = commands.add_parser("user", help="local users", parents=[common])
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser("add", parents=[common], help="add a local user")
    add.add_argument("login")
    add.add_argument("--name", required=True)
    add.add_argument("--tenant", required=True, help="od.<ulb> (or od for state staff)")
    add.add_argument("--roles", required=True, help="comma-separated role codes")
    ulist = user_commands.add_parser("list", parents=[common], help="list local users")
    ulist.add_argument("--json", action="store_true")

    _estimate_parser(commands, common)
    # Work orders, Measurement Books, projects and verify (imported here: cli_works uses
    # this module's helpers).
    from mukta_desktop.cli_works import add_parsers

    add_parsers(commands, common)
    from mukta_desktop.cli_sync import add_parsers as add_sync_parsers

    add_sync_parsers(commands, common)

    commands.add_parser(
        "demo",
        parents=[common],
        help="load the demo seed (demo data, not official rates): demo SORs, the user demo, "
        "a demo project with an approved estimate and an approved revision, and a work order "
        "of it with two approved MBs and a draft MB with photos",
    )
    return parser


ACTIONS = [a.value for a in Action]
STATUSES = [s.value for s in Status]


def _estimate_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    estimate = commands.add_parser(
        "estimate",
        parents=[common],
        help="detailed and revised estimates",
        description="Detailed and revised estimates. create, action and revise act as --user "
        "(password from MUKTA_PASSWORD or a prompt); list, show, export and deviation only read.",
    )
    sub = estimate.add_subparsers(dest="estimate_command", metavar="ACTION", required=True)
    create = sub.add_parser(
        "create",
        parents=[common],
        help="a draft estimate from a JSON file (prints its number)",
        description="Create a draft estimate, and its project when the ULB has no project of "
        "that name, from a JSON file: {project: {name, description, ward, sanction_date}, "
        "date, lines: [{category: SOR, sor_code, measurements: [{kind: plus|minus, name, "
        "number, length, breadth, depth}]} | {category: NON-SOR, description, unit, rate, "
        "measurements}], overheads: [{code: SC} | {code: GST} | {code: LS, description, "
        "amount}]}. Numbers are strings, a blank factor is null. SOR lines take the rate in "
        "force on `date` (which may be in the past). The JSON of `estimate show --json` is "
        "accepted too (its computed fields are ignored). Prints the new estimate number.",
    )
    create.add_argument("--from-json", dest="from_json", type=Path, required=True, metavar="FILE")

    show = sub.add_parser(
        "show",
        parents=[common],
        help="an estimate with its lines, totals and history",
        description="An estimate with its lines and measurements, totals, the amount in words "
        "and its history. --json: quantities as strings with 4 decimals, amounts with 2.",
    )
    show.add_argument("number", metavar="NUMBER")
    show.add_argument("--json", action="store_true")

    lst = sub.add_parser(
        "list",
        parents=[common],
        help="list estimates (newest change first)",
        description="Estimates in this installation, newest change first. --inbox lists what "
        "waits for --user instead (estimates for their roles and their own drafts).",
    )
    lst.add_argument("--tenant", default=None, help="only this ULB (od.<ulb>; default: all)")
    lst.add_argument("--search", default="", help="words of the number or project")
    lst.add_argument(
        "--status",
        type=str.upper,
        choices=STATUSES,
        default=None,
        metavar="STATUS",
        help=f"only this status: {', '.join(STATUSES)}",
    )
    lst.add_argument("--inbox", action="store_true", help="what waits for --user")
    lst.add_argument("--json", action="store_true")

    action = sub.add_parser(
        "action",
        parents=[common],
        help="take a workflow action as --user",
        description="Take a workflow action on an estimate as --user: "
        + "; ".join(f"{a.value} ({a.label})" for a in Action)
        + ".",
    )
    action.add_argument("number", metavar="NUMBER")
    action.add_argument("action", type=str.lower, choices=ACTIONS, metavar="ACTION")
    action.add_argument("--comment", default="", help="the comment kept in the history")

    revise = sub.add_parser(
        "revise",
        parents=[common],
        help="start a revised estimate of the approved estimate in force (as --user)",
        description="Start a revised estimate (RE/...) of the approved estimate in force, "
        "priced as of today; prints its number. At most two revisions are approved.",
    )
    revise.add_argument("number", metavar="NUMBER")

    export = sub.add_parser(
        "export",
        parents=[common],
        help="write an estimate to PDF or Excel",
    )
    export.add_argument("number", metavar="NUMBER")
    export.add_argument("--format", dest="fmt", choices=["pdf", "xlsx"], required=True)
    export.add_argument("--out", type=Path, required=True, metavar="FILE")

    deviation = sub.add_parser(
        "deviation",
        parents=[common],
        help="the deviation statement of a revised estimate",
        description="The deviation statement of a revised estimate against the estimate it "
        "revises. With --format and --out it is written to a PDF or Excel file; without them "
        "it is printed as text, or as JSON with --json (amounts in whole rupees as strings, "
        "quantities with 4 decimals). NUMBER is a revision (RE/...); an original estimate's "
        "number stands for its latest revision.",
    )
    deviation.add_argument("number", metavar="NUMBER")
    deviation.add_argument("--format", dest="fmt", choices=["pdf", "xlsx"], default=None)
    deviation.add_argument("--out", type=Path, default=None, metavar="FILE")
    deviation.add_argument("--json", action="store_true", help="print the statement as JSON")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "estimate" and args.estimate_command == "deviation":
        if (args.fmt is None) != (args.out is None):
            parser.error("estimate deviation: give --format and --out together (or neither).")
        if args.json and args.out is not None:
            parser.error("estimate deviation: --json prints the statement; drop --format/--out.")
    data_dir: Path = getattr(args, "data_dir", None) or default_data_dir()
    if args.command is None:
        from mukta_desktop.app import run_gui

        return run_gui(data_dir)
    handler = _handlers()[(args.command, getattr(args, f"{args.command}_command", None))]
    from sqlalchemy.exc import DatabaseError

    from mukta_desktop.services.database import open_database

    try:
        db = open_database(data_dir)
    except (OSError, DomainError) as exc:
        return _fail(f"cannot open the database in {data_dir}: {exc}")
    except DatabaseError as exc:
        return _fail(
            f"{data_dir} holds a file that is not a MUKTA Desktop database or is damaged "
            f"({exc.orig}); restore it from {data_dir / 'backups'} or use another --data-dir."
        )
    try:
        return handler(db, args)
    except (DomainError, Refused) as exc:
        return _fail(str(exc))
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_REFUSED
    finally:
        db.close()


def _handlers() -> dict[tuple[str, str | None], Callable[[Database, argparse.Namespace], int]]:
    from mukta_desktop.cli_sync import HANDLERS as SYNC
    from mukta_desktop.cli_works import HANDLERS

    return {**_HANDLERS, **HANDLERS, **SYNC}


def _fail(message: str) -> int:
    print(f"mukta-desktop: {message}", file=sys.stderr)
    return EXIT_REFUSED


def _acting_user(db: Database, args: argparse.Namespace, action: str) -> Actor:
    from mukta_desktop.services.users import authenticate

    login = getattr(args, "user", None)
    if not login:
        raise Refused(f"{action} changes data: name the acting user with --user LOGIN.")
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise Refused(f"no password: set {PASSWORD_ENV} or run in a terminal.")
        password = getpass.getpass(f"Password for {login}: ")
    return authenticate(db, login, password)


def _print_json(value: Any) -> None:
    # One write: json.dump streams a large document in many small writes, several times
    # slower (an estimate of 300 lines × 10 rows is 100,000 pieces).
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _sor_import(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.sor_import import import_sor_file

    actor = _acting_user(db, args, "sor import")
    report = import_sor_file(
        db,
        actor,
        args.file,
        effective_from=args.effective_from,
        tenant=args.tenant,
        today=india_today(),
    )
    if args.json:
        _print_json(
            {
                "ok": report.ok,
                "file": report.file,
                "sors_created": report.sors_created,
                "sors_updated": report.sors_updated,
                "sors_unchanged": report.sors_unchanged,
                "rates_added": report.rates_added,
                "rates_skipped": report.rates_skipped,
                "problems": [
                    {"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.message}
                    for p in report.problems
                ],
            }
        )
    stream = sys.stdout if report.ok else sys.stderr
    if not args.json or not report.ok:
        print(report.summary(), file=stream)
        for problem in report.problems:
            print(f"  {problem}", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_REFUSED


def _sor_list(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.sor_catalog import SorQuery, search_sors

    if args.limit is not None and args.limit < 1:
        raise Refused("--limit must be 1 or more.")
    page = search_sors(
        db,
        SorQuery(
            text=args.search,
            status=args.status,
            type_code=args.type,
            tenant=args.tenant,
            at=args.at,
            limit=args.limit,
            offset=max(args.offset, 0),
        ),
        india_today(),
    )
    if args.json:
        _print_json([row.to_json() for row in page.rows])
        return EXIT_OK
    for row in page.rows:
        rate = "—" if row.rate_total is None else format_money(row.rate_total)
        text = row.description if len(row.description) <= 60 else row.description[:59] + "…"
        mark = "" if row.status == "ACTIVE" else " (inactive)"
        print(f"{row.code:<14} {row.type_code} {row.uom:<5} {rate:>16}  {text}{mark}")
    print(f"{len(page.rows)} of {page.total} SOR(s)")
    return EXIT_OK


def _sor_show(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.domain.sor import HEAD_LABELS
    from mukta_desktop.services.sor_catalog import get_sor

    detail = get_sor(db, args.code, at=args.at or india_today(), tenant=args.tenant)
    if args.json:
        _print_json(detail.to_json())
        return EXIT_OK
    print(f"{detail.code}  {detail.description}")
    if detail.is_demo:
        print("  DEMO DATA - not an official rate")
    print(
        f"  Type {detail.type_code} ({detail.type_name}), sub type {detail.sub_type_code} "
        f"({detail.sub_type_name}), variant {detail.variant_code} ({detail.variant_name})"
    )
    print(
        f"  Unit {detail.uom}, rate for {plain_text(detail.rate_quantity)} unit(s), "
        f"status {detail.status}"
    )
    if detail.current is None:
        print(f"  No rate in force on {format_date(detail.at)}.")
    else:
        rate = detail.current
        print(
            f"  Rate in force on {format_date(detail.at)} ({rate.tenant}, "
            f"from {format_date(rate.effective_from)}): ₹ {format_money(rate.total)}"
        )
        for key, value in rate.heads.as_dict().items():
            if value:
                print(f"    {HEAD_LABELS[key]:<26} {format_money(value):>16}")
    if detail.history:
        print("  History:")
        for item in detail.history:
            until = format_date(item.effective_to) or "open"
            print(
                f"    {item.tenant:<14} {format_date(item.effective_from)} - {until:<10} "
                f"{format_money(item.total):>16}"
            )
    return EXIT_OK


def _sor_export(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.sor_import import export_sor_json

    at = args.at or india_today()
    try:
        count = export_sor_json(db, args.file, at=at, tenant=args.tenant)
    except OSError as exc:
        raise Refused(f"cannot write {args.file}: {exc.strerror or exc}") from None
    print(f"{count} SOR(s) with rates in force on {format_date(at)} written to {args.file}.")
    return EXIT_OK


def _user_add(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.users import create_user, has_users

    granted_by = _acting_user(db, args, "user add") if has_users(db) else None
    password = os.environ.get(PASSWORD_ENV + "_NEW") or os.environ.get(PASSWORD_ENV)
    if granted_by is not None:
        # The acting user's password came from MUKTA_PASSWORD; the new one needs its own.
        password = os.environ.get(PASSWORD_ENV + "_NEW")
    if password is None:
        if not sys.stdin.isatty():
            name = PASSWORD_ENV + "_NEW" if granted_by is not None else PASSWORD_ENV
            raise Refused(f"no password for the new user: set {name} or run in a terminal.")
        password = getpass.getpass(f"Password for the new user {args.login}: ")
        if getpass.getpass("Again: ") != password:
            raise Refused("the two passwords differ.")
    info = create_user(
        db,
        login=args.login,
        name=args.name,
        tenant=args.tenant,
        roles=args.roles.split(","),
        password=password,
        granted_by=granted_by,
    )
    print(
        f"User {info.login} ({info.name}, {info.tenant_name}) added with roles "
        f"{', '.join(info.roles)}."
    )
    return EXIT_OK


def _user_list(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.users import list_users

    users = list_users(db)
    if args.json:
        _print_json(
            [
                {
                    "login": u.login,
                    "name": u.name,
                    "tenant": u.tenant,
                    "roles": list(u.roles),
                    "active": u.active,
                }
                for u in users
            ]
        )
        return EXIT_OK
    for u in users:
        print(f"{u.login:<16} {u.name:<28} {u.tenant:<16} {','.join(u.roles)}")
    return EXIT_OK


def _demo(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.demo import load_demo

    result = load_demo(db, today=india_today())
    if result.already_loaded:
        print("The demo is already loaded; nothing changed.")
    else:
        print(
            f"Demo loaded: {result.sors} demo SORs, {result.rates} demo rates "
            "(demo data, not official rates). Sign in as demo / demo."
        )
        print(
            f"Demo project {result.project} with the approved estimate {result.estimate} and "
            f"its approved revision {result.revision} (demo data)."
        )
        if result.work_order:
            print(
                f"Demo work order {result.work_order} with the MBs "
                f"{', '.join(result.measurement_books)} (two approved, the last a draft with "
                "photos; demo data)."
            )
    return EXIT_OK


# ---------------------------------------------------------------- estimates


def _estimate_create(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.estimate_json import create_from_json

    actor = _acting_user(db, args, "estimate create")
    path: Path = args.from_json
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise Refused(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise Refused(f"{path} is not a UTF-8 text file (an estimate JSON file).") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Refused(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    view = create_from_json(db, actor, data, today=india_today())
    for warning in view.warnings:
        print(f"mukta-desktop: warning: {warning}", file=sys.stderr)
    print(view.number)
    return EXIT_OK


def _estimate_show(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.estimate_json import estimate_to_json
    from mukta_desktop.services.estimates import get_estimate

    view = get_estimate(db, args.number)
    if args.json:
        _print_json(estimate_to_json(view))
        return EXIT_OK
    _print_estimate(view)
    return EXIT_OK


def _qty(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.0001')):f}"


def _factor(value: Decimal | None) -> str:
    return "" if value is None else plain_text(value)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_estimate(view: EstimateView) -> None:
    title = (
        view.number
        if view.revision_of is None
        else (f"{view.number} (revision {view.revision_no} of {view.revision_of})")
    )
    print(f"{title}  {view.status.label}")
    print(f"  Project {view.project.number}  {view.project.name}")
    print(
        f"  {view.tenant_name} ({view.tenant}), dated {format_date(view.estimate_date)}, "
        f"created by {view.created_by}"
    )
    if view.description:
        print(f"  {view.description}")
    print()
    print(f"  {'#':>3}  {'Item':<48} {'Unit':<5} {'Quantity':>14} {'Rate':>14} {'Amount':>16}")
    for number, line in enumerate(view.lines, start=1):
        d = line.draft
        item = f"{d.sor_code} {d.description}" if d.sor_code else f"(non-SOR) {d.description}"
        rate = format_money(d.rate)
        if d.rate_quantity != 1:
            rate += f" /{plain_text(d.rate_quantity)}"
        print(
            f"  {number:>3}  {_clip(item, 48):<48} {d.unit:<5} "
            f"{format_indian(line.quantity, 4):>14} {rate:>14} {format_money(line.amount):>16}"
        )
        for row in d.rows:
            sign = "+" if row.kind.value == "plus" else "-"
            factors = " x ".join(_factor(f) or "·" for f in row.factors())
            print(f"         {sign} {_clip(row.name, 38):<38} {factors:<32} = {_qty(row.quantity)}")
        if d.used_quantity is not None and d.used_rate is not None:
            print(
                f"         of which {_qty(d.used_quantity)} already measured, at the original "
                f"rate {format_money(d.used_rate)}"
            )
        if d.reason:
            print(f"         Reason: {d.reason}")
    print()
    width = 44
    print(f"  {'SOR total':<{width}} {format_money(view.sor_total):>18}")
    print(f"  {'Non-SOR total':<{width}} {format_money(view.non_sor_total):>18}")
    for overhead in view.overheads:
        o = overhead.draft
        label = (
            o.description if o.percent is None else f"{o.description} @ {plain_text(o.percent)} %"
        )
        print(f"  {_clip(label, width):<{width}} {format_money(overhead.amount):>18}")
    print(f"  {'Total':<{width}} {format_money(view.total):>18}")
    print(f"  {'Total in whole rupees':<{width}} {format_indian(view.total_rupees, 0):>18}")
    print(f"  {view.total_in_words}")
    a = view.analysis
    print(
        f"  Cost analysis of the SOR lines: material {format_money(a.material)}, labour "
        f"{format_money(a.labour)}, machinery {format_money(a.machinery)}"
    )
    for warning in view.warnings:
        print(f"  Warning: {warning}")
    print()
    print("  History:")
    for event in view.history:
        when = event.at.astimezone(INDIA).strftime("%d/%m/%Y %H:%M")
        try:
            what = Action(event.action).label
        except ValueError:
            what = event.action.replace("-", " ").capitalize()
        try:
            status = Status(event.to_status).label
        except ValueError:
            status = event.to_status
        print(f"    {when}  {what:<24} {event.by_login:<14} -> {status}")
        if event.comment:
            print(f"{'':<23}{event.comment}")


def _estimate_list(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.estimates import inbox, list_estimates

    if args.inbox:
        if not getattr(args, "user", None):
            raise Refused("--inbox lists what waits for a user: name them with --user LOGIN.")
        found = inbox(db, _acting_user(db, args, "estimate list --inbox"))
        if args.search or args.status or args.tenant:
            raise Refused("--inbox takes no --search, --status or --tenant.")
    else:
        if args.tenant is not None:
            from mukta_desktop.services.sor_store import check_tenant

            with db.read() as session:
                check_tenant(session, args.tenant)
        found = list_estimates(
            db,
            tenant=args.tenant,
            text=args.search,
            statuses=[Status(args.status)] if args.status else [],
        )
    if args.json:
        _print_json([_summary_json(e) for e in found])
        return EXIT_OK
    for e in found:
        revises = f" (revises {e.revision_of})" if e.revision_of else ""
        print(
            f"{e.number:<20} {e.status.label:<27} {format_date(e.estimate_date):<10} "
            f"{format_money(e.total):>16}  {e.project_number}  "
            f"{_clip(e.project_name, 50)}{revises}"
        )
    print(f"{len(found)} estimate(s)")
    return EXIT_OK


def _summary_json(e: EstimateSummary) -> dict[str, Any]:
    return {
        "number": e.number,
        "revision_of": e.revision_of,
        "project": {"number": e.project_number, "name": e.project_name},
        "date": e.estimate_date.isoformat(),
        "status": e.status.value,
        "total": f"{e.total.quantize(Decimal('0.01')):f}",
        "created_by": e.created_by,
        "updated_at": e.updated_at.isoformat(),
    }


def _estimate_action(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.estimates import act

    action = Action(args.action)
    actor = _acting_user(db, args, f"estimate action {action.value}")
    view = act(db, actor, args.number, action, comment=args.comment)
    print(f"{view.number}: {action.label} done; now {view.status.label}.")
    return EXIT_OK


def _estimate_revise(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.revisions import revise

    actor = _acting_user(db, args, "estimate revise")
    view = revise(db, actor, args.number, today=india_today())
    print(view.number)
    return EXIT_OK


def _estimate_export(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.estimates import get_estimate

    view = get_estimate(db, args.number)

    def write_pdf() -> None:
        from mukta_desktop.reports.estimate_pdf import write_estimate_pdf

        write_estimate_pdf(view, args.out)

    def write_xlsx() -> None:
        from mukta_desktop.reports.estimate_xlsx import write_estimate_xlsx

        write_estimate_xlsx(view, args.out)

    return export_document(view.number, args, write_pdf, write_xlsx)


def export_document(
    number: str,
    args: argparse.Namespace,
    write_pdf: Callable[[], None],
    write_xlsx: Callable[[], None],
) -> int:
    """Write a document as `args.fmt` to `args.out` (the writers import their report module
    only when called: the headless path stays light)."""
    try:
        (write_pdf if args.fmt == "pdf" else write_xlsx)()
    except ImportError as exc:
        raise Refused(_no_report(args.fmt, exc)) from None
    except OSError as exc:
        raise Refused(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"{number} written to {args.out}.")
    return EXIT_OK


def _no_report(fmt: str, exc: ImportError) -> str:
    return f"{fmt.upper()} export is not available in this installation ({exc})."


def _revision_for_statement(db: Database, number: str) -> str:
    """A revision's own number; for an original estimate, its latest revision's."""
    from mukta_desktop.services.estimates import get_estimate
    from mukta_desktop.services.projects import get_project

    view = get_estimate(db, number)
    if view.revision_of is not None:
        return view.number
    revisions = [
        e.number
        for e in get_project(db, view.project.number).estimates
        if e.revision_of == view.number
    ]
    if not revisions:
        raise Refused(
            f"{view.number} has no revision yet; a deviation statement compares a revision "
            "with the estimate it revises."
        )
    return revisions[-1]


def _estimate_deviation(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.revisions import deviation_statement

    before, after, statement = deviation_statement(db, _revision_for_statement(db, args.number))
    if args.out is not None:
        try:
            if args.fmt == "pdf":
                from mukta_desktop.reports.deviation_pdf import write_deviation_pdf

                write_deviation_pdf(before, after, statement, args.out)
            else:
                from mukta_desktop.reports.deviation_xlsx import write_deviation_xlsx

                write_deviation_xlsx(before, after, statement, args.out)
        except ImportError as exc:
            raise Refused(_no_report(args.fmt, exc)) from None
        except OSError as exc:
            raise Refused(f"cannot write {args.out}: {exc.strerror or exc}") from None
        print(f"Deviation statement of {after.number} written to {args.out}.")
        return EXIT_OK
    if args.json:
        _print_json(_statement_json(before, after, statement))
        return EXIT_OK
    _print_statement(before, after, statement)
    return EXIT_OK


def _rupees(value: Decimal) -> str:
    return f"{value:f}"


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01')):f}"


def _statement_json(
    before: EstimateView, after: EstimateView, statement: Statement
) -> dict[str, Any]:
    return {
        "revision": after.number,
        "revised_estimate": before.number,
        "revision_of": after.revision_of,
        "project": {"number": after.project.number, "name": after.project.name},
        "rows": [
            {
                "number": r.number,
                "sor_code": r.code,
                "description": r.description,
                "unit": r.unit,
                "rate": f"{r.rate.quantize(Decimal('0.01')):f}",
                "original_quantity": _qty(r.original_quantity),
                "original_amount": _rupees(r.original_amount),
                "revised_quantity": _qty(r.revised_quantity),
                "revised_amount": _rupees(r.revised_amount),
                "quantity_change": _qty(r.quantity_change),
                "amount_change": _rupees(r.amount_change),
                "less": _rupees(r.less),
                "excess": _rupees(r.excess),
                "percent": _percent(r.percent),
                "verdict": r.verdict.value,
                "reason": r.reason,
                "extra": r.extra,
                "removed": r.removed,
            }
            for r in statement.rows
        ],
        "overheads": [
            {
                "description": o.description,
                "original_amount": _rupees(o.original_amount),
                "revised_amount": _rupees(o.revised_amount),
                "amount_change": _rupees(o.amount_change),
            }
            for o in statement.overheads
        ],
        "original_total": _rupees(statement.original_total),
        "revised_total": _rupees(statement.revised_total),
        "total_change": _rupees(statement.total_change),
        "total_less": _rupees(statement.total_less),
        "total_excess": _rupees(statement.total_excess),
        "percent": _percent(statement.percent),
    }


def _print_statement(before: EstimateView, after: EstimateView, statement: Statement) -> None:
    print(f"Deviation statement of {after.number} ({after.status.label}) against {before.number}")
    print(f"  Project {after.project.number}  {after.project.name}")
    print("  Amounts in whole rupees.")
    print()
    print(
        f"  {'#':>3}  {'Item':<36} {'Unit':<5} {'Rate':>12} {'Agreement qty':>14} {'Amount':>12}"
        f" {'Actual qty':>14} {'Amount':>12} {'Less':>10} {'Excess':>10} {'%':>8}"
    )
    for r in statement.rows:
        item = f"{r.code} {r.description}" if r.code else r.description
        mark = " (extra item)" if r.extra else " (removed)" if r.removed else ""
        percent = "" if r.percent is None else f"{r.percent:f}"
        print(
            f"  {r.number:>3}  {_clip(item + mark, 36):<36} {r.unit:<5} {format_money(r.rate):>12}"
            f" {format_indian(r.original_quantity, 4):>14}"
            f" {format_indian(r.original_amount, 0):>12}"
            f" {format_indian(r.revised_quantity, 4):>14} {format_indian(r.revised_amount, 0):>12}"
            f" {format_indian(r.less, 0) if r.less else '':>10}"
            f" {format_indian(r.excess, 0) if r.excess else '':>10} {percent:>8}"
        )
        if r.reason:
            print(f"{'':<8}Reason: {r.reason}")
    for o in statement.overheads:
        print(
            f"  {'':>3}  {_clip(o.description, 36):<36} {'':<5} {'':>12} {'':>14}"
            f" {format_indian(o.original_amount, 0):>12} {'':>14}"
            f" {format_indian(o.revised_amount, 0):>12}"
        )
    print()
    percent = "" if statement.percent is None else f" ({statement.percent:f} %)"
    print(
        f"  Total: agreement {format_indian(statement.original_total, 0)}, actual "
        f"{format_indian(statement.revised_total, 0)}, change "
        f"{format_indian(statement.total_change, 0)}{percent}"
    )
    print(
        f"  Items less {format_indian(statement.total_less, 0)}, items excess "
        f"{format_indian(statement.total_excess, 0)}"
    )


_HANDLERS: dict[tuple[str, str | None], Callable[[Database, argparse.Namespace], int]] = {
    ("sor", "import"): _sor_import,
    ("sor", "list"): _sor_list,
    ("sor", "show"): _sor_show,
    ("sor", "export"): _sor_export,
    ("user", "add"): _user_add,
    ("user", "list"): _user_list,
    ("estimate", "create"): _estimate_create,
    ("estimate", "show"): _estimate_show,
    ("estimate", "list"): _estimate_list,
    ("estimate", "action"): _estimate_action,
    ("estimate", "revise"): _estimate_revise,
    ("estimate", "export"): _estimate_export,
    ("estimate", "deviation"): _estimate_deviation,
    ("demo", None): _demo,
}


if __name__ == "__main__":
    raise SystemExit(main())
