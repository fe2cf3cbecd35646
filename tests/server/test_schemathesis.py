"""Schemathesis against the server's own OpenAPI document (issue 5 §5): requests generated
from `/api/v1/openapi.json` for every operation — valid ones and ones that break the schema —
sent to the app (in-process, ASGI) with an enrolled device's token and the desktop's version
headers. No answer may be a 5xx: whatever a client sends, the server refuses it in words."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import BaseSchema, Case, GenerationMode
from schemathesis.core.result import Ok
from server_support import DESKTOP_HEADERS, LOGIN, PASSWORD, initialise

from mukta_server.app import create_app
from mukta_server.settings import Settings

# Per operation, of valid requests and of requests that break the schema; derandomized, so
# every run sends the same requests.
EXAMPLES = 20


@pytest.fixture(scope="module")
def head_office(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings.for_data_dir(tmp_path_factory.mktemp("schemathesis"))
    settings.storage_dir.mkdir(parents=True)
    initialise(settings.database_url)
    return settings


@pytest.fixture(scope="module")
def api(head_office: Settings) -> BaseSchema:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(head_office))


@pytest.fixture(scope="module")
def device_headers(head_office: Settings) -> dict[str, str]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(head_office)) as client:
        answer = client.post(
            "/api/v1/devices",
            json={"login": LOGIN, "password": PASSWORD, "device_name": "fuzzer"},
            headers=DESKTOP_HEADERS,
        )
    assert answer.status_code == 201, answer.text
    return {**DESKTOP_HEADERS, "Authorization": f"Bearer {answer.json()['token']}"}


def test_no_request_gets_a_server_error(api: BaseSchema, device_headers: dict[str, str]) -> None:
    # Hypothesis driven here rather than by schemathesis's pytest loader, which reads a
    # pytest internal that pytest 9 no longer has.
    statuses: Counter[int] = Counter()
    server_errors: list[str] = []
    fuzzed = set()
    operations = []
    for result in api.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    for operation, mode in itertools.product(operations, GenerationMode):
        fuzzed.add(f"{operation.method.upper()} {operation.path}")

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def send(case: Case[Any]) -> None:
            response = case.call(headers=device_headers)
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                server_errors.append(
                    f"{case.method} {case.formatted_path} → {response.status_code}: "
                    f"{response.text[:300]}\n  {case.as_curl_command(headers=device_headers)}"
                )

        try:
            send()
        except Unsatisfiable:
            # No request can break the schema of an operation without parameters or body.
            assert mode is GenerationMode.NEGATIVE
    print(
        f"\nschemathesis: {len(fuzzed)} operations, {sum(statuses.values())} requests "
        f"(valid and invalid), "
        f"answers {dict(sorted(statuses.items()))}, 5xx {len(server_errors)}"
    )
    assert {
        "POST /api/v1/devices",
        "POST /api/v1/push",
        "GET /api/v1/changes",
        "POST /api/v1/uploads",
        "PUT /api/v1/uploads/{upload_id}",
    } <= fuzzed
    assert server_errors == [], "\n".join(server_errors[:10])
