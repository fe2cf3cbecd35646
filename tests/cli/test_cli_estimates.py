"""`mukta-desktop estimate ...` and the demo's estimates: exit codes, JSON shapes, acting
users, refusals naming the line and row, exports through the report writers."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from mukta_desktop.cli import main

NUMBER = re.compile(r"^(ES|RE)/\d{4}-\d{2}/\d{6}$")


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> Any:
    code, out, err = run(capsys, data_dir, *args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("demo") / "data"
    assert main(["--data-dir", str(data), "demo"]) == 0
    return data


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of a demo installation; commands act as demo / demo."""
    data = tmp_path / "demo"
    shutil.copytree(demo_template, data)
    monkeypatch.setenv("MUKTA_PASSWORD", "demo")
    return data


def numbers(capsys: pytest.CaptureFixture[str], data: Path) -> dict[str, dict[str, Any]]:
    return {e["number"]: e for e in run_json(capsys, data, "estimate", "list")}


def the_demo(capsys: pytest.CaptureFixture[str], data: Path) -> tuple[str, str]:
    found = numbers(capsys, data)
    (original,) = [n for n, e in found.items() if e["revision_of"] is None]
    (revision,) = [n for n, e in found.items() if e["revision_of"] == original]
    return original, revision


# --- the demo -------------------------------------------------------------------------------


def test_demo_has_an_approved_estimate_and_an_approved_revision(capsys, tmp_path) -> None:
    data = tmp_path / "fresh"
    code, out, _ = run(capsys, data, "demo")
    assert code == 0
    assert "demo data, not official rates" in out
    assert re.search(r"approved estimate ES/\S+ and its approved revision RE/\S+", out)
    listed = run_json(capsys, data, "estimate", "list")
    assert len(listed) == 2
    assert {e["status"] for e in listed} == {"APPROVED"}
    assert all(e["project"]["name"].startswith("[DEMO]") for e in listed)
    assert len({e["project"]["number"] for e in listed}) == 1
    original, revision = the_demo(capsys, data)
    assert NUMBER.match(original)
    assert revision.startswith("RE/")

    shown = run_json(capsys, data, "estimate", "show", original)
    assert shown["status"] == "APPROVED"
    categories = [line["category"] for line in shown["lines"]]
    assert "NON-SOR" in categories
    assert categories.count("SOR") >= 2
    assert all(line["sor_code"].startswith("DEMO-") for line in shown["lines"] if line["sor_code"])
    kinds = [m["kind"] for line in shown["lines"] for m in line["measurements"]]
    assert "minus" in kinds
    assert [o["code"] for o in shown["overheads"]] == ["SC", "GST"]
    assert [h["action"] for h in shown["history"]] == [
        "save-draft",
        "submit",
        "verify",
        "sanction",
        "approve",
    ]
    assert all(h["comment"].startswith("[DEMO]") for h in shown["history"][1:])

    revised = run_json(capsys, data, "estimate", "show", revision)
    assert revised["revision_of"] == original
    assert revised["status"] == "APPROVED"
    assert [line["reason"] for line in revised["lines"] if line.get("reason")]

    statement = run_json(capsys, data, "estimate", "deviation", revision)
    verdicts = {row["verdict"] for row in statement["rows"]}
    assert {"Less", "Excess"} <= verdicts
    assert all(row["reason"] for row in statement["rows"] if row["verdict"] != "Nil")


def test_the_demo_is_loaded_once(capsys, demo) -> None:
    code, out, _ = run(capsys, demo, "demo")
    assert (code, "already loaded" in out) == (0, True)
    assert len(numbers(capsys, demo)) == 2


# --- show and list --------------------------------------------------------------------------


