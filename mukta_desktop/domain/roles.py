"""Roles (codes as in the production workflows) and what each may do."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from .errors import PermissionDenied
from .sor import STATE_TENANT


class Role(enum.StrEnum):
    ESTIMATE_CREATOR = "ESTIMATE_CREATOR"
    ESTIMATE_VERIFIER = "ESTIMATE_VERIFIER"
    TECHNICAL_SANCTIONER = "TECHNICAL_SANCTIONER"
    ESTIMATE_APPROVER = "ESTIMATE_APPROVER"
    MB_CREATOR = "MB_CREATOR"
    MB_VERIFIER = "MB_VERIFIER"
    MB_APPROVER = "MB_APPROVER"
    MDMS_STATE_ADMIN = "MDMS_STATE_ADMIN"
    MDMS_CITY_ADMIN = "MDMS_CITY_ADMIN"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.ESTIMATE_CREATOR: "Estimate creator (JE)",
    Role.ESTIMATE_VERIFIER: "Estimate verifier (AE/ME)",
    Role.TECHNICAL_SANCTIONER: "Technical sanctioner (EE)",
    Role.ESTIMATE_APPROVER: "Estimate approver (Executive Officer)",
    Role.MB_CREATOR: "MB creator (JE)",
    Role.MB_VERIFIER: "MB verifier (AE/ME)",
    Role.MB_APPROVER: "MB approver (EE)",
    Role.MDMS_STATE_ADMIN: "State SOR administrator",
    Role.MDMS_CITY_ADMIN: "ULB rate administrator",
}


def parse_roles(codes: Iterable[str]) -> frozenset[Role]:
    """Roles from their codes (any case); an unknown code is refused by name."""
    roles: set[Role] = set()
    for raw in codes:
        code = raw.strip().upper()
        if not code:
            continue
        try:
            roles.add(Role(code))
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise PermissionDenied(f"Unknown role '{raw.strip()}'; allowed: {allowed}.") from None
    return frozenset(roles)


def can_manage_sor_definitions(roles: frozenset[Role]) -> bool:
    """Creating and modifying SORs and rate analyses is the state administrator's work."""
    return Role.MDMS_STATE_ADMIN in roles


def can_set_rates(roles: frozenset[Role], user_tenant: str, rate_tenant: str) -> bool:
    """State rates by the state administrator; a ULB's rates by that ULB's rate administrator
    (or a state administrator, who acts for every ULB)."""
    if Role.MDMS_STATE_ADMIN in roles:
        return True
    return (
        rate_tenant != STATE_TENANT and rate_tenant == user_tenant and Role.MDMS_CITY_ADMIN in roles
    )


def require(allowed: bool, action: str, needed: str) -> None:
    """Refuse in plain words when `allowed` is false."""
    if not allowed:
        raise PermissionDenied(f"You may not {action}: it needs the {needed} role.")
