"""Publishing SORs and rates at the head office (`mukta-server sor import`, docs/sor-sync.md).

A file is read and every row checked exactly as the desktop's importer does
(`mukta_desktop.sor_files`), against the master codes of the seed the desktops are made from.
Then, in one transaction, all or nothing:

- the rows are compared with what the server has published (the importer's own rules: a
  definition changes only in its description, a rate never starts before the latest of its
  series, a different rate on a date that has one is refused, an equal rate is skipped);
- when something is new, a publication is written with the next version number of its tenant
  (the state `od`, or a ULB for its own rates) together with its definitions and rates, and
  announced in the change log as `sor_set` changes of up to SORS_PER_CHANGE SORs each.

Nothing published changes afterwards: a rate row is written once, a publication once; the
next schedule is a new publication with later dates. Re-importing a file that brings nothing
new publishes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from mukta_desktop.domain.canonical import canonical_json, content_hash, fixed
from mukta_desktop.domain.errors import DomainError
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.numbers import plain_text
from mukta_desktop.domain.roles import Role, parse_roles
from mukta_desktop.domain.sor import STATE_TENANT, RateHeads, SorStatus
from mukta_desktop.sor_files import in_file_order, read_source
from mukta_desktop.sor_files.report import ImportProblem, ImportReport
from mukta_desktop.sor_files.rows import DESCRIPTION
from mukta_desktop.sor_files.rules import (
    NewRate,
    Plan,
    Stored,
    StoredRate,
    StoredSor,
    check_permissions,
    plan_lines,
    rate_days,
    snapshot,
)
from mukta_desktop.sor_files.validate import SorLine, validate_rows
from mukta_desktop.sor_files.vocabulary import Vocabulary, seed_lists

from .admin import Refused
from .change_log import append_change
from .db import Database
from .models import PublishedRate, ServerUser, SorDefinition, SorPublication, Tenant, utcnow

RECORD_TYPE = "sor_set"
PAYLOAD_SCHEMA = 1
# SORs per change: 200 SORs with a rate each are about 90 KB of JSON, so a pull of 20,000
# rates is 100 changes (one page) that the desktop writes in bulk, a change at a time.
SORS_PER_CHANGE = 200
HEADS = tuple(f.name for f in fields(RateHeads))
_IDS_PER_QUERY = 500
_DEFINITION_TABLE = cast(Table, SorDefinition.__table__)
_RATE_TABLE = cast(Table, PublishedRate.__table__)


@dataclass(frozen=True, slots=True)
class PublishReport:
    """The outcome of one `sor import`: the file's counts and problems as the desktop's
    importer reports them, and the publication made (`version` None: none was made)."""

    outcome: ImportReport
    tenant: str
    version: int | None = None
    changes: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    @property
    def problems(self) -> tuple[ImportProblem, ...]:
        return self.outcome.problems

    def summary(self) -> str:
        if not self.ok:
            return (
                f"{self.outcome.file}: refused, nothing published; {len(self.problems)} "
                "problem(s) to fix."
            )
        if self.version is None:
            return f"{self.outcome.summary()} Nothing new for {self.tenant}: nothing published."
        return (
            f"{self.outcome.summary()} Published as version {self.version} of {self.tenant}'s "
            f"SORs and rates: {self.changes} change(s) for the desktops to pull."
        )


@dataclass(frozen=True, slots=True)
class _Publisher:
    login: str
    tenant: str
    roles: frozenset[Role]


def publish_sor_file(
    db: Database,
    path: Path,
    *,
    tenant: str,
    by: str,
    effective_from: date | None,
    today: date,
) -> PublishReport:
    """Publish the SORs and rates of an .xlsx or .json file for `tenant`, as the server user
    `by` (who must hold MDMS_STATE_ADMIN, or MDMS_CITY_ADMIN of the ULB for its own rates).

    Rates take effect from `effective_from`; when None, from the date each rate carries in a
    .json file, else `today`. Raises Refused for an unknown publisher or tenant and
    PermissionDenied for a publisher without the role; problems of the file itself come back
    in the report, every bad row named."""
    path = Path(path)
    publisher = _publisher(db, by)
    source = read_source(path)
    if source.problems and not source.rows:
        return PublishReport(ImportReport(path.name, problems=tuple(source.problems)), tenant)
    lines, problems = validate_rows(source.rows, Vocabulary.from_masters(seed_lists()))
    digest = _sha256(path)
    with db.unit_of_work() as session:
        _serialise_publications(session)
        if session.get(Tenant, tenant) is None:
            raise Refused(f"Tenant '{tenant}' is not known here: add it with `tenant add` first.")
        stored = _load(session, tenant, rate_days(lines, effective_from, today))
        plan = plan_lines(stored, lines, tenant=tenant, effective_from=effective_from, today=today)
        check_permissions(publisher.roles, publisher.tenant, tenant, plan)
        problems = [*source.problems, *problems, *plan.problems, *_state_only(tenant, plan)]
        if problems:
            refused = ImportReport(path.name, problems=in_file_order(problems, source))
            return PublishReport(refused, tenant)
        outcome = ImportReport(
            path.name,
            sors_created=len(plan.creates),
            sors_updated=len(plan.updates),
            sors_unchanged=plan.unchanged,
            rates_added=len(plan.rates),
            rates_skipped=plan.rates_skipped,
        )
        if not plan.changes_definitions and not plan.rates:
            return PublishReport(outcome, tenant)
        publication = _write(session, plan, path.name, digest, tenant, effective_from, publisher)
        changes = _announce(session, publication, plan)
    return PublishReport(outcome, tenant, version=publication.version, changes=changes)


def _publisher(db: Database, login: str) -> _Publisher:
    login = login.strip().lower()
    with db.read() as session:
        user = session.scalar(select(ServerUser).where(ServerUser.login == login))
        if user is None or not user.active:
            state = "is disabled" if user is not None else "is not a user of this server"
            raise Refused(
                f"'{login}' {state}: SORs are published by a server user holding "
                "MDMS_STATE_ADMIN (or MDMS_CITY_ADMIN of a ULB, for that ULB's rates)."
            )
        try:
            roles = parse_roles(user.roles.split(","))
        except DomainError as error:
            raise Refused(error.message) from None
        return _Publisher(user.login, user.tenant_code, roles)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _serialise_publications(session: Session) -> None:
    """One publication at a time: each compares with what the previous one wrote. The state's
    tenant row is the lock on PostgreSQL; a SQLite writer holds the database already."""
    session.execute(select(Tenant.code).where(Tenant.code == STATE_TENANT).with_for_update())


def _load(session: Session, tenant: str, days: set[date]) -> Stored:
    sors = [
        StoredSor(*row)
        for row in session.execute(
            select(
                SorDefinition.id,
                SorDefinition.code,
                SorDefinition.type_code,
                SorDefinition.sub_type_code,
                SorDefinition.variant_code,
                SorDefinition.uom_code,
                SorDefinition.rate_quantity,
                SorDefinition.description,
                SorDefinition.version,
            )
        )
    ]
    head_columns = [getattr(PublishedRate, name) for name in HEADS]
    rates = (
        StoredRate(
            row.sor_id,
            row.tenant_code,
            row.effective_from,
            RateHeads(**{name: getattr(row, name) for name in HEADS}),
        )
        for row in session.execute(
            select(
                PublishedRate.sor_id,
                PublishedRate.tenant_code,
                PublishedRate.effective_from,
                *head_columns,
            ).where(PublishedRate.tenant_code.in_({tenant, STATE_TENANT}))
        )
    )
    return snapshot(sors, rates, tenant=tenant, days=days)


def _state_only(tenant: str, plan: Plan) -> list[ImportProblem]:
    """SOR definitions are the state's: a ULB's file brings rates of published SORs only."""
    if tenant == STATE_TENANT:
        return []
    problems = [
        line.source.problem(
            f"{line.code} is not a published SOR; SOR definitions are published for the "
            f"state (--tenant {STATE_TENANT}) before a ULB's rates"
        )
        for _, line in plan.creates
    ]
    problems += [
        line.source.problem(
            f"the description differs from the state's SOR {sor.code}; SOR definitions are "
            f"published for the state (--tenant {STATE_TENANT})",
            DESCRIPTION,
        )
        for sor, line in plan.updates
    ]
    return problems


def _write(
    session: Session,
    plan: Plan,
    file_name: str,
    digest: str,
    tenant: str,
    effective_from: date | None,
    publisher: _Publisher,
) -> SorPublication:
    latest = session.scalar(
        select(func.max(SorPublication.version)).where(SorPublication.tenant_code == tenant)
    )
    publication = SorPublication(
        id=new_id(),
        tenant_code=tenant,
        version=(latest or 0) + 1,
        file_name=file_name[:255],
        file_sha256=digest,
        effective_from=effective_from,
        published_by=publisher.login,
        published_at=utcnow(),
        sors_created=len(plan.creates),
        sors_updated=len(plan.updates),
        rates_added=len(plan.rates),
    )
    session.add(publication)
    session.flush()
    if plan.creates:
        # Core inserts (the table, not the ORM class): no per-row ORM bookkeeping.
        session.execute(
            insert(_DEFINITION_TABLE),
            [_definition(sor_id, line, publication.id) for sor_id, line in plan.creates],
        )
    if plan.updates:
        session.execute(
            update(SorDefinition),
            [
                {
                    "id": sor.id,
                    "description": line.description,
                    "version": sor.version + 1,
                    "publication_id": publication.id,
                }
                for sor, line in plan.updates
            ],
        )
    if plan.rates:
        session.execute(
            insert(_RATE_TABLE),
            [_rate(rate, tenant, publication.id) for rate in plan.rates],
        )
    return publication


def _definition(sor_id: str, line: SorLine, publication_id: str) -> dict[str, Any]:
    return {
        "id": sor_id,
        "code": line.code,
        "type_code": line.type_code,
        "sub_type_code": line.sub_type_code,
        "variant_code": line.variant_code,
        "uom_code": line.uom_code,
        "rate_quantity": line.rate_quantity,
        "description": line.description,
        "status": line.status or SorStatus.ACTIVE.value,
        "version": 1,
        "publication_id": publication_id,
    }


def _rate(rate: NewRate, tenant: str, publication_id: str) -> dict[str, Any]:
    return {
        "id": new_id(),
        "sor_id": rate.sor_id,
        "tenant_code": tenant,
        "effective_from": rate.effective_from,
        **rate.heads.as_dict(),
        "total": rate.heads.total,
        "publication_id": publication_id,
    }


# -- the change log -------------------------------------------------------------------------


def _announce(session: Session, publication: SorPublication, plan: Plan) -> int:
    """The publication as `sor_set` changes of its tenant; returns how many were written."""
    rates: dict[str, list[NewRate]] = {}
    for rate in plan.rates:
        rates.setdefault(rate.sor_id, []).append(rate)
    touched = list(
        dict.fromkeys(
            [sor_id for sor_id, _ in plan.creates]
            + [sor.id for sor, _ in plan.updates]
            + list(rates)
        )
    )
    definitions = _definitions(session, touched)
    heading = _publication_json(session, publication)
    parts = [
        touched[start : start + SORS_PER_CHANGE]
        for start in range(0, len(touched), SORS_PER_CHANGE)
    ]
    for number, part in enumerate(parts, start=1):
        payload = {
            "type": RECORD_TYPE,
            "schema": PAYLOAD_SCHEMA,
            "publication": heading,
            "part": number,
            "parts": len(parts),
            "sors": [sor_json(definitions[sor_id], rates.get(sor_id, ())) for sor_id in part],
        }
        append_change(
            session,
            tenant=publication.tenant_code,
            record_type=RECORD_TYPE,
            record_id=new_id(),
            version=1,
            content_hash=content_hash(payload),
            payload=canonical_json(payload).decode("utf-8"),
        )
    return len(parts)


def _definitions(session: Session, ids: Sequence[str]) -> dict[str, SorDefinition]:
    found: dict[str, SorDefinition] = {}
    for chunk in _chunks(ids):
        for definition in session.scalars(select(SorDefinition).where(SorDefinition.id.in_(chunk))):
            found[definition.id] = definition
    return found


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _IDS_PER_QUERY):
        yield ids[start : start + _IDS_PER_QUERY]


def _publication_json(session: Session, publication: SorPublication) -> dict[str, Any]:
    tenant = session.get_one(Tenant, publication.tenant_code)
    return {
        "id": publication.id,
        "tenant": publication.tenant_code,
        "tenant_name": tenant.name,
        "version": publication.version,
        "file": publication.file_name,
        "sha256": publication.file_sha256,
        "published_by": publication.published_by,
        "published_at": publication.published_at,
    }


def sor_json(definition: SorDefinition, rates: Sequence[NewRate]) -> dict[str, Any]:
    """One SOR of a `sor_set` change: its definition as published, and the rates this
    publication added for it (the publication's tenant), oldest first."""
    return {
        "id": definition.id,
        "code": definition.code,
        "version": definition.version,
        "type": definition.type_code,
        "sub_type": definition.sub_type_code,
        "variant": definition.variant_code,
        "uom": definition.uom_code,
        "rate_quantity": plain_text(definition.rate_quantity),
        "description": definition.description,
        "status": definition.status,
        "rates": [
            {
                "effective_from": rate.effective_from,
                **{name: fixed(value, 2) for name, value in rate.heads.as_dict().items()},
                "total": fixed(rate.heads.total, 2),
            }
            for rate in sorted(rates, key=lambda r: r.effective_from)
        ],
    }