def test_show_json_shape(capsys, demo) -> None:
    original, _ = the_demo(capsys, demo)
    shown = run_json(capsys, demo, "estimate", "show", original)
    assert {
        "number",
        "revision_of",
        "project",
        "date",
        "status",
        "lines",
        "overheads",
        "sor_total",
        "non_sor_total",
        "overhead_total",
        "total",
        "analysis",
        "history",
    } <= set(shown)
    assert set(shown["project"]) >= {"number", "name"}
    for line in shown["lines"]:
        assert {
            "category",
            "sor_code",
            "description",
            "unit",
            "rate",
            "rate_quantity",
            "measurements",
            "quantity",
            "amount",
        } <= set(line)
        assert re.fullmatch(r"\d+\.\d{4}", line["quantity"])
        assert re.fullmatch(r"\d+\.\d{2}", line["amount"])
        for m in line["measurements"]:
            assert set(m) >= {"kind", "name", "number", "length", "breadth", "depth", "quantity"}
            assert re.fullmatch(r"\d+\.\d{4}", m["quantity"])
            assert all(m[f] is None or isinstance(m[f], str) for f in ("number", "breadth"))
    assert any(m["breadth"] is None for line in shown["lines"] for m in line["measurements"])
    for overhead in shown["overheads"]:
        assert set(overhead) >= {"code", "description", "percent", "amount"}
    for key in ("sor_total", "non_sor_total", "overhead_total", "total"):
        assert re.fullmatch(r"\d+\.\d{2}", shown[key])
    assert set(shown["analysis"]) == {"material", "labour", "machinery"}
    for event in shown["history"]:
        assert set(event) >= {"action", "by", "at", "comment"}
        assert event["by"] == "demo"


def test_show_as_text(capsys, demo) -> None:
    original, revision = the_demo(capsys, demo)
    code, out, _ = run(capsys, demo, "estimate", "show", original)
    assert code == 0
    assert out.startswith(f"{original}  Approved")
    assert "[DEMO] Covered drain" in out
    assert re.search(r"^\s+- Culvert crossing", out, re.MULTILINE)  # a minus row
    assert "(non-SOR) [DEMO] Display board" in out
    assert "Supervision Charge @ 7.5 %" in out
    assert "Goods and Service Tax @ 18 %" in out
    assert "Total in whole rupees" in out
    assert re.search(r"^  Rupees [A-Za-z ]+ Only$", out, re.MULTILINE)
    assert "History:" in out
    assert "Verify and forward" in out
    assert "[DEMO] Quantities checked against the drawing." in out
    code, out, _ = run(capsys, demo, "estimate", "show", revision)
    assert f"(revision 1 of {original})" in out
    assert "Reason: [DEMO] Hard soil met at 0.6 m" in out


def test_show_an_unknown_number_is_refused(capsys, demo) -> None:
    code, _, err = run(capsys, demo, "estimate", "show", "ES/2020-21/999999")
    assert code == 1
    assert "No estimate with number 'ES/2020-21/999999'" in err


def test_list_as_text_and_filters(capsys, demo) -> None:
    original, revision = the_demo(capsys, demo)
    code, out, _ = run(capsys, demo, "estimate", "list")
    assert code == 0
    assert out.splitlines()[-1] == "2 estimate(s)"
    assert f"(revises {original})" in out
    assert run_json(capsys, demo, "estimate", "list", "--status", "drafted") == []
    assert len(run_json(capsys, demo, "estimate", "list", "--status", "APPROVED")) == 2
    assert [e["number"] for e in run_json(capsys, demo, "estimate", "list", "--search", "RE/")] == [
        revision
    ]
    assert len(run_json(capsys, demo, "estimate", "list", "--tenant", "od.dhenkanal")) == 2
    assert run_json(capsys, demo, "estimate", "list", "--tenant", "od.jatni") == []
    code, _, err = run(capsys, demo, "estimate", "list", "--tenant", "od.nowhere")
    assert code == 1
    assert "Tenant 'od.nowhere' is not known" in err


def test_read_only_commands_need_no_user(capsys, demo, monkeypatch) -> None:
    monkeypatch.delenv("MUKTA_PASSWORD")
    original, revision = the_demo(capsys, demo)
    for args in (
        ("estimate", "list"),
        ("estimate", "show", original),
        ("estimate", "deviation", revision),
    ):
        code, _, err = run(capsys, demo, *args)
        assert code == 0, (args, err)


