"""The rules a pushed record must pass, with the desktop's own domain (`mukta_desktop.domain`):
figures recomputed from the measurement rows must equal the record's, and the workflow step
it carries must be allowed for the acting user's roles (from the token) and the state of the
server's copy. A refusal is a `DomainError` whose message goes back to the device."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import PermissionDenied, ValidationError
from mukta_desktop.domain.estimate import Line, LineCategory, Overhead, OverheadKind, compute
from mukta_desktop.domain.mb import MbItem, check_ceilings, compute_mb
from mukta_desktop.domain.roles import Role, parse_roles
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.domain.workflow import (
    ESTIMATE_WORKFLOW,
    MB_WORKFLOW,
    Action,
    Status,
    Workflow,
)

from .enrolment import DeviceIdentity
from .mb_rules import PhotoLookup, check_mb_on_server
from .models import Record, ServerUser
from .payloads import dec, rows
from .rates_in_force import check_rates

CREATORS = frozenset({Role.ESTIMATE_CREATOR, Role.MB_CREATOR})


def check_record(
    session: Session,
    device: DeviceIdentity,
    record_type: str,
    payload: dict[str, Any],
    action: dict[str, Any] | None,
    existing: Record | None,
    *,
    photos: PhotoLookup | None = None,
) -> None:
    roles = parse_roles(device.roles)
    steps = _steps(session, device, action, existing)
    if record_type == "measurement_book":
        _check_mb(payload)
        _check_steps(MB_WORKFLOW, payload, steps, existing)
        check_mb_on_server(session, device.tenant, payload, existing, photos)
    elif record_type == "estimate":
        _check_estimate(payload)
        check_rates(session, device.tenant, payload)
        _check_steps(ESTIMATE_WORKFLOW, payload, steps, existing)
    elif not roles & CREATORS:
        raise PermissionDenied(f"{device.login} may not change a {record_type.replace('_', ' ')}.")


@dataclass(frozen=True, slots=True)
class _Step:
    action: str
    login: str
    roles: frozenset[Role]


def _steps(
    session: Session,
    device: DeviceIdentity,
    action: dict[str, Any] | None,
    existing: Record | None,
) -> list[_Step]:
    """The workflow steps an operation carries: one step taken by the device's user, or —
    for a record the server has never seen (a device enrolled after the work) — the steps
    that brought it to its state, each by a user of the device's ULB."""
    if action is None:
        return []
    if "history" not in action:
        if action.get("by") not in (None, device.login):
            raise PermissionDenied(
                f"The step was taken by {action.get('by')}, but this device acts for "
                f"{device.login}."
            )
        return [_Step(str(action.get("action")), device.login, parse_roles(device.roles))]
    if existing is not None:
        raise ValidationError("The server knows this record already; send the next step only.")
    steps = []
    for step in action["history"]:
        login = str(step.get("by"))
        user = session.scalar(select(ServerUser).where(ServerUser.login == login))
        if user is None or user.tenant_code != device.tenant:
            raise PermissionDenied(
                f"{login}, who took a step of this record, is not a user of "
                f"{device.tenant} on the server."
            )
        steps.append(_Step(str(step.get("action")), login, parse_roles(user.roles.split(","))))
    return steps


def _check_steps(
    workflow: Workflow,
    payload: dict[str, Any],
    steps: list[_Step],
    existing: Record | None,
) -> None:
    """The status the record arrives in must follow from the server's copy by the steps it
    carries, each taken by someone holding the role (`Workflow.transition` says why not)."""
    status = Status.DRAFTED if existing is None else Status(existing.status)
    after = Status(str(payload.get("status")))
    creator = payload.get("created_by")
    for step in steps:
        try:
            action = Action(step.action)
        except ValueError:
            raise ValidationError(f"Unknown workflow step '{step.action}'.") from None
        status = workflow.transition(
            status, action, step.roles, is_creator=creator == step.login
        ).target
    if status is not after:
        raise ValidationError(f"The record is {after.label}, but its steps lead to {status.label}.")


def _heads(raw: dict[str, Any] | None, where: str) -> RateHeads | None:
    if not raw or all(v is None for v in raw.values()):
        return None
    return RateHeads(**{k: dec(v, where) or Decimal(0) for k, v in raw.items()})


def _check_mb(payload: dict[str, Any]) -> None:
    items = []
    for line in payload.get("lines", []):
        where = f"Line {int(line.get('position', 0)) + 1}"
        items.append(
            MbItem(
                key=str(line.get("item")),
                category=LineCategory(str(line.get("category"))),
                description=str(line.get("description", "")),
                unit=str(line.get("unit", "")),
                rate=dec(line.get("rate"), where) or Decimal(0),
                rate_quantity=dec(line.get("rate_quantity"), where) or Decimal(1),
                estimate_quantity=dec(line.get("estimate_quantity"), where) or Decimal(0),
                previous_quantity=dec(line.get("previous_quantity"), where) or Decimal(0),
                previous_amount=dec(line.get("previous_amount"), where) or Decimal(0),
                rows=rows(line.get("rows", []), where),
                sor_code=line.get("sor_code"),
                heads=_heads(line.get("heads"), where),
            )
        )
    totals = compute_mb(items)
    for line, figures in zip(payload.get("lines", []), totals.items, strict=True):
        where = f"Line {int(line.get('position', 0)) + 1}"
        if dec(line.get("quantity"), where) != figures.quantity:
            raise ValidationError(
                f"{where}: the quantity {line.get('quantity')} does not follow from its rows "
                f"({figures.quantity})."
            )
        if dec(line.get("amount"), where) != figures.amount:
            raise ValidationError(
                f"{where}: the amount {line.get('amount')} is not quantity × rate "
                f"({figures.amount})."
            )
    if dec(payload.get("total"), "Total") != totals.total:
        raise ValidationError(
            f"The MB total {payload.get('total')} is not the sum of its lines ({totals.total})."
        )
    if str(payload.get("status")) != Status.DRAFTED.value:
        check_ceilings(items, totals.items)


def _check_estimate(payload: dict[str, Any]) -> None:
    lines = []
    for line in payload.get("lines", []):
        where = f"Line {int(line.get('position', 0)) + 1}"
        lines.append(
            Line(
                LineCategory(str(line.get("category"))),
                str(line.get("description", "")),
                str(line.get("unit", "")),
                dec(line.get("rate"), where) or Decimal(0),
                rows(line.get("rows", []), where),
                dec(line.get("rate_quantity"), where) or Decimal(1),
                line.get("sor_code"),
                _heads(line.get("heads"), where),
                dec(line.get("used_quantity"), where),
                dec(line.get("used_rate"), where),
            )
        )
    overheads = [
        Overhead(
            str(o.get("code")),
            str(o.get("description", "")),
            OverheadKind(str(o.get("kind"))),
            dec(o.get("percent"), "Overhead"),
            dec(o.get("lump_sum"), "Overhead"),
        )
        for o in payload.get("overheads", [])
    ]
    totals = compute(lines, overheads)
    if dec(payload.get("total"), "Total") != totals.total:
        raise ValidationError(
            f"The estimate total {payload.get('total')} does not follow from its lines "
            f"({totals.total})."
        )


def server_copy(record: Record) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(record.payload)
    return copy
