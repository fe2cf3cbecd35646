"""`mukta-server`: set up and run a head office (exit 0 done, 1 refused, 2 usage)."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from mukta_desktop.domain.dates import india_today
from mukta_desktop.domain.errors import DomainError

from . import __version__
from .admin import (
    DeviceInfo,
    Refused,
    add_tenant,
    add_user,
    check_new_user,
    disable_user,
    list_devices,
    revoke_device,
)
from .compaction import compact
from .db import Database, UnsupportedDatabase
from .models.base import utcnow
from .schema import SchemaMismatch, require_current, upgrade
from .settings import DEFAULT_MIN_APP_VERSION, SQLITE_FILENAME, Settings
from .versions import MalformedVersion, parse_app_version

PASSWORD_ENV = "MUKTA_PASSWORD"
EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2)
        return int(exit_.code or 0)
    try:
        settings = _settings(args)
        command: Callable[[argparse.Namespace, Settings], int] = args.run
        return command(args, settings)
    except UsageError as error:
        parser.print_usage(sys.stderr)
        print(f"mukta-server: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (Refused, SchemaMismatch, UnsupportedDatabase, DomainError) as refused:
        print(f"mukta-server: {refused}", file=sys.stderr)
        return EXIT_REFUSED
    except DBAPIError as error:
        # Unreachable server, wrong password, missing database: the driver's first line
        # says which; the rest is SQLAlchemy's noise.
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        print(f"mukta-server: the database refused: {reason}", file=sys.stderr)
        return EXIT_REFUSED


# -- arguments ----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    where = argparse.ArgumentParser(add_help=False)
    group = where.add_argument_group("where the head office keeps its data")
    group.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help=f"SQLite in DIR/{SQLITE_FILENAME}, photos in DIR/photos (a laptop set-up)",
    )
    group.add_argument(
        "--database-url",
        metavar="URL",
        help="PostgreSQL, e.g. postgresql://mukta@dbhost/mukta (the password from ~/.pgpass)",
    )
    group.add_argument(
        "--storage", type=Path, metavar="DIR", help="the photo directory (with --database-url)"
    )

    parser = argparse.ArgumentParser(
        prog="mukta-server", description="The MUKTA head-office server and its administration."
    )
    parser.add_argument("--version", action="version", version=f"mukta-server {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = commands.add_parser(
        "init", parents=[where], help="create or migrate the server database"
    )
    init.set_defaults(run=_init, needs_storage=True)

    tenant = commands.add_parser("tenant", help="tenants: the state (od) and its ULBs")
    tenant_commands = tenant.add_subparsers(dest="action", required=True, metavar="ACTION")
    tenant_add = tenant_commands.add_parser("add", parents=[where], help="add a tenant")
    tenant_add.add_argument("code", metavar="CODE", help="od or od.<ulb>, e.g. od.dhenkanal")
    tenant_add.add_argument("--name", required=True, help="e.g. Dhenkanal Municipality")
    tenant_add.set_defaults(run=_tenant_add, needs_storage=False)

    user = commands.add_parser("user", help="users who may enrol devices")
    user_commands = user.add_subparsers(dest="action", required=True, metavar="ACTION")
    user_add = user_commands.add_parser(
        "add", parents=[where], help=f"add a user (password from {PASSWORD_ENV} or a prompt)"
    )
    user_add.add_argument("login", metavar="LOGIN")
    user_add.add_argument("--tenant", required=True, help="od.<ulb>")
    user_add.add_argument("--roles", required=True, help="ROLE,ROLE, e.g. MB_CREATOR")
    user_add.add_argument("--name", required=True, help="the user's full name")
    user_add.set_defaults(run=_user_add, needs_storage=False)
    user_disable = user_commands.add_parser(
        "disable", parents=[where], help="disable a user: their devices stop syncing"
    )
    user_disable.add_argument("login", metavar="LOGIN")
    user_disable.set_defaults(run=_user_disable, needs_storage=False)

    device = commands.add_parser("device", help="enrolled devices")
    device_commands = device.add_subparsers(dest="action", required=True, metavar="ACTION")
    device_list = device_commands.add_parser("list", parents=[where], help="list devices")
    device_list.add_argument("--json", action="store_true", help="as JSON")
    device_list.set_defaults(run=_device_list, needs_storage=False)
    device_revoke = device_commands.add_parser(
        "revoke", parents=[where], help="revoke a device: refused from its next request on"
    )
    device_revoke.add_argument("device_id", metavar="DEVICE_ID")
    device_revoke.set_defaults(run=_device_revoke, needs_storage=False)

    changes = commands.add_parser("changes", help="the change log devices pull from")
    changes_commands = changes.add_subparsers(dest="action", required=True, metavar="ACTION")
    compact_log = changes_commands.add_parser(
        "compact",
        parents=[where],
        help="drop older copies of records (devices whose cursor is older pull from the start)",
    )
    compact_log.add_argument(
        "--older-than-days",
        type=int,
        default=90,
        metavar="N",
        help="only changes older than N days (default 90)",
    )
    compact_log.set_defaults(run=_changes_compact, needs_storage=False)

    sor = commands.add_parser("sor", help="SORs and rates published to every desktop")
    sor_commands = sor.add_subparsers(dest="action", required=True, metavar="ACTION")
    sor_import = sor_commands.add_parser(
        "import",
        parents=[where],
        help="publish the SORs and rates of an .xlsx workbook or .json file (all or nothing)",
    )
    sor_import.add_argument("file", type=Path, metavar="FILE")
    sor_import.add_argument(
        "--by",
        required=True,
        metavar="LOGIN",
        help="the publishing server user: MDMS_STATE_ADMIN (MDMS_CITY_ADMIN for a ULB's rates)",
    )
    sor_import.add_argument(
        "--tenant", default="od", help="whose rates: od (the state, default) or od.<ulb>"
    )
    sor_import.add_argument(
        "--effective-from",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="the date every rate takes effect (default: a .json rate's own date, else today)",
    )
    sor_import.add_argument("--json", action="store_true", help="the outcome as JSON")
    sor_import.set_defaults(run=_sor_import, needs_storage=False)

    serve = commands.add_parser("serve", parents=[where], help="run the API server")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (8000)")
    serve.add_argument("--workers", type=int, default=1, help="server processes (1)")
    serve.add_argument(
        "--min-app-version",
        default=DEFAULT_MIN_APP_VERSION,
        metavar="VERSION",
        help=f"refuse older desktops with 426 ({DEFAULT_MIN_APP_VERSION})",
    )
    serve.set_defaults(run=_serve, needs_storage=True)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    min_app = getattr(args, "min_app_version", DEFAULT_MIN_APP_VERSION)
    try:
        parse_app_version(min_app)
    except MalformedVersion as error:
        raise UsageError(f"--min-app-version: {error}") from None
    if args.data_dir is not None and args.database_url is not None:
        raise UsageError("give --data-dir or --database-url, not both")
    if args.data_dir is not None:
        if args.storage is not None:
            raise UsageError("--storage goes with --database-url; --data-dir holds the photos")
        return Settings.for_data_dir(args.data_dir, min_app_version=min_app)
    if args.database_url is not None:
        if args.storage is None and args.needs_storage:
            raise UsageError("--database-url needs --storage DIR for the photos")
        storage = (args.storage or Path(".")).resolve()
        return Settings(
            database_url=args.database_url, storage_dir=storage, min_app_version=min_app
        )
    raise UsageError("say where the data is: --data-dir DIR, or --database-url URL --storage DIR")


def _open_migrated(settings: Settings) -> Database:
    """The database, refused unless `init` brought it to this version's schema."""
    _refuse_missing_sqlite_file(settings)
    database = Database.open(settings.database_url)
    try:
        require_current(database.engine)
    except BaseException:
        database.close()
        raise
    return database


