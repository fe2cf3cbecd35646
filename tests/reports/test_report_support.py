"""The pieces every document uses: fonts found at run time, the all-or-nothing target file,
progress steps, and the signature blocks read from the workflow history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mukta_desktop.reports import ExportCancelled
from mukta_desktop.reports._common import factor, signatories
from mukta_desktop.reports._output import Steps, atomic_target
from mukta_desktop.reports.fonts import find_fonts
from mukta_desktop.services.estimate_views import HistoryEvent


def test_fonts_have_the_rupee_sign_and_odia() -> None:
    from fontTools.ttLib import TTFont

    fonts = find_fonts()
    if fonts.text is None:
        pytest.skip("no Unicode font on this machine (install fonts-dejavu-core)")
    with TTFont(fonts.text) as font:
        assert 0x20B9 in font.getBestCmap()
    if fonts.odia is not None:
        with TTFont(fonts.odia) as font:
            assert 0x0B2E in font.getBestCmap()


def test_atomic_target_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_text("old")

    def interrupted() -> None:
        with atomic_target(target) as temporary:
            temporary.write_text("half a docu")
            raise RuntimeError("stopped while writing")

    with pytest.raises(RuntimeError):
        interrupted()
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]
    with atomic_target(target) as temporary:
        temporary.write_text("new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_steps_report_and_cancel() -> None:
    seen: list[tuple[int, int]] = []
    stop = False
    steps = Steps(3, lambda d, t: seen.append((d, t)), lambda: stop)
    steps.tick()
    steps.tick()
    stop = True
    with pytest.raises(ExportCancelled):
        steps.tick()
    assert seen == [(1, 3), (2, 3)]


def test_factors_print_as_typed() -> None:
    from decimal import Decimal

    assert factor(None) == ""
    assert factor(Decimal("10.5")) == "10.5"
    assert factor(Decimal("0.4500")) == "0.45"
    assert factor(Decimal("120000")) == "1,20,000"
    assert factor(Decimal("0")) == "0"


def _event(action: str, to: str, minutes: int, name: str) -> HistoryEvent:
    at = datetime(2026, 11, 20, 5, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return HistoryEvent(action, name.lower(), name, at, "", None, to)


def test_signatures_show_only_the_steps_that_still_stand() -> None:
    history = [
        _event("save-draft", "DRAFTED", 0, "Asha"),
        _event("submit", "PENDING_VERIFICATION", 1, "Asha"),
        _event("verify", "PENDING_TECHNICAL_SANCTION", 2, "Chitra"),
        # The EE sends it back to verification: Chitra's check no longer stands.
        _event("send-back", "PENDING_VERIFICATION", 3, "Deepak"),
    ]
    prepared, checked, sanctioned, approved = signatories(history)
    assert (prepared.name, prepared.on) == ("Asha", "20/11/2026")
    assert [checked.name, sanctioned.name, approved.name] == ["", "", ""]
    history += [
        _event("verify", "PENDING_TECHNICAL_SANCTION", 4, "Chitra"),
        _event("sanction", "PENDING_APPROVAL", 5, "Deepak"),
        _event("approve", "APPROVED", 6, "Eswar"),
    ]
    names = [s.name for s in signatories(history)]
    assert names == ["Asha", "Chitra", "Deepak", "Eswar"]
    assert [s.officer for s in signatories(history)] == [
        "Junior Engineer",
        "Assistant Engineer",
        "Executive Engineer",
        "Executive Officer",
    ]


def test_signature_dates_are_indian_calendar_dates() -> None:
    late = HistoryEvent(
        "submit",
        "je",
        "JE",
        datetime(2026, 11, 20, 20, 0, tzinfo=UTC),
        "",
        None,
        "PENDING_VERIFICATION",
    )
    assert signatories([late])[0].on == "21/11/2026"  # 01:30 IST the next day
