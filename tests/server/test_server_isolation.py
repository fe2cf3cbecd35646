"""Tenant isolation (issue 5 §2, §5): a device of one ULB probing another ULB's record ids,
photo hashes and upload ids gets 404 every time — exactly what a thing that does not exist
gets — and its pulls never carry the other ULB's records. Its own ULB's copies answer 200, so
the probes would notice a wrong 404 too."""

from __future__ import annotations

from pathlib import Path

from desktop_flow import OFFICER, ULB, officer_work, site_photo
from server_support import DESKTOP_HEADERS, Server
from sqlalchemy import select

from mukta_desktop.services.database import Database
from mukta_desktop.services.sync_run import sync_once
from mukta_desktop.services.sync_setup import connect, enrol_device
from mukta_server.admin import add_tenant, add_user
from mukta_server.models import Record


def test_another_ulb_gets_404_for_every_record_photo_and_upload(
    db: Database, server: Server, tmp_path: Path
) -> None:
    add_user(
        server.database,
        login=OFFICER.login,
        name=OFFICER.name,
        tenant=ULB,
        roles=[r.value for r in OFFICER.roles],
        password="officer-secret",
    )
    photo = site_photo(tmp_path)
    officer_work(db, photo)
    enrol_device(
        db,
        server_url="http://testserver",
        login=OFFICER.login,
        password="officer-secret",
        device_name="officer laptop",
        transport=server.client._transport,
    )
    with connect(db, transport=server.client._transport) as client:
        assert sync_once(db, client).ok
    own = server.enrol(device_name="second Dhenkanal laptop")["token"]
    # An upload of the Dhenkanal device left unfinished.
    started = server.client.post(
        "/api/v1/uploads",
        json={"sha256": "ab" * 32, "size": 10, "media_type": "image/jpeg"},
        headers={**DESKTOP_HEADERS, "Authorization": f"Bearer {own}"},
    )
    assert started.status_code == 201
    upload_id = started.json()["upload_id"]

    add_tenant(server.database, "od.jatni", "Jatni")
    add_user(
        server.database,
        login="jatni.je",
        name="Jatni JE",
        tenant="od.jatni",
        roles=["MB_CREATOR", "ESTIMATE_CREATOR"],
        password="jatni-secret",
    )
    other = server.enrol("jatni.je", "jatni-secret", "Jatni laptop")["token"]
    with server.database.read() as session:
        records = [(r.record_type, r.record_id) for r in session.scalars(select(Record))]
    photos = [
        p["sha256"]
        for (kind, _id) in records
        if kind == "measurement_book"
        for p in server.client.get(
            f"/api/v1/records/{kind}/{_id}",
            headers={**DESKTOP_HEADERS, "Authorization": f"Bearer {own}"},
        ).json()["payload"]["photos"]
    ]
    assert len(records) == 4
    assert len(photos) == 1

    probes = [("GET", f"/api/v1/records/{kind}/{record_id}") for kind, record_id in records]
    probes += [(method, f"/api/v1/photos/{sha}") for sha in photos for method in ("GET", "HEAD")]
    probes += [("HEAD", f"/api/v1/uploads/{upload_id}")]
    answers = {}
    for token, who in ((own, "own"), (other, "other")):
        headers = {**DESKTOP_HEADERS, "Authorization": f"Bearer {token}"}
        for method, path in probes:
            answers[who, method, path] = server.client.request(method, path, headers=headers)
        put = server.client.put(
            f"/api/v1/uploads/{upload_id}",
            content=b"0123456789",
            headers={**headers, "Content-Range": "bytes 0-9/10"},
        )
        answers[who, "PUT", "upload"] = put
    other_codes = {key: a.status_code for key, a in answers.items() if key[0] == "other"}
    own_codes = {key: a.status_code for key, a in answers.items() if key[0] == "own"}
    print(f"\nprobes of another ULB: {len(other_codes)}, all 404: {set(other_codes.values())}")
    assert set(other_codes.values()) == {404}
    assert {code for (_w, method, _p), code in own_codes.items() if method != "PUT"} == {200}
    # The other ULB's pulls carry nothing of Dhenkanal's.
    changes = server.client.get(
        "/api/v1/changes",
        params={"cursor": "0"},
        headers={**DESKTOP_HEADERS, "Authorization": f"Bearer {other}"},
    ).json()["changes"]
    assert changes == []
    # A record id of Dhenkanal pushed from Jatni is refused per operation, never applied.
    kind, record_id = records[0]
    pushed = server.client.post(
        "/api/v1/push",
        json={
            "ops": [
                {
                    "seq": 1,
                    "record_type": kind,
                    "record_id": record_id,
                    "base_version": 1,
                    "content_hash": "0" * 64,
                    "payload": {"id": record_id, "type": kind, "tenant": "od.jatni"},
                }
            ]
        },
        headers={**DESKTOP_HEADERS, "Authorization": f"Bearer {other}"},
    ).json()
    assert pushed["results"][0]["status"] == "rejected"
    assert "server_record" not in pushed["results"][0]