def _refuse_missing_sqlite_file(settings: Settings) -> None:
    # Opening a missing SQLite file creates an empty one; say "init first" instead.
    prefix = "sqlite:///"
    if settings.database_url.startswith(prefix):
        path = Path(settings.database_url.removeprefix(prefix))
        if not path.is_file():
            raise Refused(f"There is no server database at {path}. Run `mukta-server init` first.")


# -- commands -----------------------------------------------------------------------------


def _init(args: argparse.Namespace, settings: Settings) -> int:
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    settings.storage_dir.mkdir(parents=True, exist_ok=True)
    database = Database.open(settings.database_url)
    try:
        before, after = upgrade(database.engine)
        where = database.display_url
    finally:
        database.close()
    if before == after:
        print(f"The server database {where} is up to date (schema {after}).")
    elif before is None:
        print(f"Created the server database {where} (schema {after}).")
    else:
        print(f"Migrated the server database {where} from schema {before} to {after}.")
    print(f"Photos are kept in {settings.storage_dir}.")
    return EXIT_OK


def _tenant_add(args: argparse.Namespace, settings: Settings) -> int:
    database = _open_migrated(settings)
    try:
        tenant = add_tenant(database, args.code, args.name)
    finally:
        database.close()
    print(f"Added tenant {tenant.code} ({tenant.name}).")
    return EXIT_OK


