"""Enrolment as the device keeps it: after the server accepted the user's login (the sync
client does that), remember the server and device, and queue every record the server must
know — in one unit of work, so a device is never enrolled with half its records queued."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import httpx

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.models import SyncState
from mukta_desktop.sync import outbox
from mukta_desktop.sync.client import SyncClient, SyncError
from mukta_desktop.sync.credentials import Stored, load_token, save_token

from .database import Database
from .sync_numbers import refill_numbers
from .sync_queue import queue_everything


@dataclass(frozen=True, slots=True)
class Enrolled:
    server_url: str
    device_id: str
    login: str
    tenant: str
    queued: int  # operations queued for the first push


def remember_enrolment(
    db: Database, *, server_url: str, device_id: str, login: str, tenant: str
) -> Enrolled:
    with db.unit_of_work() as session:
        current = outbox.enrolment(session)
        if current is not None and current.server_url != server_url:
            raise ValidationError(
                f"This installation already syncs with {current.server_url}; it cannot also "
                f"sync with {server_url}.",
                field="server",
            )
        if current is None:
            session.add(
                SyncState(
                    id=1,
                    server_url=server_url,
                    device_id=device_id,
                    login=login,
                    tenant_code=tenant,
                    cursor="",
                    last_error="",
                )
            )
        else:
            current.device_id, current.login, current.tenant_code = device_id, login, tenant
        session.flush()
        queued = queue_everything(session)
        return Enrolled(server_url, device_id, login, tenant, queued)


def enrol_device(
    db: Database,
    *,
    server_url: str,
    login: str,
    password: str,
    device_name: str,
    transport: httpx.BaseTransport | None = None,
) -> tuple[Enrolled, Stored]:
    """Sign in to the server once: it enrols this device and gives it a token, kept in the
    keyring (or a 0600 file); then every record the server must know is queued."""
    with SyncClient(server_url, transport=transport) as client:
        client.hello()  # an outdated app is told to update before anything else happens
        enrolment = client.enrol(login, password, device_name)
    stored = save_token(db.path.parent, server_url, enrolment.login, enrolment.token)
    enrolled = remember_enrolment(
        db,
        server_url=server_url,
        device_id=enrolment.device_id,
        login=enrolment.login,
        tenant=enrolment.tenant,
    )
    # Numbers for the work done before the first sync; a failure here is made good by it.
    with (
        SyncClient(server_url, token=enrolment.token, transport=transport) as client,
        contextlib.suppress(SyncError),
    ):
        refill_numbers(db, client)
    return enrolled, stored


def connect(db: Database, *, transport: httpx.BaseTransport | None = None) -> SyncClient:
    """A client for the server this installation is enrolled with, carrying its token."""
    with db.read() as session:
        state = outbox.enrolment(session)
        if state is None:
            raise ValidationError(
                "This installation is not enrolled with a server: run `sync enroll` first."
            )
        server, login = state.server_url, state.login
    token = load_token(db.path.parent, server, login)
    if token is None:
        raise ValidationError(
            f"The token of this device for {server} is missing; enrol again (nothing else is lost)."
        )
    return SyncClient(server, token=token, transport=transport)
