"""`mukta-server`: the admin commands on both databases, and `serve` really serving."""

from __future__ import annotations

import getpass
import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from server_support import DESKTOP_HEADERS, wait_until
from sqlalchemy import inspect, text, update

from mukta_server import cli
from mukta_server.app import create_app
from mukta_server.change_log import append_change
from mukta_server.db import Database
from mukta_server.models import Change
from mukta_server.schema import head_revision
from mukta_server.settings import Settings

PASSWORD = "head-office-1"


@pytest.fixture
def where(server_url: str, tmp_path: Path) -> list[str]:
    """The CLI's database options: --data-dir for SQLite, --database-url for PostgreSQL."""
    if server_url.startswith("sqlite"):
        return ["--data-dir", str(tmp_path / "data")]
    return ["--database-url", server_url, "--storage", str(tmp_path / "photos")]


def settings_of(where: list[str]) -> Settings:
    if where[0] == "--data-dir":
        return Settings.for_data_dir(Path(where[1]))
    return Settings(database_url=where[1], storage_dir=Path(where[3]))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def head_office(
    where: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """init, the state and one ULB, and a JE, by the commands an administrator types."""
    monkeypatch.setenv("MUKTA_PASSWORD", PASSWORD)
    assert run(capsys, "init", *where)[0] == 0
    assert run(capsys, "tenant", "add", "od", "--name", "Odisha", *where)[0] == 0
    code, out, _ = run(
        capsys, "tenant", "add", "od.dhenkanal", "--name", "Dhenkanal Municipality", *where
    )
    assert (code, out) == (0, "Added tenant od.dhenkanal (Dhenkanal Municipality).\n")
    code, out, err = run(
        capsys, "user", "add", "je1", "--tenant", "od.dhenkanal",
        "--roles", "mb_creator,ESTIMATE_CREATOR", "--name", "Junior Engineer One", *where,
    )  # fmt: skip
    assert code == 0, err
    assert out == (
        "Added user je1 (Junior Engineer One) of od.dhenkanal: ESTIMATE_CREATOR, MB_CREATOR.\n"
    )
    monkeypatch.delenv("MUKTA_PASSWORD")
    return where


@pytest.fixture
def client(head_office: list[str]) -> Iterator[TestClient]:
    with TestClient(create_app(settings_of(head_office))) as test_client:
        test_client.headers.update(DESKTOP_HEADERS)
        yield test_client


def enrol(client: TestClient, name: str = "JE laptop") -> dict[str, str]:
    response = client.post(
        "/api/v1/devices", json={"login": "je1", "password": PASSWORD, "device_name": name}
    )
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


def me(client: TestClient, token: str) -> Any:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_init_creates_the_tables_and_is_idempotent(
    where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "init", *where)
    assert code == 0
    assert "Created the server database" in out
    assert f"(schema {head_revision()})" in out
    settings = settings_of(where)
    assert settings.storage_dir.is_dir()
    database = Database.open(settings.database_url)
    try:
        assert {"tenant", "server_user", "device", "change_counter", "change"} <= set(
            inspect(database.engine).get_table_names()
        )
    finally:
        database.close()
    code, out, _ = run(capsys, "init", *where)
    assert code == 0
    assert f"is up to date (schema {head_revision()})" in out


def test_commands_before_init_are_refused(
    where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["tenant", "add", "od", "--name", "Odisha"],
        ["device", "list"],
        ["serve", "--port", "1"],
    ):
        code, out, err = run(capsys, *argv, *where)
        assert code == 1, argv
        assert "mukta-server init" in err
        assert out == ""
        assert "Traceback" not in err


def test_a_database_of_a_newer_server_is_refused(
    head_office: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    database = Database.open(settings_of(head_office).database_url)
    try:
        with database.unit_of_work() as session:
            session.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    finally:
        database.close()
    for argv in (["serve", "--port", "1"], ["init"], ["device", "list"]):
        code, _, err = run(capsys, *argv, *head_office)
        assert code == 1, argv
        assert "written by a newer MUKTA server (schema 0099" in err
        assert "nothing was changed" in err


def test_admin_refusals_exit_1_with_the_reason(
    head_office: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    where = head_office
    monkeypatch.setenv("MUKTA_PASSWORD", PASSWORD)
    cases = [
        (["tenant", "add", "od.dhenkanal", "--name", "Again"], "exists already"),
        (["tenant", "add", "od/../x", "--name", "Tricky"], "is not a tenant code"),
        (["user", "add", "je1", "--tenant", "od.dhenkanal", "--roles", "MB_CREATOR",
          "--name", "Again"], "already taken"),
        (["user", "add", "je2", "--tenant", "od.jatni", "--roles", "MB_CREATOR",
          "--name", "J"], "Tenant 'od.jatni' is not known"),
        (["user", "add", "je2", "--tenant", "od.dhenkanal", "--roles", "MB_CREATOR,CHIEF",
          "--name", "J"], "Unknown role 'CHIEF'"),
        (["user", "disable", "nobody"], "No user with login 'nobody'"),
        (["device", "revoke", "0190-no-such-device"], "No device with id"),
    ]  # fmt: skip
    for argv, reason in cases:
        code, _, err = run(capsys, *argv, *where)
        assert code == 1, argv
        assert reason in err, (argv, err)
    monkeypatch.setenv("MUKTA_PASSWORD", "short")
    code, _, err = run(
        capsys, "user", "add", "je2", "--tenant", "od.dhenkanal", "--roles", "MB_CREATOR",
        "--name", "J", *where,
    )  # fmt: skip
    assert code == 1
    assert "at least 8 characters" in err


def test_password_from_a_prompt_or_refused_without_one(
    head_office: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add = ["user", "add", "ae1", "--tenant", "od.dhenkanal", "--roles", "MB_VERIFIER",
           "--name", "Assistant Engineer", *head_office]  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal, no MUKTA_PASSWORD
    code, _, err = run(capsys, *add)
    assert code == 1
    assert "set MUKTA_PASSWORD" in err

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    answers = iter(["first-password", "other-password"])
    monkeypatch.setattr(getpass, "getpass", lambda _prompt="": next(answers))
    code, _, err = run(capsys, *add)
    assert code == 1
    assert "differ" in err
    answers = iter(["ae1-password", "ae1-password"])
    code, out, _ = run(capsys, *add)
    assert code == 0
    assert out.startswith("Added user ae1")


def test_device_list_revoke_and_user_disable(
    client: TestClient, head_office: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    where = head_office
    assert run(capsys, "device", "list", *where)[1] == "No devices enrolled yet.\n"
    laptop, office = enrol(client, "JE laptop"), enrol(client, "Office PC")

    code, out, _ = run(capsys, "device", "list", "--json", *where)
    assert code == 0
    listed = json.loads(out)
    assert [(d["device_id"], d["name"], d["login"], d["tenant"]) for d in listed] == [
        (laptop["device_id"], "JE laptop", "je1", "od.dhenkanal"),
        (office["device_id"], "Office PC", "je1", "od.dhenkanal"),
    ]
    assert all(d["revoked_at"] is None for d in listed)
    assert all(d["created_at"].endswith("Z") for d in listed)
    assert laptop["token"] not in out

    code, out, _ = run(capsys, "device", "list", *where)
    lines = out.splitlines()
    assert lines[0].split() == [
        "DEVICE", "ID", "LOGIN", "TENANT", "NAME", "ENROLLED", "LAST", "SEEN", "REVOKED",
    ]  # fmt: skip
    assert laptop["device_id"] in lines[1]
    assert "JE laptop" in lines[1]

    code, out, _ = run(capsys, "device", "revoke", laptop["device_id"], *where)
    assert code == 0
    assert "Revoked device" in out
    refused = me(client, laptop["token"])
    assert (refused.status_code, refused.json()["error"]) == (401, "device_revoked")
    assert me(client, office["token"]).status_code == 200
    code, out, _ = run(capsys, "device", "revoke", laptop["device_id"], *where)
    assert (code, "revoked already" in out) == (0, True)
    listed = json.loads(run(capsys, "device", "list", "--json", *where)[1])
    assert listed[0]["revoked_at"] is not None

    code, out, _ = run(capsys, "user", "disable", "JE1", *where)
    assert code == 0
    assert "Disabled je1" in out
    refused = me(client, office["token"])
    assert (refused.status_code, refused.json()["error"]) == (401, "user_disabled")
    assert run(capsys, "user", "disable", "je1", *where)[1] == "je1 was disabled already.\n"


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path / "d")]
    cases = [
        ["init"],
        ["init", *data, "--database-url", "sqlite:///x"],
        ["init", "--database-url", "postgresql://u@h/db"],
        ["init", *data, "--storage", str(tmp_path)],
        ["serve", *data, "--min-app-version", "newest"],
        ["serve", *data, "--workers", "0"],
        ["tenant", "add", "od", *data],  # --name missing
        ["frobnicate"],
        [],
    ]
    for argv in cases:
        code, _, err = run(capsys, *argv)
        assert code == 2, argv
        assert "usage:" in err, argv
    assert not (tmp_path / "d").exists()  # a refused command created nothing


def test_an_unsupported_or_unreachable_database_is_refused_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = ["--storage", str(tmp_path / "p")]
    code, _, err = run(capsys, "init", "--database-url", "mysql://root:pw@localhost/x", *storage)
    assert code == 1
    assert "use sqlite:///FILE or postgresql" in err
    missing_socket = f"postgresql://mukta:hunter2@/mukta?host={tmp_path}&port=1"
    code, _, err = run(capsys, "init", "--database-url", missing_socket, *storage)
    assert code == 1
    assert err.startswith("mukta-server: the database refused:")
    assert "hunter2" not in err
    assert "Traceback" not in err


# -- serve ----------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _command() -> list[str]:
    script = Path(sys.executable).with_name("mukta-server")
    # The console script once the package is installed (bootstrap does); else the module.
    return [str(script)] if script.exists() else [sys.executable, "-m", "mukta_server"]


@pytest.fixture
def served(head_office: list[str], tmp_path: Path) -> Iterator[str]:
    """`mukta-server serve` with two worker processes on a free port; yields its base URL."""
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [*_command(), "serve", "--port", str(port), "--workers", "2", *head_office],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"

    def answered() -> httpx.Response | None:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {(tmp_path / 'serve.log').read_text()}")
        try:
            return httpx.get(f"{base}/api/v1/hello", timeout=2)
        except httpx.TransportError:
            return None

    try:
        wait_until(answered, timeout=60, what="mukta-server serve to answer /hello")
        yield base
    finally:
        process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown, workers included
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        log.close()


def test_serve_really_serves(served: str) -> None:
    with httpx.Client(base_url=f"{served}/api/v1", headers=DESKTOP_HEADERS) as http:
        hello = http.get("/hello")
        assert hello.status_code == 200
        assert hello.json()["protocol"] == {"min": 1, "max": 1}
        enrolled = http.post(
            "/devices", json={"login": "je1", "password": PASSWORD, "device_name": "Laptop"}
        )
        assert enrolled.status_code == 201, enrolled.text
        token = enrolled.json()["token"]
        # Several requests: with two workers they land on either process, and each knows
        # the device (everything is in the database, nothing in process memory).
        for _ in range(6):
            answer = http.get("/me", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200
            assert answer.json()["tenant"] == "od.dhenkanal"
        old = http.get("/hello", headers={"X-Mukta-App": "0.0.1"})
        assert old.status_code == 426


def test_changes_compact_drops_older_copies(
    head_office: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    database = Database.open(settings_of(head_office).database_url)
    try:
        with database.unit_of_work() as session:
            for version in (1, 2, 3):
                append_change(
                    session,
                    tenant="od.dhenkanal",
                    record_type="project",
                    record_id="p-1",
                    version=version,
                    content_hash=f"{version:064x}",
                    payload="{}",
                )
        # Nothing is older than 90 days yet.
        assert run(capsys, "changes", "compact", *head_office)[1].startswith("Dropped 0 older")
        code, _out, err = run(capsys, "changes", "compact", "--older-than-days", "0", *head_office)
        assert (code, err.strip()) == (2, "--older-than-days must be 1 or more.")
        with database.unit_of_work() as session:
            session.execute(update(Change).values(at=datetime(2026, 1, 1, tzinfo=UTC)))
    finally:
        database.close()
    code, out, _ = run(capsys, "changes", "compact", *head_office)
    assert code == 0
    assert out == (
        "Dropped 2 older copies of records. Devices whose last pull was before change 3 will "
        "pull everything again (their own work is untouched).\n"
    )
