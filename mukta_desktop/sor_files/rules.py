"""Comparing checked rows with what a store holds: which SORs are new, which change, which
rates are added, skipped or refused (rate history is never rewritten). Pure: the caller reads
its store into a `Stored` snapshot and writes the resulting `Plan` itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.numbers import plain_text, to_str2
from mukta_desktop.domain.roles import Role, can_manage_sor_definitions, can_set_rates, require
from mukta_desktop.domain.sor import STATE_TENANT, RateHeads

from .report import ImportProblem
from .rows import RATE_QUANTITY, SUB_TYPE, TOTAL, TYPE, UOM, VARIANT
from .validate import SorLine

_SHOWN_CODES = 5


@dataclass(frozen=True, slots=True)
class StoredSor:
    """The columns of a stored SOR that an import compares with."""

    id: str
    code: str
    type_code: str
    sub_type_code: str
    variant_code: str
    uom_code: str
    rate_quantity: Decimal
    description: str
    version: int


@dataclass(frozen=True, slots=True)
class NewRate:
    sor_id: str
    heads: RateHeads
    effective_from: date


@dataclass(frozen=True, slots=True)
class Latest:
    """The latest rate of a SOR in one tenant's series."""

    effective_from: date
    heads: RateHeads


@dataclass(slots=True)
class Plan:
    creates: list[tuple[str, SorLine]] = field(default_factory=list)  # (new SOR id, row)
    updates: list[tuple[StoredSor, SorLine]] = field(default_factory=list)  # new description
    unchanged: int = 0
    rates: list[NewRate] = field(default_factory=list)
    rates_skipped: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def changes_definitions(self) -> bool:
        return bool(self.creates or self.updates)

    def definition_codes(self) -> list[str]:
        return [line.code for _, line in self.creates] + [line.code for _, line in self.updates]


@dataclass(frozen=True, slots=True)
class Stored:
    """What is stored that the import compares with, read in a few queries."""

    sors: dict[str, StoredSor]  # by case-folded code
    latest: dict[str, Latest]  # SOR id -> latest rate in the tenant's series
    # SOR id -> latest effective_from in the state series; only for a ULB's import (a ULB
    # rate wins over the state's for that ULB, so it may not start before either).
    state_latest: dict[str, date]
    same_day: dict[tuple[str, date], RateHeads]  # (SOR id, a date of the import) -> heads


@dataclass(frozen=True, slots=True)
class StoredRate:
    sor_id: str
    tenant: str
    effective_from: date
    heads: RateHeads


def snapshot(
    sors: Iterable[StoredSor], rates: Iterable[StoredRate], *, tenant: str, days: set[date]
) -> Stored:
    """What an import for `tenant` compares with, from a store's SORs and its rates (those of
    `tenant` and, for a ULB, the state's): for a store that reads them all anyway."""
    latest: dict[str, Latest] = {}
    state_latest: dict[str, date] = {}
    same_day: dict[tuple[str, date], RateHeads] = {}
    for rate in rates:
        if rate.tenant == tenant:
            known = latest.get(rate.sor_id)
            if known is None or rate.effective_from > known.effective_from:
                latest[rate.sor_id] = Latest(rate.effective_from, rate.heads)
            if rate.effective_from in days:
                same_day[(rate.sor_id, rate.effective_from)] = rate.heads
        elif tenant != STATE_TENANT and rate.tenant == STATE_TENANT:
            day = state_latest.get(rate.sor_id)
            if day is None or rate.effective_from > day:
                state_latest[rate.sor_id] = rate.effective_from
    return Stored({sor.code.casefold(): sor for sor in sors}, latest, state_latest, same_day)


def rate_date(line: SorLine, effective_from: date | None, today: date) -> date:
    """The date a row's rate takes effect: the importer's date, else the file's, else today."""
    return effective_from or line.rate_from or today


def rate_days(lines: Sequence[SorLine], effective_from: date | None, today: date) -> set[date]:
    """The dates the rows' rates would take effect on (what `Stored.same_day` must cover)."""
    return {rate_date(line, effective_from, today) for line in lines if line.heads is not None}


def plan_lines(
    stored: Stored,
    lines: Sequence[SorLine],
    *,
    tenant: str,
    effective_from: date | None,
    today: date,
) -> Plan:
    """What importing `lines` into the store `stored` describes would do, for `tenant`'s
    rates; a SOR not stored gets a new id."""
    plan = Plan()
    for line in lines:
        sor = stored.sors.get(line.code.casefold())
        if sor is None:
            sor_id = new_id()
            plan.creates.append((sor_id, line))
        else:
            sor_id = sor.id
            _compare_definition(plan, sor, line)
        if line.heads is not None:
            _plan_rate(
                plan,
                stored,
                sor,
                sor_id,
                line,
                line.heads,
                tenant,
                rate_date(line, effective_from, today),
            )
    return plan


