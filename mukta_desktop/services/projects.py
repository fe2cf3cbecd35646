"""Projects of a ULB: create, search, view with their estimates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import NotFound, ValidationError
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.roles import Role, require
from mukta_desktop.domain.workflow import Status
from mukta_desktop.models import Estimate, Project

from .database import Database
from .estimate_views import EstimateSummary
from .numbering import next_number
from .users import Actor

MAX_NAME = 300


@dataclass(frozen=True, slots=True)
class NewProject:
    name: str
    description: str = ""
    ward: str = ""
    locality: str = ""
    sanction_date: date | None = None


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    id: str
    number: str
    tenant: str
    name: str
    description: str
    ward: str
    locality: str
    sanction_date: date | None
    created_by: str
    estimates: tuple[EstimateSummary, ...] = ()
    status: str = "OPEN"  # or CLOSED: no new estimates, work orders or MBs

    @property
    def closed(self) -> bool:
        return self.status == "CLOSED"


def _info(project: Project, estimates: tuple[EstimateSummary, ...] = ()) -> ProjectInfo:
    return ProjectInfo(
        project.id,
        project.number,
        project.tenant_code,
        project.name,
        project.description,
        project.ward,
        project.locality,
        project.sanction_date,
        project.created_by,
        estimates,
        project.status,
    )


def check_project(new: NewProject) -> None:
    if not new.name.strip():
        raise ValidationError("Project name: name the work.", field="name")
    if len(new.name.strip()) > MAX_NAME:
        raise ValidationError(f"Project name: at most {MAX_NAME} characters.", field="name")


def create_project(db: Database, actor: Actor, new: NewProject, *, today: date) -> ProjectInfo:
    """A project of the actor's ULB, numbered PJ/<year>/<n>; names are unique in a ULB."""
    require(actor.has(Role.ESTIMATE_CREATOR), "create projects", "ESTIMATE_CREATOR")
    check_project(new)
    with db.unit_of_work() as session:
        project = add_project_in(session, actor, new, today=today)
        return _info(project)


def add_project_in(session: Session, actor: Actor, new: NewProject, *, today: date) -> Project:
    """`create_project` inside a unit of work the caller owns."""
    check_project(new)
    name = " ".join(new.name.split())
    clash = session.scalar(
        select(Project).where(
            Project.tenant_code == actor.tenant, func.lower(Project.name) == name.lower()
        )
    )
    if clash is not None:
        raise ValidationError(
            f"Project name: {clash.number} already has this name in your ULB.", field="name"
        )
    project = Project(
        id=new_id(),
        number=next_number(session, "PJ", actor.tenant, today),
        tenant_code=actor.tenant,
        name=name,
        description=new.description.strip(),
        ward=new.ward.strip(),
        locality=new.locality.strip(),
        sanction_date=new.sanction_date,
        created_by=actor.login,
    )
    session.add(project)
    session.flush()
    from .sync_queue import queue_project  # circular at module level

    # A project goes to the head office as soon as it exists (with nothing enrolled, the
    # outbox keeps nothing).
    queue_project(session, project)
    return project


def search_projects(db: Database, tenant: str, text: str = "") -> list[ProjectInfo]:
    with db.read() as session:
        stmt = select(Project).where(Project.tenant_code == tenant)
        for token in text.lower().split():
            pattern = f"%{token}%"
            stmt = stmt.where(
                func.lower(Project.name + " " + Project.number + " " + Project.ward).like(pattern)
            )
        return [_info(p) for p in session.scalars(stmt.order_by(Project.number.desc()))]


def get_project(db: Database, number: str) -> ProjectInfo:
    with db.read() as session:
        project = session.scalar(select(Project).where(Project.number == number.strip()))
        if project is None:
            raise NotFound(f"No project with number '{number.strip()}'.")
        estimates = session.scalars(
            select(Estimate).where(Estimate.project_id == project.id).order_by(Estimate.created_at)
        ).all()
        numbers = {e.id: e.number for e in estimates}
        summaries = tuple(
            EstimateSummary(
                e.id,
                e.number,
                project.number,
                project.name,
                numbers.get(e.revision_of_id) if e.revision_of_id else None,
                e.estimate_date,
                Status(e.status),
                e.total,
                e.created_by,
                e.updated_at,
            )
            for e in estimates
        )
        return _info(project, summaries)


def require_open(project: Project, what: str) -> None:
    """Closed projects take no new estimates, work orders or MBs."""
    if project.status == "CLOSED":
        raise ValidationError(
            f"Project {project.number} ({project.name}) is closed; it takes no new {what}."
        )
