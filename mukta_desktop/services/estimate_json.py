"""The estimate JSON of `estimate show --json` and `estimate create --from-json`.

Numbers are strings: quantities with 4 decimals, amounts with 2; blank factors are null. The
document `show` prints is accepted by `create` (computed fields are ignored), so an estimate can
be moved between installations or kept as a file.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.estimate import LUMP_SUM_CODE, LineCategory, OverheadKind
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.numbers import plain_text, to_str2
from mukta_desktop.domain.roles import Role, require

from .database import Database
from .estimate_views import EstimateDraft, EstimateView, LineDraft, OverheadDraft
from .estimates import create_estimate_in, estimate_view
from .masters import load_masters
from .projects import NewProject, add_project_in
from .users import Actor

_Q4 = Decimal("0.0001")


def _q(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(_Q4):f}"


def estimate_to_json(view: EstimateView) -> dict[str, Any]:
    lines: list[dict[str, Any]] = []
    for line in view.lines:
        d = line.draft
        item: dict[str, Any] = {
            "category": d.category.value,
            "sor_code": d.sor_code,
            "description": d.description,
            "unit": d.unit,
            "rate": to_str2(d.rate),
            "rate_quantity": plain_text(d.rate_quantity),
            "measurements": [
                {
                    "kind": r.kind.value,
                    "name": r.name,
                    "number": plain_text(r.number) if r.number is not None else None,
                    "length": plain_text(r.length) if r.length is not None else None,
                    "breadth": plain_text(r.breadth) if r.breadth is not None else None,
                    "depth": plain_text(r.depth) if r.depth is not None else None,
                    "quantity": _q(r.quantity),
                }
                for r in d.rows
            ],
            "quantity": _q(line.quantity),
            "amount": to_str2(line.amount),
        }
        if d.used_quantity is not None and d.used_rate is not None:
            item["used_quantity"] = _q(d.used_quantity)
            item["used_rate"] = to_str2(d.used_rate)
        if d.reason:
            item["reason"] = d.reason
        lines.append(item)
    return {
        "number": view.number,
        "revision_of": view.revision_of,
        "project": {"number": view.project.number, "name": view.project.name},
        "tenant": view.tenant,
        "date": view.estimate_date.isoformat(),
        "description": view.description,
        "status": view.status.value,
        "lines": lines,
        "overheads": [
            {
                "code": o.draft.code,
                "description": o.draft.description,
                "percent": None if o.draft.percent is None else plain_text(o.draft.percent),
                "amount": to_str2(o.amount),
            }
            for o in view.overheads
        ],
        "sor_total": to_str2(view.sor_total),
        "non_sor_total": to_str2(view.non_sor_total),
        "overhead_total": to_str2(view.overhead_total),
        "total": to_str2(view.total),
        "total_rupees": f"{view.total_rupees:f}",
        "total_in_words": view.total_in_words,
        "analysis": {
            "material": to_str2(view.analysis.material),
            "labour": to_str2(view.analysis.labour),
            "machinery": to_str2(view.analysis.machinery),
        },
        "history": [
            {
                "action": h.action,
                "by": h.by_login,
                "at": h.at.isoformat(),
                "comment": h.comment,
                "status": h.to_status,
            }
            for h in view.history
        ],
    }


# ---------------------------------------------------------------- reading a document


def _decimal(value: Any, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValidationError(f'{where}: write numbers as strings, e.g. "10.5".')
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(f"{where}: '{value}' is not a number.") from None
    if not number.is_finite():
        raise ValidationError(f"{where}: '{value}' is not a number.")
    return number


def _one_if_blank(value: Decimal | None) -> Decimal:
    """A blank rate quantity is 1; a typed 0 stays 0 (and is refused), never becomes 1."""
    return Decimal(1) if value is None else value


def _text(value: Any, where: str, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{where}: expected text.")
    if required and not value.strip():
        raise ValidationError(f"{where}: required.")
    return value.strip()


def _rows(items: Any, where: str) -> tuple[MeasurementRow, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise ValidationError(f"{where}, measurements: expected a list of rows.")
    rows: list[MeasurementRow] = []
    for number, item in enumerate(items, start=1):
        at = f"{where}, row {number}"
        if not isinstance(item, dict):
            raise ValidationError(f"{at}: expected an object.")
        kind = str(item.get("kind") or "plus").lower()
        if kind not in ("plus", "minus"):
            raise ValidationError(f"{at}, kind: 'plus' or 'minus', not '{item.get('kind')}'.")
        rows.append(
            MeasurementRow(
                RowKind(kind),
                _text(item.get("name"), f"{at}, name"),
                _decimal(item.get("number"), f"{at}, number"),
                _decimal(item.get("length"), f"{at}, length"),
                _decimal(item.get("breadth"), f"{at}, breadth"),
                _decimal(item.get("depth"), f"{at}, depth"),
            )
        )
    return tuple(rows)


def parse_rows(items: Any, where: str) -> tuple[MeasurementRow, ...]:
    """Measurement rows from a document's list; refusals start with `where`."""
    return _rows(items, where)