# --- create ---------------------------------------------------------------------------------


def write(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value), "utf-8")
    return path


DOCUMENT: dict[str, Any] = {
    "project": {"name": "Ward 3 community hall repair", "ward": "3", "sanction_date": None},
    "date": "2026-09-01",
    "lines": [
        {
            "category": "SOR",
            "sor_code": "DEMO-W-004",
            "measurements": [
                {
                    "kind": "plus",
                    "name": "Hall walls",
                    "number": "4",
                    "length": "12.5",
                    "breadth": None,
                    "depth": "3.2",
                },
                {
                    "kind": "minus",
                    "name": "Doors",
                    "number": "2",
                    "length": "1.2",
                    "breadth": None,
                    "depth": "2.1",
                },
            ],
        },
        {
            "category": "NON-SOR",
            "description": "Repair of the name board",
            "unit": "NOS",
            "rate": "850.00",
            "measurements": [{"kind": "plus", "number": "1"}],
        },
    ],
    "overheads": [
        {"code": "SC"},
        {"code": "GST"},
        {"code": "LS", "description": "Testing", "amount": "500"},
    ],
}


def test_create_from_json_prints_the_number(capsys, demo, tmp_path) -> None:
    path = write(tmp_path / "estimate.json", DOCUMENT)
    code, out, err = run(
        capsys, demo, "--user", "demo", "estimate", "create", "--from-json", str(path)
    )
    assert code == 0, err
    number = out.strip()
    assert NUMBER.match(number)
    assert out == number + "\n"  # the number alone, for scripts
    shown = run_json(capsys, demo, "estimate", "show", number)
    assert shown["status"] == "DRAFTED"
    assert shown["date"] == "2026-09-01"
    assert shown["project"]["name"] == "Ward 3 community hall repair"
    # 4 × 12.5 × 3.2 = 160 − 2 × 1.2 × 2.1 = 5.04 → 154.9600
    assert shown["lines"][0]["quantity"] == "154.9600"
    assert shown["lines"][0]["unit"] == "SQM"
    # The same document shown goes back in: equal lines and totals.
    again_path = write(tmp_path / "again.json", shown)
    code, out, err = run(
        capsys, demo, "estimate", "create", "--from-json", str(again_path), "--user", "demo"
    )
    assert code == 0, err
    again = run_json(capsys, demo, "estimate", "show", out.strip())
    assert again["lines"] == shown["lines"]
    for key in ("sor_total", "non_sor_total", "overhead_total", "total", "analysis"):
        assert again[key] == shown[key]
    assert again["project"] == shown["project"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["lines"][0]["measurements"].append({"kind": "plus", "name": "blank"}),
            "Line 1, row 3: type at least one of No., L, B, D",
        ),
        (
            lambda d: d["lines"][0]["measurements"][1].update(length="-1.2"),
            "Line 1, row 2, L: -1.2 is negative",
        ),
        (
            lambda d: d["lines"][1]["measurements"][0].update(number=1.5),
            'Line 2, row 1, number: write numbers as strings, e.g. "10.5".',
        ),
        (lambda d: d["lines"][0].update(sor_code="NOPE"), "Line 1: No SOR with code 'NOPE'."),
        (
            lambda d: d.update(date="2020-01-01"),
            "Line 1: DEMO-W-004 has no rate in force on 01/01/2020",
        ),
    ],
)
def test_create_refusals_name_the_line_and_row(capsys, demo, tmp_path, change, message) -> None:
    document = json.loads(json.dumps(DOCUMENT))
    change(document)
    path = write(tmp_path / "bad.json", document)
    code, out, err = run(
        capsys, demo, "--user", "demo", "estimate", "create", "--from-json", str(path)
    )
    assert code == 1
    assert out == ""
    assert message in err
    assert "Traceback" not in err
    assert len(numbers(capsys, demo)) == 2  # nothing made


