"""Work orders: made from an approved estimate, following the estimate in force; cancel,
complete, close the project; and the revision rule with real measured quantities."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from estimate_support import (
    AE,
    EE,
    EO,
    JE,
    TODAY,
    approve,
    draft,
    fl_sor,
    new_estimate,
    new_project,
    row,
    sor_line,
)
from mb_support import D, approve_mb, awarded, measure, new_mb

from mukta_desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from mukta_desktop.domain.workflow import Action
from mukta_desktop.services.estimates import act, create_estimate, get_estimate, save_estimate
from mukta_desktop.services.mb_views import WorkOrderStatus
from mukta_desktop.services.measurement_books import act_mb, create_mb, discard_mb, get_mb, save_mb
from mukta_desktop.services.revisions import revise
from mukta_desktop.services.users import Actor
from mukta_desktop.services.work_orders import (
    cancel_work_order,
    close_project,
    complete_work_order,
    create_work_order,
    get_work_order,
    list_work_orders,
)


def _create(db, estimate: str, actor: Actor = JE, **kw):  # type: ignore[no-untyped-def]
    args = {
        "estimate_number": estimate,
        "organisation": "  Maa   Tarini SHG ",
        "start": date(2026, 7, 1),
        "end": date(2026, 9, 30),
        "today": TODAY,
    }
    args.update(kw)
    return create_work_order(db, actor, **args)


def test_work_order_from_an_approved_estimate(db) -> None:  # type: ignore[no-untyped-def]
    estimate = new_estimate(db, draft(sor_line(fl_sor(db), row("8"))))
    with pytest.raises(ValidationError, match="only from an approved estimate"):
        _create(db, estimate.number)
    approve(db, estimate.number)
    order = _create(db, estimate.number, work_order_date=date(2026, 6, 20))
    assert order.number == "WO/2026-27/000001"
    assert order.organisation == "Maa Tarini SHG"
    assert order.estimate_in_force == estimate.number
    assert order.status is WorkOrderStatus.ACTIVE
    assert [line.estimate_quantity for line in order.lines] == [D("8.0000")]
    assert order.next_period is not None
    assert order.next_period.start == date(2026, 7, 1)
    with pytest.raises(ValidationError, match="already awarded by work order WO/2026-27/000001"):
        _create(db, estimate.number)
    assert [w.number for w in list_work_orders(db, tenant=JE.tenant)] == [order.number]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"organisation": "  "}, "Give the organisation"),
        ({"end": date(2026, 6, 1)}, "ends \\(01/06/2026\\) before it starts"),
        ({"period_days": 0}, "1 to 31 days"),
        ({"work_order_date": date(2026, 12, 1)}, "lies in the future"),
    ],
)
def test_work_order_refusals(db, changes, message) -> None:  # type: ignore[no-untyped-def]
    estimate = new_estimate(db, draft(sor_line(fl_sor(db), row("8"))))
    approve(db, estimate.number)
    with pytest.raises(ValidationError, match=message):
        _create(db, estimate.number, **changes)


def test_work_order_needs_a_creator_role(db) -> None:  # type: ignore[no-untyped-def]
    estimate = new_estimate(db, draft(sor_line(fl_sor(db), row("8"))))
    approve(db, estimate.number)
    with pytest.raises(PermissionDenied):
        _create(db, estimate.number, actor=AE)


def test_work_order_follows_the_revision_in_force(db) -> None:  # type: ignore[no-untyped-def]
    order = awarded(db)
    approve_mb(db, new_mb(db, order, "5").number)
    revision = revise(db, JE, order.estimate_number, today=TODAY)
    # The revised quantity may not fall below the 5 measured in approved MBs.
    lower = replace(
        revision.draft,
        lines=(replace(revision.draft.lines[0], rows=(row("4.5"),), reason="less work"),),
    )
    with pytest.raises(ValidationError, match=r"revised quantity 4\.5000 is below the 5\.0000"):
        save_estimate(db, JE, revision.number, lower)
    higher = replace(
        revision.draft,
        lines=(replace(revision.draft.lines[0], rows=(row("12"),), reason="more floor"),),
    )
    save_estimate(db, JE, revision.number, higher)
    stored = get_estimate(db, revision.number)
    assert stored.lines[0].draft.used_quantity == D("5.0000")
    approve(db, revision.number, crew=(JE, AE, EE, EO))
    view = get_work_order(db, order.number)
    assert view.estimate_in_force == revision.number
    assert view.lines[0].key == order.lines[0].key  # the same item across revisions
    assert view.lines[0].estimate_quantity == D("12.0000")
    mb = new_mb(db, order, "6.5")  # 11.5 ≤ 12 now
    assert mb.estimate_number == revision.number
    assert mb.warnings == ()
    act_mb(db, JE, mb.number, Action.SUBMIT)


def test_removed_line_must_have_nothing_measured(db) -> None:  # type: ignore[no-untyped-def]
    code = fl_sor(db)
    order = awarded(db, sor_line(code, row("8")), sor_line(code, row("2")))
    approve_mb(db, new_mb(db, order, "1", None).number)
    revision = revise(db, JE, order.estimate_number, today=TODAY)
    without_first = replace(revision.draft, lines=revision.draft.lines[1:])
    with pytest.raises(ValidationError, match=r"1\.0000 already measured .* cannot be removed"):
        save_estimate(db, JE, revision.number, without_first)


def test_cancel_only_without_approved_mb(db) -> None:  # type: ignore[no-untyped-def]
    order = awarded(db)
    mb = new_mb(db, order, "1")
    with pytest.raises(ValidationError, match="Say why"):
        cancel_work_order(db, JE, order.number, reason=" ")
    with pytest.raises(ValidationError, match="discard it first"):
        cancel_work_order(db, JE, order.number, reason="CBO withdrew")
    approve_mb(db, mb.number)
    with pytest.raises(ValidationError, match="1 approved MB"):
        cancel_work_order(db, JE, order.number, reason="CBO withdrew")


def test_cancelled_work_order_frees_the_estimate(db) -> None:  # type: ignore[no-untyped-def]
    order = awarded(db)
    cancelled = cancel_work_order(db, JE, order.number, reason="CBO withdrew")
    assert cancelled.status is WorkOrderStatus.CANCELLED
    assert cancelled.status_reason == "CBO withdrew"
    assert "cancelled; it takes no new MBs" in cancelled.new_mb_refusal
    with pytest.raises(ValidationError, match="cancelled; it takes no new MBs"):
        create_mb(db, JE, order.number, today=TODAY)
    again = _create(db, order.estimate_number, organisation="Jay Jagannath SHG")
    assert again.number != order.number


def test_complete_and_close_project(db) -> None:  # type: ignore[no-untyped-def]
    order = awarded(db)
    with pytest.raises(ValidationError, match="no approved MB"):
        complete_work_order(db, JE, order.number)
    approve_mb(db, new_mb(db, order, "3").number)
    pending = new_mb(db, order, "1")
    with pytest.raises(ValidationError, match="still has active work orders"):
        close_project(db, JE, order.project.number)
    with pytest.raises(ValidationError, match="must be approved before"):
        complete_work_order(db, JE, order.number)
    act_mb(db, JE, pending.number, Action.SUBMIT)
    from mb_support import MB_AE

    act_mb(db, MB_AE, pending.number, Action.REJECT, comment="not needed")
    done = complete_work_order(db, JE, order.number)
    assert done.status is WorkOrderStatus.COMPLETED
    close_project(db, JE, order.project.number)
    with pytest.raises(ValidationError, match="is closed; it takes no new estimates"):
        create_estimate(
            db,
            JE,
            project_number=order.project.number,
            draft=draft(sor_line(fl_sor(db), row("1"))),
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="is closed; it takes no new estimates"):
        revise(db, JE, order.estimate_number, today=TODAY)
    with pytest.raises(ValidationError, match="completed; it takes no new MBs"):
        create_mb(db, JE, order.number, today=TODAY)


def test_closed_project_takes_no_work_order(db) -> None:  # type: ignore[no-untyped-def]
    project = new_project(db)
    estimate = new_estimate(db, draft(sor_line(fl_sor(db), row("8"))), project=project)
    approve(db, estimate.number)
    close_project(db, JE, project)
    with pytest.raises(ValidationError, match="is closed; it takes no new work orders"):
        _create(db, estimate.number)


def test_revision_is_checked_again_when_approved(db) -> None:  # type: ignore[no-untyped-def]
    """An MB approved while a revision waits may not end above the revised quantity."""
    order = awarded(db)
    revision = revise(db, JE, order.estimate_number, today=TODAY)
    lower = replace(
        revision.draft,
        lines=(replace(revision.draft.lines[0], rows=(row("6"),), reason="less work"),),
    )
    save_estimate(db, JE, revision.number, lower)
    act(db, JE, revision.number, Action.SUBMIT)
    act(db, AE, revision.number, Action.VERIFY)
    act(db, EE, revision.number, Action.SANCTION)
    approve_mb(db, new_mb(db, order, "7").number)  # within the 8 in force
    with pytest.raises(ValidationError, match=r"revised quantity 6\.0000 is below the 7\.0000"):
        act(db, EO, revision.number, Action.APPROVE)


def test_submitted_revision_prices_what_was_measured_meanwhile(db) -> None:  # type: ignore[no-untyped-def]
    order = awarded(db)
    revision = revise(db, JE, order.estimate_number, today=TODAY)
    assert revision.lines[0].draft.used_quantity is None
    approve_mb(db, new_mb(db, order, "5").number)
    act(db, JE, revision.number, Action.SUBMIT)
    line = get_estimate(db, revision.number).lines[0].draft
    assert (line.used_quantity, line.used_rate) == (D("5.0000"), D("5026.14"))
    act(db, AE, revision.number, Action.VERIFY)
    act(db, EE, revision.number, Action.SANCTION)
    approve_mb(db, new_mb(db, order, "1").number)
    with pytest.raises(ValidationError, match="send it back to the originator to re-price"):
        act(db, EO, revision.number, Action.APPROVE)


def test_one_original_line_continued_twice_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    order = awarded(db)
    revision = revise(db, JE, order.estimate_number, today=TODAY)
    first = revision.draft.lines[0]
    twice = replace(revision.draft, lines=(first, replace(first, id=None)))
    with pytest.raises(ValidationError, match="both continue the same line"):
        save_estimate(db, JE, revision.number, twice)


def test_revision_removing_an_unmeasured_item_leaves_a_draft_mb_usable(db) -> None:  # type: ignore[no-untyped-def]
    code = fl_sor(db)
    order = awarded(db, sor_line(code, row("8")), sor_line(code, row("2")))
    draft_mb = new_mb(db, order, "1", None)
    revision = revise(db, JE, order.estimate_number, today=TODAY)
    save_estimate(db, JE, revision.number, replace(revision.draft, lines=revision.draft.lines[:1]))
    approve(db, revision.number, crew=(JE, AE, EE, EO))
    saved = save_mb(db, JE, draft_mb.number, draft_mb.draft, today=TODAY)
    assert len(saved.lines) == 1
    assert saved.estimate_number == revision.number
    act_mb(db, JE, draft_mb.number, Action.SUBMIT)


def test_draft_mb_may_be_discarded_then_the_work_order_cancelled(db) -> None:  # type: ignore[no-untyped-def]
    order = awarded(db)
    mb = new_mb(db, order, "1")
    discard_mb(db, JE, mb.number)
    with pytest.raises(NotFound):
        get_mb(db, mb.number)
    assert cancel_work_order(db, JE, order.number, reason="CBO withdrew").status is (
        WorkOrderStatus.CANCELLED
    )


def test_an_action_on_figures_not_seen_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    from mb_support import MB_AE

    order = awarded(db)
    mb = new_mb(db, order, "1")
    seen = act_mb(db, JE, mb.number, Action.SUBMIT)
    act_mb(db, MB_AE, mb.number, Action.SEND_BACK, comment="recheck")
    save_mb(db, JE, mb.number, replace(mb.draft, lines=tuple(measure(order, "2"))), today=TODAY)
    act_mb(db, JE, mb.number, Action.RESUBMIT)
    with pytest.raises(ValidationError, match="changed since it was opened"):
        act_mb(db, MB_AE, mb.number, Action.VERIFY, version=seen.version)
