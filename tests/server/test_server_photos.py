"""Photos travel by SHA-256 (sync-protocol §6): a photo of one chunk whole in one request,
a larger one in chunks resumed where the server stands (a chunk cut half-way keeps the bytes
that came, in any server process), the hash verified at the end, invisible to another ULB."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from desktop_flow import OFFICER, ULB, officer_work, site_photo
from fastapi.testclient import TestClient
from server_support import DESKTOP_HEADERS, Server

from mukta_desktop.services.database import Database
from mukta_desktop.services.sync_run import sync_once, sync_status
from mukta_desktop.services.sync_setup import connect, enrol_device
from mukta_desktop.sync.client import SyncClient
from mukta_server.admin import add_tenant, add_user
from mukta_server.app import create_app
from mukta_server.uploads import CHUNK_SIZE

PASSWORD = "officer-secret"


@pytest.fixture
def officer_on_server(server: Server) -> Server:
    add_user(
        server.database,
        login=OFFICER.login,
        name=OFFICER.name,
        tenant=ULB,
        roles=[r.value for r in OFFICER.roles],
        password=PASSWORD,
    )
    return server


def _photo(tmp_path: Path) -> Path:
    return site_photo(tmp_path)


def test_the_photos_of_a_pushed_mb_reach_the_server_once(
    db: Database, officer_on_server: Server, tmp_path: Path
) -> None:
    server = officer_on_server
    officer_work(db, photo=_photo(tmp_path))
    enrol_device(
        db,
        server_url="http://testserver",
        login=OFFICER.login,
        password=PASSWORD,
        device_name="laptop",
        transport=server.client._transport,
    )
    assert sync_status(db).pending_photos == 1
    with connect(db, transport=server.client._transport) as client:
        assert sync_once(db, client).ok
    assert sync_status(db).pending_photos == 0
    store = server.settings.storage_dir
    stored = [p for p in store.rglob("*") if p.is_file() and ".uploads" not in p.parts]
    assert len(stored) == 1
    assert hashlib.sha256(stored[0].read_bytes()).hexdigest() == stored[0].name
    assert stored[0].parts[-4] == ULB  # tenant-prefixed


class Recording(httpx.BaseTransport):
    """Passes requests on to the app and notes each one: method, path and body size."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[tuple[str, str, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.sent.append((request.method, request.url.path, len(body)))
        return self.inner.handle_request(request)


def _token(server: Server, login: str = "je1", password: str = "je1-secret") -> str:
    enrolling = SyncClient("http://testserver", transport=server.client._transport)
    return enrolling.enrol(login, password, f"{login} laptop").token


def _other_ulb_token(server: Server) -> str:
    add_tenant(server.database, "od.jatni", "Jatni")
    add_user(
        server.database,
        login="jatni.je",
        name="Jatni JE",
        tenant="od.jatni",
        roles=["MB_CREATOR"],
        password="jatni-secret",
    )
    return _token(server, "jatni.je", "jatni-secret")


def _stored(server: Server) -> list[Path]:
    store = server.settings.storage_dir
    return [p for p in store.rglob("*") if p.is_file() and ".uploads" not in p.parts]


def _debris(server: Server) -> list[str]:
    uploads = server.settings.storage_dir / ".uploads"
    return sorted(p.name for p in uploads.rglob("*") if p.is_file())


def _cut_put(app: Any, path: str, headers: dict[str, str], body: bytes, kept: int) -> None:
    """A PUT whose connection breaks after `kept` bytes of its body, as the server sees it:
    the body arrives in 64 KB pieces, then the client is gone."""
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PUT",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": raw,
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
    }
    arrived = [body[at : min(at + 65536, kept)] for at in range(0, kept, 65536)]

    async def receive() -> dict[str, Any]:
        if arrived:
            return {"type": "http.request", "body": arrived.pop(0), "more_body": True}
        return {"type": "http.disconnect"}

    async def send(_message: dict[str, Any]) -> None:
        pass  # nobody is left to read the answer

    async def run() -> None:
        await app(scope, receive, send)

    anyio.run(run)


@pytest.fixture
def second_process(officer_on_server: Server) -> Iterator[TestClient]:
    """Another server process on the same database and storage (behind a load balancer)."""
    with TestClient(create_app(officer_on_server.settings)) as client:
        yield client


