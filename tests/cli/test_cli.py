"""The headless command line: exit codes, JSON shapes, role checks, and a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from mukta_desktop.cli import main


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    data = tmp_path / "demo"
    assert run(capsys, data, "demo")[0] == 0
    return data


def test_fresh_data_dir_has_masters_and_no_sors(capsys, tmp_path):
    code, out, _ = run(capsys, tmp_path / "fresh", "sor", "list", "--json")
    assert code == 0
    assert json.loads(out) == []


def test_demo_is_labelled_and_loaded_once(capsys, tmp_path):
    data = tmp_path / "d"
    code, out, _ = run(capsys, data, "demo")
    assert code == 0
    assert "demo data, not official rates" in out
    code, out, _ = run(capsys, data, "demo")
    assert "already loaded" in out
    code, out, _ = run(capsys, data, "sor", "list", "--json")
    rows = json.loads(out)
    assert len(rows) == 16
    assert all(r["description"].startswith("[DEMO]") for r in rows)


def test_sor_show_json_shape(capsys, demo_dir):
    code, out, _ = run(capsys, demo_dir, "sor", "show", "DEMO-W-002", "--json")
    assert code == 0
    data = json.loads(out)
    assert {
        "code",
        "type",
        "sub_type",
        "variant",
        "uom",
        "rate_quantity",
        "description",
        "status",
        "rate",
        "history",
    } <= set(data)
    assert (data["type"], data["sub_type"], data["variant"]) == ("W", "CC", "GF")
    heads = data["rate"]["heads"]
    assert set(heads) == {
        "material",
        "labour",
        "machinery",
        "conveyance",
        "royalty",
        "dmf",
        "emf",
        "additional",
        "labour_cess",
    }
    # 3920.55 + 1210 + 85 + 310.20 + 64 = 5589.75 → cess 55.90 → 5645.65
    assert heads["labour_cess"] == "55.90"
    assert data["rate"]["total"] == "5645.65"
    assert data["history"][0]["total"] == "5645.65"
    assert data["history"][0]["effective_to"] is None


def test_sor_show_before_any_rate_has_null_rate(capsys, demo_dir):
    code, out, _ = run(
        capsys, demo_dir, "sor", "show", "DEMO-W-002", "--at", "2001-01-01", "--json"
    )
    assert code == 0
    assert json.loads(out)["rate"] is None


def test_sor_list_search_and_type(capsys, demo_dir):
    _, out, _ = run(capsys, demo_dir, "sor", "list", "--search", "PLASTER brick", "--json")
    assert [r["code"] for r in json.loads(out)] == ["DEMO-W-004"]
    _, out, _ = run(capsys, demo_dir, "sor", "list", "--type", "L", "--json")
    assert {r["code"] for r in json.loads(out)} == {"DEMO-L-001", "DEMO-L-002", "DEMO-L-003"}
    _, out, _ = run(capsys, demo_dir, "sor", "list", "--limit", "2", "--json")
    assert len(json.loads(out)) == 2


def test_unknown_code_is_refused_with_status_1(capsys, demo_dir):
    code, _, err = run(capsys, demo_dir, "sor", "show", "NOPE")
    assert code == 1
    assert "No SOR with code 'NOPE'" in err


def test_usage_error_is_status_2(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["--data-dir", str(tmp_path), "sor", "bogus"])
    assert exit_info.value.code == 2


def test_user_add_first_then_needs_acting_user(capsys, tmp_path, monkeypatch):
    data = tmp_path / "u"
    monkeypatch.setenv("MUKTA_PASSWORD", "secret1")
    code, out, err = run(
        capsys,
        data,
        "user",
        "add",
        "je1",
        "--name",
        "Asha Das",
        "--tenant",
        "od.dhenkanal",
        "--roles",
        "ESTIMATE_CREATOR,MB_CREATOR",
    )
    assert code == 0, err
    # A second user needs an acting user, who may only grant roles they hold.
    code, _, err = run(
        capsys,
        data,
        "user",
        "add",
        "je2",
        "--name",
        "B",
        "--tenant",
        "od.dhenkanal",
        "--roles",
        "MB_CREATOR",
    )
    assert code == 1
    assert "--user" in err
    monkeypatch.setenv("MUKTA_PASSWORD_NEW", "secret2")
    code, _, err = run(
        capsys,
        data,
        "--user",
        "je1",
        "user",
        "add",
        "adm",
        "--name",
        "C",
        "--tenant",
        "od.dhenkanal",
        "--roles",
        "MDMS_STATE_ADMIN",
    )
    assert code == 1
    assert "MDMS_STATE_ADMIN" in err
    code, _, err = run(
        capsys,
        data,
        "--user",
        "je1",
        "user",
        "add",
        "je2",
        "--name",
        "B",
        "--tenant",
        "od.jatni",
        "--roles",
        "mb_creator",
    )
    assert code == 1
    assert "own ULB (od.dhenkanal) only" in err
    code, _, err = run(
        capsys,
        data,
        "--user",
        "je1",
        "user",
        "add",
        "je2",
        "--name",
        "B",
        "--tenant",
        "od.dhenkanal",
        "--roles",
        "mb_creator",
    )
    assert code == 0, err
    code, out, _ = run(capsys, data, "user", "list", "--json")
    users = {u["login"]: u for u in json.loads(out)}
    assert users["je2"]["roles"] == ["MB_CREATOR"]
    assert users["je2"]["tenant"] == "od.dhenkanal"


def test_import_needs_a_user_with_the_role(capsys, tmp_path, monkeypatch, reference):
    data = tmp_path / "i"
    monkeypatch.setenv("MUKTA_PASSWORD", "secret1")
    assert (
        run(
            capsys,
            data,
            "user",
            "add",
            "je1",
            "--name",
            "JE",
            "--tenant",
            "od.jatni",
            "--roles",
            "ESTIMATE_CREATOR",
        )[0]
        == 0
    )
    code, _, err = run(capsys, data, "sor", "import", str(reference / "sor-mdt.xlsx"))
    assert code == 1
    assert "--user" in err
    code, _, err = run(
        capsys, data, "--user", "je1", "sor", "import", str(reference / "sor-mdt.xlsx")
    )
    assert code == 1
    assert "MDMS_STATE_ADMIN" in err
    code, _, err = run(capsys, data, "--user", "je1", "sor", "list", "--json")
    assert code == 0


def test_wrong_password_is_refused(capsys, tmp_path, monkeypatch, reference):
    data = tmp_path / "p"
    monkeypatch.setenv("MUKTA_PASSWORD", "secret1")
    assert (
        run(
            capsys,
            data,
            "user",
            "add",
            "adm",
            "--name",
            "Admin",
            "--tenant",
            "od",
            "--roles",
            "MDMS_STATE_ADMIN",
        )[0]
        == 0
    )
    monkeypatch.setenv("MUKTA_PASSWORD", "wrong")
    code, _, err = run(
        capsys, data, "--user", "adm", "sor", "import", str(reference / "sor-mdt.xlsx")
    )
    assert code == 1
    assert "Login or password is not correct" in err


def test_sor_show_as_a_process_does_not_import_qt(tmp_path, demo_dir):
    """The headless path stays free of Qt (start-up time is measured in bench/)."""
    probe = (
        "import sys, runpy; sys.argv=['mukta-desktop','--data-dir',sys.argv[1],'sor','show',"
        "'DEMO-W-001','--json'];\n"
        "from mukta_desktop.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'\n"
        "sys.exit(code)"
    )
    env = {**os.environ}
    result = subprocess.run(
        [sys.executable, "-c", probe, str(demo_dir)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["code"] == "DEMO-W-001"


def test_import_show_export_round_trip(capsys, tmp_path, monkeypatch, reference):
    """The real SOR MDT workbook through the command line, then out to JSON and back in."""
    data = tmp_path / "r"
    monkeypatch.setenv("MUKTA_PASSWORD", "secret1")
    assert (
        run(
            capsys,
            data,
            "user",
            "add",
            "adm",
            "--name",
            "Admin",
            "--tenant",
            "od",
            "--roles",
            "MDMS_STATE_ADMIN",
        )[0]
        == 0
    )
    code, out, err = run(
        capsys,
        data,
        "--user",
        "adm",
        "sor",
        "import",
        str(reference / "sor-mdt.xlsx"),
        "--effective-from",
        "2024-04-01",
    )
    assert code == 0, err
    assert "5 SOR(s) created" in out
    code, out, _ = run(capsys, data, "sor", "show", "FL00001", "--json")
    shown = json.loads(out)
    assert shown["rate"]["total"] == "5026.14"
    assert shown["rate"]["heads"]["labour_cess"] == "49.76"
    assert shown["rate"]["effective_from"] == "2024-04-01"
    code, out, _ = run(capsys, data, "sor", "show", "CC00001", "--json")
    assert (json.loads(out)["rate_quantity"], json.loads(out)["rate"]["total"]) == (
        "120",
        "439070.35",
    )
    exported = tmp_path / "sors.json"
    code, out, _ = run(capsys, data, "sor", "export", str(exported))
    assert code == 0
    items = {i["code"]: i for i in json.loads(exported.read_text("utf-8"))["sors"]}
    assert items["FL00001"]["rate"]["total"] == "5026.14"
    # The export imports into a fresh installation with the same figures.
    other = tmp_path / "other"
    assert (
        run(
            capsys,
            other,
            "user",
            "add",
            "adm",
            "--name",
            "Admin",
            "--tenant",
            "od",
            "--roles",
            "MDMS_STATE_ADMIN",
        )[0]
        == 0
    )
    code, _, err = run(
        capsys,
        other,
        "--user",
        "adm",
        "sor",
        "import",
        str(exported),
        "--effective-from",
        "2024-04-01",
    )
    assert code == 0, err
    code, out, _ = run(capsys, other, "sor", "show", "LD00002", "--json")
    assert json.loads(out)["rate"]["total"] == "345.00"
    assert json.loads(out)["uom"] == "NOS"


def test_bad_workbook_is_refused_with_every_row_named(capsys, tmp_path, monkeypatch):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "SOR"
    sheet.append(
        [
            "Sr. No.",
            "Code",
            "Type",
            "Sub Type",
            "Variant",
            "SOR Description",
            "UOM",
            "Qty for which rate is defined",
            "Basic Matrial Rate",
            "Basic Labour Rate",
            "Basic Machinery Rate",
            "Conveyance",
            "Royalty",
            "Labour Cess",
            "Total",
        ]
    )
    sheet.append(
        [
            1,
            "X1",
            "Works",
            "Flooring",
            "Ground Floor",
            "ok row",
            "SQM",
            1,
            "100",
            "",
            "",
            "",
            "",
            "1",
            "101",
        ]
    )
    sheet.append(
        [
            2,
            "X2",
            "Works",
            "Flooring",
            "Ground Floor",
            "bad unit",
            "FURLONG",
            1,
            "100",
            "",
            "",
            "",
            "",
            "1",
            "101",
        ]
    )
    sheet.append(
        [
            3,
            "X3",
            "Works",
            "Flooring",
            "Ground Floor",
            "bad total",
            "SQM",
            1,
            "100",
            "",
            "",
            "",
            "",
            "1",
            "999",
        ]
    )
    path = tmp_path / "bad.xlsx"
    book.save(path)
    data = tmp_path / "b"
    monkeypatch.setenv("MUKTA_PASSWORD", "secret1")
    run(
        capsys,
        data,
        "user",
        "add",
        "adm",
        "--name",
        "A",
        "--tenant",
        "od",
        "--roles",
        "MDMS_STATE_ADMIN",
    )
    code, _, err = run(capsys, data, "--user", "adm", "sor", "import", str(path))
    assert code == 1
    assert "nothing imported" in err
    assert "row 3" in err
    assert "row 4" in err
    assert "Traceback" not in err
    code, out, _ = run(capsys, data, "sor", "list", "--json")
    assert json.loads(out) == []


def test_a_damaged_database_is_refused_in_plain_words(capsys, tmp_path):
    data = tmp_path / "broken"
    data.mkdir()
    (data / "mukta.sqlite3").write_bytes(b"this is not a database at all" * 100)
    code, _, err = run(capsys, data, "sor", "list")
    assert code == 1
    assert "not a MUKTA Desktop database or is damaged" in err
    assert "Traceback" not in err


def test_unknown_tenant_and_inactive_marking(capsys, demo_dir, monkeypatch):
    code, _, err = run(capsys, demo_dir, "sor", "show", "DEMO-W-001", "--tenant", "od.nowhere")
    assert code == 1
    assert "Tenant 'od.nowhere' is not known" in err
    from mukta_desktop.domain.roles import Role
    from mukta_desktop.services.database import open_database
    from mukta_desktop.services.sor_catalog import modify_sor
    from mukta_desktop.services.users import Actor

    db = open_database(demo_dir)
    admin = Actor("a", "A", "od", frozenset({Role.MDMS_STATE_ADMIN}))
    modify_sor(db, admin, "DEMO-W-007", status="INACTIVE", today=date(2026, 11, 21))
    db.close()
    _, out, _ = run(capsys, demo_dir, "sor", "list", "--type", "W")
    line = next(row for row in out.splitlines() if row.startswith("DEMO-W-007"))
    assert line.endswith("(inactive)")
    _, out, _ = run(capsys, demo_dir, "sor", "list", "--status", "INACTIVE", "--json")
    assert [r["code"] for r in json.loads(out)] == ["DEMO-W-007"]


def test_export_for_an_unknown_tenant_is_refused(capsys, demo_dir, tmp_path):
    target = tmp_path / "out.json"
    code, _, err = run(capsys, demo_dir, "sor", "export", str(target), "--tenant", "bogus")
    assert code == 1
    assert "Tenant 'bogus' is not known" in err
    assert not target.exists()
