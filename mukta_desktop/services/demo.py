"""The demo seed: our own SORs with demo rates, a demo user, and a demo project with an
approved estimate and an approved revision of it, awarded by a work order measured in two
approved Measurement Books and a draft one with site photos, all clearly labelled as demo."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mukta_desktop.domain.dates import INDIA
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import STATE_TENANT, RateHeads, SorType, complete_heads
from mukta_desktop.domain.workflow import Action
from mukta_desktop.models import AppSetting, Estimate, Sor, User

from . import measurement_books as mbs
from .database import Database
from .demo_photos import draw_site_photo
from .estimate_json import parse_document, parse_rows
from .estimates import act_in, create_estimate_in, load_draft, save_in
from .masters import load_masters
from .mb_views import MbLineDraft
from .photo_files import PhotoStore, prepare_photo
from .projects import add_project_in
from .rate_analysis import ChargeInput, LineInput, save_analysis_in
from .revisions import revise_in
from .sor_catalog import check_definition
from .sor_store import new_rate_row, sor_values
from .users import Actor, add_user_in
from .work_orders import create_work_order_in, work_order_lines

DEMO_SETTING = "demo_loaded"
# Demo rates start a year back so that estimates dated in the past find them.
DEMO_RATES_AGE = timedelta(days=365)
# Drawn demo photos: big enough to look like a photo, small enough to load the demo fast.
PHOTO_SIZE = (1280, 960)


@dataclass(frozen=True, slots=True)
class DemoResult:
    sors: int
    rates: int
    user_created: bool
    already_loaded: bool
    project: str = ""  # the demo project's number
    estimate: str = ""  # its approved estimate
    revision: str = ""  # and the approved revision of it
    work_order: str = ""  # awarding the estimate
    measurement_books: tuple[str, ...] = ()  # of the work order, oldest period first


def _seed() -> dict[str, Any]:
    text = resources.files("mukta_desktop").joinpath("resources/seed/demo.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_demo(db: Database, *, today: date) -> DemoResult:
    """Load the demo SORs, rates, a rate analysis, the user `demo` (password `demo`, all
    roles), a demo project with an approved estimate and an approved revision, and a work
    order of it with two approved MBs and a draft MB with drawn site photos, in one
    transaction. Loading twice changes nothing.

    Only into an empty installation: a known login holding every role, and demo SORs mixed
    into real ones, have no place beside real work.
    """
    seed = _seed()
    with db.unit_of_work() as session:
        if session.get(AppSetting, DEMO_SETTING) is not None:
            return DemoResult(0, 0, False, True)
        if session.scalar(select(func.count()).select_from(User)) or session.scalar(
            select(func.count()).select_from(Sor)
        ):
            raise ValidationError(
                "The demo is loaded only into an empty installation, and this one already has "
                "users or SORs. Use a new data folder (--data-dir) to try the demo."
            )
        rates = _add_sors(session, seed["sors"], today)
        analysis = seed["analysis"]
        admin = Actor("demo", "Demo", STATE_TENANT, frozenset({Role.MDMS_STATE_ADMIN}))
        save_analysis_in(
            session,
            admin,
            analysis["sor"],
            analysis_quantity=Decimal(analysis["analysis_quantity"]),
            lines=[LineInput(code, Decimal(q)) for code, q in analysis["lines"]],
            charges=[ChargeInput(d, k, Decimal(v)) for d, k, v in analysis["charges"]],
            effective_from=today,
            today=today,
        )
        rates += 1
        u = seed["user"]
        user_exists = session.scalar(select(User).where(User.login == u["login"])) is not None
        if not user_exists:
            # Loading the demo is itself the grant of the demo user's roles.
            grantor = Actor("demo-seed", "Demo seed", STATE_TENANT, frozenset(Role))
            add_user_in(
                session,
                login=u["login"],
                name=u["name"],
                tenant=u["tenant"],
                roles=[r.value for r in Role],
                password=u["password"],
                granted_by=grantor,
            )
        demo = Actor(u["login"], u["name"], u["tenant"], frozenset(Role))
        project, estimate, revision = _add_estimates(session, demo, seed["estimate"], today)
        order, books = _add_work_order(
            session, demo, estimate, seed["work_order"], today, mbs.photo_store(db)
        )
        session.add(AppSetting(key=DEMO_SETTING, value=today.isoformat()))
    return DemoResult(
        len(seed["sors"]),
        rates,
        not user_exists,
        False,
        project,
        estimate,
        revision,
        order,
        books,
    )


def _add_estimates(
    session: Session, actor: Actor, item: dict[str, Any], today: date
) -> tuple[str, str, str]:
    """The demo project, its estimate taken through the workflow to Approved, and a revision
    of it (changed quantities, with reasons) approved in turn."""
    masters = {
        o.code: (o.name, o.kind, o.value) for o in load_masters(session).overheads if o.active
    }
    estimate_date = today - timedelta(days=int(item["days_before_today"]))
    new_project, draft = parse_document({**item, "date": estimate_date.isoformat()}, masters)
    project = add_project_in(session, actor, new_project, today=today)
    estimate = create_estimate_in(
        session, actor, project, draft, today=today, prefix="ES", complete=True
    )
    _take_through(session, actor, estimate, item["workflow"])
    revision = revise_in(session, actor, estimate, today=today)
    revised = load_draft(session, revision)
    lines = list(revised.lines)
    for change in item["revision"]["changes"]:
        index = int(change["line"]) - 1
        where = f"Demo revision, line {change['line']}"
        lines[index] = replace(
            lines[index],
            rows=parse_rows(change["measurements"], where),
            reason=change["reason"],
        )
    save_in(session, actor, revision, replace(revised, lines=tuple(lines)))
    _take_through(session, actor, revision, item["revision"]["workflow"])
    return project.number, estimate.number, revision.number


def _add_work_order(
    session: Session,
    actor: Actor,
    estimate_number: str,
    item: dict[str, Any],
    today: date,
    store: PhotoStore,
) -> tuple[str, tuple[str, ...]]:
    """A work order of the demo estimate (measured against the estimate in force, the
    revision), its MBs period after period, each taken through its workflow steps, with
    drawn photos taken inside its period."""
    order = create_work_order_in(
        session,
        actor,
        estimate_number=estimate_number,
        organisation=item["organisation"],
        start=today - timedelta(days=int(item["start_days_before_today"])),
        end=today + timedelta(days=int(item["end_days_after_today"])),
        today=today,
        work_order_date=today - timedelta(days=int(item["date_days_before_today"])),
        period_days=int(item["period_days"]),
    )
    keys = [line.key for line in work_order_lines(session, order)]
    numbers: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mukta-demo-") as folder:
        for book in item["measurement_books"]:
            lines = [
                MbLineDraft(
                    keys[int(line["line"]) - 1],
                    parse_rows(line["measurements"], f"Demo MB, line {line['line']}"),
                )
                for line in book["lines"]
            ]
            mb = mbs.create_mb_in(
                session,
                actor,
                order.number,
                today=today,
                lines=lines,
                remarks=book["remarks"],
                complete=True,
            )
            for photo in book["photos"]:
                taken_at = datetime.combine(
                    mb.period_start + timedelta(days=int(photo["day"])),
                    time.fromisoformat(photo["time"]),
                    INDIA,
                )
                path = Path(folder) / f"demo-site-photo-{photo['index']}.jpg"
                path.write_bytes(
                    draw_site_photo(
                        int(photo["index"]),
                        taken_at=taken_at,
                        latitude=Decimal(photo["latitude"]),
                        longitude=Decimal(photo["longitude"]),
                        size=PHOTO_SIZE,
                    )
                )
                prepared = prepare_photo(path)
                store.put(prepared.data, prepared.media_type)
                mbs.attach_in(session, actor, mb, prepared)
            for action, comment in book["workflow"]:
                mbs.act_in(session, actor, mb, Action(action), comment=comment, store=store)
            numbers.append(mb.number)
    return order.number, tuple(numbers)


def _take_through(
    session: Session, actor: Actor, estimate: Estimate, steps: list[list[str]]
) -> None:
    for action, comment in steps:
        act_in(session, actor, estimate, Action(action), comment=comment)


def _add_sors(session: Session, items: list[dict[str, Any]], today: date) -> int:
    rates = 0
    for item in items:
        rate_quantity = Decimal(item["rate_quantity"])
        check_definition(
            session,
            item["type"],
            item["sub_type"],
            item["variant"],
            item["uom"],
            rate_quantity,
            item["description"],
        )
        if session.scalar(select(Sor).where(Sor.code == item["code"])) is not None:
            raise ValidationError(f"The demo cannot be loaded: {item['code']} exists.")
        sor = Sor(
            **sor_values(
                code=item["code"],
                type_code=item["type"],
                sub_type_code=item["sub_type"],
                variant_code=item["variant"],
                uom_code=item["uom"],
                rate_quantity=rate_quantity,
                description=item["description"],
                is_demo=True,
            )
        )
        session.add(sor)
        session.flush()
        if item["rate"]:
            heads = complete_heads(
                SorType(item["type"]), RateHeads(**{k: Decimal(v) for k, v in item["rate"].items()})
            )
            session.add(
                new_rate_row(sor.id, STATE_TENANT, today - DEMO_RATES_AGE, heads, "DEMO", "demo")
            )
            rates += 1
    session.flush()
    return rates