def _line(item: Any, number: int) -> LineDraft:
    where = f"Line {number}"
    if not isinstance(item, dict):
        raise ValidationError(f"{where}: expected an object.")
    category = str(item.get("category") or "").upper().replace("_", "-")
    rows = _rows(item.get("measurements"), where)
    if category == LineCategory.SOR:
        code = _text(item.get("sor_code"), f"{where}, sor_code", required=True)
        return LineDraft(
            category=LineCategory.SOR,
            description=_text(item.get("description"), f"{where}, description"),
            unit="",
            rate=Decimal(0),
            rows=rows,
            sor_code=code,
            reason=_text(item.get("reason"), f"{where}, reason"),
        )
    if category == LineCategory.NON_SOR:
        rate = _decimal(item.get("rate"), f"{where}, rate")
        if rate is None:
            raise ValidationError(f"{where}, rate: a non-SOR line needs its rate.")
        return LineDraft(
            category=LineCategory.NON_SOR,
            description=_text(item.get("description"), f"{where}, description", required=True),
            unit=_text(item.get("unit"), f"{where}, unit", required=True),
            rate=rate,
            rate_quantity=_one_if_blank(
                _decimal(item.get("rate_quantity"), f"{where}, rate_quantity")
            ),
            rows=rows,
            reason=_text(item.get("reason"), f"{where}, reason"),
        )
    raise ValidationError(f"{where}, category: 'SOR' or 'NON-SOR', not '{item.get('category')}'.")


def _overheads(
    items: Any, masters: dict[str, tuple[str, str, Decimal | None]]
) -> tuple[OverheadDraft, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise ValidationError("overheads: expected a list.")
    result: list[OverheadDraft] = []
    for number, item in enumerate(items, start=1):
        where = f"Overhead {number}"
        if not isinstance(item, dict):
            raise ValidationError(f"{where}: expected an object.")
        code = _text(item.get("code"), f"{where}, code", required=True).upper()
        if code == LUMP_SUM_CODE:
            amount = _decimal(item.get("amount"), f"{where}, amount")
            result.append(
                OverheadDraft(
                    LUMP_SUM_CODE,
                    _text(item.get("description"), f"{where}, description", required=True),
                    OverheadKind.LUMPSUM,
                    lump_sum=amount,
                )
            )
            continue
        if code not in masters:
            allowed = ", ".join([*sorted(masters), LUMP_SUM_CODE])
            raise ValidationError(
                f"{where}, code: '{code}' is not an overhead; allowed: {allowed}."
            )
        name, kind, value = masters[code]
        if kind == OverheadKind.PERCENT:
            result.append(OverheadDraft(code, name, OverheadKind.PERCENT, percent=value))
        else:
            amount = _decimal(item.get("amount"), f"{where}, amount")
            result.append(
                OverheadDraft(
                    code,
                    name,
                    OverheadKind.LUMPSUM,
                    lump_sum=amount if amount is not None else value,
                )
            )
    return tuple(result)


def parse_document(
    data: Any, masters: dict[str, tuple[str, str, Decimal | None]]
) -> tuple[NewProject, EstimateDraft]:
    """The project and draft a document describes; refusals name the line and row."""
    if not isinstance(data, dict):
        raise ValidationError("The file must hold one JSON object (an estimate).")
    project = data.get("project")
    if not isinstance(project, dict):
        raise ValidationError("project: give the project's name (and description, ward ...).")
    raw_date = _text(data.get("date"), "date", required=True)
    try:
        estimate_date = date.fromisoformat(raw_date)
    except ValueError:
        raise ValidationError(f"date: '{raw_date}' is not a date; use YYYY-MM-DD.") from None
    sanction = _text(project.get("sanction_date"), "project.sanction_date")
    try:
        sanction_date = date.fromisoformat(sanction) if sanction else None
    except ValueError:
        raise ValidationError(f"project.sanction_date: '{sanction}' is not a date.") from None
    new_project = NewProject(
        name=_text(project.get("name"), "project.name", required=True),
        description=_text(project.get("description"), "project.description"),
        ward=_text(project.get("ward"), "project.ward"),
        locality=_text(project.get("locality"), "project.locality"),
        sanction_date=sanction_date,
    )
    lines = data.get("lines")
    if not isinstance(lines, list):
        raise ValidationError("lines: expected a list of estimate lines.")
    draft = EstimateDraft(
        estimate_date=estimate_date,
        description=_text(data.get("description"), "description"),
        lines=tuple(_line(item, n) for n, item in enumerate(lines, start=1)),
        overheads=_overheads(data.get("overheads"), masters),
    )
    return new_project, draft


def create_from_json(db: Database, actor: Actor, data: Any, *, today: date) -> EstimateView:
    """A draft estimate from a document, with its project when the ULB has none of that name."""
    require(actor.has(Role.ESTIMATE_CREATOR), "create estimates", "ESTIMATE_CREATOR")
    from mukta_desktop.models import Project

    with db.unit_of_work() as session:
        masters = {
            o.code: (o.name, o.kind, o.value) for o in load_masters(session).overheads if o.active
        }
        new_project, draft = parse_document(data, masters)
        project = session.scalar(
            select(Project).where(
                Project.tenant_code == actor.tenant,
                func.lower(Project.name) == " ".join(new_project.name.split()).lower(),
            )
        )
        if project is None:
            project = add_project_in(session, actor, new_project, today=today)
        estimate = create_estimate_in(
            session, actor, project, draft, today=today, prefix="ES", complete=True
        )
        return estimate_view(session, estimate, actor)
