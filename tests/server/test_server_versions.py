"""Versions (426), gzip both ways, JSON errors, the OpenAPI document (sync-protocol §1-2)."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from server_support import DESKTOP_HEADERS, LOGIN, PASSWORD, Server

from mukta_server.versions import (
    ClientVersions,
    MalformedVersion,
    VersionRange,
    parse_app_version,
    refusal,
)


def test_hello_needs_no_token(server: Server) -> None:
    response = server.client.get("/api/v1/hello", headers=DESKTOP_HEADERS)
    assert response.status_code == 200
    body = response.json()
    assert body["protocol"] == {"min": 1, "max": 1}
    assert body["schema"] == {"min": 1, "max": 1}
    assert body["min_app_version"] == "0.4.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["server_time"])


@pytest.mark.parametrize(
    ("header", "value"),
    [("X-Mukta-App", "0.3.9"), ("X-Mukta-Protocol", "2"), ("X-Mukta-Schema", "0")],
)
def test_versions_outside_the_ranges_get_426(server: Server, header: str, value: str) -> None:
    for path in ("/api/v1/hello", "/api/v1/me"):
        response = server.client.get(path, headers={**DESKTOP_HEADERS, header: value})
        assert response.status_code == 426
        body = response.json()
        assert body["error"] == "update_required"
        assert body["min_app_version"] == "0.4.0"
        assert "Update MUKTA Desktop to sync" in body["message"]


def test_old_app_cannot_enrol(server: Server) -> None:
    response = server.client.post(
        "/api/v1/devices",
        json={"login": LOGIN, "password": PASSWORD, "device_name": "x"},
        headers={**DESKTOP_HEADERS, "X-Mukta-App": "0.2.0"},
    )
    assert response.status_code == 426
    # The version in the body counts too, for a client that sends no headers.
    response = server.client.post(
        "/api/v1/devices",
        json={"login": LOGIN, "password": PASSWORD, "device_name": "x", "app_version": "0.3"},
    )
    assert response.status_code == 426
    assert response.json()["min_app_version"] == "0.4.0"


def test_accepted_versions_and_absent_headers_pass(server: Server) -> None:
    for app in ("0.4.0", "0.4", "0.10.0", "1.0.0rc1", "0.4.0+build.7"):
        response = server.client.get(
            "/api/v1/hello", headers={**DESKTOP_HEADERS, "X-Mukta-App": app}
        )
        assert response.status_code == 200, app
    assert server.client.get("/api/v1/hello").status_code == 200


def test_a_malformed_version_header_is_a_400_not_a_500(server: Server) -> None:
    for header, value in (("X-Mukta-Protocol", "one"), ("X-Mukta-App", "latest")):
        response = server.client.get("/api/v1/hello", headers={**DESKTOP_HEADERS, header: value})
        assert response.status_code == 400
        assert response.json()["error"] == "bad_version_header"


def test_version_rules() -> None:
    assert parse_app_version("0.4") == parse_app_version("0.4.0") == (0, 4, 0, 0)
    assert parse_app_version("0.10.0") > parse_app_version("0.9.9")
    with pytest.raises(MalformedVersion):
        parse_app_version("../0.4")
    protocol, schema = VersionRange(1, 2), VersionRange(1, 1)

    def check(client: ClientVersions) -> str | None:
        return refusal(client, protocol=protocol, schema=schema, min_app="0.4.0")

    assert check(ClientVersions("2", "1", "0.4.0")) is None
    assert check(ClientVersions(None, None, None)) is None
    reason = check(ClientVersions("3", "1", "0.4.0"))
    assert reason is not None
    assert "protocol 1 to 2" in reason
    with pytest.raises(ValueError, match="empty"):
        VersionRange(2, 1)


def _gzip_json(value: Any) -> bytes:
    return gzip.compress(json.dumps(value).encode())


def test_gzip_request_body_is_accepted(server: Server) -> None:
    # Padded past 1 KB, as the desktop sends it (it gzips bodies over 1 KB).
    body = {"login": LOGIN, "password": PASSWORD, "device_name": "Laptop " + "x" * 150}
    response = server.client.post(
        "/api/v1/devices",
        content=_gzip_json(body),
        headers={**DESKTOP_HEADERS, "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 201, response.text
    assert server.me(response.json()["token"]).json()["device_name"] == body["device_name"]


def test_bad_or_unknown_request_encodings_are_refused_in_json(server: Server) -> None:
    cases = [
        ("gzip", b"this is not gzip", 400, "bad_gzip"),
        ("gzip", gzip.compress(b'{"login": "x"}')[:-6], 400, "bad_gzip"),  # cut short
        ("br", b"\x00\x01", 415, "unsupported_encoding"),
    ]
    for encoding, content, status, code in cases:
        response = server.client.post(
            "/api/v1/devices",
            content=content,
            headers={"Content-Type": "application/json", "Content-Encoding": encoding},
        )
        assert (response.status_code, response.json()["error"]) == (status, code)


def test_gzip_bomb_is_refused(server: Server) -> None:
    bomb = gzip.compress(b"{" + b" " * (40 * 1024 * 1024) + b"}")
    assert len(bomb) < 100_000
    response = server.client.post(
        "/api/v1/devices",
        content=bomb,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"


def test_oversized_bodies_are_refused_in_json_with_or_without_a_length(server: Server) -> None:
    over = 33 * 1024 * 1024

    def streamed(size: int) -> Iterator[bytes]:  # sent chunked, without Content-Length
        for start in range(0, size, 1024 * 1024):
            yield b" " * min(1024 * 1024, size - start)

    json_type = {"Content-Type": "application/json"}
    for content in (b" " * over, streamed(over)):
        response = server.client.post("/api/v1/devices", content=content, headers=json_type)
        assert response.status_code == 413
        assert response.json() == {
            "error": "body_too_large",
            "message": "The request body is over 32 MB.",
        }
    # A small body streamed without a length is read as usual.
    body = json.dumps({"login": LOGIN, "password": PASSWORD, "device_name": "Streamed"}).encode()
    response = server.client.post(
        "/api/v1/devices", content=iter([body[:10], body[10:]]), headers=json_type
    )
    assert response.status_code == 201, response.text


def test_large_answers_are_gzipped_small_ones_not(server: Server) -> None:
    headers = {**DESKTOP_HEADERS, "Accept-Encoding": "gzip"}
    large = server.client.get("/api/v1/openapi.json", headers=headers)
    assert large.status_code == 200
    assert large.headers["content-encoding"] == "gzip"
    assert len(large.content) > 1024  # httpx decoded it
    small = server.client.get("/api/v1/hello", headers=headers)
    assert "content-encoding" not in small.headers


def test_openapi_document_lists_the_endpoints(server: Server) -> None:
    document = server.client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/hello", "/api/v1/devices", "/api/v1/me"} <= set(document["paths"])
    assert document["paths"]["/api/v1/devices"]["post"]["responses"]["201"]
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_errors_are_json_with_a_code_and_a_message(server: Server) -> None:
    not_found = server.client.get("/api/v1/no-such-thing")
    assert not_found.status_code == 404
    assert not_found.json() == {
        "error": "not_found",
        "message": "There is nothing at this address.",
    }
    wrong_method = server.client.delete("/api/v1/hello")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == "method_not_allowed"
    not_json = server.client.post(
        "/api/v1/devices", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 422
    assert not_json.json()["message"] == "The request body is not valid JSON."


def test_an_unexpected_error_is_a_plain_500_without_traceback(server: Server) -> None:
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    server.client.app.add_api_route("/api/v1/boom", boom)  # type: ignore[attr-defined]
    response = server.client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "message": "The server met an unexpected error; it has been logged.",
    }
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