def test_an_upload_cut_half_way_resumes_where_the_server_stands(
    officer_on_server: Server, second_process: TestClient, tmp_path: Path
) -> None:
    server = officer_on_server
    token = _token(server)
    # The server stores bytes by their hash; the desktop checked the picture before.
    data = random.Random(7).randbytes(2 * CHUNK_SIZE + 300_000)  # three chunks
    sha = hashlib.sha256(data).hexdigest()
    headers = {**DESKTOP_HEADERS, "Authorization": f"Bearer {token}"}
    started = server.client.post(
        "/api/v1/uploads",
        json={"sha256": sha, "size": len(data), "media_type": "image/jpeg"},
        headers=headers,
    ).json()
    chunk = started["chunk_size"]
    assert (chunk, started["offset"], started["complete"]) == (CHUNK_SIZE, 0, False)
    upload = f"/api/v1/uploads/{started['upload_id']}"
    first = server.client.put(
        upload,
        content=data[:chunk],
        headers={**headers, "Content-Range": f"bytes 0-{chunk - 1}/{len(data)}"},
    )
    assert first.status_code == 200
    assert first.json()["offset"] == chunk
    # The second chunk's connection breaks half-way: the bytes that came are kept.
    kept = chunk // 2 + 12_345
    second = {**headers, "Content-Range": f"bytes {chunk}-{2 * chunk - 1}/{len(data)}"}
    _cut_put(server.client.app, upload, second, data[chunk : 2 * chunk], kept)
    offset = server.client.head(upload, headers=headers).headers["Upload-Offset"]
    assert int(offset) == chunk + kept
    # A chunk that does not start where the upload stands is refused, with that offset.
    again = server.client.put(upload, content=data[chunk : 2 * chunk], headers=second)
    assert (again.status_code, again.json()) == (409, {"offset": chunk + kept})
    # Another ULB sees neither the upload nor (later) the photo.
    other = _other_ulb_token(server)
    strange = {**DESKTOP_HEADERS, "Authorization": f"Bearer {other}"}
    assert server.client.head(upload, headers=strange).status_code == 404
    rest = {**strange, "Content-Range": f"bytes {chunk + kept}-{2 * chunk - 1}/{len(data)}"}
    elsewhere = server.client.put(upload, content=data[chunk + kept : 2 * chunk], headers=rest)
    assert elsewhere.status_code == 404

    # The desktop resumes through another server process: the upload is on disk, not in one.
    path = tmp_path / "again.jpg"
    path.write_bytes(data)
    recording = Recording(second_process._transport)
    with SyncClient("http://testserver", token=token, transport=recording) as c:
        sent = c.upload_photo(path, sha, "image/jpeg")
    puts = [size for method, _path, size in recording.sent if method == "PUT"]
    # The rest of the cut chunk, then the last one: no byte that the server had came again.
    assert puts == [chunk - kept, len(data) - 2 * chunk]
    assert sent == 2
    stored = _stored(server)
    assert [p.name for p in stored] == [sha]
    assert stored[0].read_bytes() == data
    assert _debris(server) == []  # the part file was renamed into place
    assert server.client.head(f"/api/v1/photos/{sha}", headers=headers).status_code == 200
    assert server.client.head(f"/api/v1/photos/{sha}", headers=strange).status_code == 404
    # Done: the upload is gone, and starting it again says the photo is there.
    assert server.client.head(upload, headers=headers).status_code == 404
    done = server.client.post(
        "/api/v1/uploads",
        json={"sha256": sha, "size": len(data), "media_type": "image/jpeg"},
        headers=headers,
    ).json()
    assert (done["offset"], done["complete"]) == (len(data), True)


