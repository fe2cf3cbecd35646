"""Revised estimates and the deviation statement through the services (services.revisions):
the original untouched, RE/ numbers, at most two approved revisions, only the estimate in
force revised, measured quantities at the original rate, and the real statement of
deviation_statement_sample.json reproduced item by item."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from estimate_support import (
    AE,
    EE,
    EO,
    FL_HEADS,
    JE,
    JE2,
    STATE_ADMIN,
    TODAY,
    approve,
    draft,
    fl_sor,
    make_sor,
    new_estimate,
    new_project,
    non_sor_line,
    row,
    sor_line,
)
from sqlalchemy.orm import Session

from mukta_desktop.domain.deviation import Verdict
from mukta_desktop.domain.errors import PermissionDenied, ValidationError
from mukta_desktop.domain.estimate import OverheadKind
from mukta_desktop.domain.numbers import round2
from mukta_desktop.domain.sor import RateHeads, SorType, complete_heads
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.models import Project
from mukta_desktop.services import measured
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_json import estimate_to_json
from mukta_desktop.services.estimate_views import EstimateView, OverheadDraft
from mukta_desktop.services.estimates import (
    act,
    create_estimate_in,
    find_estimate,
    get_estimate,
    load_draft,
    save_estimate,
)
from mukta_desktop.services.revisions import deviation_statement, estimate_in_force, revise
from mukta_desktop.services.sor_catalog import add_rate

D = Decimal


def snapshot(db: Database, number: str) -> str:
    return json.dumps(estimate_to_json(get_estimate(db, number)), sort_keys=True)


def approved_estimate(db: Database) -> tuple[str, str]:
    """An approved estimate of a flooring line (10 SQM) and a plaster line (20 SQM)."""
    floor = fl_sor(db)
    plaster = make_sor(
        db,
        "Cement plaster 12 mm",
        RateHeads(material=D("96.30"), labour=D("142.75")),
        sub_type="PL",
    )
    view = new_estimate(
        db,
        draft(
            sor_line(floor, row("10", name="Hall")),
            sor_line(plaster, row("2", "10", None, "1", name="Walls")),
            non_sor_line("Name board", "NOS", "1500.00", row("1")),
        ),
        project=new_project(db, name="Community hall floor"),
    )
    approve(db, view.number)
    return view.number, floor


def with_quantity(view: EstimateView, index: int, quantity: str, reason: str) -> EstimateView:
    """The view with line `index` measured as one row of `quantity`, and the reason."""
    lines = list(view.draft.lines)
    lines[index] = replace(lines[index], rows=(row(quantity),), reason=reason)
    return replace(
        view, lines=tuple(replace(v, draft=d) for v, d in zip(view.lines, lines, strict=True))
    )


def test_revision_numbering_and_the_original_unchanged_byte_for_byte(db: Database) -> None:
    number, _ = approved_estimate(db)
    before = snapshot(db, number)
    first = revise(db, JE, number, today=TODAY)
    assert first.number == "RE/2026-27/000001"
    assert (first.revision_of, first.revision_no, first.status) == (number, 1, Status.DRAFTED)
    assert first.estimate_date == TODAY
    assert first.history[0].comment == f"Revision of {number}"
    assert [line.quantity for line in first.lines] == [D("10.0000"), D("20.0000"), D("1.0000")]
    assert all(line.draft.origin_line_id for line in first.lines)
    assert snapshot(db, number) == before

    changed = with_quantity(first, 0, "12", "Verandah floored too")
    save_estimate(db, JE, first.number, changed.draft)
    approve(db, first.number)
    assert snapshot(db, number) == before
    assert estimate_in_force(db, number) == first.number

    second = revise(db, JE, first.number, today=TODAY)
    assert second.number == "RE/2026-27/000002"
    assert (second.revision_of, second.revision_no) == (number, 2)  # both revise the original
    assert second.lines[0].quantity == D("12.0000")  # ... starting from the one in force
    save_estimate(db, JE, second.number, with_quantity(second, 1, "25", "Parapet").draft)
    approve(db, second.number)
    assert snapshot(db, number) == before
    assert json.loads(before)["status"] == "APPROVED"
    assert estimate_in_force(db, number) == second.number
    assert estimate_in_force(db, first.number) == second.number
    # The statement of the second compares it with the first, not the original.
    earlier, later, statement = deviation_statement(db, second.number)
    assert (earlier.number, later.number) == (first.number, second.number)
    assert [r.verdict for r in statement.rows] == [Verdict.NIL, Verdict.EXCESS, Verdict.NIL]


def test_at_most_two_approved_revisions(db: Database) -> None:
    number, _ = approved_estimate(db)
    first = revise(db, JE, number, today=TODAY).number
    approve(db, first)
    second = revise(db, JE, first, today=TODAY).number
    approve(db, second)
    with pytest.raises(ValidationError) as info:
        revise(db, JE, second, today=TODAY)
    assert str(info.value) == (
        f"{number} already has 2 approved revisions ({first}, {second}); it cannot be revised "
        "again."
    )
    # A third revision that got made anyway (say, arriving from another device) cannot be
    # approved.
    with db.unit_of_work() as session:
        third = _revision_behind_the_checks(session, number)
    act(db, JE, third, Action.SUBMIT)
    act(db, AE, third, Action.VERIFY)
    act(db, EE, third, Action.SANCTION)
    with pytest.raises(ValidationError, match=r"already has 2 approved revisions .*no more may"):
        act(db, EO, third, Action.APPROVE)
    assert get_estimate(db, third).status is Status.PENDING_APPROVAL
    assert estimate_in_force(db, number) == second


def _revision_behind_the_checks(session: Session, number: str) -> str:
    original = find_estimate(session, number)
    contents = load_draft(session, original)
    fresh = replace(
        contents, lines=tuple(replace(line, id=None, rate_id=None) for line in contents.lines)
    )
    project = session.get_one(Project, original.project_id)
    third = create_estimate_in(
        session, JE, project, fresh, today=TODAY, prefix="RE", revision_of=original
    )
    return third.number


def test_only_the_estimate_in_force_is_revised(db: Database) -> None:
    code = fl_sor(db)
    drafted = new_estimate(db, draft(sor_line(code, row("3")))).number
    with pytest.raises(ValidationError) as info:
        revise(db, JE, drafted, today=TODAY)
    assert str(info.value) == f"{drafted} is Drafted: only an approved estimate can be revised."

    number, _ = approved_estimate(db)
    with pytest.raises(PermissionDenied, match="ESTIMATE_CREATOR"):
        revise(db, AE, number, today=TODAY)
    first = revise(db, JE, number, today=TODAY).number
    with pytest.raises(ValidationError, match=f"{first} is already a revision in progress"):
        revise(db, JE2, number, today=TODAY)
    with pytest.raises(ValidationError) as info:
        revise(db, JE, first, today=TODAY)
    assert str(info.value) == (
        f"Only the estimate in force can be revised: {number} (Approved), not {first}."
    )
    approve(db, first)
    with pytest.raises(ValidationError) as info:
        revise(db, JE, number, today=TODAY)
    assert str(info.value) == (
        f"Only the estimate in force can be revised: {first} (Approved), not {number}."
    )
    second = revise(db, JE2, first, today=TODAY)  # any JE of the ULB may revise
    assert second.created_by == "je2"
    # A rejected revision frees the way for another.
    act(db, JE2, second.number, Action.SUBMIT)
    act(db, AE, second.number, Action.REJECT, comment="not needed")
    third = revise(db, JE, first, today=TODAY)
    assert third.number == "RE/2026-27/000003"
    assert third.revision_no == 3


def test_used_quantities_keep_the_original_rate(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    number, floor = approved_estimate(db)
    original = get_estimate(db, number)
    floor_line = original.lines[0].draft.id
    plaster_line = original.lines[1].draft.id
    assert floor_line
    assert plaster_line
    # The rate goes up from today: 1307.80 + 4000 + 66.01 + 4.55 → cess 53.78 → 5432.14
    add_rate(
        db,
        STATE_ADMIN,
        floor,
        replace(FL_HEADS, labour=D("4000.00")),
        effective_from=TODAY,
        tenant="od",
        today=TODAY,
    )
    asked: list[str] = []

    def measured_so_far(session: Session, estimate_id: str) -> dict[str, Decimal]:
        asked.append(estimate_id)
        return {floor_line: D("4")} if estimate_id == original.id else {}

    monkeypatch.setattr(measured, "used_quantities", measured_so_far)
    revision = revise(db, JE, number, today=TODAY)
    assert set(asked) == {original.id}
    line = revision.lines[0]
    assert (line.draft.rate, line.draft.used_quantity, line.draft.used_rate) == (
        D("5432.14"),
        D("4"),
        D("5026.14"),
    )
    # 4 × 5026.14 = 20104.56 at the original rate; 6 × 5432.14 = 32592.84 at today's
    assert line.amount == D("52697.40")
    assert revision.lines[1].draft.used_quantity is None  # nothing measured
    shown = estimate_to_json(revision)["lines"]
    assert (shown[0]["used_quantity"], shown[0]["used_rate"]) == ("4.0000", "5026.14")
    assert "used_quantity" not in shown[1]

    below = with_quantity(revision, 0, "3.9999", "less")
    with pytest.raises(ValidationError) as info:
        save_estimate(db, JE, revision.number, below.draft)
    assert str(info.value) == (
        f"Line 1 ({floor}): the revised quantity 3.9999 is below the 4 already measured in "
        "approved MBs."
    )
    without_floor = replace(revision.draft, lines=revision.draft.lines[1:])
    with pytest.raises(ValidationError, match=r"has 4 already measured .* cannot be removed"):
        save_estimate(db, JE, revision.number, without_floor)
    # Exactly the measured quantity is fine, and a line with nothing measured may go.
    exact = with_quantity(revision, 0, "4", "work stopped at the measured quantity")
    saved = save_estimate(
        db, JE, revision.number, replace(exact.draft, lines=exact.draft.lines[:1])
    )
    assert saved.lines[0].amount == D("20104.56")
    assert [line.draft.sor_code for line in saved.lines] == [floor]
    # The rules hold on submitting too (what was measured may have grown meanwhile).
    monkeypatch.setattr(measured, "used_quantities", lambda s, e: {floor_line: D("4.5")})
    with pytest.raises(ValidationError, match=r"below the 4\.5 already measured"):
        save_estimate(db, JE, revision.number, saved.draft)
    _, _, statement = deviation_statement(db, revision.number)
    removed = [(r.code, r.revised_quantity, r.verdict) for r in statement.rows if r.removed]
    assert removed == [
        (original.lines[1].draft.sor_code, D("0"), Verdict.LESS),
        (None, D("0"), Verdict.LESS),
    ]


def test_extra_items_and_removed_items_in_the_statement(db: Database) -> None:
    number, floor = approved_estimate(db)
    revision = revise(db, JE, number, today=TODAY)
    extra = sor_line(floor, row("2", name="Store room"), reason="Store room added")
    lines = (*revision.draft.lines[:1], revision.draft.lines[2], extra)
    save_estimate(db, JE, revision.number, replace(revision.draft, lines=lines))
    _, _, statement = deviation_statement(db, revision.number)
    assert [(r.code, r.verdict, r.extra, r.removed) for r in statement.rows] == [
        (floor, Verdict.NIL, False, False),
        (None, Verdict.NIL, False, False),
        (floor, Verdict.EXCESS, True, False),
        (get_estimate(db, number).lines[1].draft.sor_code, Verdict.LESS, False, True),
    ]
    extra_row = statement.rows[2]
    assert (extra_row.original_quantity, extra_row.revised_quantity) == (D("0"), D("2.0000"))
    assert extra_row.revised_amount == D("10052")  # 2 × 5026.14 = 10052.28
    assert extra_row.percent is None
    assert extra_row.reason == "Store room added"
    with pytest.raises(ValidationError, match="is not a revision"):
        deviation_statement(db, number)


# --- the real statement ---------------------------------------------------------------------


def works_heads(total: Decimal) -> RateHeads:
    """Heads of a works rate whose total (with 1 % labour cess) is `total`."""
    guess = round2(total / D("1.01"))
    for cents in range(-3, 4):
        heads = RateHeads(material=guess + D(cents) / 100)
        if complete_heads(SorType.WORKS, heads).total == total:
            return heads
    raise AssertionError(f"no works heads make {total}")


def _sheet_items(reference: Path) -> list[list[str | None]]:
    sample = json.loads((reference / "deviation_statement_sample.json").read_text("utf-8"))
    return [r for r in sample["rows"] if r[0] and r[0][0].isdigit()]


def test_the_sample_deviation_statement_item_by_item(db: Database, reference: Path) -> None:
    items = _sheet_items(reference)
    assert len(items) == 8
    sor_items, board, gst = items[:6], items[6], items[7]
    codes = []
    for item in sor_items:
        rate = D(str(item[3]))
        description, unit = str(item[1]), str(item[2]).upper()
        code = make_sor(db, description, works_heads(rate), sub_type="EW", variant="NA", uom=unit)
        codes.append(code)
    gst_before, gst_after = D(str(gst[5])), D(str(gst[7]))

    def gst_overhead(amount: Decimal) -> OverheadDraft:
        return OverheadDraft("LS", str(gst[1]), OverheadKind.LUMPSUM, lump_sum=amount)

    agreement = draft(
        *(sor_line(code, row(str(item[4]))) for code, item in zip(codes, sor_items, strict=True)),
        non_sor_line(str(board[1]), "LS", str(board[5]), row("1")),
        overheads=(gst_overhead(gst_before),),
    )
    number = new_estimate(db, agreement).number
    approve(db, number)
    revision = revise(db, JE, number, today=TODAY)
    reason = "The work is deviated as per site condition"
    lines = [
        replace(line, rows=(row(str(item[6])),), reason=reason)
        for line, item in zip(revision.draft.lines[:6], sor_items, strict=True)
    ]
    lines.append(replace(revision.draft.lines[6], rate=D(str(board[7])), reason=reason))
    save_estimate(
        db,
        JE,
        revision.number,
        replace(revision.draft, lines=tuple(lines), overheads=(gst_overhead(gst_after),)),
    )
    approve(db, revision.number)

    before, after, statement = deviation_statement(db, revision.number)
    assert (before.number, after.number) == (number, revision.number)
    got = [
        (
            r.code,
            r.rate,
            r.original_quantity,
            r.original_amount,
            r.revised_quantity,
            r.revised_amount,
            r.less,
            r.excess,
        )
        for r in statement.rows
    ]
    expected = []
    for code, item in [*zip(codes, sor_items, strict=True), (None, board)]:
        original, revised = D(str(item[5])), D(str(item[7]))
        expected.append(
            (
                code,
                D(str(item[3] or board[5])),
                D(str(item[4] or 1)),
                original,
                D(str(item[6] or 1)),
                revised,
                max(original - revised, D(0)),
                max(revised - original, D(0)),
            )
        )
    assert [g[0] for g in got] == [e[0] for e in expected]
    for g, e in zip(got, expected, strict=True):
        assert g == e
    # DESIGN.md's two: earthwork less 942, GSB excess 28026.
    assert (statement.rows[0].verdict, statement.rows[0].less) == (Verdict.LESS, D("942"))
    assert (statement.rows[2].verdict, statement.rows[2].excess) == (Verdict.EXCESS, D("28026"))
    # 5742.50 × 19.80 = 113701.50: half-up to 113702, as the sheet has it.
    assert statement.rows[4].revised_amount == D("113702")
    assert all(r.reason == reason for r in statement.rows)
    # The GST line and the sheet's totals.
    (overhead,) = statement.overheads
    assert (overhead.original_amount, overhead.revised_amount) == (gst_before, gst_after)
    total = next(
        r
        for r in json.loads((reference / "deviation_statement_sample.json").read_text("utf-8"))[
            "rows"
        ]
        if r[1] == "TOTAL"
    )
    assert (statement.original_total, statement.revised_total) == (
        D(str(total[5])),
        D(str(total[7])),
    )
    assert statement.total_change == D("2536")
