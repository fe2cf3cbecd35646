"""Which protocol, payload schema and desktop versions a server accepts (sync-protocol §2)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# "0.4.0", "1.2", "0.4.0rc1", "0.4.0+local": the leading dotted numbers decide; a suffix
# (pre-release, local build) counts as that release, so a test build of an accepted version
# is never refused.
_APP_VERSION_RE = re.compile(r"^(\d{1,6}(?:\.\d{1,6}){0,3})(?:[-+._]?[0-9A-Za-z.+-]{0,40})?$")
_INTEGER_RE = re.compile(r"^\d{1,6}$")


class MalformedVersion(ValueError):
    """A version header that is not a version at all (a client bug, answered 400)."""


@dataclass(frozen=True, slots=True)
class VersionRange:
    min: int
    max: int

    def __post_init__(self) -> None:
        if not 1 <= self.min <= self.max:
            raise ValueError(f"version range {self.min}..{self.max} is empty")

    def accepts(self, version: int) -> bool:
        return self.min <= version <= self.max


def parse_app_version(text: str) -> tuple[int, ...]:
    """The numeric release of a desktop version, padded so "0.4" equals "0.4.0"."""
    match = _APP_VERSION_RE.match(text.strip())
    if match is None:
        raise MalformedVersion(f"'{text}' is not an application version like 0.4.0")
    parts = tuple(int(p) for p in match.group(1).split("."))
    return parts + (0,) * (4 - len(parts))


def parse_integer_version(text: str) -> int:
    if not _INTEGER_RE.match(text.strip()):
        raise MalformedVersion(f"'{text}' is not a whole version number like 1")
    return int(text)


@dataclass(frozen=True, slots=True)
class ClientVersions:
    """The X-Mukta-* headers of one request; a header not sent is None (not checked)."""

    protocol: str | None
    schema: str | None
    app: str | None


def refusal(
    client: ClientVersions, *, protocol: VersionRange, schema: VersionRange, min_app: str
) -> str | None:
    """Plain words why this server does not serve that client, or None when it does.

    Raises MalformedVersion for a header that is no version at all.
    """
    if client.protocol is not None and not protocol.accepts(parse_integer_version(client.protocol)):
        return (
            f"This server speaks sync protocol {_span(protocol)}; this MUKTA Desktop speaks "
            f"{client.protocol.strip()}. Update MUKTA Desktop to sync."
        )
    if client.schema is not None and not schema.accepts(parse_integer_version(client.schema)):
        return (
            f"This server accepts record schema {_span(schema)}; this MUKTA Desktop writes "
            f"{client.schema.strip()}. Update MUKTA Desktop to sync."
        )
    if client.app is not None:
        return app_refusal(client.app, min_app)
    return None


def app_refusal(app: str, min_app: str) -> str | None:
    """Plain words why this desktop version is too old, or None when it is accepted."""
    if parse_app_version(app) >= parse_app_version(min_app):
        return None
    return (
        f"This server accepts MUKTA Desktop {min_app} or newer; this is {app.strip()}. "
        "Update MUKTA Desktop to sync."
    )


def _span(accepted: VersionRange) -> str:
    if accepted.min == accepted.max:
        return str(accepted.min)
    return f"{accepted.min} to {accepted.max}"
