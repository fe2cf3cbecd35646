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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mukta_desktop import __version__
from mukta_desktop.domain.dates import format_date, india_today
from mukta_desktop.domain.errors import DomainError
from mukta_desktop.domain.numbers import format_money
from mukta_desktop.services.paths import default_data_dir

if TYPE_CHECKING:
    from mukta_desktop.services.database import Database
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

    commands.add_parser(
        "demo", parents=[common], help="load the demo seed (demo data, not official rates)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    data_dir: Path = getattr(args, "data_dir", None) or default_data_dir()
    if args.command is None:
        from mukta_desktop.app import run_gui

        return run_gui(data_dir)
    handler = _HANDLERS[(args.command, getattr(args, f"{args.command}_command", None))]
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
    finally:
        db.close()


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
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


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
        f"  Unit {detail.uom}, rate for {detail.rate_quantity.normalize():f} unit(s), "
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
    return EXIT_OK


_HANDLERS: dict[tuple[str, str | None], Callable[[Database, argparse.Namespace], int]] = {
    ("sor", "import"): _sor_import,
    ("sor", "list"): _sor_list,
    ("sor", "show"): _sor_show,
    ("sor", "export"): _sor_export,
    ("user", "add"): _user_add,
    ("user", "list"): _user_list,
    ("demo", None): _demo,
}


if __name__ == "__main__":
    raise SystemExit(main())
