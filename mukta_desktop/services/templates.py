"""Estimate templates (an estimate's lines kept to start others from) and copying estimates."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select

from mukta_desktop.domain.errors import NotFound, ValidationError
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.roles import Role, require
from mukta_desktop.models import EstimateTemplate, Project

from .database import Database
from .estimate_json import estimate_to_json, parse_document
from .estimate_views import EstimateDraft, EstimateView
from .estimates import (
    create_estimate_in,
    estimate_view,
    find_estimate,
    find_project,
    load_draft,
)
from .masters import load_masters
from .users import Actor


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    id: str
    name: str
    lines: int
    created_by: str
    created_at: datetime


def save_template(db: Database, actor: Actor, number: str, name: str) -> TemplateInfo:
    """Keep the lines, measurements and overheads of an estimate under a name (per ULB)."""
    require(actor.has(Role.ESTIMATE_CREATOR), "save estimate templates", "ESTIMATE_CREATOR")
    if not name.strip():
        raise ValidationError("Template name: give the template a name.", field="name")
    with db.unit_of_work() as session:
        source = find_estimate(session, number)
        if source.tenant_code != actor.tenant:
            raise NotFound(f"No estimate with number '{number.strip()}' in your ULB.")
        view = estimate_view(session, source, None)
        clash = session.scalar(
            select(EstimateTemplate).where(
                EstimateTemplate.tenant_code == actor.tenant,
                EstimateTemplate.name == name.strip(),
            )
        )
        if clash is not None:
            raise ValidationError(f"Template name: '{name.strip()}' is already used.", field="name")
        template = EstimateTemplate(
            id=new_id(),
            tenant_code=actor.tenant,
            name=name.strip(),
            payload=json.dumps(estimate_to_json(view), ensure_ascii=False, sort_keys=True),
            created_by=actor.login,
        )
        session.add(template)
        session.flush()
        return TemplateInfo(
            template.id, template.name, len(view.lines), actor.login, template.created_at
        )


def list_templates(db: Database, tenant: str) -> list[TemplateInfo]:
    with db.read() as session:
        return [
            TemplateInfo(
                t.id, t.name, len(json.loads(t.payload)["lines"]), t.created_by, t.created_at
            )
            for t in session.scalars(
                select(EstimateTemplate)
                .where(EstimateTemplate.tenant_code == tenant)
                .order_by(EstimateTemplate.name)
            )
        ]


def start_from_template(
    db: Database,
    actor: Actor,
    template_id: str,
    *,
    project_number: str,
    estimate_date: date,
    today: date,
) -> EstimateView:
    """A new draft estimate of a project from a template, priced at the estimate date."""
    require(actor.has(Role.ESTIMATE_CREATOR), "create estimates", "ESTIMATE_CREATOR")
    with db.unit_of_work() as session:
        template = session.get(EstimateTemplate, template_id)
        if template is None or template.tenant_code != actor.tenant:
            raise NotFound("That template does not exist in your ULB.")
        masters = {o.code: (o.name, o.kind, o.value) for o in load_masters(session).overheads}
        document = json.loads(template.payload)
        document["date"] = estimate_date.isoformat()
        _, draft = parse_document(document, masters)
        project = find_project(session, project_number, actor)
        estimate = create_estimate_in(
            session,
            actor,
            project,
            draft,
            today=today,
            prefix="ES",
            comment=f"Started from template '{template.name}'",
        )
        return estimate_view(session, estimate, actor)


def copy_estimate(
    db: Database,
    actor: Actor,
    number: str,
    *,
    project_number: str | None = None,
    estimate_date: date,
    today: date,
) -> EstimateView:
    """A new draft with the lines, measurements and overheads of another estimate, SOR lines
    priced again at the new date (into the same project unless another is named)."""
    require(actor.has(Role.ESTIMATE_CREATOR), "create estimates", "ESTIMATE_CREATOR")
    with db.unit_of_work() as session:
        source = find_estimate(session, number)
        if source.tenant_code != actor.tenant:
            raise NotFound(f"No estimate with number '{number.strip()}' in your ULB.")
        project = (
            find_project(session, project_number, actor)
            if project_number
            else session.get_one(Project, source.project_id)
        )
        draft = load_draft(session, source)
        fresh: EstimateDraft = replace(
            draft,
            estimate_date=estimate_date,
            lines=tuple(
                replace(
                    line,
                    id=None,
                    rate_id=None,
                    origin_line_id=None,
                    used_quantity=None,
                    used_rate=None,
                    reason="",
                )
                for line in draft.lines
            ),
        )
        estimate = create_estimate_in(
            session,
            actor,
            project,
            fresh,
            today=today,
            prefix="ES",
            comment=f"Copied from {source.number}",
        )
        return estimate_view(session, estimate, actor)
