"""Photos travel by SHA-256 (sync-protocol §6): uploaded once in chunks, resumed where the
server stands, the hash verified at the end, invisible to another ULB."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from desktop_flow import OFFICER, ULB, officer_work, site_photo
from server_support import DESKTOP_HEADERS, Server

from mukta_desktop.services.database import Database
from mukta_desktop.services.sync_run import sync_once, sync_status
from mukta_desktop.services.sync_setup import connect, enrol_device
from mukta_desktop.sync.client import SyncClient
from mukta_server.admin import add_tenant, add_user

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


def test_an_upload_cut_half_way_resumes_where_the_server_stands(
    officer_on_server: Server, tmp_path: Path
) -> None:
    server = officer_on_server
    token = (
        SyncClient("http://testserver", transport=server.client._transport)
        .enrol("je1", "je1-secret", "laptop")
        .token
    )
    # The server stores bytes by their hash; the desktop checked the picture before.
    data = random.Random(7).randbytes(700_000)
    sha = hashlib.sha256(data).hexdigest()
    headers = {**DESKTOP_HEADERS, "Authorization": f"Bearer {token}"}
    started = server.client.post(
        "/api/v1/uploads",
        json={"sha256": sha, "size": len(data), "media_type": "image/jpeg"},
        headers=headers,
    ).json()
    chunk = started["chunk_size"]
    cut = chunk + 1234  # the connection broke inside the second chunk: only the first counts
    first = server.client.put(
        f"/api/v1/uploads/{started['upload_id']}",
        content=data[:chunk],
        headers={**headers, "Content-Range": f"bytes 0-{chunk - 1}/{len(data)}"},
    )
    assert first.json()["offset"] == chunk
    assert cut > chunk
    path = tmp_path / "again.jpg"
    path.write_bytes(data)
    with SyncClient("http://testserver", token=token, transport=server.client._transport) as c:
        sent = c.upload_photo(path, sha, "image/jpeg")
        assert c.photo_exists(sha)
    total = -(-len(data) // chunk)
    assert sent == total - 1  # nothing sent twice
    # Another ULB does not see it.
    add_tenant(server.database, "od.jatni", "Jatni")
    add_user(
        server.database,
        login="jatni.je",
        name="Jatni JE",
        tenant="od.jatni",
        roles=["MB_CREATOR"],
        password="jatni-secret",
    )
    other = (
        SyncClient("http://testserver", transport=server.client._transport)
        .enrol("jatni.je", "jatni-secret", "Jatni laptop")
        .token
    )
    with SyncClient("http://testserver", token=other, transport=server.client._transport) as c:
        assert not c.photo_exists(sha)
    answer = server.client.head(
        f"/api/v1/uploads/{started['upload_id']}",
        headers={**DESKTOP_HEADERS, "Authorization": f"Bearer {other}"},
    )
    assert answer.status_code == 404


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
