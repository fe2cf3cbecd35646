"""apply_sor_change: a pulled `sor_set` change written into the desktop's SOR tables, once,
never rewriting a rate something refers to."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from mukta_desktop.domain.canonical import content_hash
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.models import Sor, SorRate, SyncedRecord
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft
from mukta_desktop.services.estimates import create_estimate
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.sor_catalog import NewSor, create_sor
from mukta_desktop.services.sync_sor import apply_sor_change
from mukta_desktop.services.users import Actor
from mukta_desktop.sync.client import Change

D = Decimal
APRIL = date(2026, 4, 1)
TODAY = date(2026, 11, 21)
ADMIN = Actor("admin", "State admin", "od", frozenset({Role.MDMS_STATE_ADMIN}))
OFFICER = Actor("officer", "ULB officer", "od.dhenkanal", frozenset(Role))
ZEROS = {
    "machinery": "0.00",
    "conveyance": "0.00",
    "royalty": "0.00",
    "dmf": "0.00",
    "emf": "0.00",
    "additional": "0.00",
}


def rate(day: str, material: str, labour: str, cess: str, total: str) -> dict[str, str]:
    return {
        "effective_from": day,
        "material": material,
        "labour": labour,
        **ZEROS,
        "labour_cess": cess,
        "total": total,
    }


def sor(
    code: str, *rates: dict[str, str], description: str = "Tiles", **more: str
) -> dict[str, Any]:
    return {
        "id": f"server-{code}",
        "code": code,
        "version": 1,
        "type": "W",
        "sub_type": "FL",
        "variant": "GF",
        "uom": more.get("uom", "SQM"),
        "rate_quantity": "1",
        "description": description,
        "status": "ACTIVE",
        "rates": list(rates),
    }


def change(seq: int, *sors: dict[str, Any], tenant: str = "od") -> Change:
    payload = {
        "type": "sor_set",
        "schema": 1,
        "publication": {
            "id": f"pub-{seq}",
            "tenant": tenant,
            "tenant_name": "Odisha",
            "version": seq,
            "file": "sor.xlsx",
            "sha256": "0" * 64,
            "published_by": "stateadmin",
            "published_at": "2026-11-21T05:00:00Z",
        },
        "part": 1,
        "parts": 1,
        "sors": list(sors),
    }
    return Change(seq, "sor_set", f"part-{seq}", 1, content_hash(payload), payload)


def apply(db: Database, *changes: Change) -> list[bool]:
    with db.unit_of_work() as session:
        return [apply_sor_change(session, c) for c in changes]


def rates_of(db: Database, code: str) -> list[tuple[str, date, Decimal, str]]:
    with db.read() as session:
        return [
            (r.tenant_code, r.effective_from, r.total, r.source)
            for r in session.scalars(
                select(SorRate)
                .join(Sor, Sor.id == SorRate.sor_id)
                .where(Sor.code == code)
                .order_by(SorRate.tenant_code, SorRate.effective_from)
            )
        ]


def local_sor(db: Database, material: str) -> str:
    """A SOR made on this desktop with a state rate from 1 April (a works item, labour 0)."""
    return create_sor(
        db,
        ADMIN,
        NewSor(
            type_code="W",
            sub_type_code="FL",
            variant_code="GF",
            uom_code="SQM",
            rate_quantity=D(1),
            description="Local tiles",
            first_rate=RateHeads(material=D(material)),
            first_rate_from=APRIL,
        ),
        today=APRIL,
    ).code


def test_other_changes_are_left_to_the_caller(db: Database) -> None:
    other = Change(1, "estimate", "e-1", 1, "0" * 64, {"type": "estimate"})
    assert apply(db, other) == [False]
    with db.read() as session:
        assert session.scalars(select(SyncedRecord)).all() == []


def test_a_part_adds_sors_and_dated_rates_once(db: Database) -> None:
    first = change(
        1,
        sor("FL00001", rate("2024-04-01", "1307.80", "3598.02", "49.06", "4954.88")),
        sor("FL00002", description="Granite"),
    )
    assert apply(db, first) == [True]
    assert rates_of(db, "FL00001") == [("od", date(2024, 4, 1), D("4954.88"), "SERVER")]
    assert rates_of(db, "FL00002") == []
    with db.read() as session:
        fl = session.scalars(select(Sor).where(Sor.code == "FL00001")).one()
        assert (fl.description, fl.version, fl.status, fl.search_text) == (
            "Tiles",
            1,
            "ACTIVE",
            "fl00001 tiles",
        )
    # Applied again: nothing changes (the part is known by its hash).
    assert apply(db, first) == [True]
    assert len(rates_of(db, "FL00001")) == 1

    # A later publication: a new description and a rate from 2025; the 2024 rate stays.
    second = change(
        2,
        sor(
            "fl00001",  # the code in another case is the same SOR
            rate("2025-04-01", "1400.00", "3700.00", "51.00", "5151.00"),
            description="Vitrified tiles",
        ),
    )
    assert apply(db, second, second) == [True, True]
    assert rates_of(db, "FL00001") == [
        ("od", date(2024, 4, 1), D("4954.88"), "SERVER"),
        ("od", date(2025, 4, 1), D("5151.00"), "SERVER"),
    ]
    with db.read() as session:
        fl = session.scalars(select(Sor).where(Sor.code == "FL00001")).one()
        assert (fl.description, fl.version, fl.search_text) == (
            "Vitrified tiles",
            2,
            "fl00001 vitrified tiles",
        )
        assert session.scalars(select(Sor.code).where(Sor.code.ilike("fl0000%"))).all() == [
            "FL00001",
            "FL00002",
        ]


def test_a_rate_an_estimate_uses_is_never_rewritten(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    used = local_sor(db, "100.00")  # 100 + cess 1.00 = 101.00
    unused = local_sor(db, "200.00")  # 200 + cess 2.00 = 202.00
    project = create_project(db, OFFICER, NewProject(name="Drain", ward="5"), today=TODAY).number
    row = MeasurementRow(RowKind.PLUS, "", D("3"), None, None, None)
    line = LineDraft(LineCategory.SOR, "", "", D(0), rows=(row,), sor_code=used)
    estimate = create_estimate(
        db, OFFICER, project_number=project, draft=EstimateDraft(APRIL, "", (line,)), today=TODAY
    )
    assert estimate.total == D("303.00")

    # The head office publishes other amounts on the same date for both SORs.
    published = change(
        1,
        sor(used, rate("2026-04-01", "110.00", "0.00", "1.10", "111.10")),
        sor(unused, rate("2026-04-01", "210.00", "0.00", "2.10", "212.10")),
    )
    with caplog.at_level(logging.WARNING, logger="mukta_desktop.services.sync_sor"):
        assert apply(db, published) == [True]
    assert rates_of(db, used) == [("od", APRIL, D("101.00"), "MANUAL")]
    assert "estimates or rate analyses use it" in caplog.text
    assert rates_of(db, unused) == [("od", APRIL, D("212.10"), "SERVER")]


def test_a_ulb_rate_goes_into_the_ulb_series(db: Database) -> None:
    state = change(1, sor("FL00001", rate("2024-04-01", "100.00", "0.00", "1.00", "101.00")))
    ulb = change(
        2,
        sor("FL00001", rate("2024-06-01", "90.00", "0.00", "0.90", "90.90")),
        tenant="od.dhenkanal",
    )
    assert apply(db, state, ulb) == [True, True]
    assert rates_of(db, "FL00001") == [
        ("od", date(2024, 4, 1), D("101.00"), "SERVER"),
        ("od.dhenkanal", date(2024, 6, 1), D("90.90"), "SERVER"),
    ]


def test_what_this_version_cannot_use_is_refused_in_plain_words(db: Database) -> None:
    unknown_unit = change(1, sor("FL00001", uom="FURLONG"))
    with pytest.raises(ValidationError, match="unit 'FURLONG', which this version of MUKTA"):
        apply(db, unknown_unit)
    wrong_total = change(2, sor("FL00001", rate("2024-04-01", "100.00", "0.00", "1.00", "999")))
    with pytest.raises(ValidationError, match="total 999 is not the sum of its heads"):
        apply(db, wrong_total)
    with db.read() as session:
        assert session.scalars(select(Sor).where(Sor.code == "FL00001")).all() == []
