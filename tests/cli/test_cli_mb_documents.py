"""The MB book PDF and Excel say what `mb show --json` says (the demo's approved MB)."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mukta_desktop.cli import main
from mukta_desktop.domain.numbers import format_money


def run(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo(capsys: pytest.CaptureFixture[str], data_dir: Path) -> Path:
    code, _out, err = run(capsys, data_dir, "demo")
    assert code == 0, err
    return data_dir


def _shown(capsys: pytest.CaptureFixture[str], data: Path, status: str) -> dict[str, object]:
    code, out, err = run(capsys, data, "mb", "list", "--json")
    assert code == 0, err
    number = next(m["number"] for m in json.loads(out) if m["status"] == status)
    code, out, err = run(capsys, data, "mb", "show", number, "--json")
    assert code == 0, err
    shown: dict[str, object] = json.loads(out)
    return shown


def test_pdf_holds_the_figures_of_mb_show(
    capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    shown = _shown(capsys, demo, "APPROVED")
    out_file = tmp_path / "mb.pdf"
    code, _out, err = run(
        capsys,
        demo,
        "mb",
        "export",
        str(shown["number"]),
        "--format",
        "pdf",
        "--out",
        str(out_file),
    )
    assert code == 0, err
    text = subprocess.run(
        ["pdftotext", "-layout", str(out_file), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert str(shown["number"]) in text
    money = [shown["total"], shown["cumulative_total"]]
    utilization = shown["utilization"]
    assert isinstance(utilization, dict)
    money += [utilization["material"], utilization["labour"], utilization["machinery"]]
    lines = shown["lines"]
    assert isinstance(lines, list)
    measured = [line for line in lines if Decimal(line["quantity"]) != 0]
    assert measured
    for line in measured:
        money += [line["amount"], line["cumulative_amount"]]
        assert line["quantity"] in text, line
        assert line["cumulative_quantity"] in text, line
    for amount in money:
        assert format_money(Decimal(str(amount))) in text, amount
    assert str(shown["content_hash"]) in text.replace("\n", "").replace(" ", "")


def test_excel_holds_the_figures_of_mb_show(
    capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path
) -> None:
    shown = _shown(capsys, demo, "DRAFTED")
    out_file = tmp_path / "mb.xlsx"
    code, _out, err = run(
        capsys,
        demo,
        "mb",
        "export",
        str(shown["number"]),
        "--format",
        "xlsx",
        "--out",
        str(out_file),
    )
    assert code == 0, err
    book = load_workbook(out_file)
    texts = {
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert str(shown["number"]) in " ".join(texts)
    formulas = [t for t in texts if t.startswith("=")]
    assert any("SUM(" in f for f in formulas)
    assert any("ROUND(" in f for f in formulas)
