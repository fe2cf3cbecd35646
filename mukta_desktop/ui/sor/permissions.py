"""Which SOR actions the signed-in user is offered (the services refuse the rest anyway)."""

from __future__ import annotations

from mukta_desktop.domain.roles import Role

from ..context import UiContext


def can_create_sor(ctx: UiContext) -> bool:
    return ctx.has(Role.MDMS_STATE_ADMIN)


def can_modify_sor(ctx: UiContext) -> bool:
    return ctx.has(Role.MDMS_STATE_ADMIN)


def can_analyse(ctx: UiContext) -> bool:
    return ctx.has(Role.MDMS_STATE_ADMIN)


def can_add_rate(ctx: UiContext) -> bool:
    return ctx.has(Role.MDMS_STATE_ADMIN) or ctx.has(Role.MDMS_CITY_ADMIN)


def can_import(ctx: UiContext) -> bool:
    """State administrators import schedules; a ULB rate administrator imports own-ULB rates."""
    return ctx.has(Role.MDMS_STATE_ADMIN) or ctx.has(Role.MDMS_CITY_ADMIN)
