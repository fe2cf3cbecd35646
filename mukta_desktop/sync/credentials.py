"""Where the device keeps its token (docs/sync-protocol.md §3): in the operating system's
keyring when it has one; otherwise in a file only the user can read (0600) in the data
directory, and the status says so — a PC without a keyring keeps the token as safe as its
user account, no safer."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors

SERVICE = "mukta-desktop"
TOKEN_FILE = "sync-token"


@dataclass(frozen=True, slots=True)
class Stored:
    where: str  # "keyring" or the file's path
    warning: str = ""  # set when the token is in a file


def _usable_keyring() -> bool:
    # The "fail" and "null" backends (no keyring on this PC) have priority 0 or below.
    return float(getattr(keyring.get_keyring(), "priority", 0)) > 0


def _account(server_url: str, login: str) -> str:
    return f"{server_url.rstrip('/')}|{login}"


def save_token(data_dir: Path, server_url: str, login: str, token: str) -> Stored:
    if _usable_keyring():
        try:
            keyring.set_password(SERVICE, _account(server_url, login), token)
            return Stored("keyring")
        except keyring.errors.KeyringError:
            pass
    path = data_dir / TOKEN_FILE
    # Created 0600 from the start: never readable by others, not even for an instant.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(f"{_account(server_url, login)}\n{token}\n")
    os.chmod(path, 0o600)
    return Stored(
        str(path),
        "No keyring on this PC: the sync token is kept in a file only your user can read "
        f"({path}).",
    )


def load_token(data_dir: Path, server_url: str, login: str) -> str | None:
    account = _account(server_url, login)
    if _usable_keyring():
        try:
            token = keyring.get_password(SERVICE, account)
        except keyring.errors.KeyringError:
            token = None
        if token:
            return token
    path = data_dir / TOKEN_FILE
    if not path.exists():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) >= 2 and lines[0] == account:
        return lines[1]
    return None


def forget_token(data_dir: Path, server_url: str, login: str) -> None:
    if _usable_keyring():
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(SERVICE, _account(server_url, login))
    (data_dir / TOKEN_FILE).unlink(missing_ok=True)
