"""Helpers of the server tests: an initialised server with one ULB and one user, its app
under FastAPI's TestClient, and polling with a deadline."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fastapi.testclient import TestClient

from mukta_server.admin import add_tenant, add_user
from mukta_server.app import create_app
from mukta_server.db import Database
from mukta_server.schema import upgrade
from mukta_server.settings import Settings

ULB = "od.dhenkanal"
LOGIN = "je1"
PASSWORD = "je1-secret"
# What the desktop sends on every request (sync-protocol §1).
DESKTOP_HEADERS = {"X-Mukta-Protocol": "1", "X-Mukta-Schema": "1", "X-Mukta-App": "0.4.0"}

T = TypeVar("T")


@dataclass
class Server:
    settings: Settings
    database: Database
    client: TestClient

    def enrol(
        self, login: str = LOGIN, password: str = PASSWORD, device_name: str = "JE laptop"
    ) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/devices",
            json={
                "login": login,
                "password": password,
                "device_name": device_name,
                "app_version": "0.4.0",
            },
            headers=DESKTOP_HEADERS,
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def me(self, token: str) -> Any:
        return self.client.get(
            "/api/v1/me", headers={**DESKTOP_HEADERS, "Authorization": f"Bearer {token}"}
        )


def initialise(url: str) -> None:
    """What `mukta-server init`, `tenant add` and `user add` do for a fresh head office."""
    database = Database.open(url)
    try:
        upgrade(database.engine)
        add_tenant(database, "od", "Odisha")
        add_tenant(database, ULB, "Dhenkanal Municipality")
        add_user(
            database,
            login=LOGIN,
            name="Junior Engineer One",
            tenant=ULB,
            roles=["MB_CREATOR", "ESTIMATE_CREATOR"],
            password=PASSWORD,
        )
    finally:
        database.close()


@contextlib.contextmanager
def make_server(url: str, storage: Path, *, min_app_version: str = "0.4.0") -> Iterator[Server]:
    initialise(url)
    settings = Settings(database_url=url, storage_dir=storage, min_app_version=min_app_version)
    app = create_app(settings)
    # The test's own handle on the same database, to look at what the API wrote.
    database = Database.open(url)
    try:
        # raise_server_exceptions=False: a bug must show as the 500 JSON answer a client gets.
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Server(settings=settings, database=database, client=client)
    finally:
        database.close()


def wait_until(check: Callable[[], T | None], *, timeout: float, what: str) -> T:
    """Poll `check` until it returns something, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
