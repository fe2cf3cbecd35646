"""Detailed estimates through the services (services.estimates): the DESIGN examples, the
rate frozen at the estimate date, who may edit when, the workflow with its history, the
inbox, and one ULB never seeing or touching another's estimates."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from estimate_support import (
    AE,
    EE,
    EO,
    ESTIMATE_DATE,
    FL_HEADS,
    GST,
    JATNI,
    JATNI_AE,
    JATNI_ALL,
    JATNI_JE,
    JE,
    JE2,
    RATES_FROM,
    SC,
    STATE_ADMIN,
    TODAY,
    approve,
    draft,
    fl_sor,
    later,
    make_sor,
    new_estimate,
    new_project,
    non_sor_line,
    row,
    sor_line,
)
from sqlalchemy import select

from mukta_desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from mukta_desktop.domain.estimate import OverheadKind
from mukta_desktop.domain.measurements import MeasurementRow
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.models import EstimateLine
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_views import OverheadDraft
from mukta_desktop.services.estimates import (
    act,
    act_in,
    create_estimate,
    find_estimate,
    get_estimate,
    inbox,
    list_estimates,
    load_draft,
    price_sor_line,
    save_estimate,
    save_in,
)
from mukta_desktop.services.projects import search_projects
from mukta_desktop.services.revisions import revise
from mukta_desktop.services.sor_catalog import add_rate
from mukta_desktop.services.templates import copy_estimate, save_template
from mukta_desktop.services.users import Actor

D = Decimal
DESIGN_ROW = row("2", "10.5", "0.45", "0.3", name="Floor of room 1")


# --- the numbers of DESIGN.md ---------------------------------------------------------------


def test_design_example_2_8350_times_5026_14(db: Database) -> None:
    code = fl_sor(db)
    view = new_estimate(db, draft(sor_line(code, DESIGN_ROW)))
    assert view.number == "ES/2026-27/000001"
    assert view.status is Status.DRAFTED
    (line,) = view.lines
    assert line.draft.rate == D("5026.14")
    assert line.draft.unit == "SQM"
    assert line.draft.description == "Vitrified tile flooring (FL00001 of the design)"
    assert line.quantity == D("2.8350")
    assert line.amount == D("14249.11")
    assert (view.sor_total, view.non_sor_total, view.total) == (
        D("14249.11"),
        D("0"),
        D("14249.11"),
    )
    assert view.total_rupees == D("14249")
    # The cost analysis from the heads: material (material, additional, cess 49.76) 1362.11,
    # labour 3598.02, machinery 66.01, each × 2.8350, to paise.
    assert (view.analysis.material, view.analysis.labour, view.analysis.machinery) == (
        D("3861.58"),
        D("10200.39"),
        D("187.14"),
    )


def test_overheads_on_the_sor_and_non_sor_base_and_total_in_whole_rupees(db: Database) -> None:
    code = fl_sor(db)
    board = OverheadDraft("LS", "Display board", OverheadKind.LUMPSUM, lump_sum=D("99.99"))
    view = new_estimate(
        db,
        draft(
            sor_line(code, DESIGN_ROW),
            non_sor_line("Survey and layout", "LS", "750.50", row("1")),
            overheads=(SC, GST, board),
        ),
    )
    assert view.sor_total == D("14249.11")
    assert view.non_sor_total == D("750.50")
    # base 14999.61: SC 7.5 % = 1124.97075 → 1124.97; GST 18 % = 2699.9298 → 2699.93
    assert [o.amount for o in view.overheads] == [D("1124.97"), D("2699.93"), D("99.99")]
    assert view.overhead_total == D("3924.89")
    assert view.total == D("18924.50")  # stored exact
    assert view.total_rupees == D("18925")  # shown half-up (half-even would give 18924)
    assert view.total_in_words == "Rupees Eighteen Thousand Nine Hundred Twenty Five Only"
    # Only SOR lines are in the cost analysis.
    assert view.analysis.labour == D("10200.39")
    (summary,) = list_estimates(db, tenant=JE.tenant)
    assert summary.total == D("18924.50")


def test_each_overhead_once(db: Database) -> None:
    code = fl_sor(db)
    with pytest.raises(ValidationError, match=r"SC .*already on the estimate"):
        new_estimate(db, draft(sor_line(code, DESIGN_ROW), overheads=(SC, GST, SC)))


def test_blank_factors_count_as_one_and_a_typed_zero_is_a_warning(db: Database) -> None:
    code = fl_sor(db)
    view = new_estimate(
        db,
        draft(
            sor_line(
                code,
                row("4", "40", None, "0.6", name="Walls, breadth blank"),
                row(None, "12.5", name="One length only"),
                row("3", "0", "1", "1", name="Typed zero"),
                row("1", "2", "1", "0.5", minus=True, name="Door"),
            )
        ),
    )
    rows = view.lines[0].draft.rows
    assert [r.quantity for r in rows] == [D("96.0000"), D("12.5000"), D("0.0000"), D("1.0000")]
    assert rows[0].breadth is None  # stays blank, not 1
    assert view.lines[0].quantity == D("107.5000")
    assert view.warnings == ("Line 1, row 3: a factor is 0, so this row measures nothing.",)


def test_an_all_blank_row_may_be_saved_but_not_submitted(db: Database) -> None:
    code = fl_sor(db)
    view = new_estimate(db, draft(sor_line(code, DESIGN_ROW)))
    half_typed = draft(
        sor_line(code, DESIGN_ROW),
        sor_line(code, row("1", "2"), row(name="just added")),
    )
    view = save_estimate(db, JE, view.number, half_typed)
    with pytest.raises(ValidationError) as info:
        act(db, JE, view.number, Action.SUBMIT)
    assert str(info.value) == (
        "Line 2, row 2: type at least one of No., L, B, D (a blank one counts as 1)."
    )
    assert get_estimate(db, view.number).status is Status.DRAFTED


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (row("2", "-10.5"), "Line 1, row 2, L: -10.5 is negative"),
        (row("100000"), "Line 1, row 2, No.: 100000 is too large"),
        (row("1", "1", "1", "99999.99991"), "Line 1, row 2, D: 99999.99991 is too large"),
        (row("1", "1.00001"), "Line 1, row 2, L: 1.00001 has more than 4 decimals"),
    ],
)
def test_negative_and_out_of_range_factors_are_refused(
    db: Database, bad_row: MeasurementRow, message: str
) -> None:
    code = fl_sor(db)
    with pytest.raises(ValidationError, match=message):
        new_estimate(db, draft(sor_line(code, DESIGN_ROW, bad_row)))
    assert list_estimates(db, tenant=JE.tenant) == []


def test_the_largest_factors_are_exact(db: Database) -> None:
    code = fl_sor(db)
    view = new_estimate(
        db, draft(sor_line(code, row("99999.9999", "99999.9999", "99999.9999", "99999.9999")))
    )
    # (10⁵ − 10⁻⁴)⁴ = 10²⁰ − 4·10¹¹ + 600 − 4·10⁻⁷ + 10⁻¹⁶
    #              = 99999999600000000599.9999996000000001 → 4 decimals, half-up
    assert view.lines[0].quantity == D("99999999600000000600.0000")
    # ... and a total beyond 999 crore still has its words (num2words stops there).
    assert view.total_in_words.startswith("Rupees Five Hundred Two Crore Sixty One Lakh")


def test_deductions_beyond_the_measurements_are_refused_on_submit(db: Database) -> None:
    code = fl_sor(db)
    view = new_estimate(db, draft(sor_line(code, row("1", "2"), row("3", minus=True))))
    with pytest.raises(ValidationError, match="Line 1: the deductions exceed the measurements"):
        act(db, JE, view.number, Action.SUBMIT)


def test_a_non_sor_line_needs_a_usable_rate_quantity(db: Database) -> None:
    code = fl_sor(db)
    bad = replace(non_sor_line("Board", "NOS", "10", row("1")), rate_quantity=D("0"))
    with pytest.raises(ValidationError, match=r"Line 2, rate quantity: 0 is below 0\.0001"):
        new_estimate(db, draft(sor_line(code, DESIGN_ROW), bad))


# --- the rate at the estimate date ----------------------------------------------------------


def test_the_rate_is_frozen_at_the_estimate_date(db: Database) -> None:
    code = fl_sor(db)
    view = new_estimate(db, draft(sor_line(code, DESIGN_ROW)))
    # A later rate revision (from TODAY) does not touch the saved estimate ...
    add_rate(
        db,
        STATE_ADMIN,
        code,
        replace(FL_HEADS, labour=D("4000.00")),
        effective_from=TODAY,
        tenant="od",
        today=TODAY,
    )
    again = get_estimate(db, view.number)
    assert again.lines[0].draft.rate == D("5026.14")
    assert again.lines[0].amount == D("14249.11")
    # ... nor saving it again: the line keeps the rate it was priced with.
    saved = save_estimate(db, JE, view.number, again.draft)
    assert saved.lines[0].draft.rate == D("5026.14")
    assert saved.lines[0].draft.rate_id == view.lines[0].draft.rate_id
    # An estimate dated after the revision takes the new rate:
    # 1307.80 + 4000 + 66.01 + 4.55 = 5378.36 → cess 53.78 → 5432.14
    newer = new_estimate(
        db, draft(sor_line(code, DESIGN_ROW), on=TODAY), project=view.project.number
    )
    assert newer.lines[0].draft.rate == D("5432.14")
    # ... and one dated in between still the old one.
    priced = price_sor_line(db, code, at=later(-1), tenant=JE.tenant)
    assert priced.rate == D("5026.14")


def test_a_sor_without_a_rate_on_the_estimate_date_is_refused(db: Database) -> None:
    code = fl_sor(db)
    with pytest.raises(ValidationError) as info:
        new_estimate(db, draft(sor_line(code, DESIGN_ROW), on=RATES_FROM.replace(day=1, month=3)))
    assert str(info.value) == (
        f"Line 1: {code} has no rate in force on 01/03/2026 for your ULB, so it cannot be "
        "added. A rate administrator can add one, or choose another SOR."
    )


def test_a_ulb_rate_wins_for_that_ulb(db: Database) -> None:
    code = fl_sor(db)
    city = Actor("city", "Dhenkanal rates", JE.tenant, frozenset({Role.MDMS_CITY_ADMIN}))
    add_rate(
        db,
        city,
        code,
        replace(FL_HEADS, machinery=D("100.00")),
        effective_from=TODAY,
        tenant=JE.tenant,
        today=TODAY,
    )
    view = new_estimate(db, draft(sor_line(code, DESIGN_ROW), on=TODAY))
    # 1307.80 + 3598.02 + 100 + 4.55 = 5010.37 → cess 50.10 → 5060.47
    assert view.lines[0].draft.rate == D("5060.47")
    other = new_estimate(db, draft(sor_line(code, DESIGN_ROW), on=TODAY), actor=JATNI_JE)
    assert other.lines[0].draft.rate == D("5026.14")


def test_a_rate_typed_over_a_sor_line_is_never_taken(db: Database) -> None:
    code = fl_sor(db)
    view = new_estimate(db, draft(sor_line(code, DESIGN_ROW)))
    tampered = replace(view.lines[0].draft, rate=D("1.00"))
    saved = save_estimate(db, JE, view.number, replace(view.draft, lines=(tampered,)))
    assert saved.lines[0].draft.rate == D("5026.14")


# --- who edits, and when --------------------------------------------------------------------


def test_only_the_creator_edits_and_only_while_drafted_or_pending_correction(
    db: Database,
) -> None:
    code = fl_sor(db)
    view = new_estimate(db, draft(sor_line(code, DESIGN_ROW)))
    changed = draft(sor_line(code, DESIGN_ROW, row("1", "1")))
    for outsider in (JE2, AE, EO):
        with pytest.raises(PermissionDenied, match=r"Only the creator of .* \(je\) may change it"):
            save_estimate(db, outsider, view.number, changed)
    assert save_estimate(db, JE, view.number, changed).lines[0].quantity == D("3.8350")

    act(db, JE, view.number, Action.SUBMIT)
    with pytest.raises(PermissionDenied, match="is Pending verification: only a Drafted or"):
        save_estimate(db, JE, view.number, changed)
    with pytest.raises(PermissionDenied, match="is Pending verification"):
        save_estimate(db, AE, view.number, changed)  # a verifier cannot save either

    act(db, AE, view.number, Action.SEND_BACK, comment="measure the verandah too")
    after = save_estimate(db, JE, view.number, draft(sor_line(code, row("5"))))
    assert after.status is Status.PENDING_CORRECTION
    assert after.lines[0].quantity == D("5.0000")

    act(db, JE, view.number, Action.RESUBMIT)
    act(db, AE, view.number, Action.VERIFY)
    act(db, EE, view.number, Action.SANCTION)
    act(db, EO, view.number, Action.APPROVE)
    with pytest.raises(PermissionDenied, match="is Approved: only a Drafted"):
        save_estimate(db, JE, view.number, changed)
    assert get_estimate(db, view.number).lines[0].quantity == D("5.0000")


def test_editable_and_allowed_actions_follow_the_viewer(db: Database) -> None:
    code = fl_sor(db)
    number = new_estimate(db, draft(sor_line(code, DESIGN_ROW))).number
    mine = get_estimate(db, number, viewer=JE)
    assert mine.editable
    assert mine.allowed_actions == (Action.SUBMIT,)
    theirs = get_estimate(db, number, viewer=JE2)
    assert not theirs.editable
    assert theirs.allowed_actions == ()
    act(db, JE, number, Action.SUBMIT)
    verifier = get_estimate(db, number, viewer=AE)
    assert verifier.allowed_actions == (Action.VERIFY, Action.SEND_BACK, Action.REJECT)
    assert get_estimate(db, number, viewer=JATNI_ALL).allowed_actions == ()


def test_creating_needs_the_creator_role(db: Database) -> None:
    code = fl_sor(db)
    project = new_project(db)
    with pytest.raises(PermissionDenied, match="ESTIMATE_CREATOR"):
        create_estimate(
            db, AE, project_number=project, draft=draft(sor_line(code, DESIGN_ROW)), today=TODAY
        )


def test_optimistic_version_check(db: Database) -> None:
    code = fl_sor(db)
    view = new_estimate(db, draft(sor_line(code, DESIGN_ROW)))
    assert view.version == 1
    first = save_estimate(db, JE, view.number, view.draft, expected_version=1)
    assert first.version == 2
    stale = draft(sor_line(code, row("7")))
    with pytest.raises(ValidationError) as info:
        save_estimate(db, JE, view.number, stale, expected_version=1)
    assert str(info.value) == (
        f"{view.number} was changed elsewhere since you opened it (version 2, yours 1); "
        "reopen it to see the changes."
    )
    assert get_estimate(db, view.number).lines[0].quantity == D("2.8350")
    # A workflow action counts as a change too.
    act(db, JE, view.number, Action.SUBMIT)
    assert get_estimate(db, view.number).version == 3


# --- the workflow ---------------------------------------------------------------------------

PATH: list[tuple[Actor, Action, Status, str]] = [
    (JE, Action.SUBMIT, Status.PENDING_VERIFICATION, "please verify"),
    (AE, Action.SEND_BACK, Status.PENDING_CORRECTION, "plinth missing"),
    (JE, Action.RESUBMIT, Status.PENDING_VERIFICATION, "plinth added"),
    (AE, Action.VERIFY, Status.PENDING_TECHNICAL_SANCTION, "checked at site"),
    (EE, Action.SEND_BACK, Status.PENDING_VERIFICATION, "recheck the lead"),
    (AE, Action.VERIFY, Status.PENDING_TECHNICAL_SANCTION, "lead rechecked"),
    (EE, Action.SEND_BACK_TO_ORIGINATOR, Status.PENDING_CORRECTION, "use the new drawing"),
    (JE, Action.RESUBMIT, Status.PENDING_VERIFICATION, "per the new drawing"),
    (AE, Action.VERIFY, Status.PENDING_TECHNICAL_SANCTION, ""),
    (EE, Action.SANCTION, Status.PENDING_APPROVAL, "technically sanctioned"),
    (EO, Action.SEND_BACK, Status.PENDING_TECHNICAL_SANCTION, "see the GST"),
    (EE, Action.SANCTION, Status.PENDING_APPROVAL, "GST is right"),
    (EO, Action.SEND_BACK_TO_ORIGINATOR, Status.PENDING_CORRECTION, "funds: phase it"),
    (JE, Action.RESUBMIT, Status.PENDING_VERIFICATION, "phased"),
    (AE, Action.VERIFY, Status.PENDING_TECHNICAL_SANCTION, "ok"),
    (EE, Action.SANCTION, Status.PENDING_APPROVAL, "ok"),
    (EO, Action.APPROVE, Status.APPROVED, "approved"),
]


def test_every_action_through_the_service_with_comments_and_history(db: Database) -> None:
    code = fl_sor(db)
    number = new_estimate(db, draft(sor_line(code, DESIGN_ROW))).number
    before = Status.DRAFTED
    for actor, action, target, comment in PATH:
        view = act(db, actor, number, action, comment=f"  {comment} ")
        assert view.status is target, (action, before)
        before = target
    history = get_estimate(db, number).history
    assert [(h.action, h.by_login, h.comment, h.to_status) for h in history] == [
        ("save-draft", "je", "", "DRAFTED"),
        *[(a.value, who.login, c, t.value) for who, a, t, c in PATH],
    ]
    assert history[1].from_status == "DRAFTED"
    assert [h.at for h in history] == sorted(h.at for h in history)
    assert history[-1].by_name == "Executive Officer"
    # Approved is final.
    for actor, action in [(EO, Action.REJECT), (AE, Action.SEND_BACK), (JE, Action.SUBMIT)]:
        with pytest.raises(ValidationError, match="possible now: nothing: it is final"):
            act(db, actor, number, action)


@pytest.mark.parametrize(
    ("steps", "rejecter"),
    [
        ([(JE, Action.SUBMIT)], AE),
        ([(JE, Action.SUBMIT), (AE, Action.VERIFY)], EE),
        ([(JE, Action.SUBMIT), (AE, Action.VERIFY), (EE, Action.SANCTION)], EO),
    ],
)
def test_reject_at_each_step(
    db: Database, steps: list[tuple[Actor, Action]], rejecter: Actor
) -> None:
    code = fl_sor(db)
    number = new_estimate(db, draft(sor_line(code, DESIGN_ROW))).number
    for actor, action in steps:
        act(db, actor, number, action)
    view = act(db, rejecter, number, Action.REJECT, comment="not in this year's plan")
    assert view.status is Status.REJECTED
    assert view.history[-1].comment == "not in this year's plan"
    with pytest.raises(PermissionDenied, match="is Rejected"):
        save_estimate(db, JE, number, view.draft)
    with pytest.raises(ValidationError, match="it is final"):
        act(db, JE, number, Action.RESUBMIT)


def test_roles_are_checked_for_each_action(db: Database) -> None:
    code = fl_sor(db)
    number = new_estimate(db, draft(sor_line(code, DESIGN_ROW))).number
    with pytest.raises(PermissionDenied, match="Only the creator of this estimate"):
        act(db, JE2, number, Action.SUBMIT)  # a JE, but not this estimate's
    with pytest.raises(PermissionDenied, match="needs the ESTIMATE_CREATOR role"):
        act(db, AE, number, Action.SUBMIT)
    with pytest.raises(ValidationError, match="'Approve' is not possible on an estimate that is"):
        act(db, EO, number, Action.APPROVE)
    act(db, JE, number, Action.SUBMIT)
    with pytest.raises(PermissionDenied, match="needs the ESTIMATE_VERIFIER role"):
        act(db, JE, number, Action.VERIFY)
    with pytest.raises(PermissionDenied, match="needs the ESTIMATE_VERIFIER role"):
        act(db, EO, number, Action.VERIFY)
    act(db, AE, number, Action.VERIFY)
    with pytest.raises(PermissionDenied, match="needs the TECHNICAL_SANCTIONER role"):
        act(db, AE, number, Action.SANCTION)
    act(db, EE, number, Action.SANCTION)
    with pytest.raises(PermissionDenied, match="needs the ESTIMATE_APPROVER role"):
        act(db, EE, number, Action.APPROVE)
    with pytest.raises(PermissionDenied, match="needs the ESTIMATE_APPROVER role"):
        act(db, EE, number, Action.SEND_BACK_TO_ORIGINATOR, comment="redo")
    assert get_estimate(db, number).status is Status.PENDING_APPROVAL
    assert len(get_estimate(db, number).history) == 4  # refusals leave no trace


def test_one_officer_holding_every_role_acts_at_every_step(db: Database) -> None:
    code = fl_sor(db)
    everyone = Actor("solo", "Small ULB officer", JE.tenant, frozenset(Role))
    number = new_estimate(db, draft(sor_line(code, DESIGN_ROW)), actor=everyone).number
    approve(db, number, crew=(everyone,) * 4)
    assert get_estimate(db, number).status is Status.APPROVED


# --- lists and the inbox --------------------------------------------------------------------


def test_the_inbox(db: Database) -> None:
    code = fl_sor(db)
    project = new_project(db)
    mine = new_estimate(db, draft(sor_line(code, DESIGN_ROW)), project=project).number
    submitted = new_estimate(db, draft(sor_line(code, DESIGN_ROW)), project=project).number
    theirs = new_estimate(db, draft(sor_line(code, DESIGN_ROW)), actor=JE2, project=project)
    act(db, JE, submitted, Action.SUBMIT)

    def numbers(actor: Actor) -> set[str]:
        return {e.number for e in inbox(db, actor)}

    assert numbers(AE) == {submitted}
    assert numbers(JE) == {mine}  # own drafts; the submitted one waits for others
    assert numbers(JE2) == {theirs.number}  # not the other JE's drafts or submissions
    assert numbers(EE) == set()
    act(db, AE, submitted, Action.VERIFY)
    assert numbers(AE) == set()
    assert numbers(EE) == {submitted}
    act(db, EE, submitted, Action.SEND_BACK_TO_ORIGINATOR, comment="redo")
    assert numbers(JE) == {mine, submitted}  # back for correction
    assert numbers(EE) == set()


def test_list_estimates_search_and_status(db: Database) -> None:
    code = fl_sor(db)
    first = new_estimate(db, draft(sor_line(code, DESIGN_ROW))).number
    second_project = new_project(db, name="Community hall roof")
    second = new_estimate(db, draft(sor_line(code, DESIGN_ROW)), project=second_project).number
    act(db, JE, second, Action.SUBMIT)
    assert [e.number for e in list_estimates(db, tenant=JE.tenant)] == [second, first]
    assert [e.number for e in list_estimates(db, tenant=JE.tenant, text="HALL")] == [second]
    drafted = list_estimates(db, tenant=JE.tenant, statuses=[Status.DRAFTED])
    assert [e.number for e in drafted] == [first]
    summary = list_estimates(db, tenant=JE.tenant, text=first)[0]
    assert (summary.project_name, summary.estimate_date, summary.created_by) == (
        "Drain at ward 5",
        ESTIMATE_DATE,
        "je",
    )


# --- one ULB, not another -------------------------------------------------------------------


def test_tenant_isolation(db: Database) -> None:
    code = fl_sor(db)
    ours = new_estimate(db, draft(sor_line(code, DESIGN_ROW))).number
    # Another ULB in the same installation numbers without clashing.
    jatni = new_estimate(db, draft(sor_line(code, DESIGN_ROW)), actor=JATNI_JE)
    assert jatni.tenant == JATNI
    assert jatni.number != ours
    assert jatni.project.number != get_estimate(db, ours).project.number
    with pytest.raises(NotFound, match="in your ULB"):
        save_estimate(db, JATNI_ALL, ours, jatni.draft)
    act(db, JE, ours, Action.SUBMIT)

    for outsider in (JATNI_AE, JATNI_ALL):
        with pytest.raises(NotFound, match="in your ULB"):
            act(db, outsider, ours, Action.VERIFY)
        with pytest.raises(NotFound, match="in your ULB"):
            act(db, outsider, ours, Action.REJECT)
    assert [e.number for e in inbox(db, JATNI_AE)] == []
    assert [e.number for e in inbox(db, JATNI_ALL)] == []
    act(db, JATNI_JE, jatni.number, Action.SUBMIT)
    assert [e.number for e in inbox(db, JATNI_AE)] == [jatni.number]
    assert [e.number for e in inbox(db, JATNI_ALL)] == [jatni.number]
    assert [e.number for e in list_estimates(db, tenant=JATNI)] == [jatni.number]
    assert [e.number for e in list_estimates(db, tenant=JE.tenant)] == [ours]
    assert [e.number for e in inbox(db, AE)] == [ours]
    assert [p.tenant for p in search_projects(db, JATNI)] == [JATNI]
    with pytest.raises(NotFound, match="in your ULB"):
        copy_estimate(db, JATNI_ALL, ours, estimate_date=TODAY, today=TODAY)
    with pytest.raises(NotFound, match="in your ULB"):
        save_template(db, JATNI_ALL, ours, "borrowed")
    with pytest.raises(NotFound, match="No project with number"):
        create_estimate(
            db,
            JATNI_JE,
            project_number=get_estimate(db, ours).project.number,
            draft=draft(sor_line(code, DESIGN_ROW)),
            today=TODAY,
        )
    # An approved estimate of another ULB cannot be revised from here either.
    act(db, AE, ours, Action.VERIFY)
    act(db, EE, ours, Action.SANCTION)
    act(db, EO, ours, Action.APPROVE)
    with pytest.raises(NotFound, match="in your ULB"):
        revise(db, JATNI_ALL, ours, today=TODAY)
    assert get_estimate(db, ours).status is Status.APPROVED
    assert len(get_estimate(db, ours).history) == 5


def test_make_sor_helper_uses_the_sor_service(db: Database) -> None:
    """The SORs of these tests come from create_sor, cess and all."""
    code = make_sor(db, "Earth work", RateHeads(labour=D("159.39")), sub_type="EW", uom="CUM")
    assert price_sor_line(db, code, at=TODAY, tenant=JE.tenant).rate == D("160.98")


def test_saving_inside_a_unit_of_work_reads_back_fresh(db: Database) -> None:
    """save_in writes the tables directly; line objects the session still holds must not
    shadow what it wrote (the demo saves and acts in one transaction)."""
    code = fl_sor(db)
    number = new_estimate(db, draft(sor_line(code, DESIGN_ROW))).number
    with db.unit_of_work() as session:
        estimate = find_estimate(session, number)
        held = list(session.scalars(select(EstimateLine)))  # e.g. a loaded relationship
        assert [line.description for line in held] == [
            "Vitrified tile flooring (FL00001 of the design)"
        ]
        before = load_draft(session, estimate)
        renamed = replace(before.lines[0], description="Tiles in the hall", rows=(row("3"),))
        save_in(session, JE, estimate, replace(before, lines=(renamed,)))
        after = load_draft(session, estimate)
        assert after.lines[0].description == "Tiles in the hall"
        assert after.lines[0].id == before.lines[0].id
        assert after.lines[0].rows == (row("3"),)
        act_in(session, JE, estimate, Action.SUBMIT, comment="in the same transaction")
    view = get_estimate(db, number)
    assert (view.lines[0].draft.description, view.lines[0].quantity) == (
        "Tiles in the hall",
        D("3.0000"),
    )
    assert view.status is Status.PENDING_VERIFICATION


@pytest.mark.parametrize("action", [Action.SEND_BACK, Action.REJECT])
def test_turning_back_or_down_needs_a_comment(db: Database, action: Action) -> None:
    number = new_estimate(db, draft(sor_line(fl_sor(db), DESIGN_ROW))).number
    act(db, JE, number, Action.SUBMIT)
    with pytest.raises(ValidationError, match="needs a comment saying why"):
        act(db, AE, number, action, comment="   ")
    assert get_estimate(db, number).status is Status.PENDING_VERIFICATION
    assert act(db, AE, number, action, comment="depth missing").status is not (
        Status.PENDING_VERIFICATION
    )
