"""Estimate templates and copying estimates (services.templates)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from estimate_support import (
    AE,
    FL_HEADS,
    GST,
    JATNI_ALL,
    JE,
    JE2,
    SC,
    STATE_ADMIN,
    TODAY,
    approve,
    draft,
    fl_sor,
    new_estimate,
    new_project,
    non_sor_line,
    row,
    sor_line,
)

from mukta_desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from mukta_desktop.domain.workflow import Status
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_views import EstimateView
from mukta_desktop.services.estimates import get_estimate
from mukta_desktop.services.sor_catalog import add_rate
from mukta_desktop.services.templates import (
    copy_estimate,
    list_templates,
    save_template,
    start_from_template,
)

D = Decimal


def source(db: Database) -> tuple[EstimateView, str]:
    code = fl_sor(db)
    view = new_estimate(
        db,
        draft(
            sor_line(code, row("2", "10.5", "0.45", "0.3", name="Room"), row("1", minus=True)),
            non_sor_line("Display board", "NOS", "2500.00", row("1")),
            overheads=(SC, GST),
        ),
    )
    return view, code


def contents(view: EstimateView) -> list[tuple[object, ...]]:
    return [
        (
            line.draft.category,
            line.draft.sor_code,
            line.draft.description,
            line.draft.unit,
            line.draft.rows,
            line.quantity,
        )
        for line in view.lines
    ]


def test_save_list_and_start_from_a_template(db: Database) -> None:
    view, code = source(db)
    info = save_template(db, JE, view.number, "  Drain, standard  ")
    assert (info.name, info.lines, info.created_by) == ("Drain, standard", 2, "je")
    assert [(t.name, t.lines) for t in list_templates(db, JE.tenant)] == [("Drain, standard", 2)]
    assert list_templates(db, JATNI_ALL.tenant) == []

    # The rate went up since: a template is priced again at the new estimate's date.
    add_rate(
        db,
        STATE_ADMIN,
        code,
        replace(FL_HEADS, labour=D("4000.00")),
        effective_from=TODAY,
        tenant="od",
        today=TODAY,
    )
    project = new_project(db, name="Another drain")
    started = start_from_template(
        db, JE2, info.id, project_number=project, estimate_date=TODAY, today=TODAY
    )
    assert started.number != view.number
    assert (started.project.number, started.created_by, started.status) == (
        project,
        "je2",
        Status.DRAFTED,
    )
    assert started.estimate_date == TODAY
    assert contents(started) == contents(view)
    assert started.lines[0].draft.rate == D("5432.14")
    assert started.lines[1].draft.rate == D("2500.00")
    assert [o.draft.code for o in started.overheads] == ["SC", "GST"]
    assert started.history[0].comment == "Started from template 'Drain, standard'"
    # The template's source is untouched.
    assert get_estimate(db, view.number).lines[0].draft.rate == D("5026.14")


def test_template_names_and_rights(db: Database) -> None:
    view, _ = source(db)
    save_template(db, JE, view.number, "Drain")
    with pytest.raises(ValidationError, match="'Drain' is already used"):
        save_template(db, JE2, view.number, "Drain")
    with pytest.raises(ValidationError, match="give the template a name"):
        save_template(db, JE, view.number, "  ")
    with pytest.raises(PermissionDenied, match="ESTIMATE_CREATOR"):
        save_template(db, AE, view.number, "Mine")
    with pytest.raises(NotFound, match="in your ULB"):
        save_template(db, JATNI_ALL, view.number, "Borrowed")
    (template,) = list_templates(db, JE.tenant)
    jatni_project = new_project(db, name="Jatni drain", actor=JATNI_ALL)
    with pytest.raises(NotFound, match="does not exist in your ULB"):
        start_from_template(
            db,
            JATNI_ALL,
            template.id,
            project_number=jatni_project,
            estimate_date=TODAY,
            today=TODAY,
        )
    with pytest.raises(NotFound, match="does not exist in your ULB"):
        start_from_template(
            db,
            JE,
            "no-such-id",
            project_number=view.project.number,
            estimate_date=TODAY,
            today=TODAY,
        )


def test_copy_an_estimate(db: Database) -> None:
    view, _ = source(db)
    approve(db, view.number)
    copied = copy_estimate(db, JE2, view.number, estimate_date=TODAY, today=TODAY)
    assert copied.number != view.number
    assert (copied.project.number, copied.status, copied.created_by) == (
        view.project.number,
        Status.DRAFTED,
        "je2",
    )
    assert copied.revision_of is None
    assert contents(copied) == contents(view)
    assert (copied.total, copied.overhead_total) == (view.total, view.overhead_total)
    assert copied.history[0].comment == f"Copied from {view.number}"
    assert {line.draft.id for line in copied.lines}.isdisjoint(
        {line.draft.id for line in view.lines}
    )
    # Into another project of the ULB.
    other = new_project(db, name="Market drain")
    elsewhere = copy_estimate(
        db, JE, view.number, project_number=other, estimate_date=TODAY, today=TODAY
    )
    assert elsewhere.project.number == other
    with pytest.raises(NotFound, match="No project with number"):
        copy_estimate(
            db,
            JE,
            view.number,
            project_number="PJ/1999-00/000001",
            estimate_date=TODAY,
            today=TODAY,
        )
    with pytest.raises(PermissionDenied, match="ESTIMATE_CREATOR"):
        copy_estimate(db, AE, view.number, estimate_date=TODAY, today=TODAY)
    assert get_estimate(db, view.number).status is Status.APPROVED
