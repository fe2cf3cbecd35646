"""The canonical documents of the records that travel to the server (DESIGN.md §3: every
synced record has a UUID made on the device, a version and a canonical JSON form whose
SHA-256 is its content hash). Figures are written at their documented places. The MB's own
document (`measurement_books.mb_document`) is the one its approval hash covers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mukta_desktop.domain.canonical import fixed
from mukta_desktop.models import Estimate, Project, WorkOrder

from .estimates import load_draft

SCHEMA = 1


def project_document(project: Project) -> dict[str, Any]:
    return {
        "type": "project",
        "schema": SCHEMA,
        "id": project.id,
        "number": project.number,
        "tenant": project.tenant_code,
        "name": project.name,
        "description": project.description,
        "ward": project.ward,
        "locality": project.locality,
        "sanction_date": project.sanction_date,
        "status": project.status,
        "created_by": project.created_by,
    }


def estimate_document(session: Session, estimate: Estimate) -> dict[str, Any]:
    draft = load_draft(session, estimate)
    project = session.get_one(Project, estimate.project_id)
    revision_of = (
        None
        if estimate.revision_of_id is None
        else session.scalar(select(Estimate.number).where(Estimate.id == estimate.revision_of_id))
    )
    return {
        "type": "estimate",
        "schema": SCHEMA,
        "id": estimate.id,
        "number": estimate.number,
        "tenant": estimate.tenant_code,
        "project": {"id": project.id, "number": project.number},
        "revision_of": None
        if estimate.revision_of_id is None
        else {"id": estimate.revision_of_id, "number": revision_of},
        "revision_no": estimate.revision_no,
        "estimate_date": estimate.estimate_date,
        "description": estimate.description,
        "status": estimate.status,
        "created_by": estimate.created_by,
        "total": fixed(estimate.total, 2),
        "lines": [
            {
                "id": line.id,
                "position": position,
                "category": line.category.value,
                "sor_code": line.sor_code,
                "description": line.description,
                "unit": line.unit,
                "rate": fixed(line.rate, 2),
                "rate_quantity": fixed(line.rate_quantity, 4),
                "heads": None
                if line.heads is None
                else {name: fixed(value, 2) for name, value in line.heads.as_dict().items()},
                "origin_line_id": line.origin_line_id,
                "used_quantity": fixed(line.used_quantity, 4),
                "used_rate": fixed(line.used_rate, 2),
                "reason": line.reason,
                "rows": [
                    {
                        "kind": row.kind.value,
                        "name": row.name,
                        "number": fixed(row.number, 4),
                        "length": fixed(row.length, 4),
                        "breadth": fixed(row.breadth, 4),
                        "depth": fixed(row.depth, 4),
                    }
                    for row in line.rows
                ],
            }
            for position, line in enumerate(draft.lines)
        ],
        "overheads": [
            {
                "code": o.code,
                "description": o.description,
                "kind": o.kind.value,
                "percent": fixed(o.percent, 4),
                "lump_sum": fixed(o.lump_sum, 2),
            }
            for o in draft.overheads
        ],
    }


def work_order_document(session: Session, order: WorkOrder) -> dict[str, Any]:
    estimate = session.get_one(Estimate, order.estimate_id)
    project = session.get_one(Project, order.project_id)
    return {
        "type": "work_order",
        "schema": SCHEMA,
        "id": order.id,
        "number": order.number,
        "tenant": order.tenant_code,
        "project": {"id": project.id, "number": project.number},
        "estimate": {"id": estimate.id, "number": estimate.number},
        "organisation": order.organisation,
        "work_order_date": order.work_order_date,
        "start_date": order.start_date,
        "end_date": order.end_date,
        "period_days": order.period_days,
        "status": order.status,
        "status_reason": order.status_reason,
        "created_by": order.created_by,
    }
