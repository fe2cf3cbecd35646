"""The cross-device workflow, all through sync (issue 5 §4-5): one server (SQLite and
PostgreSQL), three desktops with their own data directories — the JE, the verifier, the
approver. Estimate → verification, sanction, approval → work order → MB with a photo → sent
back with a comment → measured again → verified → approved. At the end every desktop and the
server hold the same records: counts and content hashes compared."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from desktop_flow import TODAY, row, site_photo, tile_sor
from server_support import Server
from sqlalchemy import select

from mukta_desktop.domain.errors import DomainError
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.models import Estimate, MeasurementBook, Project, WorkOrder
from mukta_desktop.services.database import Database, open_database
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft
from mukta_desktop.services.estimates import act, create_estimate
from mukta_desktop.services.mb_verify import verify_records
from mukta_desktop.services.mb_views import MbDraft, MbLineDraft, WorkOrderView
from mukta_desktop.services.measurement_books import (
    act_mb,
    add_photo,
    create_mb,
    get_mb,
    save_mb,
)
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.sync_apply import local_document_hash
from mukta_desktop.services.sync_run import push_outbox, sync_once, sync_status
from mukta_desktop.services.sync_setup import connect, enrol_device
from mukta_desktop.services.users import Actor
from mukta_desktop.services.work_orders import create_work_order
from mukta_server.admin import add_user
from mukta_server.models import Record

ULB = "od.dhenkanal"
D = Decimal
JE = Actor("je.sahu", "Jyoti Sahu (JE)", ULB, frozenset({Role.ESTIMATE_CREATOR, Role.MB_CREATOR}))
VERIFIER = Actor(
    "ae.das",
    "Anil Das (AE)",
    ULB,
    frozenset({Role.ESTIMATE_VERIFIER, Role.TECHNICAL_SANCTIONER, Role.MB_VERIFIER}),
)
APPROVER = Actor(
    "ee.mishra", "Bina Mishra (EE)", ULB, frozenset({Role.ESTIMATE_APPROVER, Role.MB_APPROVER})
)
OFFICERS = (JE, VERIFIER, APPROVER)


class Desktop:
    def __init__(self, actor: Actor, data_dir: Path, server: Server) -> None:
        self.actor = actor
        self.server = server
        self.db = open_database(data_dir)

    def enrol(self) -> None:
        enrol_device(
            self.db,
            server_url="http://testserver",
            login=self.actor.login,
            password=f"{self.actor.login}-secret",
            device_name=f"{self.actor.name}'s laptop",
            transport=self.server.client._transport,
        )

    def sync(self) -> None:
        with connect(self.db, transport=self.server.client._transport) as client:
            report = sync_once(self.db, client)
        assert report.ok, report.error
        with self.db.read() as session:
            from mukta_desktop.models import OutboxOperation

            held = [
                (o.record_type, o.result)
                for o in session.scalars(select(OutboxOperation))
                if o.state not in ("CONFIRMED", "APPLIED", "DUPLICATE")
            ]
        assert report.held == 0, held


@pytest.fixture
def desktops(server: Server, tmp_path: Path) -> list[Desktop]:
    for officer in OFFICERS:
        add_user(
            server.database,
            login=officer.login,
            name=officer.name,
            tenant=ULB,
            roles=[r.value for r in officer.roles],
            password=f"{officer.login}-secret",
        )
    made = [Desktop(officer, tmp_path / officer.login, server) for officer in OFFICERS]
    yield made
    for desktop in made:
        desktop.db.close()


def _estimate_of(db: Database) -> str:
    sor = tile_sor(db)
    project = create_project(db, JE, NewProject(name="Ward 5 drain", ward="5"), today=TODAY)
    line = LineDraft(LineCategory.SOR, "", "", D(0), rows=(row("8"),), sor_code=sor)
    draft = EstimateDraft(date(2026, 6, 15), "Drain and floor", (line,))
    return create_estimate(db, JE, project_number=project.number, draft=draft, today=TODAY).number


def _order_and_mb(je: Desktop, estimate: str) -> tuple[WorkOrderView, str]:
    """The JE's work order on the approved estimate and a first MB measuring 5 of line 1."""
    order = create_work_order(
        je.db,
        JE,
        estimate_number=estimate,
        organisation="Maa Tarini SHG",
        start=date(2026, 7, 1),
        end=date(2026, 9, 30),
        today=TODAY,
    )
    mb = create_mb(
        je.db, JE, order.number, today=TODAY, lines=[MbLineDraft(order.lines[0].key, (row("5"),))]
    ).number
    return order, mb


