"""Local users (services.users) and the demo seed (services.demo)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from mukta_desktop.domain.errors import PermissionDenied, ValidationError
from mukta_desktop.domain.roles import Role
from mukta_desktop.models import AppSetting, RateAnalysis, Sor, SorRate, User
from mukta_desktop.services.database import Database
from mukta_desktop.services.demo import load_demo
from mukta_desktop.services.sor_catalog import SorQuery, get_sor, search_sors
from mukta_desktop.services.users import (
    Actor,
    authenticate,
    create_user,
    has_users,
    list_users,
)

D = Decimal
TODAY = date(2026, 11, 21)
EVERY_ROLE = [r.value for r in Role]


def first_user(db: Database, **changes: object) -> None:
    fields: dict[str, object] = {
        "login": "admin", "name": "Head Office Admin", "tenant": "od",
        "roles": EVERY_ROLE, "password": "secret-1",
    }
    fields.update(changes)
    create_user(db, **fields)  # type: ignore[arg-type]


ADMIN = Actor("admin", "Head Office Admin", "od", frozenset(Role))

# --- users ---------------------------------------------------------------------------------


def test_create_first_user(db: Database) -> None:
    assert not has_users(db)
    info = create_user(db, login="  Asha.JE ", name=" Asha Das ", tenant="od.dhenkanal",
                       roles=["estimate_creator", "MB_CREATOR"], password="pass")
    assert info.login == "asha.je"
    assert info.name == "Asha Das"
    assert (info.tenant, info.tenant_name) == ("od.dhenkanal", "Dhenkanal")
    assert info.roles == ("ESTIMATE_CREATOR", "MB_CREATOR")
    assert info.active is True
    assert has_users(db)
    assert [u.login for u in list_users(db)] == ["asha.je"]
    assert list_users(db)[0].tenant_name == "Dhenkanal"


def test_password_stored_as_argon2_hash(db: Database) -> None:
    first_user(db)
    with db.read() as session:
        stored = session.scalars(select(User)).one().password_hash
    assert stored.startswith("$argon2")
    assert "secret-1" not in stored


@pytest.mark.parametrize("login", ["a", "-abc", ".abc", "has space", "ümlaut", "a/b",
                                   "x" * 61, ""])
def test_login_pattern(db: Database, login: str) -> None:
    with pytest.raises(ValidationError) as info:
        first_user(db, login=login)
    assert "use 2 to 60 lower-case letters, digits, '.', '_' or '-'" in str(info.value)
    assert info.value.field == "login"


@pytest.mark.parametrize("login", ["ab", "je_1", "a.b-c", "9lives", "x" * 60])
def test_login_pattern_accepts(db: Database, login: str) -> None:
    first_user(db, login=login)
    assert [u.login for u in list_users(db)] == [login]


def test_short_password(db: Database) -> None:
    with pytest.raises(ValidationError) as info:
        first_user(db, password="abc")
    assert str(info.value) == "Password: use at least 4 characters."
    assert info.value.field == "password"


def test_empty_name(db: Database) -> None:
    with pytest.raises(ValidationError, match="Name: type the user's full name") as info:
        first_user(db, name="  ")
    assert info.value.field == "name"


def test_unknown_tenant(db: Database) -> None:
    with pytest.raises(ValidationError) as info:
        first_user(db, tenant="od.atlantis")
    assert str(info.value) == (
        "ULB 'od.atlantis' is not in the Odisha tenant list (codes like od.dhenkanal)."
    )
    assert info.value.field == "tenant"
    assert not has_users(db)


def test_no_roles(db: Database) -> None:
    with pytest.raises(ValidationError) as info:
        first_user(db, roles=[])
    assert str(info.value) == "Roles: choose at least one role."
    with pytest.raises(ValidationError, match="choose at least one role"):
        first_user(db, roles=["", " "])


def test_unknown_role(db: Database) -> None:
    with pytest.raises(PermissionDenied, match="Unknown role 'ROOT'"):
        first_user(db, roles=["ROOT"])


def test_duplicate_login(db: Database) -> None:
    first_user(db)
    with pytest.raises(ValidationError) as info:
        create_user(db, login="ADMIN", name="Someone else", tenant="od.jatni",
                    roles=["ESTIMATE_CREATOR"], password="other", granted_by=ADMIN)
    assert str(info.value) == "Login 'admin' is already taken."
    assert info.value.field == "login"
    assert len(list_users(db)) == 1


def test_later_users_need_a_grantor_holding_the_roles(db: Database) -> None:
    first_user(db, tenant="od.jatni", roles=["MDMS_CITY_ADMIN", "ESTIMATE_CREATOR"])
    with pytest.raises(PermissionDenied, match="needs a signed-in user"):
        create_user(db, login="je", name="JE", tenant="od.jatni", roles=["ESTIMATE_CREATOR"],
                    password="pass")
    grantor = authenticate(db, "admin", "secret-1")
    with pytest.raises(PermissionDenied) as info:
        create_user(db, login="je", name="JE", tenant="od.jatni",
                    roles=["ESTIMATE_CREATOR", "MDMS_STATE_ADMIN"], password="pass",
                    granted_by=grantor)
    assert str(info.value) == "You may not grant roles you do not hold: MDMS_STATE_ADMIN."
    create_user(db, login="je", name="JE", tenant="od.jatni", roles=["ESTIMATE_CREATOR"],
                password="pass", granted_by=grantor)
    assert [u.login for u in list_users(db)] == ["admin", "je"]


def test_users_are_added_for_the_grantors_own_ulb(db: Database) -> None:
    """A Jatni administrator cannot make a rate administrator for Dhenkanal."""
    first_user(db, login="cityadm", tenant="od.jatni", roles=["MDMS_CITY_ADMIN"])
    grantor = authenticate(db, "cityadm", "secret-1")
    with pytest.raises(PermissionDenied, match=r"own ULB \(od.jatni\) only"):
        create_user(db, login="evil", name="Evil", tenant="od.dhenkanal",
                    roles=["MDMS_CITY_ADMIN"], password="pass", granted_by=grantor)
    state = Actor("state", "State", "od", frozenset({Role.MDMS_STATE_ADMIN,
                                                       Role.MDMS_CITY_ADMIN}))
    create_user(db, login="dhkadm", name="Dhenkanal admin", tenant="od.dhenkanal",
                roles=["MDMS_CITY_ADMIN"], password="pass", granted_by=state)
    assert [u.login for u in list_users(db)] == ["cityadm", "dhkadm"]


def test_demo_only_into_an_empty_installation(db: Database) -> None:
    first_user(db)
    with pytest.raises(ValidationError, match="only into an empty installation"):
        load_demo(db, today=TODAY)
    assert [u.login for u in list_users(db)] == ["admin"]


def test_authenticate(db: Database) -> None:
    first_user(db, login="ee.jatni", tenant="od.jatni",
               roles=["TECHNICAL_SANCTIONER", "mb_approver"], password="right one")
    actor = authenticate(db, " EE.Jatni ", "right one")
    assert actor.login == "ee.jatni"
    assert actor.name == "Head Office Admin"
    assert actor.tenant == "od.jatni"
    assert actor.roles == frozenset({Role.TECHNICAL_SANCTIONER, Role.MB_APPROVER})
    assert actor.has(Role.MB_APPROVER)
    assert not actor.has(Role.MDMS_STATE_ADMIN)


def test_wrong_password_and_unknown_login_look_alike(db: Database) -> None:
    first_user(db)
    messages = []
    for login, password in [("admin", "secret-2"), ("nobody", "secret-1"), ("admin", ""),
                            ("admin", "SECRET-1")]:
        with pytest.raises(PermissionDenied) as info:
            authenticate(db, login, password)
        messages.append(str(info.value))
    assert set(messages) == {"Login or password is not correct."}


def test_inactive_user_cannot_sign_in(db: Database) -> None:
    first_user(db)
    with db.unit_of_work() as session:
        session.scalars(select(User)).one().active = False
    with pytest.raises(PermissionDenied, match="Login or password is not correct"):
        authenticate(db, "admin", "secret-1")


# --- demo ----------------------------------------------------------------------------------


def count(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_load_demo(db: Database) -> None:
    result = load_demo(db, today=TODAY)
    assert (result.sors, result.rates, result.user_created, result.already_loaded) == (
        16, 16, True, False)
    assert count(db, Sor) == 16
    assert count(db, SorRate) == 16
    assert count(db, RateAnalysis) == 1
    page = search_sors(db, SorQuery(limit=None), TODAY)
    assert page.total == 16
    assert all(row.description.startswith("[DEMO]") for row in page.rows)
    assert all(row.rate_total is not None for row in page.rows)
    with db.read() as session:
        assert all(session.scalars(select(Sor.is_demo)))


def test_demo_rates_from_a_year_back(db: Database) -> None:
    load_demo(db, today=TODAY)
    sand = get_sor(db, "DEMO-M-001", at=TODAY)
    assert sand.current is not None
    assert sand.current.effective_from == TODAY - timedelta(days=365)
    assert sand.current.source == "DEMO"
    assert sand.current.total == D("1205.00")  # 950 + 180 + 75, no cess on material
    pcc = get_sor(db, "DEMO-W-002", at=TODAY)
    assert pcc.current is not None
    assert pcc.current.heads.labour_cess == D("55.90")  # 1 % of 5589.75 = 55.8975
    assert pcc.current.total == D("5645.65")
    bricks = get_sor(db, "DEMO-M-004", at=TODAY)
    assert bricks.rate_quantity == D("1000")


def test_demo_analysis_made_rate(db: Database) -> None:
    load_demo(db, today=TODAY)
    detail = get_sor(db, "DEMO-W-008", at=TODAY)
    assert detail.description.startswith("[DEMO]")
    assert detail.current is not None
    assert detail.current.source == "ANALYSIS"
    assert detail.current.effective_from == TODAY
    analysis = detail.analysis
    assert analysis is not None
    assert analysis.analysis_quantity == D("10")
    assert [line.code for line in analysis.lines] == [
        "DEMO-M-002", "DEMO-M-001", "DEMO-M-003", "DEMO-L-001", "DEMO-L-002", "DEMO-L-003",
        "DEMO-E-001"]
    assert [(c.description, c.kind, c.value) for c in analysis.charges] == [
        ("Water charges", "PERCENT", D("1"))]
    # cement 32 × 755.50 / 10 = 2417.60; sand 4.5 × 1205 / 10 = 542.25;
    # chips 9 × 1827 / 10 = 1644.30; labour (18 × 450 + 3 × 620 + 4 × 510) / 10 = 1200.00;
    # mixer 6 × 310 / 10 = 186.00; sum 5990.15; water 1 % = 59.90; cess 1 % of 6050.05 = 60.50
    assert analysis.heads.sum_without_cess() == D("6050.05")
    assert analysis.charges[0].amount == D("59.90")
    assert analysis.heads.labour_cess == D("60.50")
    assert analysis.total == D("6110.55")
    assert detail.current.total == D("6110.55")


def test_demo_user_has_every_role(db: Database) -> None:
    load_demo(db, today=TODAY)
    actor = authenticate(db, "demo", "demo")
    assert actor.roles == frozenset(Role)
    assert actor.tenant == "od.dhenkanal"


def test_load_demo_twice_changes_nothing(db: Database) -> None:
    load_demo(db, today=TODAY)
    with db.read() as session:
        before = (
            sorted(session.scalars(select(Sor.code))),
            sorted(session.scalars(select(SorRate.id))),
            session.get_one(AppSetting, "demo_loaded").value,
        )
    again = load_demo(db, today=TODAY + timedelta(days=3))
    assert (again.sors, again.rates, again.user_created, again.already_loaded) == (
        0, 0, False, True)
    with db.read() as session:
        after = (
            sorted(session.scalars(select(Sor.code))),
            sorted(session.scalars(select(SorRate.id))),
            session.get_one(AppSetting, "demo_loaded").value,
        )
    assert after == before
    assert before[2] == "2026-11-21"
    assert count(db, RateAnalysis) == 1
    assert count(db, User) == 1


def test_demo_refused_beside_an_existing_demo_login(db: Database) -> None:
    first_user(db, login="demo", password="mine", roles=["ESTIMATE_CREATOR"])
    with pytest.raises(ValidationError, match="empty installation"):
        load_demo(db, today=TODAY)
    actor = authenticate(db, "demo", "mine")
    assert actor.roles == frozenset({Role.ESTIMATE_CREATOR})
    assert not search_sors(db, SorQuery(), TODAY).rows
