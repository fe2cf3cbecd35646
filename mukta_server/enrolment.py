"""Enrolling a device with a login and password, and knowing a device by its token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update

from mukta_desktop.domain.ids import new_id

from .admin import role_codes
from .credentials import (
    hash_password,
    needs_rehash,
    new_token,
    password_matches,
    spend_password_time,
    token_digest,
)
from .db import Database
from .models import Device, ServerUser, Tenant, utcnow

# last_seen_at is a "when did this device last sync" for administrators, not an audit log:
# writing it at most once a minute keeps a burst of requests from being a burst of writes.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


class EnrolmentRefused(Exception):
    """`code` is the protocol's error code (bad_credentials, user_disabled)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TokenRefused(Exception):
    """`code` is the protocol's error code (token_invalid, device_revoked, user_disabled)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """Who a request is from. The tenant and the user come from here, never from a payload."""

    device_id: str
    device_name: str
    login: str
    user_name: str
    tenant: str
    tenant_name: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Enrolment:
    identity: DeviceIdentity
    token: str  # shown once, to the enrolling device; the server keeps only its digest


def _bad_credentials() -> EnrolmentRefused:
    return EnrolmentRefused("bad_credentials", "Login or password is not correct.")


def _user_disabled(login: str) -> EnrolmentRefused:
    return EnrolmentRefused(
        "user_disabled", f"The user {login} is disabled on this server. Ask the head office."
    )


def enrol(db: Database, *, login: str, password: str, device_name: str) -> Enrolment:
    """A new device of a user whose password is right. Unknown login and wrong password are
    refused alike; a disabled user is told so only after giving the right password."""
    login = login.strip().lower()
    with db.read() as session:
        user = session.scalar(select(ServerUser).where(ServerUser.login == login))
        tenant = None if user is None else session.get(Tenant, user.tenant_code)
    # argon2 takes its time on purpose: not while holding a database connection.
    if user is None:
        spend_password_time(password)
        raise _bad_credentials()
    if not password_matches(user.password_hash, password):
        raise _bad_credentials()
    if not user.active:
        raise _user_disabled(login)
    tenant_name = tenant.name if tenant is not None else user.tenant_code
    fresh_hash = hash_password(password) if needs_rehash(user.password_hash) else None

    token = new_token()
    now = utcnow()
    device_id = new_id()
    with db.unit_of_work() as session:
        # Checked again inside the writing transaction: a user disabled in between gets no
        # device.
        user = session.scalar(select(ServerUser).where(ServerUser.login == login))
        if user is None or not user.active:
            raise _user_disabled(login)
        if fresh_hash is not None:
            user.password_hash = fresh_hash
        session.add(
            Device(
                id=device_id,
                user_login=user.login,
                tenant_code=user.tenant_code,
                name=device_name.strip(),
                token_hash=token_digest(token),
                created_at=now,
                last_seen_at=now,
            )
        )
        identity = DeviceIdentity(
            device_id=device_id,
            device_name=device_name.strip(),
            login=user.login,
            user_name=user.name,
            tenant=user.tenant_code,
            tenant_name=tenant_name,
            roles=role_codes(user.roles),
        )
    return Enrolment(identity=identity, token=token)


def identify(db: Database, token: str) -> DeviceIdentity:
    """The device a token belongs to, checked on every request; raises TokenRefused."""
    digest = token_digest(token)
    with db.read() as session:
        row = session.execute(
            select(Device, ServerUser, Tenant.name)
            .join(ServerUser, ServerUser.login == Device.user_login)
            .join(Tenant, Tenant.code == Device.tenant_code)
            .where(Device.token_hash == digest)
        ).one_or_none()
        if row is None:
            raise TokenRefused(
                "token_invalid", "This device's token is not known here. Enrol the device again."
            )
        device, user, tenant_name = row
        if device.revoked_at is not None:
            raise TokenRefused(
                "device_revoked",
                "This device was revoked by the head office. Enrol the device again.",
            )
        if not user.active:
            raise TokenRefused(
                "user_disabled", f"The user {user.login} is disabled on this server."
            )
        identity = DeviceIdentity(
            device_id=device.id,
            device_name=device.name,
            login=user.login,
            user_name=user.name,
            tenant=device.tenant_code,
            tenant_name=tenant_name,
            roles=role_codes(user.roles),
        )
        last_seen = device.last_seen_at
    now = utcnow()
    if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
        with db.unit_of_work() as session:
            session.execute(
                update(Device)
                .where(
                    Device.id == identity.device_id,
                    or_(Device.last_seen_at.is_(None), Device.last_seen_at < now),
                )
                .values(last_seen_at=now)
            )
    return identity
