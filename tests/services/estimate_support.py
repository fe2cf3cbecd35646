"""Shared set-up of the estimate service tests: the officers of two ULBs, SORs made through
the SOR service, drafts written the way the editor sends them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from mukta_desktop.domain.estimate import LineCategory, OverheadKind
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.domain.workflow import Action
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_views import (
    EstimateDraft,
    EstimateView,
    LineDraft,
    OverheadDraft,
)
from mukta_desktop.services.estimates import act, create_estimate
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.sor_catalog import NewSor, create_sor
from mukta_desktop.services.users import Actor

D = Decimal
TODAY = date(2026, 11, 21)
RATES_FROM = date(2026, 4, 1)  # the first rate of every SOR made here
ESTIMATE_DATE = date(2026, 6, 15)

DHENKANAL = "od.dhenkanal"
JATNI = "od.jatni"
STATE_ADMIN = Actor("admin", "State admin", "od", frozenset({Role.MDMS_STATE_ADMIN}))
JE = Actor("je", "Asha Das (JE)", DHENKANAL, frozenset({Role.ESTIMATE_CREATOR, Role.MB_CREATOR}))
JE2 = Actor("je2", "Bikash Sahu (JE)", DHENKANAL, frozenset({Role.ESTIMATE_CREATOR}))
AE = Actor("ae", "Chitra Mohanty (AE)", DHENKANAL, frozenset({Role.ESTIMATE_VERIFIER}))
EE = Actor("ee", "Deepak Nayak (EE)", DHENKANAL, frozenset({Role.TECHNICAL_SANCTIONER}))
EO = Actor("eo", "Executive Officer", DHENKANAL, frozenset({Role.ESTIMATE_APPROVER}))
JATNI_JE = Actor("je.jatni", "Jatni JE", JATNI, frozenset({Role.ESTIMATE_CREATOR}))
JATNI_AE = Actor("ae.jatni", "Jatni AE", JATNI, frozenset({Role.ESTIMATE_VERIFIER}))
JATNI_ALL = Actor("all.jatni", "Jatni, every role", JATNI, frozenset(Role))

# FL00001 of DESIGN.md: 1307.80 + 3598.02 + 66.01 + 4.55 = 4976.38 → cess 49.76 → 5026.14
FL_HEADS = RateHeads(
    material=D("1307.80"), labour=D("3598.02"), machinery=D("66.01"), additional=D("4.55")
)
SC = OverheadDraft("SC", "Supervision Charge", OverheadKind.PERCENT, percent=D("7.5"))
GST = OverheadDraft("GST", "Goods and Service Tax", OverheadKind.PERCENT, percent=D("18"))


def make_sor(
    db: Database,
    description: str,
    heads: RateHeads,
    *,
    type_code: str = "W",
    sub_type: str = "FL",
    variant: str = "GF",
    uom: str = "SQM",
    rate_quantity: Decimal = Decimal(1),
    rate_from: date = RATES_FROM,
) -> str:
    """A SOR with its first state rate from `rate_from`, made by the state administrator."""
    detail = create_sor(
        db,
        STATE_ADMIN,
        NewSor(
            type_code=type_code,
            sub_type_code=sub_type,
            variant_code=variant,
            uom_code=uom,
            rate_quantity=rate_quantity,
            description=description,
            first_rate=heads,
            first_rate_from=rate_from,
        ),
        today=rate_from,
    )
    return detail.code


def fl_sor(db: Database, *, rate_from: date = RATES_FROM) -> str:
    """A FL00001-like works SOR: 5026.14 per SQM from `rate_from`."""
    return make_sor(
        db, "Vitrified tile flooring (FL00001 of the design)", FL_HEADS, rate_from=rate_from
    )


def row(
    number: str | None = None,
    length: str | None = None,
    breadth: str | None = None,
    depth: str | None = None,
    *,
    minus: bool = False,
    name: str = "",
) -> MeasurementRow:
    def dec(text: str | None) -> Decimal | None:
        return None if text is None else D(text)

    return MeasurementRow(
        RowKind.MINUS if minus else RowKind.PLUS,
        name,
        dec(number),
        dec(length),
        dec(breadth),
        dec(depth),
    )


def sor_line(code: str, *rows: MeasurementRow, reason: str = "") -> LineDraft:
    """A SOR line as the editor adds it: the service prices it at the estimate date."""
    return LineDraft(LineCategory.SOR, "", "", D(0), rows=rows, sor_code=code, reason=reason)


def non_sor_line(description: str, unit: str, rate: str, *rows: MeasurementRow) -> LineDraft:
    return LineDraft(LineCategory.NON_SOR, description, unit, D(rate), rows=rows)


def draft(
    *lines: LineDraft,
    overheads: tuple[OverheadDraft, ...] = (),
    on: date = ESTIMATE_DATE,
    description: str = "",
) -> EstimateDraft:
    return EstimateDraft(on, description, lines, overheads)


def new_project(db: Database, name: str = "Drain at ward 5", actor: Actor = JE) -> str:
    return create_project(db, actor, NewProject(name=name, ward="5"), today=TODAY).number


def new_estimate(
    db: Database,
    estimate: EstimateDraft,
    *,
    actor: Actor = JE,
    project: str | None = None,
) -> EstimateView:
    number = project or new_project(db, actor=actor)
    return create_estimate(db, actor, project_number=number, draft=estimate, today=TODAY)


def approve(db: Database, number: str, *, crew: tuple[Actor, ...] = (JE, AE, EE, EO)) -> None:
    """Submit, verify, sanction and approve, each by its officer."""
    creator, verifier, sanctioner, approver = crew
    act(db, creator, number, Action.SUBMIT, comment="for verification")
    act(db, verifier, number, Action.VERIFY, comment="checked")
    act(db, sanctioner, number, Action.SANCTION, comment="sanctioned")
    act(db, approver, number, Action.APPROVE, comment="approved")


def later(days: int) -> date:
    return TODAY + timedelta(days=days)