def _compare_definition(plan: Plan, sor: StoredSor, line: SorLine) -> None:
    differences = [
        (TYPE, "type", line.type_code, sor.type_code),
        (SUB_TYPE, "sub type", line.sub_type_code, sor.sub_type_code),
        (VARIANT, "variant", line.variant_code, sor.variant_code),
        (UOM, "unit", line.uom_code, sor.uom_code),
    ]
    problems = [
        line.source.problem(_changed(sor, label, new, old), column)
        for column, label, new, old in differences
        if new != old
    ]
    if line.rate_quantity != sor.rate_quantity:
        problems.append(
            line.source.problem(
                _changed(
                    sor,
                    "quantity for which the rate is defined",
                    plain_text(line.rate_quantity),
                    plain_text(sor.rate_quantity),
                ),
                RATE_QUANTITY,
            )
        )
    if problems:
        plan.problems.extend(problems)
    elif line.description != sor.description:
        plan.updates.append((sor, line))
    else:
        plan.unchanged += 1


def _changed(sor: StoredSor, label: str, new: str, old: str) -> str:
    return (
        f"{label} differs from the stored SOR {sor.code}: file {new}, stored {old}; "
        "a SOR's definition changes only through Modify SOR"
    )


def _plan_rate(
    plan: Plan,
    stored: Stored,
    sor: StoredSor | None,
    sor_id: str,
    line: SorLine,
    heads: RateHeads,
    tenant: str,
    effective_from: date,
) -> None:
    if sor is None:
        plan.rates.append(NewRate(sor_id, heads, effective_from))
        return
    same = stored.same_day.get((sor_id, effective_from))
    latest = stored.latest.get(sor_id)
    latest_day = None if latest is None else latest.effective_from
    state_day = stored.state_latest.get(sor_id)
    if same is not None and same == heads:
        plan.rates_skipped += 1
    elif same is not None:
        plan.problems.append(
            line.source.problem(
                f"{sor.code} already has a different rate for {tenant} from "
                f"{format_date(effective_from)} (total {to_str2(same.total)}, this row "
                f"{to_str2(heads.total)}); rate history is never rewritten: import the new rate "
                "with a later effective date",
                TOTAL,
            )
        )
    elif tenant != STATE_TENANT and any(
        day is not None and effective_from < day for day in (latest_day, state_day)
    ):
        ulb = "none" if latest_day is None else f"from {format_date(latest_day)}"
        state = "none" if state_day is None else f"from {format_date(state_day)}"
        plan.problems.append(
            line.source.problem(
                f"effective from {format_date(effective_from)} is earlier than the latest rate of "
                f"{sor.code} (for {tenant}: {ulb}; for {STATE_TENANT}: {state}); a rate for "
                f"{tenant} wins over the state's there, so it may not start before either: rate "
                "history is never rewritten"
            )
        )
    elif latest_day is not None and effective_from < latest_day:
        plan.problems.append(
            line.source.problem(
                f"effective from {format_date(effective_from)} is earlier than the latest rate of "
                f"{sor.code} for {tenant} (from {format_date(latest_day)}); rate history is never "
                "rewritten"
            )
        )
    elif latest is not None and latest.heads == heads:
        # The same amounts as the rate in force since an earlier date: already present.
        plan.rates_skipped += 1
    else:
        plan.rates.append(NewRate(sor_id, heads, effective_from))


def check_permissions(roles: frozenset[Role], user_tenant: str, tenant: str, plan: Plan) -> None:
    """Only the permissions the file needs: a city admin may load rates for existing SORs."""
    if plan.changes_definitions:
        codes = plan.definition_codes()
        shown = ", ".join(codes[:_SHOWN_CODES]) + (", ..." if len(codes) > _SHOWN_CODES else "")
        require(
            can_manage_sor_definitions(roles),
            f"create or change SOR definitions ({shown})",
            "MDMS_STATE_ADMIN",
        )
    if plan.rates:
        require(
            can_set_rates(roles, user_tenant, tenant),
            f"set rates for {tenant}",
            "MDMS_STATE_ADMIN" if tenant == STATE_TENANT else f"MDMS_CITY_ADMIN (of {tenant})",
        )