def _status(desktop: Desktop, model: type[Estimate] | type[MeasurementBook], number: str) -> str:
    with desktop.db.read() as session:
        return str(session.scalar(select(model.status).where(model.number == number)))


def _agreement(server: Server, desktops: list[Desktop]) -> dict[str, int]:
    """Every record of the server, on every desktop, with the server's content hash."""
    with server.database.read() as session:
        records = [
            (r.record_type, r.record_id, r.content_hash) for r in session.scalars(select(Record))
        ]
    for desktop in desktops:
        with desktop.db.read() as session:
            for record_type, record_id, digest in records:
                local = local_document_hash(session, record_type, record_id)
                assert local == digest, (desktop.actor.login, record_type, record_id)
            counts = {
                "project": len(session.scalars(select(Project.id)).all()),
                "estimate": len(session.scalars(select(Estimate.id)).all()),
                "work_order": len(session.scalars(select(WorkOrder.id)).all()),
                "measurement_book": len(session.scalars(select(MeasurementBook.id)).all()),
            }
        on_server = {kind: sum(1 for r in records if r[0] == kind) for kind in counts}
        assert counts == on_server, desktop.actor.login
    return {kind: sum(1 for r in records if r[0] == kind) for kind in {r[0] for r in records}}


def test_an_mb_travels_je_verifier_approver_and_freezes_everywhere(
    desktops: list[Desktop], server: Server, tmp_path: Path
) -> None:
    je, verifier, approver = desktops
    for desktop in desktops:
        desktop.enrol()

    # The estimate: drafted and submitted by the JE, decided on the other two desktops.
    estimate = _estimate_of(je.db)
    act(je.db, JE, estimate, Action.SUBMIT)
    je.sync()
    verifier.sync()
    with verifier.db.read() as session:
        from mukta_desktop.models import PulledChange

        print([(p.record_type, p.reason) for p in session.scalars(select(PulledChange))])
    assert _status(verifier, Estimate, estimate) == Status.PENDING_VERIFICATION
    act(verifier.db, VERIFIER, estimate, Action.VERIFY, comment="Checked on site")
    act(verifier.db, VERIFIER, estimate, Action.SANCTION, comment="Technically sound")
    verifier.sync()
    approver.sync()
    act(approver.db, APPROVER, estimate, Action.APPROVE, comment="Approved")
    approver.sync()
    je.sync()
    assert _status(je, Estimate, estimate) == Status.APPROVED

    # The work order and the MB, with a photo, on the JE's desktop.
    order, mb = _order_and_mb(je, estimate)
    add_photo(je.db, JE, mb, site_photo(tmp_path, 2, (1200, 900)))
    act_mb(je.db, JE, mb, Action.SUBMIT)
    je.sync()

    # The verifier sends it back with a reason; the JE sees it and measures again.
    verifier.sync()
    seen = get_mb(verifier.db, mb)
    assert seen.status is Status.PENDING_VERIFICATION
    assert len(seen.photos) == 1
    assert seen.photos[0].width > 0
    act_mb(verifier.db, VERIFIER, mb, Action.SEND_BACK, comment="Row 1 is 4.5, not 5")
    verifier.sync()
    je.sync()
    back = get_mb(je.db, mb)
    assert back.status is Status.PENDING_CORRECTION
    assert any(
        e.comment == "Row 1 is 4.5, not 5" and e.by_login == VERIFIER.login for e in back.history
    )
    save_mb(
        je.db,
        JE,
        mb,
        MbDraft(
            period=back.period,
            measurement_date=back.measurement_date,
            lines=(MbLineDraft(order.lines[0].key, (row("4.5"),)),),
        ),
        today=TODAY,
    )
    act_mb(je.db, JE, mb, Action.RESUBMIT)
    je.sync()

    verifier.sync()
    assert get_mb(verifier.db, mb).totals.items[0].quantity == D("4.5")
    act_mb(verifier.db, VERIFIER, mb, Action.VERIFY)
    verifier.sync()
    approver.sync()
    act_mb(approver.db, APPROVER, mb, Action.APPROVE)
    approver.sync()
    for desktop in desktops:
        desktop.sync()

    # Approved and frozen on every desktop, with the same hash as the approver's.
    with approver.db.read() as session:
        approved_hash = session.scalar(
            select(MeasurementBook.content_hash).where(MeasurementBook.number == mb)
        )
    assert approved_hash
    totals: set[Decimal] = set()
    for desktop in desktops:
        view = get_mb(desktop.db, mb)
        assert view.status is Status.APPROVED
        assert view.content_hash == approved_hash
        assert view.totals.total == totals.pop() if len(totals) == 1 else view.totals.total
        totals.add(view.totals.total)
        assert verify_records(desktop.db).problems == ()
        with pytest.raises(DomainError):
            act_mb(desktop.db, JE, mb, Action.RESUBMIT)
    assert len(totals) == 1
    assert totals.pop() > 0
    counts = _agreement(server, desktops)
    print(f"\nthree desktops agree with the server on {counts}")
    assert counts == {"project": 1, "estimate": 1, "work_order": 1, "measurement_book": 1}


