"""Measurement Book services: periods, ceiling, previous and cumulative figures, workflow,
utilization, photos, the hash chain (DESIGN.md §2 "Measurement Book")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from estimate_support import (
    AE,
    EO,
    JATNI_ALL,
    JE,
    TODAY,
    fl_sor,
    make_sor,
    non_sor_line,
    row,
    sor_line,
)
from mb_support import (
    MB_AE,
    MB_EE,
    WO_START,
    D,
    approve_mb,
    awarded,
    day,
    measure,
    new_mb,
    rows_for,
)

from mukta_desktop.domain.canonical import content_hash
from mukta_desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from mukta_desktop.domain.mb import Period
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.services.database import Database
from mukta_desktop.services.demo_photos import draw_site_photo
from mukta_desktop.services.measurement_books import (
    act_mb,
    add_photo,
    create_mb,
    find_mb,
    get_mb,
    mb_document,
    mb_inbox,
    remove_photo,
    save_mb,
    search_mbs,
)
from mukta_desktop.services.work_orders import get_work_order

REFUSED_35 = (
    "the up-to-date quantity 8.5000 SQM would exceed the estimate quantity 8.0000 SQM "
    "(approved so far 5.0000, this MB 3.5000)"
)


def test_design_ceiling_example(db: Database) -> None:
    """Estimate +10 −2 = 8; approved so far 5; this MB 3.5 → refused; 3.0 → ok."""
    order = awarded(db)
    assert order.lines[0].estimate_quantity == D("8.0000")
    approve_mb(db, new_mb(db, order, "5").number)
    second = new_mb(db, order, "3.5")
    assert second.lines[0].item.previous_quantity == D("5.0000")
    assert any(REFUSED_35 in w for w in second.warnings)  # shown while typing
    with pytest.raises(ValidationError) as refused:
        act_mb(db, JE, second.number, Action.SUBMIT)
    message = str(refused.value)
    assert "Vitrified tile flooring" in message
    assert REFUSED_35 in message
    assert "revised estimate" in message
    fixed = replace(second.draft, lines=tuple(measure(order, "3.0")))
    save_mb(db, JE, second.number, fixed, today=TODAY)
    done = approve_mb(db, second.number)
    assert done.lines[0].figures.cumulative_quantity == D("8.0000")
    assert done.totals.total == D("15078.42")  # 3 × 5026.14
    assert done.totals.cumulative_total == D("40209.12")  # 25130.70 + 15078.42


def test_create_from_file_refuses_over_the_ceiling_at_once(db: Database) -> None:
    order = awarded(db)
    with pytest.raises(ValidationError, match=r"would exceed the estimate quantity 8\.0000"):
        create_mb(db, JE, order.number, today=TODAY, lines=measure(order, "8.5"), complete=True)
    assert search_mbs(db, tenant=JE.tenant) == []  # nothing half-made


def test_ceiling_is_per_sor_item_across_lines(db: Database) -> None:
    code = fl_sor(db)
    order = awarded(db, sor_line(code, row("4")), sor_line(code, row("4")))
    # 6 on the first line is over its own 4, but the SOR item's 8 is the ceiling.
    mb = new_mb(db, order, "6", "1")
    assert mb.warnings == ()
    save_mb(
        db, JE, mb.number, replace(mb.draft, lines=tuple(measure(order, "6", "3"))), today=TODAY
    )
    with pytest.raises(ValidationError) as refused:
        act_mb(db, JE, mb.number, Action.SUBMIT)
    assert "(2 lines)" in str(refused.value)
    assert "9.0000 SQM would exceed the estimate quantity 8.0000 SQM" in str(refused.value)


def test_non_sor_line_has_its_own_ceiling(db: Database) -> None:
    order = awarded(
        db, sor_line(fl_sor(db), row("8")), non_sor_line("Sign board", "NOS", "1500", row("2"))
    )
    mb = new_mb(db, order, None, "3")
    with pytest.raises(ValidationError, match=r"Sign board: the up-to-date quantity 3\.0000 NOS"):
        act_mb(db, JE, mb.number, Action.SUBMIT)


def test_previous_and_cumulative_over_three_mbs(db: Database) -> None:
    code = fl_sor(db)
    order = awarded(
        db, sor_line(code, row("20")), non_sor_line("Sign board", "NOS", "1500", row("3"))
    )
    first = approve_mb(db, new_mb(db, order, "2.5", "1").number)
    second = approve_mb(db, new_mb(db, order, "4", None).number)
    third = new_mb(db, order, "1.25", "2")
    floor, board = third.lines
    assert floor.item.previous_quantity == D("6.5000")
    assert floor.item.previous_amount == D("12565.35") + D("20104.56")
    assert floor.figures.quantity == D("1.2500")
    assert floor.figures.cumulative_quantity == D("7.7500")
    assert floor.figures.amount == D("6282.68")  # 1.25 × 5026.14 = 6282.675 → half-up
    assert board.item.previous_quantity == D("1.0000")
    assert board.figures.cumulative_quantity == D("3.0000")
    assert board.figures.cumulative_amount == D("4500.00")
    assert third.totals.previous_total == first.totals.total + second.totals.total
    assert third.totals.cumulative_total == third.totals.previous_total + third.totals.total
    view = get_work_order(db, order.number)
    assert [line.measured_quantity for line in view.lines] == [D("6.5000"), D("1.0000")]
    assert [m.number for m in view.mbs] == [first.number, second.number, third.number]


def test_periods_follow_one_another(db: Database) -> None:
    order = awarded(db)
    first = new_mb(db, order, "1")
    assert first.period == Period(WO_START, day(6))
    with pytest.raises(
        ValidationError, match="is Drafted; a new MB is made only when it is approved"
    ):
        new_mb(db, order, "1")
    approve_mb(db, first.number)
    second = new_mb(db, order, "1")
    assert second.period == Period(day(7), day(13))
    # A chosen period must start the day after the previous one ended.
    act_mb(db, JE, second.number, Action.SUBMIT)
    act_mb(db, MB_AE, second.number, Action.REJECT, comment="wrong site")
    with pytest.raises(ValidationError, match="starts on 08/07/2026"):
        create_mb(db, JE, order.number, today=TODAY, period=Period(day(8), day(14)))
    # A rejected MB frees its period; a period may end early, never last longer.
    again = create_mb(db, JE, order.number, today=TODAY, period=Period(day(7), day(10)))
    assert again.period == Period(day(7), day(10))
    with pytest.raises(ValidationError, match="covers at most 7 days: from 08/07/2026 to 14/07"):
        save_mb(
            db,
            JE,
            again.number,
            replace(again.draft, period=Period(day(7), day(14))),
            today=TODAY,
        )
    longer = save_mb(
        db, JE, again.number, replace(again.draft, period=Period(day(7), day(13))), today=TODAY
    )
    assert longer.period == Period(day(7), day(13))


def test_last_period_is_cut_at_the_work_order_end(db: Database) -> None:
    order = awarded(
        db, sor_line(fl_sor(db), row("8")), start=date(2026, 7, 1), end=date(2026, 7, 10)
    )
    approve_mb(db, new_mb(db, order, "1").number)
    second = new_mb(db, order, "1")
    assert second.period == Period(date(2026, 7, 8), date(2026, 7, 10))
    approve_mb(db, second.number)
    assert "every period up to then is measured" in get_work_order(db, order.number).new_mb_refusal


def test_measurement_date_must_lie_in_the_period_and_not_ahead(db: Database) -> None:
    order = awarded(db)
    with pytest.raises(ValidationError, match="before the period starts"):
        create_mb(db, JE, order.number, today=TODAY, measurement_date=date(2026, 6, 30))
    with pytest.raises(ValidationError, match="lies in the future"):
        create_mb(db, JE, order.number, today=TODAY, measurement_date=date(2026, 11, 22))


def test_workflow_roles_and_comments(db: Database) -> None:
    order = awarded(db)
    mb = new_mb(db, order, "2")
    with pytest.raises(PermissionDenied):
        act_mb(db, MB_AE, mb.number, Action.SUBMIT)
    act_mb(db, JE, mb.number, Action.SUBMIT)
    with pytest.raises(PermissionDenied, match=r"MB_APPROVER|MB_VERIFIER"):
        act_mb(db, MB_EE, mb.number, Action.VERIFY)
    with pytest.raises(ValidationError, match="needs a comment"):
        act_mb(db, MB_AE, mb.number, Action.SEND_BACK)
    assert [s.number for s in mb_inbox(db, MB_AE)] == [mb.number]
    assert mb_inbox(db, MB_EE) == []
    back = act_mb(db, MB_AE, mb.number, Action.SEND_BACK, comment="recheck the length")
    assert back.status is Status.PENDING_CORRECTION
    assert back.editable is False  # the verifier sees it, the creator edits it
    assert get_mb(db, mb.number, viewer=JE).editable is True
    with pytest.raises(PermissionDenied, match="Only je"):
        save_mb(db, MB_AE, mb.number, mb.draft, today=TODAY)
    act_mb(db, JE, mb.number, Action.RESUBMIT)
    act_mb(db, MB_AE, mb.number, Action.VERIFY)
    back = act_mb(db, MB_EE, mb.number, Action.SEND_BACK_TO_ORIGINATOR, comment="photos")
    assert back.status is Status.PENDING_CORRECTION
    history = [(e.action, e.to_status) for e in get_mb(db, mb.number).history]
    assert history == [
        ("save-draft", "DRAFTED"),
        ("submit", "PENDING_VERIFICATION"),
        ("send-back", "PENDING_CORRECTION"),
        ("resubmit", "PENDING_VERIFICATION"),
        ("verify", "PENDING_APPROVAL"),
        ("send-back-to-originator", "PENDING_CORRECTION"),
    ]
    assert get_mb(db, mb.number).history[2].comment == "recheck the length"


def test_other_ulb_sees_nothing(db: Database) -> None:
    order = awarded(db)
    mb = new_mb(db, order, "2")
    with pytest.raises(NotFound):
        get_mb(db, mb.number, viewer=JATNI_ALL)
    with pytest.raises(NotFound):
        create_mb(db, JATNI_ALL, order.number, today=TODAY)
    assert search_mbs(db, tenant=JATNI_ALL.tenant) == []


def test_submit_needs_something_measured(db: Database) -> None:
    order = awarded(db)
    mb = new_mb(db, order)
    with pytest.raises(ValidationError, match="Nothing is measured"):
        act_mb(db, JE, mb.number, Action.SUBMIT)


def test_deductions_may_not_go_below_zero(db: Database) -> None:
    order = awarded(db)
    approve_mb(db, new_mb(db, order, "2").number)
    mb = create_mb(
        db,
        JE,
        order.number,
        today=TODAY,
        lines=[rows_for(order, 1, row("1"), row("3.5", minus=True))],
    )
    assert mb.lines[0].figures.quantity == D("-2.5000")
    with pytest.raises(ValidationError, match="below zero"):
        act_mb(db, JE, mb.number, Action.SUBMIT)


def test_utilization_is_heads_times_quantity(db: Database) -> None:
    order = awarded(db, sor_line(fl_sor(db), row("20")))
    mb = create_mb(
        db,
        JE,
        order.number,
        today=TODAY,
        lines=[rows_for(order, 1, row("2", "10.5", "0.45", "0.3"))],
    )
    line = mb.lines[0]
    assert line.figures.quantity == D("2.8350")
    assert line.figures.amount == D("14249.11")
    # material = material + additional + cess (1307.80 + 4.55 + 49.76) × 2.835
    assert mb.totals.utilization.material == D("3861.58")
    assert mb.totals.utilization.labour == D("10200.39")  # 3598.02 × 2.835
    assert mb.totals.utilization.machinery == D("187.14")  # 66.01 × 2.835


def test_rate_per_120_units(db: Database) -> None:
    heads = RateHeads(material=D("434723.12"))
    code = make_sor(db, "Cement concrete", heads, sub_type="CC", uom="CUM", rate_quantity=D(120))
    order = awarded(db, sor_line(code, row("240")))
    mb = new_mb(db, order, "12")
    assert mb.lines[0].item.rate == D("439070.35")
    assert mb.lines[0].figures.amount == D("43907.04")  # 12 × 439070.35 ÷ 120 = 43907.035


def test_search_filters(db: Database) -> None:
    order = awarded(db)
    first = new_mb(db, order, "1")
    assert [s.number for s in search_mbs(db, tenant=JE.tenant, ward="5")] == [first.number]
    assert search_mbs(db, tenant=JE.tenant, ward="7") == []
    assert search_mbs(db, tenant=JE.tenant, project_name="DRAIN")[0].number == first.number
    assert search_mbs(db, tenant=JE.tenant, number=first.number[-3:])[0].number == first.number
    assert search_mbs(db, tenant=JE.tenant, statuses=[Status.APPROVED]) == []
    today = first.created_at.date()
    assert len(search_mbs(db, tenant=JE.tenant, created_from=today, created_to=today)) == 1
    assert search_mbs(db, tenant=JE.tenant, created_to=date(2020, 1, 1)) == []


def _photo(tmp_path: Path, index: int) -> Path:
    from datetime import datetime

    from mukta_desktop.domain.dates import INDIA

    path = tmp_path / f"site{index}.jpg"
    path.write_bytes(
        draw_site_photo(
            index,
            taken_at=datetime(2026, 7, 3, 10, index, tzinfo=INDIA),
            latitude=D("20.658741"),
            longitude=D("85.598512"),
            size=(640, 480),
        )
    )
    return path


def test_photos_up_to_five_and_in_the_hash(db: Database, tmp_path: Path) -> None:
    order = awarded(db)
    mb = new_mb(db, order, "2")
    for index in range(5):
        add_photo(db, JE, mb.number, _photo(tmp_path, index))
    with pytest.raises(ValidationError, match="at most 5"):
        add_photo(db, JE, mb.number, _photo(tmp_path, 9))
    view = get_mb(db, mb.number)
    assert len(view.photos) == 5
    assert view.photos[0].latitude == D("20.658741")
    assert view.photos[0].taken_at is not None
    assert view.photos[0].path.is_file()
    remove_photo(db, JE, mb.number, view.photos[4].id)
    with pytest.raises(ValidationError, match="same picture"):
        add_photo(db, JE, mb.number, _photo(tmp_path, 0))
    with pytest.raises(PermissionDenied):
        add_photo(db, MB_AE, mb.number, _photo(tmp_path, 7))
    approved = approve_mb(db, mb.number)
    assert approved.content_hash is not None
    with db.read() as session:
        document = mb_document(session, find_mb(session, mb.number))
    assert [p["sha256"] for p in document["photos"]] == [p.sha256 for p in approved.photos]
    assert content_hash(document) == approved.content_hash


def test_hash_chain_links_approved_mbs(db: Database) -> None:
    order = awarded(db)
    first = approve_mb(db, new_mb(db, order, "1").number)
    second = approve_mb(db, new_mb(db, order, "2").number)
    assert first.previous_hash is None
    assert second.previous_hash == first.content_hash
    assert second.previous_mb == first.number
    assert len({first.content_hash, second.content_hash}) == 2


def test_approval_waits_for_a_revision_in_force(db: Database) -> None:
    """An MB measured against the original cannot be approved once a revision is in force."""
    from estimate_support import EE
    from estimate_support import approve as approve_estimate

    from mukta_desktop.services.revisions import revise

    order = awarded(db)
    approve_mb(db, new_mb(db, order, "5").number)
    pending = new_mb(db, order, "1")
    act_mb(db, JE, pending.number, Action.SUBMIT)
    act_mb(db, MB_AE, pending.number, Action.VERIFY)
    revision = revise(db, JE, order.estimate_number, today=TODAY)
    approve_estimate(db, revision.number, crew=(JE, AE, EE, EO))
    with pytest.raises(ValidationError, match="is in force now; send it back"):
        act_mb(db, MB_EE, pending.number, Action.APPROVE)