def _user_add(args: argparse.Namespace, settings: Settings) -> int:
    database = _open_migrated(settings)
    try:
        roles = args.roles.split(",")
        check_new_user(database, login=args.login, name=args.name, tenant=args.tenant, roles=roles)
        password = _password(f"Password for {args.login}: ")
        user = add_user(
            database,
            login=args.login,
            name=args.name,
            tenant=args.tenant,
            roles=roles,
            password=password,
        )
    finally:
        database.close()
    print(f"Added user {user.login} ({user.name}) of {user.tenant}: {', '.join(user.roles)}.")
    return EXIT_OK


def _user_disable(args: argparse.Namespace, settings: Settings) -> int:
    database = _open_migrated(settings)
    try:
        changed = disable_user(database, args.login)
    finally:
        database.close()
    if changed:
        print(f"Disabled {args.login.strip().lower()}: their devices are refused from now on.")
    else:
        print(f"{args.login.strip().lower()} was disabled already.")
    return EXIT_OK


def _device_list(args: argparse.Namespace, settings: Settings) -> int:
    database = _open_migrated(settings)
    try:
        devices = list_devices(database)
    finally:
        database.close()
    if args.json:
        print(json.dumps([_device_json(d) for d in devices], indent=2, ensure_ascii=False))
        return EXIT_OK
    if not devices:
        print("No devices enrolled yet.")
        return EXIT_OK
    header = ("DEVICE ID", "LOGIN", "TENANT", "NAME", "ENROLLED", "LAST SEEN", "REVOKED")
    rows = [
        (
            d.id,
            d.login,
            d.tenant,
            d.name,
            _when(d.created_at),
            _when(d.last_seen_at),
            _when(d.revoked_at),
        )
        for d in devices
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return EXIT_OK


def _device_revoke(args: argparse.Namespace, settings: Settings) -> int:
    database = _open_migrated(settings)
    try:
        earlier = revoke_device(database, args.device_id)
    finally:
        database.close()
    if earlier is not None:
        print(f"Device {args.device_id} was revoked already, at {_when(earlier)}.")
    else:
        print(f"Revoked device {args.device_id}: its next request is refused.")
    return EXIT_OK


def _changes_compact(args: argparse.Namespace, settings: Settings) -> int:
    if args.older_than_days < 1:
        print("--older-than-days must be 1 or more.", file=sys.stderr)
        return EXIT_USAGE
    database = _open_migrated(settings)
    try:
        dropped, through = compact(database, before=utcnow() - timedelta(days=args.older_than_days))
    finally:
        database.close()
    print(
        f"Dropped {dropped} older copies of records. Devices whose last pull was before change "
        f"{through} will pull everything again (their own work is untouched)."
    )
    return EXIT_OK


def _sor_import(args: argparse.Namespace, settings: Settings) -> int:
    from .sor_publish import publish_sor_file

    database = _open_migrated(settings)
    try:
        report = publish_sor_file(
            database,
            args.file,
            tenant=args.tenant.strip(),
            by=args.by,
            effective_from=args.effective_from,
            today=india_today(),
        )
    finally:
        database.close()
    if args.json:
        print(
            json.dumps(
                {
                    "ok": report.ok,
                    "file": report.outcome.file,
                    "tenant": report.tenant,
                    "version": report.version,
                    "sors_created": report.outcome.sors_created,
                    "sors_updated": report.outcome.sors_updated,
                    "sors_unchanged": report.outcome.sors_unchanged,
                    "rates_added": report.outcome.rates_added,
                    "rates_skipped": report.outcome.rates_skipped,
                    "changes": report.changes,
                    "problems": [
                        {"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.message}
                        for p in report.problems
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(report.summary())
        for problem in report.problems:
            print(f"  {problem}")
    return EXIT_OK if report.ok else EXIT_REFUSED


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if args.workers < 1:
        raise UsageError("--workers: give 1 or more")
    # Checked here, once, so a database that needs `init` is a plain message and exit 1
    # rather than a traceback from every worker.
    _open_migrated(settings).close()
    settings.storage_dir.mkdir(parents=True, exist_ok=True)
    # Workers are fresh processes: the settings reach them through the environment.
    os.environ.update(settings.to_environment())
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its start-up chatter
    uvicorn.run(
        "mukta_server.app:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
    )
    return EXIT_OK


# -- helpers ------------------------------------------------------------------------------


def _password(prompt: str) -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise Refused(f"No password: set {PASSWORD_ENV} or run the command in a terminal.")
    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        raise Refused("The two passwords differ; nothing was changed.")
    return first


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date; write it as YYYY-MM-DD, such as 2026-04-01"
        ) from None


def _when(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _device_json(device: DeviceInfo) -> dict[str, str | None]:
    return {
        "device_id": device.id,
        "name": device.name,
        "login": device.login,
        "tenant": device.tenant,
        "created_at": _iso(device.created_at),
        "last_seen_at": _iso(device.last_seen_at),
        "revoked_at": _iso(device.revoked_at),
    }
