"""Enrolment and tokens (sync-protocol §3), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from server_support import DESKTOP_HEADERS, LOGIN, PASSWORD, ULB, Server
from sqlalchemy import select, text, update

from mukta_server.admin import disable_user, list_devices, revoke_device
from mukta_server.models import Device


def test_enrol_then_me_with_the_token(server: Server) -> None:
    enrolled = server.enrol(device_name="JE laptop, Dhenkanal")
    assert set(enrolled) == {"device_id", "token", "tenant", "user"}
    assert enrolled["tenant"] == ULB
    assert enrolled["user"] == {
        "login": LOGIN,
        "name": "Junior Engineer One",
        "roles": ["ESTIMATE_CREATOR", "MB_CREATOR"],
    }
    token = enrolled["token"]
    assert token.startswith("mk1_")
    assert len(token) == 4 + 43  # 32 random bytes, URL-safe base64 without padding

    response = server.me(token)
    assert response.status_code == 200
    assert response.json() == {
        "device_id": enrolled["device_id"],
        "device_name": "JE laptop, Dhenkanal",
        "tenant": ULB,
        "tenant_name": "Dhenkanal Municipality",
        "user": enrolled["user"],
    }


def test_each_enrolment_is_a_device_with_its_own_token(server: Server) -> None:
    first, second = server.enrol(), server.enrol(device_name="Office PC")
    assert first["device_id"] != second["device_id"]
    assert first["token"] != second["token"]
    assert server.me(first["token"]).json()["device_name"] == "JE laptop"
    assert server.me(second["token"]).json()["device_name"] == "Office PC"
    assert [d.name for d in list_devices(server.database)] == ["JE laptop", "Office PC"]


def test_login_is_case_insensitive(server: Server) -> None:
    assert server.enrol(login="  JE1 ")["user"]["login"] == LOGIN


def test_unknown_login_and_wrong_password_get_the_same_answer(server: Server) -> None:
    def attempt(login: str, password: str) -> tuple[int, dict[str, str], str | None]:
        response = server.client.post(
            "/api/v1/devices",
            json={"login": login, "password": password, "device_name": "x"},
            headers=DESKTOP_HEADERS,
        )
        return response.status_code, response.json(), response.headers.get("content-length")

    wrong_password = attempt(LOGIN, "not-the-password")
    unknown_login = attempt("nobody-here", PASSWORD)
    assert wrong_password == unknown_login
    assert wrong_password[:2] == (
        401,
        {"error": "bad_credentials", "message": "Login or password is not correct."},
    )
    with server.database.read() as session:
        assert session.scalar(select(Device.id)) is None  # no device was made


def test_disabled_user_cannot_enrol_and_existing_token_stops(server: Server) -> None:
    token = server.enrol()["token"]
    assert server.me(token).status_code == 200

    assert disable_user(server.database, LOGIN) is True
    refused = server.me(token)
    assert refused.status_code == 401
    assert refused.json()["error"] == "user_disabled"
    assert refused.headers["www-authenticate"] == "Bearer"

    response = server.client.post(
        "/api/v1/devices",
        json={"login": LOGIN, "password": PASSWORD, "device_name": "x"},
        headers=DESKTOP_HEADERS,
    )
    assert response.status_code == 403
    assert response.json()["error"] == "user_disabled"
    # Without the right password a disabled user is just bad credentials: the answer
    # does not tell a guesser that the login exists.
    response = server.client.post(
        "/api/v1/devices",
        json={"login": LOGIN, "password": "guess-guess", "device_name": "x"},
        headers=DESKTOP_HEADERS,
    )
    assert (response.status_code, response.json()["error"]) == (401, "bad_credentials")


def test_revoked_device_is_refused_on_the_next_request(server: Server) -> None:
    kept, revoked = server.enrol(), server.enrol(device_name="Lost laptop")
    assert revoke_device(server.database, revoked["device_id"]) is None
    response = server.me(revoked["token"])
    assert response.status_code == 401
    assert response.json() == {
        "error": "device_revoked",
        "message": "This device was revoked by the head office. Enrol the device again.",
    }
    assert server.me(kept["token"]).status_code == 200  # the user's other device goes on
    # Revoking again keeps the first time.
    first_time = revoke_device(server.database, revoked["device_id"])
    assert first_time is not None
    assert revoke_device(server.database, revoked["device_id"]) == first_time


def test_missing_or_unknown_token_is_token_invalid(server: Server) -> None:
    for headers in (
        DESKTOP_HEADERS,
        {**DESKTOP_HEADERS, "Authorization": "Bearer mk1_not-a-token"},
        {**DESKTOP_HEADERS, "Authorization": "Basic amUxOmplMQ=="},
        {**DESKTOP_HEADERS, "Authorization": "Bearer"},
    ):
        response = server.client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "token_invalid"
        assert response.json()["message"]


def test_the_database_holds_only_the_token_hash(server: Server) -> None:
    enrolled = server.enrol()
    token = enrolled["token"]
    with server.database.read() as session:
        device = session.get(Device, enrolled["device_id"])
        assert device is not None
        assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
        # Nowhere in the device table, in any column, is the token itself.
        for row in session.execute(text("SELECT * FROM device")).all():
            assert all(token not in str(value) for value in row)
            assert all(token.removeprefix("mk1_") not in str(value) for value in row)


def test_requests_update_last_seen(server: Server) -> None:
    enrolled = server.enrol()
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    with server.database.unit_of_work() as session:
        session.execute(
            update(Device).where(Device.id == enrolled["device_id"]).values(last_seen_at=long_ago)
        )
    assert server.me(enrolled["token"]).status_code == 200
    with server.database.read() as session:
        seen = session.scalar(select(Device.last_seen_at))
    assert seen is not None
    assert seen > long_ago
    assert seen.tzinfo == UTC


def test_enrolment_body_is_validated_without_echoing_the_password(server: Server) -> None:
    response = server.client.post(
        "/api/v1/devices",
        json={"login": LOGIN, "password": "s3cret-value", "device_name": ""},
        headers=DESKTOP_HEADERS,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert "device_name" in body["message"]
    assert "s3cret-value" not in response.text
