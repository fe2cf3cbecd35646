"""SOR use cases: create, search, view, modify, add a rate (services.sor_catalog)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from mukta_desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.models import Counter, Sor, SorRate
from mukta_desktop.services.database import Database
from mukta_desktop.services.sor_catalog import (
    NewSor,
    SorQuery,
    add_rate,
    create_sor,
    get_sor,
    modify_sor,
    preview_rate,
    search_sors,
)
from mukta_desktop.services.sor_store import new_rate_row, search_text
from mukta_desktop.services.users import Actor

D = Decimal
TODAY = date(2026, 11, 21)
TOMORROW = TODAY + timedelta(days=1)
YESTERDAY = TODAY - timedelta(days=1)

STATE_ADMIN = Actor("admin", "State admin", "od", frozenset({Role.MDMS_STATE_ADMIN}))
JATNI_ADMIN = Actor("jatni", "Jatni admin", "od.jatni", frozenset({Role.MDMS_CITY_ADMIN}))
JE = Actor("je", "Junior engineer", "od.jatni",
           frozenset({Role.ESTIMATE_CREATOR, Role.MB_CREATOR}))

FL00001 = RateHeads(
    material=D("1307.80"), labour=D("3598.02"), machinery=D("66.01"), additional=D("4.55")
)
CC00001 = RateHeads(
    material=D("329935.45"), labour=D("7095.84"), machinery=D("49760.82"),
    conveyance=D("32001.01"), royalty=D("15930.00"),
)


WORKS_FIELDS: dict[str, object] = {
    "type_code": "W", "sub_type_code": "FL", "variant_code": "GF", "uom_code": "SQM",
    "rate_quantity": D("1"), "description": "Valid",
}


def works(description: str, **changes: object) -> NewSor:
    fields = {**WORKS_FIELDS, "description": description, **changes}
    return NewSor(**fields)  # type: ignore[arg-type]


def material(description: str, **changes: object) -> NewSor:
    fields: dict[str, object] = {
        "type_code": "M", "sub_type_code": "NA1", "variant_code": "NA", "uom_code": "CUM",
        "rate_quantity": D("1"), "description": description,
    }
    fields.update(changes)
    return NewSor(**fields)  # type: ignore[arg-type]


def put_rate(db: Database, code: str, tenant: str, day: date, heads: RateHeads) -> None:
    """A rate written straight to the database (as an import would), dated in the past."""
    with db.unit_of_work() as session:
        sor = session.scalars(select(Sor).where(Sor.code == code)).one()
        session.add(new_rate_row(sor.id, tenant, day, heads.with_cess(D("0")), "IMPORT", "t"))


# --- create --------------------------------------------------------------------------------


def test_create_sor_with_first_rate(db: Database) -> None:
    detail = create_sor(db, STATE_ADMIN, works("Fixing tiles in floor", first_rate=FL00001),
                        today=TODAY)
    assert detail.code == "SOR_000001"
    assert (detail.type_code, detail.type_name) == ("W", "Works")
    assert (detail.sub_type_code, detail.sub_type_name) == ("FL", "Flooring")
    assert (detail.variant_code, detail.variant_name) == ("GF", "Ground Floor")
    assert detail.uom == "SQM"
    assert detail.rate_quantity == D("1")
    assert detail.status == "ACTIVE"
    assert detail.version == 1
    assert detail.is_demo is False
    assert detail.current is not None
    assert detail.current.effective_from == TODAY
    assert detail.current.effective_to is None
    assert detail.current.heads.labour_cess == D("49.76")
    assert detail.current.total == D("5026.14")
    assert detail.current.tenant == "od"
    assert detail.current.source == "MANUAL"
    # stored exactly, as text
    with db.read() as session:
        raw = session.connection().exec_driver_sql(
            "SELECT total, labour_cess, material FROM sor_rate").one()
    assert tuple(raw) == ("5026.14", "49.76", "1307.80")


def test_generated_codes_follow_each_other(db: Database) -> None:
    codes = [create_sor(db, STATE_ADMIN, material(f"Item {n}"), today=TODAY).code
             for n in range(3)]
    assert codes == ["SOR_000001", "SOR_000002", "SOR_000003"]
    with db.read() as session:
        assert session.get_one(Counter, "sor_code").value == 3


def test_generated_code_continues_after_an_existing_one(db: Database) -> None:
    with db.unit_of_work() as session:
        session.add(Sor(id=new_id(), code="SOR_000691", type_code="M", sub_type_code="NA1",
                        variant_code="NA", uom_code="CUM", rate_quantity=D("1"),
                        description="Imported", search_text="sor_000691 imported"))
        # codes of another shape do not count
        session.add(Sor(id=new_id(), code="SOR_9999999", type_code="M", sub_type_code="NA1",
                        variant_code="NA", uom_code="CUM", rate_quantity=D("1"),
                        description="Odd", search_text="odd"))
    assert create_sor(db, STATE_ADMIN, material("New"), today=TODAY).code == "SOR_000692"
    assert create_sor(db, STATE_ADMIN, material("Newer"), today=TODAY).code == "SOR_000693"


def test_create_without_rate(db: Database) -> None:
    detail = create_sor(db, STATE_ADMIN, material("Sand"), today=TODAY)
    assert detail.current is None
    assert detail.history == ()


def test_create_rate_per_120_units(db: Database) -> None:
    detail = create_sor(
        db, STATE_ADMIN,
        works("PCC 1:3:6", sub_type_code="CC", uom_code="CUM", rate_quantity=D("120"),
              first_rate=CC00001), today=TODAY)
    assert detail.rate_quantity == D("120")
    assert detail.current is not None
    assert detail.current.heads.labour_cess == D("4347.23")
    assert detail.current.total == D("439070.35")


def test_create_first_rate_from_a_later_day(db: Database) -> None:
    detail = create_sor(db, STATE_ADMIN, works("Later", first_rate=FL00001,
                                               first_rate_from=date(2027, 4, 1)), today=TODAY)
    assert detail.current is None  # not yet in force
    assert [r.effective_from for r in detail.history] == [date(2027, 4, 1)]


def test_create_first_rate_in_the_past_refused(db: Database) -> None:
    with pytest.raises(ValidationError, match="in the past"):
        create_sor(db, STATE_ADMIN, works("Past", first_rate=FL00001,
                                          first_rate_from=YESTERDAY), today=TODAY)
    with db.read() as session:  # nothing was saved
        assert session.scalar(select(func.count()).select_from(Sor)) == 0


def test_material_item_has_no_cess(db: Database) -> None:
    detail = create_sor(db, STATE_ADMIN, material("Sand", first_rate=FL00001), today=TODAY)
    assert detail.current is not None
    assert detail.current.heads.labour_cess == D("0")
    assert detail.current.total == D("4976.38")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"type_code": "X"}, "type", "Type 'X' is not one of M, L, E, W."),
        ({"sub_type_code": "US"}, "sub_type",
         "Sub type 'US' is not a sub type of type W; allowed: EW, CC, RC, "),
        ({"sub_type_code": "ZZ"}, "sub_type", "Sub type 'ZZ' is not a sub type of type W"),
        ({"variant_code": "QQ"}, "variant", "Variant 'QQ' is not known."),
        ({"uom_code": "PARSEC"}, "uom", "Unit 'PARSEC' is not known."),
        ({"rate_quantity": D("0")}, "Quantity for which rate is defined",
         "Quantity for which rate is defined: 0 is below 0.0001; allowed: 0.0001 to 99,999.9999"),
        ({"rate_quantity": D("1.00001")}, "Quantity for which rate is defined",
         "has more than 4 decimals"),
        ({"rate_quantity": D("100000")}, "Quantity for which rate is defined", "too large"),
        ({"description": "   "}, "description", "Description: describe the item."),
        ({"description": "x" * 2001}, "description",
         "Description: at most 2000 characters (got 2001)."),
    ],
)
def test_create_validation(db: Database, changes: dict[str, object], field: str,
                           message: str) -> None:
    with pytest.raises(ValidationError) as info:
        create_sor(db, STATE_ADMIN, NewSor(**{**WORKS_FIELDS, **changes}),  # type: ignore[arg-type]
                   today=TODAY)
    assert message in str(info.value)
    assert info.value.field == field


def test_variant_only_on_works(db: Database) -> None:
    with pytest.raises(ValidationError) as info:
        create_sor(db, STATE_ADMIN, material("Sand", variant_code="GF"), today=TODAY)
    assert str(info.value) == "Variant applies to works items only; use NA (Not Applicable)."
    assert info.value.field == "variant"


def test_material_sub_type_must_be_its_own(db: Database) -> None:
    with pytest.raises(ValidationError) as info:
        create_sor(db, STATE_ADMIN, material("Sand", sub_type_code="FL"), today=TODAY)
    assert str(info.value) == "Sub type 'FL' is not a sub type of type M; allowed: NA1."


def test_bad_first_rate_refused(db: Database) -> None:
    with pytest.raises(ValidationError, match="more than 2 decimals"):
        create_sor(db, STATE_ADMIN, works("Bad", first_rate=RateHeads(material=D("1.001"))),
                   today=TODAY)
    with pytest.raises(ValidationError, match="at least one head above zero"):
        create_sor(db, STATE_ADMIN, works("Zero", first_rate=RateHeads()), today=TODAY)


@pytest.mark.parametrize("actor", [JE, JATNI_ADMIN])
def test_only_state_admin_creates(db: Database, actor: Actor) -> None:
    with pytest.raises(PermissionDenied) as info:
        create_sor(db, actor, works("Not mine"), today=TODAY)
    assert str(info.value) == "You may not create SORs: it needs the MDMS_STATE_ADMIN role."
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Sor)) == 0


# --- search --------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db: Database) -> Database:
    """SOR_000001 .. SOR_000006, some with rates."""
    create_sor(db, STATE_ADMIN, works("Fixing tiles in floor", first_rate=FL00001), today=TODAY)
    create_sor(db, STATE_ADMIN, works("Plastering 12 mm, cement mortar 1:6", sub_type_code="PL",
                                      variant_code="FF"), today=TODAY)
    create_sor(db, STATE_ADMIN, material("Cement 100% OPC", first_rate=RateHeads(
        material=D("720.00"))), today=TODAY)
    create_sor(db, STATE_ADMIN, material("Sand_coarse for mortar"), today=TODAY)
    create_sor(db, STATE_ADMIN, material("Tile adhesive, fixing compound"), today=TODAY)
    create_sor(db, STATE_ADMIN, works("PCC 1:3:6", sub_type_code="CC", uom_code="CUM",
                                      rate_quantity=D("120"), first_rate=CC00001), today=TODAY)
    return db


def codes(db: Database, query: SorQuery, today: date = TODAY) -> list[str]:
    return [row.code for row in search_sors(db, query, today).rows]


def test_search_words_in_any_order_and_case(catalogue: Database) -> None:
    assert codes(catalogue, SorQuery(text="TIL fix")) == ["SOR_000001", "SOR_000005"]
    assert codes(catalogue, SorQuery(text="fix   TILES floor")) == ["SOR_000001"]
    assert codes(catalogue, SorQuery(text="mortar")) == ["SOR_000002", "SOR_000004"]
    assert codes(catalogue, SorQuery(text="sor_000003")) == ["SOR_000003"]
    assert codes(catalogue, SorQuery(text="nothing-like-this")) == []


def test_search_everything_ordered_by_code(catalogue: Database) -> None:
    page = search_sors(catalogue, SorQuery(), TODAY)
    assert [r.code for r in page.rows] == [f"SOR_00000{n}" for n in range(1, 7)]
    assert page.total == 6


def test_search_filters(catalogue: Database) -> None:
    assert codes(catalogue, SorQuery(type_code="M")) == ["SOR_000003", "SOR_000004",
                                                         "SOR_000005"]
    assert codes(catalogue, SorQuery(type_code="W", sub_type_code="PL")) == ["SOR_000002"]
    assert codes(catalogue, SorQuery(variant_code="FF")) == ["SOR_000002"]
    assert codes(catalogue, SorQuery(text="cement", type_code="M")) == ["SOR_000003"]
    modify_sor(catalogue, STATE_ADMIN, "SOR_000004", status="INACTIVE", today=TODAY)
    assert codes(catalogue, SorQuery(status="INACTIVE")) == ["SOR_000004"]
    assert "SOR_000004" not in codes(catalogue, SorQuery(status="ACTIVE"))
    assert len(codes(catalogue, SorQuery(status="ACTIVE"))) == 5


def test_search_pages(catalogue: Database) -> None:
    first = search_sors(catalogue, SorQuery(limit=4), TODAY)
    assert [r.code for r in first.rows] == ["SOR_000001", "SOR_000002", "SOR_000003",
                                           "SOR_000004"]
    assert first.total == 6
    second = search_sors(catalogue, SorQuery(limit=4, offset=4), TODAY)
    assert [r.code for r in second.rows] == ["SOR_000005", "SOR_000006"]
    assert second.total == 6
    filtered = search_sors(catalogue, SorQuery(type_code="M", limit=1, offset=1), TODAY)
    assert [r.code for r in filtered.rows] == ["SOR_000004"]
    assert filtered.total == 3
    # the total is right whether or not the page is full
    beyond = search_sors(catalogue, SorQuery(limit=4, offset=10), TODAY)
    assert (beyond.rows, beyond.total) == ((), 6)
    rest = search_sors(catalogue, SorQuery(limit=None, offset=2), TODAY)
    assert (len(rest.rows), rest.total) == (4, 6)
    exact = search_sors(catalogue, SorQuery(limit=6), TODAY)
    assert (len(exact.rows), exact.total) == (6, 6)
    none = search_sors(catalogue, SorQuery(text="zzz", limit=4, offset=0), TODAY)
    assert (none.rows, none.total) == ((), 0)


def test_like_wildcards_are_literal(catalogue: Database) -> None:
    assert codes(catalogue, SorQuery(text="%")) == ["SOR_000003"]
    assert codes(catalogue, SorQuery(text="100%")) == ["SOR_000003"]
    # '_' is in every generated code, so look inside descriptions only
    assert codes(catalogue, SorQuery(text="d_c")) == ["SOR_000004"]
    assert codes(catalogue, SorQuery(text="s_nd")) == []  # '_' is not "any character"
    assert codes(catalogue, SorQuery(text="ce%t")) == []  # '%' is not "anything"


def test_backslash_in_text_is_literal(db: Database) -> None:
    create_sor(db, STATE_ADMIN, material(r"Pipe 50\25 mm"), today=TODAY)
    create_sor(db, STATE_ADMIN, material("Pipe 50 25 mm"), today=TODAY)
    assert codes(db, SorQuery(text="50\\25")) == ["SOR_000001"]


def test_search_shows_current_rate(catalogue: Database) -> None:
    rows = {r.code: r for r in search_sors(catalogue, SorQuery(), TODAY).rows}
    assert rows["SOR_000001"].rate_total == D("5026.14")
    assert rows["SOR_000001"].rate_effective_from == TODAY
    assert rows["SOR_000001"].rate_tenant == "od"
    assert rows["SOR_000006"].rate_total == D("439070.35")
    assert rows["SOR_000006"].rate_quantity == D("120")
    assert rows["SOR_000002"].rate_total is None
    assert rows["SOR_000002"].rate_effective_from is None
    # the day before, no rate was in force yet
    earlier = {r.code: r for r in search_sors(catalogue, SorQuery(at=YESTERDAY), TODAY).rows}
    assert earlier["SOR_000001"].rate_total is None


def test_search_shows_revised_rate_once_in_force(catalogue: Database) -> None:
    add_rate(catalogue, STATE_ADMIN, "SOR_000003", RateHeads(material=D("750.00")),
             effective_from=date(2026, 12, 1), tenant="od", today=TODAY)

    def rate(day: date) -> Decimal | None:
        return search_sors(catalogue, SorQuery(text="sor_000003", at=day), TODAY).rows[0].rate_total

    assert rate(TODAY) == D("720.00")
    assert rate(date(2026, 11, 30)) == D("720.00")
    assert rate(date(2026, 12, 1)) == D("750.00")


def test_search_with_ulb_tenant_shows_ulb_rate(catalogue: Database) -> None:
    add_rate(catalogue, JATNI_ADMIN, "SOR_000003", RateHeads(material=D("735.00")),
             effective_from=TODAY, tenant="od.jatni", today=TODAY)
    jatni = search_sors(catalogue, SorQuery(text="sor_000003", tenant="od.jatni"), TODAY).rows[0]
    assert (jatni.rate_total, jatni.rate_tenant) == (D("735.00"), "od.jatni")
    other = search_sors(catalogue, SorQuery(text="sor_000003", tenant="od.puri"), TODAY).rows[0]
    assert (other.rate_total, other.rate_tenant) == (D("720.00"), "od")
    state = search_sors(catalogue, SorQuery(text="sor_000003"), TODAY).rows[0]
    assert state.rate_total == D("720.00")


def test_search_by_effective_period(db: Database) -> None:
    for name in ("Old", "Revised", "Late", "None"):
        create_sor(db, STATE_ADMIN, material(name), today=TODAY)
    put_rate(db, "SOR_000001", "od", date(2023, 4, 1), RateHeads(material=D("100.00")))
    put_rate(db, "SOR_000002", "od", date(2023, 4, 1), RateHeads(material=D("200.00")))
    put_rate(db, "SOR_000002", "od", date(2024, 6, 1), RateHeads(material=D("210.00")))
    put_rate(db, "SOR_000002", "od", date(2025, 4, 1), RateHeads(material=D("220.00")))
    put_rate(db, "SOR_000003", "od", date(2025, 1, 1), RateHeads(material=D("300.00")))

    # An effective period finds the SORs whose rates took effect within it, each shown with
    # the rate in force on the period's last day.
    page = search_sors(db, SorQuery(period_from=date(2024, 4, 1),
                                    period_to=date(2024, 12, 31)), TODAY)
    assert page.total == 1
    assert [(r.code, r.rate_total, r.rate_effective_from) for r in page.rows] == [
        ("SOR_000002", D("210.00"), date(2024, 6, 1))]

    page = search_sors(db, SorQuery(period_from=date(2025, 1, 1),
                                    period_to=date(2025, 3, 31)), TODAY)
    assert {r.code: r.rate_total for r in page.rows} == {"SOR_000003": D("300.00")}

    whole = search_sors(db, SorQuery(period_from=date(2023, 4, 1),
                                     period_to=date(2025, 12, 31)), TODAY)
    assert {r.code: r.rate_total for r in whole.rows} == {
        "SOR_000001": D("100.00"), "SOR_000002": D("220.00"), "SOR_000003": D("300.00")}

    before_any = search_sors(db, SorQuery(period_from=date(2022, 1, 1),
                                          period_to=date(2023, 3, 31)), TODAY)
    assert before_any.rows == ()
    assert before_any.total == 0

    # a period without an end runs to today
    open_ended = search_sors(db, SorQuery(period_from=date(2025, 1, 1)), TODAY)
    assert {r.code: r.rate_total for r in open_ended.rows} == {
        "SOR_000002": D("220.00"), "SOR_000003": D("300.00")}

    paged = search_sors(db, SorQuery(period_from=date(2023, 1, 1), limit=1, offset=1), TODAY)
    assert [r.code for r in paged.rows] == ["SOR_000002"]
    assert paged.total == 3


def test_unknown_tenant_is_refused(db: Database) -> None:
    with pytest.raises(ValidationError, match=r"Tenant 'od\.nowhere' is not known"):
        search_sors(db, SorQuery(tenant="od.nowhere"), TODAY)
    create_sor(db, STATE_ADMIN, material("Any"), today=TODAY)
    with pytest.raises(ValidationError, match="Tenant 'bogus' is not known"):
        get_sor(db, "SOR_000001", at=TODAY, tenant="bogus")


def test_saving_unchanged_is_not_a_new_version(db: Database) -> None:
    detail = create_sor(db, STATE_ADMIN, material("Same"), today=TODAY)
    again = modify_sor(db, STATE_ADMIN, detail.code, description="Same", status="ACTIVE",
                       today=TODAY)
    assert again.version == 1
    changed = modify_sor(db, STATE_ADMIN, detail.code, status="INACTIVE", today=TODAY)
    assert changed.version == 2


def test_search_period_backwards_refused(db: Database) -> None:
    with pytest.raises(ValidationError, match="'to' is before 'from'"):
        search_sors(db, SorQuery(period_from=date(2025, 1, 2), period_to=date(2025, 1, 1)),
                    TODAY)


# --- view ----------------------------------------------------------------------------------


def test_get_sor_details_and_head_breakup(catalogue: Database) -> None:
    detail = get_sor(catalogue, "sor_000001", at=TODAY)  # code in any case
    assert detail.code == "SOR_000001"
    assert detail.description == "Fixing tiles in floor"
    assert detail.current is not None
    heads = detail.current.heads
    assert (heads.material, heads.labour, heads.machinery, heads.additional,
            heads.labour_cess) == (D("1307.80"), D("3598.02"), D("66.01"), D("4.55"),
                                   D("49.76"))
    assert heads.conveyance == D("0")
    assert detail.current.total == D("5026.14")
    assert detail.current.tenant_name == "Odisha"
    assert detail.analysis is None
    assert detail.to_json()["rate"] == {
        "effective_from": "2026-11-21", "effective_to": None, "tenant": "od",
        "heads": {"material": "1307.80", "labour": "3598.02", "machinery": "66.01",
                  "conveyance": "0.00", "royalty": "0.00", "dmf": "0.00", "emf": "0.00",
                  "additional": "4.55", "labour_cess": "49.76"},
        "total": "5026.14",
    }


def test_get_sor_unknown_code(db: Database) -> None:
    with pytest.raises(NotFound, match="No SOR with code 'NOPE'"):
        get_sor(db, " NOPE ", at=TODAY)


def test_history_newest_first_with_periods(db: Database) -> None:
    create_sor(db, STATE_ADMIN, material("Sand"), today=TODAY)
    put_rate(db, "SOR_000001", "od", date(2024, 4, 1), RateHeads(material=D("100.00")))
    put_rate(db, "SOR_000001", "od", date(2025, 4, 1), RateHeads(material=D("110.00")))
    add_rate(db, STATE_ADMIN, "SOR_000001", RateHeads(material=D("125.00")),
             effective_from=date(2027, 4, 1), tenant="od", today=TODAY)
    detail = get_sor(db, "SOR_000001", at=TODAY)
    assert [(r.effective_from, r.effective_to, r.total) for r in detail.history] == [
        (date(2027, 4, 1), None, D("125.00")),
        (date(2025, 4, 1), date(2027, 3, 31), D("110.00")),
        (date(2024, 4, 1), date(2025, 3, 31), D("100.00")),
    ]
    assert detail.current is not None
    assert detail.current.total == D("110.00")
    assert detail.current.effective_to == date(2027, 3, 31)
    at_old = get_sor(db, "SOR_000001", at=date(2024, 12, 31))
    assert at_old.current is not None
    assert at_old.current.total == D("100.00")
    assert get_sor(db, "SOR_000001", at=date(2024, 3, 31)).current is None


def test_ulb_view_shows_both_series(db: Database) -> None:
    create_sor(db, STATE_ADMIN, material("Sand"), today=TODAY)
    put_rate(db, "SOR_000001", "od", date(2024, 4, 1), RateHeads(material=D("100.00")))
    put_rate(db, "SOR_000001", "od", date(2025, 4, 1), RateHeads(material=D("110.00")))
    put_rate(db, "SOR_000001", "od.jatni", date(2024, 10, 1), RateHeads(material=D("105.00")))
    put_rate(db, "SOR_000001", "od.puri", date(2024, 11, 1), RateHeads(material=D("999.00")))
    jatni = get_sor(db, "SOR_000001", at=TODAY, tenant="od.jatni")
    assert jatni.current is not None
    assert (jatni.current.tenant, jatni.current.total) == ("od.jatni", D("105.00"))
    assert jatni.current.tenant_name == "Jatni"
    assert [(r.tenant, r.effective_from, r.effective_to) for r in jatni.history] == [
        ("od", date(2025, 4, 1), None),
        ("od.jatni", date(2024, 10, 1), None),
        ("od", date(2024, 4, 1), date(2025, 3, 31)),
    ]
    state = get_sor(db, "SOR_000001", at=TODAY)
    assert state.current is not None
    assert state.current.total == D("110.00")
    assert {r.tenant for r in state.history} == {"od"}
    dhenkanal = get_sor(db, "SOR_000001", at=TODAY, tenant="od.dhenkanal")
    assert dhenkanal.current is not None
    assert (dhenkanal.current.tenant, dhenkanal.current.total) == ("od", D("110.00"))


# --- modify --------------------------------------------------------------------------------


def test_modify_description_and_status(catalogue: Database) -> None:
    detail = modify_sor(catalogue, STATE_ADMIN, "SOR_000002",
                        description="  Plastering 15 mm, cement mortar 1:4  ", today=TODAY)
    assert detail.description == "Plastering 15 mm, cement mortar 1:4"
    assert detail.version == 2
    assert codes(catalogue, SorQuery(text="15 mm plaster")) == ["SOR_000002"]
    assert codes(catalogue, SorQuery(text="12 mm plaster")) == []
    with catalogue.read() as session:
        sor = session.scalars(select(Sor).where(Sor.code == "SOR_000002")).one()
        assert sor.search_text == search_text("SOR_000002", "Plastering 15 mm, cement mortar 1:4")
    detail = modify_sor(catalogue, STATE_ADMIN, "SOR_000002", status="INACTIVE", today=TODAY)
    assert (detail.status, detail.version) == ("INACTIVE", 3)
    # nothing else changed
    assert (detail.type_code, detail.sub_type_code, detail.variant_code, detail.uom) == (
        "W", "PL", "FF", "SQM")


def test_modify_refusals(catalogue: Database) -> None:
    with pytest.raises(ValidationError, match="Description: describe the item"):
        modify_sor(catalogue, STATE_ADMIN, "SOR_000002", description=" ", today=TODAY)
    with pytest.raises(ValidationError, match="Status: ACTIVE or INACTIVE"):
        modify_sor(catalogue, STATE_ADMIN, "SOR_000002", status="DELETED", today=TODAY)
    with pytest.raises(PermissionDenied, match="You may not modify SORs"):
        modify_sor(catalogue, JATNI_ADMIN, "SOR_000002", description="Mine", today=TODAY)
    with pytest.raises(NotFound):
        modify_sor(catalogue, STATE_ADMIN, "SOR_999999", description="x", today=TODAY)
    assert get_sor(catalogue, "SOR_000002", at=TODAY).version == 1


# --- rates ---------------------------------------------------------------------------------


def test_add_rate_computes_cess_for_works(catalogue: Database) -> None:
    info = add_rate(catalogue, STATE_ADMIN, "SOR_000002",
                    RateHeads(material=D("4000.00"), labour=D("976.50"),
                              labour_cess=D("999.00")),  # a typed cess is ignored
                    effective_from=TODAY, tenant="od", today=TODAY)
    assert info.heads.labour_cess == D("49.77")
    assert info.total == D("5026.27")
    assert info.effective_to is None
    assert info.source == "MANUAL"


def test_add_rate_no_cess_for_material(catalogue: Database) -> None:
    info = add_rate(catalogue, STATE_ADMIN, "SOR_000004", FL00001, effective_from=TODAY,
                    tenant="od", today=TODAY)
    assert info.heads.labour_cess == D("0")
    assert info.total == D("4976.38")


def test_revision_ends_the_previous_rate(catalogue: Database) -> None:
    add_rate(catalogue, STATE_ADMIN, "SOR_000001",
             RateHeads(material=D("1400.00"), labour=D("3598.02")),
             effective_from=date(2027, 1, 1), tenant="od", today=TODAY)
    history = get_sor(catalogue, "SOR_000001", at=TODAY).history
    assert [(r.effective_from, r.effective_to, r.total) for r in history] == [
        (date(2027, 1, 1), None, D("5048.00")),  # 4998.02 + 49.98
        (TODAY, date(2026, 12, 31), D("5026.14")),
    ]


def test_ulb_rate_by_its_city_admin(catalogue: Database) -> None:
    info = add_rate(catalogue, JATNI_ADMIN, "SOR_000001",
                    RateHeads(material=D("1307.80"), labour=D("3598.02"), machinery=D("66.01"),
                              conveyance=D("120.00"), additional=D("4.55")),
                    effective_from=TOMORROW, tenant="od.jatni", today=TODAY)
    assert (info.tenant, info.tenant_name) == ("od.jatni", "Jatni")
    assert info.heads.labour_cess == D("50.96")  # 1 % of 5096.38
    assert info.total == D("5147.34")
    jatni = get_sor(catalogue, "SOR_000001", at=TOMORROW, tenant="od.jatni")
    assert jatni.current is not None
    assert jatni.current.total == D("5147.34")
    # other ULBs and the state keep the state rate
    puri = get_sor(catalogue, "SOR_000001", at=TOMORROW, tenant="od.puri")
    assert puri.current is not None
    assert puri.current.total == D("5026.14")
    state = get_sor(catalogue, "SOR_000001", at=TOMORROW)
    assert state.current is not None
    assert state.current.total == D("5026.14")
    # the ULB series is separate: a state revision the same day is allowed
    add_rate(catalogue, STATE_ADMIN, "SOR_000001", FL00001, effective_from=TOMORROW,
             tenant="od", today=TODAY)


def test_state_admin_sets_ulb_rates(catalogue: Database) -> None:
    info = add_rate(catalogue, STATE_ADMIN, "SOR_000003", RateHeads(material=D("730.00")),
                    effective_from=TODAY, tenant="od.dhenkanal", today=TODAY)
    assert info.tenant == "od.dhenkanal"


def test_rate_permission_refusals(catalogue: Database) -> None:
    with pytest.raises(PermissionDenied) as info:
        add_rate(catalogue, JATNI_ADMIN, "SOR_000003", RateHeads(material=D("1.00")),
                 effective_from=TODAY, tenant="od.dhenkanal", today=TODAY)
    assert str(info.value) == (
        "You may not set rates for od.dhenkanal: it needs the MDMS_CITY_ADMIN (of that ULB) role."
    )
    with pytest.raises(PermissionDenied, match="set rates for od: it needs the MDMS_STATE_ADMIN"):
        add_rate(catalogue, JATNI_ADMIN, "SOR_000003", RateHeads(material=D("1.00")),
                 effective_from=TODAY, tenant="od", today=TODAY)
    with pytest.raises(PermissionDenied):
        add_rate(catalogue, JE, "SOR_000003", RateHeads(material=D("1.00")),
                 effective_from=TODAY, tenant="od.jatni", today=TODAY)


def test_rate_date_refusals(catalogue: Database) -> None:
    with pytest.raises(ValidationError, match="20/11/2026 is in the past"):
        add_rate(catalogue, STATE_ADMIN, "SOR_000003", RateHeads(material=D("1.00")),
                 effective_from=YESTERDAY, tenant="od", today=TODAY)
    with pytest.raises(ValidationError) as info:
        add_rate(catalogue, STATE_ADMIN, "SOR_000003", RateHeads(material=D("1.00")),
                 effective_from=TODAY, tenant="od", today=TODAY)
    assert str(info.value) == (
        "Effective from 21/11/2026 is not after the latest rate (21/11/2026); "
        "rate history is never rewritten."
    )
    add_rate(catalogue, STATE_ADMIN, "SOR_000003", RateHeads(material=D("740.00")),
             effective_from=date(2027, 1, 1), tenant="od", today=TODAY)
    with pytest.raises(ValidationError, match=r"not after the latest rate \(01/01/2027\)"):
        add_rate(catalogue, STATE_ADMIN, "SOR_000003", RateHeads(material=D("1.00")),
                 effective_from=date(2026, 12, 15), tenant="od", today=TODAY)
    with catalogue.read() as session:
        assert session.scalar(select(func.count()).select_from(SorRate)) == 4


def test_rate_other_refusals(catalogue: Database) -> None:
    with pytest.raises(ValidationError, match=r"Tenant 'od\.nowhere' is not known"):
        add_rate(catalogue, STATE_ADMIN, "SOR_000003", RateHeads(material=D("1.00")),
                 effective_from=TODAY, tenant="od.nowhere", today=TODAY)
    with pytest.raises(ValidationError, match="Basic material may not be negative"):
        add_rate(catalogue, STATE_ADMIN, "SOR_000004", RateHeads(material=D("-1.00")),
                 effective_from=TODAY, tenant="od", today=TODAY)
    with pytest.raises(NotFound):
        add_rate(catalogue, STATE_ADMIN, "SOR_424242", RateHeads(material=D("1.00")),
                 effective_from=TODAY, tenant="od", today=TODAY)


def test_preview_rate() -> None:
    assert preview_rate("W", FL00001).total == D("5026.14")
    assert preview_rate("M", FL00001).total == D("4976.38")
