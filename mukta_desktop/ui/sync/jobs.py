"""The sync work that runs on a worker thread (no Qt here): a cheap probe of the server and
one sync round, each turned into a plain answer the GUI thread can show.

`sync_once` keeps the reason a round stopped as words only; the controller must also know
*why* (stop on an expired token or an outdated app, back off when the server is away), so
the round's client is watched and the first refusal it raised is kept with its kind."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import httpx

from mukta_desktop.domain.errors import DomainError
from mukta_desktop.services.database import Database
from mukta_desktop.services.sync_run import SyncReport, SyncStatus, sync_once, sync_status
from mukta_desktop.services.sync_setup import connect
from mukta_desktop.sync.client import (
    NotAuthorised,
    SyncClient,
    SyncError,
    Unreachable,
    UpdateRequired,
)

Progress = Callable[[int, int], None]


class Outcome(enum.Enum):
    OK = "ok"
    OFFLINE = "offline"  # the server cannot be reached or is busy: try again later
    NOT_AUTHORISED = "not_authorised"  # enrol again; nothing local is touched
    UPDATE_REQUIRED = "update_required"  # update the app; nothing local is touched
    FAILED = "failed"  # anything else the round met (said in words, tried again later)

    @property
    def stops(self) -> bool:
        """Sync waits for the user (enrol again, update) instead of trying again."""
        return self in (Outcome.NOT_AUTHORISED, Outcome.UPDATE_REQUIRED)


@dataclass(frozen=True, slots=True)
class RoundResult:
    outcome: Outcome
    message: str  # plain words; empty when all went well
    status: SyncStatus  # read after the round
    report: SyncReport | None = None
    retry_after: float | None = None  # what the server asked, in seconds

    @property
    def pulled(self) -> int:
        return 0 if self.report is None else self.report.pulled


def outcome_of(error: BaseException | None) -> Outcome:
    if error is None:
        return Outcome.OK
    if isinstance(error, Unreachable):
        return Outcome.OFFLINE
    if isinstance(error, NotAuthorised):
        return Outcome.NOT_AUTHORISED
    if isinstance(error, UpdateRequired):
        return Outcome.UPDATE_REQUIRED
    return Outcome.FAILED


class _Watched:
    """Stands in for a SyncClient and remembers the first refusal one of its calls raised
    (`sync_once` turns it into words; the kind decides what the controller does next)."""

    def __init__(self, client: SyncClient) -> None:
        self._client = client
        self.failure: SyncError | None = None

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._client, name)
        if not callable(found):
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return found(*args, **kwargs)
            except SyncError as exc:
                if self.failure is None:
                    self.failure = exc
                raise

        return call


def load_status(db: Database) -> SyncStatus:
    return sync_status(db)


def probe(db: Database, transport: httpx.BaseTransport | None = None) -> SyncStatus:
    """`GET /hello` on the enrolled server (no token, one small answer): raises Unreachable
    or UpdateRequired; returns the status read before asking."""
    status = sync_status(db)
    with SyncClient(status.server, transport=transport, timeout=10.0) as client:
        client.hello()
    return status


def run_round(
    db: Database,
    transport: httpx.BaseTransport | None = None,
    progress: Progress | None = None,
) -> RoundResult:
    """One sync round (push, photos, pull), never raising for what the server or the
    network said: the answer says what happened and what to do next."""
    try:
        client = connect(db, transport=transport)
    except DomainError as exc:  # not enrolled, or the token is missing: enrol again
        return RoundResult(Outcome.NOT_AUTHORISED, exc.message, sync_status(db))
    with client:
        watched = _Watched(client)
        report = sync_once(db, cast(SyncClient, watched), photo_progress=progress)
    outcome = Outcome.OK if report.ok else outcome_of(watched.failure or SyncError(""))
    retry_after = None if watched.failure is None else watched.failure.retry_after
    return RoundResult(outcome, report.error, sync_status(db), report, retry_after)