def test_an_mb_that_arrives_before_its_photo_gets_it_later(
    desktops: list[Desktop], server: Server, tmp_path: Path
) -> None:
    je, verifier, approver = desktops
    for desktop in desktops:
        desktop.enrol()
    estimate = _estimate_of(je.db)
    act(je.db, JE, estimate, Action.SUBMIT)
    je.sync()
    verifier.sync()
    act(verifier.db, VERIFIER, estimate, Action.VERIFY)
    act(verifier.db, VERIFIER, estimate, Action.SANCTION)
    verifier.sync()
    approver.sync()
    act(approver.db, APPROVER, estimate, Action.APPROVE)
    approver.sync()
    je.sync()
    _order, mb = _order_and_mb(je, estimate)
    add_photo(je.db, JE, mb, site_photo(tmp_path, 3, (800, 600)))
    act_mb(je.db, JE, mb, Action.SUBMIT)
    # The records go, the photo does not (the connection dropped after the push).
    with connect(je.db, transport=server.client._transport) as client:
        push_outbox(je.db, client)

    verifier.sync()
    waiting = get_mb(verifier.db, mb)
    assert waiting.status is Status.PENDING_VERIFICATION
    assert waiting.photos[0].width == 0  # known by its hash, the picture not here yet
    assert sync_status(verifier.db).pending_photos == 0  # not this device's to send
    act_mb(verifier.db, VERIFIER, mb, Action.VERIFY)
    verifier.sync()
    approver.sync()
    with pytest.raises(DomainError, match="has not reached this device yet"):
        act_mb(approver.db, APPROVER, mb, Action.APPROVE)

    je.sync()  # the photo goes now
    approver.sync()
    assert get_mb(approver.db, mb).photos[0].width == 800
    act_mb(approver.db, APPROVER, mb, Action.APPROVE)
    approver.sync()
    verifier.sync()
    je.sync()
    assert get_mb(verifier.db, mb).photos[0].width == 800
    assert get_mb(je.db, mb).status is Status.APPROVED
    _agreement(server, desktops)
