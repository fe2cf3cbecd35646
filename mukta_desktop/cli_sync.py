"""`mukta-desktop sync enroll|run|status`: the device side of head-office sync, headless."""

from __future__ import annotations

import argparse
import getpass
import os
import platform
import sys
from typing import TYPE_CHECKING, Any

from mukta_desktop.cli import EXIT_OK, EXIT_REFUSED, PASSWORD_ENV, Refused, _print_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from mukta_desktop.services.database import Database


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    sync = commands.add_parser(
        "sync",
        parents=[common],
        help="sync with the head-office server",
        description="Enrol this installation with a head-office server, push what is waiting "
        "and pull what changed (docs/sync-protocol.md).",
    )
    sub = sync.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    enroll = sub.add_parser(
        "enroll",
        parents=[common],
        help="enrol this installation as --user LOGIN, the user's login on the server "
        "(password from MUKTA_PASSWORD or a prompt)",
    )
    enroll.add_argument("--server", required=True, metavar="URL")
    enroll.add_argument("--device-name", default=platform.node() or "MUKTA Desktop")
    sub.add_parser("run", parents=[common], help="one sync round: push, then pull")
    status = sub.add_parser("status", parents=[common], help="what waits, when it last worked")
    status.add_argument("--json", action="store_true")


def _password(login: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise Refused(f"no password: set {PASSWORD_ENV} or run in a terminal.")
        password = getpass.getpass(f"Server password for {login}: ")
    return password


def _enroll(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.sync_setup import enrol_device
    from mukta_desktop.sync.client import SyncError

    login = getattr(args, "user", None)
    if not login:
        raise Refused("sync enroll needs --user LOGIN: your login on the server.")
    try:
        enrolled, stored = enrol_device(
            db,
            server_url=args.server,
            login=login,
            password=_password(login),
            device_name=args.device_name,
        )
    except SyncError as exc:
        raise Refused(exc.message) from None
    print(
        f"Enrolled with {enrolled.server_url} as {enrolled.login} ({enrolled.tenant}), device "
        f"{enrolled.device_id}; {enrolled.queued} operation(s) waiting to be pushed."
    )
    if stored.warning:
        print(stored.warning, file=sys.stderr)
    return EXIT_OK


def _run(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.services.sync_run import sync_once
    from mukta_desktop.services.sync_setup import connect

    with connect(db) as client:
        report = sync_once(db, client)
    print(
        f"Pushed {report.pushed} (applied {report.applied}, held {report.held}), pulled "
        f"{report.pulled}."
    )
    if report.error:
        print(f"mukta-desktop: sync stopped: {report.error}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


def _status(db: Database, args: argparse.Namespace) -> int:
    from mukta_desktop.domain.errors import DomainError
    from mukta_desktop.services.sync_run import sync_status
    from mukta_desktop.services.sync_setup import connect
    from mukta_desktop.sync.client import SyncError

    status = sync_status(db)
    online = False
    if status.enrolled:
        try:
            with connect(db) as client:
                client.hello()
                online = True
        except (SyncError, Refused, DomainError):
            # Unreachable, refused or without a token: offline, as far as this status says.
            online = False
    shown = {
        "server": status.server or None,
        "online": online,
        "pending_records": status.pending_records,
        "pending_photos": status.pending_photos,
        "conflicts": status.conflicts,
        "last_success": None
        if status.last_success is None
        else status.last_success.isoformat().replace("+00:00", "Z"),
        "last_error": status.last_error,
    }
    if args.json:
        _print_json(shown)
    elif not status.enrolled:
        print("Not enrolled with a server (sync enroll --server URL --user LOGIN).")
    else:
        last = shown["last_success"] or "never"
        print(
            f"{status.server} ({'online' if online else 'offline'}): {status.pending_records} "
            f"waiting, {status.conflicts} conflict(s); last success {last}."
        )
        if status.last_error:
            print(f"Last error: {status.last_error}")
    return EXIT_OK


HANDLERS: dict[tuple[str, str | None], Callable[[Database, argparse.Namespace], int]] = {
    ("sync", "enroll"): _enroll,
    ("sync", "run"): _run,
    ("sync", "status"): _status,
}