def test_a_photo_of_one_chunk_goes_whole_in_one_request(
    officer_on_server: Server, tmp_path: Path
) -> None:
    server = officer_on_server
    token = _token(server)
    data = random.Random(11).randbytes(CHUNK_SIZE)  # the largest sent whole
    sha = hashlib.sha256(data).hexdigest()
    path = tmp_path / "whole.jpg"
    path.write_bytes(data)
    recording = Recording(server.client._transport)
    seen: list[tuple[int, int]] = []
    with SyncClient("http://testserver", token=token, transport=recording) as c:
        assert c.upload_photo(path, sha, "image/jpeg", progress=lambda *a: seen.append(a)) == 1
        assert recording.sent == [("PUT", f"/api/v1/photos/{sha}", len(data))]
        assert seen == [(len(data), len(data))]
        stored = _stored(server)
        assert [p.name for p in stored] == [sha]
        assert stored[0].read_bytes() == data
        before = stored[0].stat().st_mtime_ns
        # Sent again: answered "already there" (200), nothing written.
        assert c.upload_photo(path, sha, "image/jpeg") == 1
        assert stored[0].stat().st_mtime_ns == before
    headers = {**DESKTOP_HEADERS, "Authorization": f"Bearer {token}"}
    again = server.client.put(
        f"/api/v1/photos/{sha}", content=data, headers={**headers, "Content-Type": "image/jpeg"}
    )
    assert (again.status_code, again.json()) == (200, {"offset": len(data), "complete": True})
    assert _debris(server) == []
    # Another ULB does not see it; what it sends goes to its own area.
    strange = {**DESKTOP_HEADERS, "Authorization": f"Bearer {_other_ulb_token(server)}"}
    assert server.client.head(f"/api/v1/photos/{sha}", headers=strange).status_code == 404
    # One byte over a chunk is not taken whole: it goes in chunks.
    big = random.Random(12).randbytes(CHUNK_SIZE + 1)
    refused = server.client.put(
        f"/api/v1/photos/{hashlib.sha256(big).hexdigest()}",
        content=big,
        headers={**headers, "Content-Type": "image/jpeg"},
    )
    assert (refused.status_code, refused.json()["error"]) == (413, "too_large")
    path.write_bytes(big)
    recording.sent.clear()
    with SyncClient("http://testserver", token=token, transport=recording) as c:
        assert c.upload_photo(path, hashlib.sha256(big).hexdigest(), "image/jpeg") == 2
    assert [(m, size) for m, _p, size in recording.sent if m == "PUT"] == [
        ("PUT", CHUNK_SIZE),
        ("PUT", 1),
    ]
    assert len(_stored(server)) == 2


def test_a_whole_photo_cut_or_wrong_leaves_nothing(officer_on_server: Server) -> None:
    server = officer_on_server
    token = _token(server)
    headers = {**DESKTOP_HEADERS, "Authorization": f"Bearer {token}", "Content-Type": "image/png"}
    data = random.Random(13).randbytes(300_000)
    sha = hashlib.sha256(data).hexdigest()
    _cut_put(server.client.app, f"/api/v1/photos/{sha}", headers, data, 100_000)
    wrong = server.client.put(f"/api/v1/photos/{'b' * 64}", content=data, headers=headers)
    assert (wrong.status_code, wrong.json()["error"]) == (422, "hash_mismatch")
    assert _stored(server) == []
    assert _debris(server) == []
    not_a_photo = server.client.put(
        f"/api/v1/photos/{sha}", content=data, headers={**headers, "Content-Type": "text/html"}
    )
    assert not_a_photo.status_code == 400
    right = server.client.put(f"/api/v1/photos/{sha}", content=data, headers=headers)
    assert right.status_code == 201
    assert [p.name for p in _stored(server)] == [sha]


def test_a_wrong_hash_is_refused_and_the_upload_starts_again(
    officer_on_server: Server, tmp_path: Path
) -> None:
    server = officer_on_server
    token = (
        SyncClient("http://testserver", transport=server.client._transport)
        .enrol("je1", "je1-secret", "laptop")
        .token
    )
    headers = {**DESKTOP_HEADERS, "Authorization": f"Bearer {token}"}
    data = b"\\xff\\xd8not really the photo"
    started = server.client.post(
        "/api/v1/uploads",
        json={"sha256": "a" * 64, "size": len(data), "media_type": "image/jpeg"},
        headers=headers,
    ).json()
    answer = server.client.put(
        f"/api/v1/uploads/{started['upload_id']}",
        content=data,
        headers={**headers, "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"] == "hash_mismatch"
    gone = server.client.head(f"/api/v1/uploads/{started['upload_id']}", headers=headers)
    assert gone.status_code == 404
    assert _debris(server) == []
    again = server.client.post(
        "/api/v1/uploads",
        json={"sha256": "a" * 64, "size": len(data), "media_type": "image/jpeg"},
        headers=headers,
    ).json()
    assert again["upload_id"] != started["upload_id"]
    assert (again["offset"], again["complete"]) == (0, False)
