"""What a head-office administrator does: tenants, users, devices (the `mukta-server` CLI)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import DomainError
from mukta_desktop.domain.roles import parse_roles

from .credentials import MIN_PASSWORD, hash_password
from .db import Database
from .models import Device, ServerUser, Tenant, utcnow
from .tenants import is_tenant_code

# The desktop's login rule, so a JE can use the same login on both.
_LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")


class Refused(Exception):
    """An administrator's request that cannot be done; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class TenantInfo:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class UserInfo:
    login: str
    name: str
    tenant: str
    roles: tuple[str, ...]
    active: bool


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    id: str
    name: str
    login: str
    tenant: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None


def role_codes(stored: str) -> tuple[str, ...]:
    return tuple(code for code in stored.split(",") if code)


def add_tenant(db: Database, code: str, name: str) -> TenantInfo:
    code = code.strip()
    if not is_tenant_code(code):
        raise Refused(
            f"'{code}' is not a tenant code: use the state code (od) or od.<ulb> in lower "
            "case, like od.dhenkanal."
        )
    if not name.strip():
        raise Refused("Name: type the tenant's name, like Dhenkanal Municipality.")
    with db.unit_of_work() as session:
        if session.get(Tenant, code) is not None:
            raise Refused(f"Tenant {code} exists already.")
        session.add(Tenant(code=code, name=name.strip()))
    return TenantInfo(code, name.strip())


def check_new_user(
    db: Database, *, login: str, name: str, tenant: str, roles: list[str]
) -> tuple[str, str, str, tuple[str, ...]]:
    """Everything about a new user but the password, checked (so a command can refuse before
    it prompts for one). Returns the cleaned login, name, tenant and role codes."""
    login = login.strip().lower()
    if not _LOGIN_RE.match(login):
        raise Refused(
            f"Login '{login}': use 2 to 60 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    if not name.strip():
        raise Refused("Name: type the user's full name.")
    try:
        role_set = parse_roles(roles)
    except DomainError as error:
        raise Refused(error.message) from None
    if not role_set:
        raise Refused("Roles: give at least one role, like --roles MB_CREATOR,ESTIMATE_CREATOR.")
    tenant = tenant.strip()
    with db.read() as session:
        _check_tenant_and_login(session, tenant, login)
    return login, name.strip(), tenant, tuple(sorted(role.value for role in role_set))


def _check_tenant_and_login(session: Session, tenant: str, login: str) -> None:
    if session.get(Tenant, tenant) is None:
        raise Refused(f"Tenant '{tenant}' is not known here: add it with `tenant add` first.")
    if session.scalar(select(ServerUser.id).where(ServerUser.login == login)) is not None:
        raise Refused(f"Login '{login}' is already taken.")


def add_user(
    db: Database, *, login: str, name: str, tenant: str, roles: list[str], password: str
) -> UserInfo:
    login, name, tenant, codes = check_new_user(
        db, login=login, name=name, tenant=tenant, roles=roles
    )
    if len(password) < MIN_PASSWORD:
        raise Refused(f"Password: use at least {MIN_PASSWORD} characters.")
    # Hash before the transaction: argon2 takes a while and must not hold the write lock.
    password_hash = hash_password(password)
    with db.unit_of_work() as session:
        # Again inside the writing transaction: another administrator may have been quicker.
        _check_tenant_and_login(session, tenant, login)
        session.add(
            ServerUser(
                login=login,
                name=name,
                tenant_code=tenant,
                roles=",".join(codes),
                password_hash=password_hash,
                active=True,
                created_at=utcnow(),
            )
        )
    return UserInfo(login, name, tenant, codes, True)


def disable_user(db: Database, login: str) -> bool:
    """Disable a user: no new enrolment, and their devices are refused on the next request.

    Returns False when the user was disabled already.
    """
    login = login.strip().lower()
    with db.unit_of_work() as session:
        user = session.scalar(select(ServerUser).where(ServerUser.login == login))
        if user is None:
            raise Refused(f"No user with login '{login}'.")
        if not user.active:
            return False
        user.active = False
    return True


def list_devices(db: Database) -> list[DeviceInfo]:
    with db.read() as session:
        devices = session.scalars(select(Device).order_by(Device.created_at, Device.id)).all()
        return [
            DeviceInfo(
                d.id,
                d.name,
                d.user_login,
                d.tenant_code,
                d.created_at,
                d.last_seen_at,
                d.revoked_at,
            )
            for d in devices
        ]


def revoke_device(db: Database, device_id: str) -> datetime | None:
    """Revoke a device's token. Returns when it was revoked earlier, or None if just now."""
    device_id = device_id.strip()
    with db.unit_of_work() as session:
        device = session.get(Device, device_id)
        if device is None:
            raise Refused(f"No device with id '{device_id}' (see `device list`).")
        if device.revoked_at is not None:
            return device.revoked_at
        # A conditional update, so two administrators revoking at once keep the first time.
        session.execute(
            update(Device)
            .where(Device.id == device_id, Device.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    return None
