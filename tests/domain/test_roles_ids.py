"""Roles and what they allow; time-ordered record ids (UUID version 7)."""

from __future__ import annotations

import uuid

import pytest

from mukta_desktop.domain.errors import PermissionDenied
from mukta_desktop.domain.ids import _compose, new_id
from mukta_desktop.domain.roles import (
    Role,
    can_manage_sor_definitions,
    can_set_rates,
    parse_roles,
    require,
)

# --- roles ---------------------------------------------------------------------------------


def test_parse_roles_any_case_and_spacing() -> None:
    roles = parse_roles([" estimate_creator", "Mb_Creator ", "MDMS_CITY_ADMIN", ""])
    assert roles == frozenset({Role.ESTIMATE_CREATOR, Role.MB_CREATOR, Role.MDMS_CITY_ADMIN})


def test_parse_roles_of_nothing() -> None:
    assert parse_roles([]) == frozenset()
    assert parse_roles(["", "  "]) == frozenset()


def test_parse_roles_refuses_unknown_role_by_name() -> None:
    with pytest.raises(PermissionDenied) as info:
        parse_roles(["ESTIMATE_CREATOR", " super_user "])
    message = str(info.value)
    assert message.startswith("Unknown role 'super_user'; allowed: ESTIMATE_CREATOR, ")
    for role in Role:
        assert role.value in message


def test_every_role_has_a_label() -> None:
    assert Role.ESTIMATE_CREATOR.label == "Estimate creator (JE)"
    assert Role.MDMS_CITY_ADMIN.label == "ULB rate administrator"
    assert all(role.label for role in Role)


STATE_ADMIN = frozenset({Role.MDMS_STATE_ADMIN})
CITY_ADMIN = frozenset({Role.MDMS_CITY_ADMIN})
JE = frozenset({Role.ESTIMATE_CREATOR, Role.MB_CREATOR})


@pytest.mark.parametrize(
    ("roles", "user_tenant", "rate_tenant", "allowed"),
    [
        (STATE_ADMIN, "od", "od", True),
        (STATE_ADMIN, "od", "od.jatni", True),  # acts for every ULB
        (STATE_ADMIN, "od.jatni", "od.dhenkanal", True),
        (CITY_ADMIN, "od.jatni", "od.jatni", True),  # own ULB
        (CITY_ADMIN, "od.jatni", "od.dhenkanal", False),  # another ULB
        (CITY_ADMIN, "od.jatni", "od", False),  # state rates
        (CITY_ADMIN, "od", "od", False),  # a city admin at the state: still not state rates
        (JE, "od.jatni", "od.jatni", False),
        (JE | CITY_ADMIN, "od.jatni", "od.jatni", True),
        (frozenset(), "od", "od", False),
    ],
)
def test_can_set_rates(
    roles: frozenset[Role], user_tenant: str, rate_tenant: str, allowed: bool
) -> None:
    assert can_set_rates(roles, user_tenant, rate_tenant) is allowed


def test_only_state_admin_manages_sor_definitions() -> None:
    assert can_manage_sor_definitions(STATE_ADMIN)
    assert not can_manage_sor_definitions(CITY_ADMIN)
    assert not can_manage_sor_definitions(JE)


def test_require() -> None:
    require(True, "create SORs", "MDMS_STATE_ADMIN")
    with pytest.raises(PermissionDenied) as info:
        require(False, "create SORs", "MDMS_STATE_ADMIN")
    assert str(info.value) == "You may not create SORs: it needs the MDMS_STATE_ADMIN role."


# --- ids -----------------------------------------------------------------------------------


def test_new_id_is_uuid_version_7() -> None:
    text = new_id()
    value = uuid.UUID(text)
    assert str(value) == text
    assert len(text) == 36
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert text[14] == "7"


def test_new_ids_differ() -> None:
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000


def test_compose_lays_out_the_fields() -> None:
    millis = 0x0123_4567_89AB
    value = _compose(millis, (1 << 80) - 1)  # every random bit set
    assert value.int >> 80 == millis
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert str(value).startswith("01234567-89ab-7fff-bfff-ffffffffffff")
    zero = _compose(millis, 0)
    assert str(zero) == "01234567-89ab-7000-8000-000000000000"


def test_ids_sort_by_creation_time() -> None:
    earlier = 1_763_700_000_000
    # a later millisecond sorts after, whatever the random bits
    first = str(_compose(earlier, (1 << 80) - 1))
    second = str(_compose(earlier + 1, 0))
    assert first < second
    made = [str(_compose(earlier + step, (step * 7919) % (1 << 80))) for step in range(50)]
    assert sorted(made) == made


def test_new_id_carries_the_current_millisecond() -> None:
    import time

    before = time.time_ns() // 1_000_000
    value = uuid.UUID(new_id())
    after = time.time_ns() // 1_000_000
    assert before <= value.int >> 80 <= after
