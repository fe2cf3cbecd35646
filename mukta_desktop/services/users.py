"""Local users: first-run creation, sign-in with an argon2-hashed password, listing."""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import PermissionDenied, ValidationError
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.roles import Role, parse_roles
from mukta_desktop.models import Tenant, User

from .database import Database

_LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
MIN_PASSWORD = 4
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not the password of anybody")


def _burn(password: str) -> None:
    with suppress(VerificationError):
        _hasher.verify(_dummy_hash(), password)


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in user on whose behalf a service acts."""

    login: str
    name: str
    tenant: str
    roles: frozenset[Role]

    def has(self, role: Role) -> bool:
        return role in self.roles


@dataclass(frozen=True, slots=True)
class UserInfo:
    login: str
    name: str
    tenant: str
    tenant_name: str
    roles: tuple[str, ...]
    active: bool


def _actor(user: User) -> Actor:
    return Actor(user.login, user.name, user.tenant_code, parse_roles(user.roles.split(",")))


def has_users(db: Database) -> bool:
    with db.read() as session:
        return bool(session.scalar(select(func.count()).select_from(User)))


def create_user(
    db: Database,
    *,
    login: str,
    name: str,
    tenant: str,
    roles: list[str],
    password: str,
    granted_by: Actor | None = None,
) -> UserInfo:
    """Add a local user. Login: 2-60 lower-case letters, digits, '.', '_' or '-'.

    The first user of an installation needs nobody's grant; after that a signed-in user adds
    users, and may only hand out roles they hold themselves.
    """
    with db.unit_of_work() as session:
        return add_user_in(
            session,
            login=login,
            name=name,
            tenant=tenant,
            roles=roles,
            password=password,
            granted_by=granted_by,
        )


def add_user_in(
    session: Session,
    *,
    login: str,
    name: str,
    tenant: str,
    roles: list[str],
    password: str,
    granted_by: Actor | None,
) -> UserInfo:
    """`create_user` inside a unit of work the caller owns."""
    login = login.strip().lower()
    if not _LOGIN_RE.match(login):
        raise ValidationError(
            f"Login '{login}': use 2 to 60 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit.",
            field="login",
        )
    if not name.strip():
        raise ValidationError("Name: type the user's full name.", field="name")
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"Password: use at least {MIN_PASSWORD} characters.", field="password"
        )
    role_set = parse_roles(roles)
    if not role_set:
        raise ValidationError("Roles: choose at least one role.", field="roles")
    if session.scalar(select(func.count()).select_from(User)):
        if granted_by is None:
            raise PermissionDenied(
                "Adding a user needs a signed-in user (--user LOGIN) once one exists."
            )
        if tenant.strip() != granted_by.tenant and Role.MDMS_STATE_ADMIN not in granted_by.roles:
            raise PermissionDenied(
                f"You may add users of your own ULB ({granted_by.tenant}) only; users of "
                f"{tenant.strip()} are added there or by the state SOR administrator."
            )
        beyond = sorted(r.value for r in role_set - granted_by.roles)
        if beyond:
            raise PermissionDenied(f"You may not grant roles you do not hold: {', '.join(beyond)}.")
    tenant_row = session.get(Tenant, tenant.strip())
    if tenant_row is None:
        raise ValidationError(
            f"ULB '{tenant}' is not in the Odisha tenant list (codes like od.dhenkanal).",
            field="tenant",
        )
    if session.scalar(select(User).where(User.login == login)) is not None:
        raise ValidationError(f"Login '{login}' is already taken.", field="login")
    role_codes = tuple(sorted(r.value for r in role_set))
    user = User(
        id=new_id(),
        login=login,
        name=name.strip(),
        tenant_code=tenant_row.code,
        password_hash=_hasher.hash(password),
        roles=",".join(role_codes),
        active=True,
    )
    session.add(user)
    session.flush()
    return UserInfo(login, user.name, tenant_row.code, tenant_row.name, role_codes, True)


def authenticate(db: Database, login: str, password: str) -> Actor:
    """The actor for a login and password, or a refusal that does not say which was wrong."""
    refusal = PermissionDenied("Login or password is not correct.")
    with db.read() as session:
        user = session.scalar(select(User).where(User.login == login.strip().lower()))
        if user is None or not user.active:
            # Spend the same time as a wrong password, so the answer does not tell which
            # logins exist.
            _burn(password)
            raise refusal
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise refusal from None
        return _actor(user)


def list_users(db: Database) -> list[UserInfo]:
    with db.read() as session:
        rows = session.execute(
            select(User, Tenant.name)
            .join(Tenant, Tenant.code == User.tenant_code)
            .order_by(User.login)
        ).all()
        return [
            UserInfo(
                u.login,
                u.name,
                u.tenant_code,
                tname,
                tuple(r for r in u.roles.split(",") if r),
                u.active,
            )
            for u, tname in rows
        ]
