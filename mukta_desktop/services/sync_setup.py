"""Enrolment as the device keeps it: after the server accepted the user's login (the sync
client does that), remember the server and device, and queue every record the server must
know — in one unit of work, so a device is never enrolled with half its records queued."""

from __future__ import annotations

from dataclasses import dataclass

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.models import SyncState
from mukta_desktop.sync import outbox

from .database import Database
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