def test_create_refuses_unreadable_files_and_needs_a_user(capsys, demo, tmp_path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"project": {"name": "x"},\n "date": ', "utf-8")
    code, _, err = run(
        capsys, demo, "--user", "demo", "estimate", "create", "--from-json", str(broken)
    )
    assert code == 1
    assert "is not valid JSON" in err
    assert "line 2" in err
    code, _, err = run(
        capsys,
        demo,
        "--user",
        "demo",
        "estimate",
        "create",
        "--from-json",
        str(tmp_path / "missing.json"),
    )
    assert code == 1
    assert "cannot read" in err
    path = write(tmp_path / "ok.json", DOCUMENT)
    code, _, err = run(capsys, demo, "estimate", "create", "--from-json", str(path))
    assert code == 1
    assert "name the acting user with --user LOGIN" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["--data-dir", str(demo), "--user", "demo", "estimate", "create"])
    assert exit_info.value.code == 2


def test_wrong_password_is_refused(capsys, demo, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MUKTA_PASSWORD", "not the password")
    path = write(tmp_path / "ok.json", DOCUMENT)
    code, _, err = run(
        capsys, demo, "--user", "demo", "estimate", "create", "--from-json", str(path)
    )
    assert code == 1
    assert "Login or password is not correct" in err


# --- acting: the workflow and revisions -----------------------------------------------------


def add_user(capsys, data: Path, login: str, tenant: str, roles: str) -> None:
    code, _, err = run(
        capsys,
        data,
        "--user",
        "demo",
        "user",
        "add",
        login,
        "--name",
        login.upper(),
        "--tenant",
        tenant,
        "--roles",
        roles,
    )
    assert code == 0, err


def test_workflow_actions_as_the_acting_user(capsys, demo, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MUKTA_PASSWORD_NEW", "demo")  # every new user's password too
    add_user(capsys, demo, "je1", "od.dhenkanal", "ESTIMATE_CREATOR")
    add_user(capsys, demo, "ae1", "od.dhenkanal", "ESTIMATE_VERIFIER")
    add_user(capsys, demo, "ae.jatni", "od.jatni", "ESTIMATE_VERIFIER")
    path = write(tmp_path / "e.json", DOCUMENT)
    code, out, err = run(
        capsys, demo, "--user", "je1", "estimate", "create", "--from-json", str(path)
    )
    assert code == 0, err
    number = out.strip()
    inbox = run_json(capsys, demo, "--user", "je1", "estimate", "list", "--inbox")
    assert [e["number"] for e in inbox] == [number]

    code, _, err = run(capsys, demo, "--user", "ae1", "estimate", "action", number, "submit")
    assert code == 1
    assert "ESTIMATE_CREATOR" in err
    code, out, err = run(
        capsys,
        demo,
        "--user",
        "je1",
        "estimate",
        "action",
        number,
        "submit",
        "--comment",
        "ready for checking",
    )
    assert code == 0, err
    assert out.strip() == f"{number}: Submit done; now Pending verification."
    assert [
        e["number"] for e in run_json(capsys, demo, "--user", "ae1", "estimate", "list", "--inbox")
    ] == [number]
    assert run_json(capsys, demo, "--user", "ae.jatni", "estimate", "list", "--inbox") == []
    code, _, err = run(capsys, demo, "--user", "ae.jatni", "estimate", "action", number, "verify")
    assert code == 1
    assert "in your ULB" in err
    code, _, err = run(capsys, demo, "--user", "ae1", "estimate", "action", number, "approve")
    assert code == 1
    assert "'Approve' is not possible on an estimate that is Pending verification" in err
    code, out, err = run(
        capsys,
        demo,
        "--user",
        "ae1",
        "estimate",
        "action",
        number,
        "send-back",
        "--comment",
        "measure the verandah",
    )
    assert code == 0, err
    assert "now Pending correction" in out
    history = run_json(capsys, demo, "estimate", "show", number)["history"]
    assert [(h["action"], h["by"], h["comment"]) for h in history] == [
        ("save-draft", "je1", ""),
        ("submit", "je1", "ready for checking"),
        ("send-back", "ae1", "measure the verandah"),
    ]
    code, _, err = run(capsys, demo, "--user", "je1", "estimate", "action", number, "approve")
    assert code == 1
    assert "'Approve' is not possible" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["--data-dir", str(demo), "--user", "je1", "estimate", "action", number, "bless"])
    assert exit_info.value.code == 2
    code, _, err = run(capsys, demo, "estimate", "action", number, "resubmit")
    assert code == 1
    assert "--user" in err
    code, _, err = run(
        capsys, demo, "--user", "je1", "estimate", "list", "--inbox", "--status", "DRAFTED"
    )
    assert code == 1
    assert "--inbox takes no" in err
    code, _, err = run(capsys, demo, "estimate", "list", "--inbox")
    assert code == 1
    assert "--user" in err


def test_revise_from_the_command_line(capsys, demo) -> None:
    original, revision = the_demo(capsys, demo)
    code, _, err = run(capsys, demo, "--user", "demo", "estimate", "revise", original)
    assert code == 1
    assert f"Only the estimate in force can be revised: {revision} (Approved)" in err
    code, out, err = run(capsys, demo, "--user", "demo", "estimate", "revise", revision)
    assert code == 0, err
    second = out.strip()
    assert second.startswith("RE/")
    assert second != revision
    shown = run_json(capsys, demo, "estimate", "show", second)
    assert (shown["revision_of"], shown["status"]) == (original, "DRAFTED")
    code, _, err = run(capsys, demo, "estimate", "revise", revision)
    assert code == 1
    assert "--user" in err


# --- exports and the deviation statement ----------------------------------------------------


class FakeWriter:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append(args)
        Path(args[-1]).write_bytes(b"fake report")


def fake_report(monkeypatch: pytest.MonkeyPatch, module: str, function: str) -> FakeWriter:
    writer = FakeWriter()
    fake = types.ModuleType(f"mukta_desktop.reports.{module}")
    setattr(fake, function, writer)
    monkeypatch.setitem(sys.modules, f"mukta_desktop.reports.{module}", fake)
    return writer


@pytest.mark.parametrize(
    ("fmt", "module", "function"),
    [
        ("pdf", "estimate_pdf", "write_estimate_pdf"),
        ("xlsx", "estimate_xlsx", "write_estimate_xlsx"),
    ],
)
def test_export_calls_the_report_writer(
    capsys, demo, tmp_path, monkeypatch, fmt, module, function
) -> None:
    original, _ = the_demo(capsys, demo)
    writer = fake_report(monkeypatch, module, function)
    target = tmp_path / f"estimate.{fmt}"
    code, out, err = run(
        capsys, demo, "estimate", "export", original, "--format", fmt, "--out", str(target)
    )
    assert code == 0, err
    assert target.read_bytes() == b"fake report"
    ((view, path),) = writer.calls
    assert (view.number, path) == (original, target)
    assert f"written to {target}" in out


def test_export_refusals(capsys, demo, tmp_path, monkeypatch) -> None:
    original, _ = the_demo(capsys, demo)
    monkeypatch.setitem(sys.modules, "mukta_desktop.reports.estimate_pdf", None)
    code, _, err = run(
        capsys,
        demo,
        "estimate",
        "export",
        original,
        "--format",
        "pdf",
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert code == 1
    assert "PDF export is not available" in err

    def denied(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied")

    fake = types.ModuleType("mukta_desktop.reports.estimate_xlsx")
    fake.write_estimate_xlsx = denied  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mukta_desktop.reports.estimate_xlsx", fake)
    code, _, err = run(
        capsys,
        demo,
        "estimate",
        "export",
        original,
        "--format",
        "xlsx",
        "--out",
        str(tmp_path / "x.xlsx"),
    )
    assert code == 1
    assert "cannot write" in err
    assert "Permission denied" in err
    for missing in (["--format", "pdf"], ["--out", "x.pdf"], ["--format", "doc", "--out", "x"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["--data-dir", str(demo), "estimate", "export", original, *missing])
        assert exit_info.value.code == 2


@pytest.mark.parametrize(
    ("fmt", "module", "function"),
    [
        ("pdf", "deviation_pdf", "write_deviation_pdf"),
        ("xlsx", "deviation_xlsx", "write_deviation_xlsx"),
    ],
)
def test_deviation_to_a_file(capsys, demo, tmp_path, monkeypatch, fmt, module, function) -> None:
    original, revision = the_demo(capsys, demo)
    writer = fake_report(monkeypatch, module, function)
    target = tmp_path / f"deviation.{fmt}"
    code, out, err = run(
        capsys, demo, "estimate", "deviation", revision, "--format", fmt, "--out", str(target)
    )
    assert code == 0, err
    ((before, after, statement, path),) = writer.calls
    assert (before.number, after.number, path) == (original, revision, target)
    assert {r.verdict.value for r in statement.rows} >= {"Less", "Excess"}
    assert f"written to {target}" in out


def test_deviation_as_text_and_json(capsys, demo) -> None:
    original, revision = the_demo(capsys, demo)
    code, out, _ = run(capsys, demo, "estimate", "deviation", revision)
    assert code == 0
    assert out.startswith(f"Deviation statement of {revision} (Approved) against {original}")
    assert "Amounts in whole rupees." in out
    assert "Reason: [DEMO] Hard soil met at 0.6 m" in out
    assert re.search(r"Items less [\d,]+, items excess [\d,]+", out)
    statement = run_json(capsys, demo, "estimate", "deviation", revision)
    assert (statement["revision"], statement["revised_estimate"]) == (revision, original)
    first = statement["rows"][0]
    assert set(first) >= {
        "number",
        "sor_code",
        "description",
        "unit",
        "rate",
        "original_quantity",
        "original_amount",
        "revised_quantity",
        "revised_amount",
        "less",
        "excess",
        "percent",
        "verdict",
        "reason",
    }
    assert first["verdict"] == "Less"
    assert re.fullmatch(r"\d+", first["original_amount"])  # whole rupees
    assert re.fullmatch(r"\d+\.\d{4}", first["revised_quantity"])
    assert int(first["less"]) == int(first["original_amount"]) - int(first["revised_amount"])
    assert [o["description"] for o in statement["overheads"]] == [
        "Supervision Charge @ 7.5 %",
        "Goods and Service Tax @ 18 %",
    ]
    # An original estimate's number stands for its latest revision.
    assert run_json(capsys, demo, "estimate", "deviation", original) == statement


def test_deviation_usage_and_refusals(capsys, demo, tmp_path) -> None:
    _, revision = the_demo(capsys, demo)
    for args in (
        ["--format", "pdf"],
        ["--out", "x.pdf"],
        ["--json", "--format", "pdf", "--out", str(tmp_path / "x.pdf")],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(["--data-dir", str(demo), "estimate", "deviation", revision, *args])
        assert exit_info.value.code == 2
    code, out, err = run(
        capsys,
        demo,
        "--user",
        "demo",
        "estimate",
        "create",
        "--from-json",
        str(write(tmp_path / "e.json", DOCUMENT)),
    )
    assert code == 0, err
    code, _, err = run(capsys, demo, "estimate", "deviation", out.strip())
    assert code == 1
    assert "has no revision yet" in err


def test_deviation_help_documents_the_choice(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["estimate", "deviation", "--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "without them it is printed as text, or as JSON with --json" in text


def test_estimate_show_as_a_process_does_not_import_qt(capsys, demo) -> None:
    original, _ = the_demo(capsys, demo)
    probe = (
        "import sys\n"
        "from mukta_desktop.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'\n"
        "sys.exit(code)"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            "--data-dir",
            str(demo),
            "estimate",
            "show",
            original,
            "--json",
        ],
        capture_output=True,
        text=True,
        env={**os.environ},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["number"] == original
