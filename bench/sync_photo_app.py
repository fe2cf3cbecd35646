"""The server app of the photo benchmark: `mukta_server`'s own app (settings from the
environment, as every `serve` worker), with two bench-only endpoints beside it in the same
process:

- `PUT /bench/plain` reads the body and answers how many bytes came: the plain HTTP PUT the
  resumable upload is compared with;
- `PUT /bench/durable` also stores the body as the upload must, and nothing more: written to
  a file under the storage root, flushed to disk, renamed into place, the directory flushed.
  What the upload costs beyond it is the protocol's own (device token, hash, bookkeeping).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from mukta_server.app import app_from_environment
from mukta_server.settings import Settings

PLAIN_PATH = "/bench/plain"
DURABLE_PATH = "/bench/durable"


def _store_durably(folder: Path, pieces: list[bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(8)
    temp = folder / f"{name}.part"
    with temp.open("xb") as out:
        for piece in pieces:
            out.write(piece)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, folder / name)
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def app() -> ASGIApp:
    """The factory uvicorn calls (`--factory`)."""
    inner = app_from_environment()
    durable_dir = Settings.from_environment().storage_dir / ".bench"

    async def with_plain_put(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in (PLAIN_PATH, DURABLE_PATH):
            await inner(scope, receive, send)
            return
        pieces: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            piece = message.get("body", b"")
            received += len(piece)
            if scope["path"] == DURABLE_PATH:
                pieces.append(piece)
            if not message.get("more_body", False):
                break
        if scope["path"] == DURABLE_PATH:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, _store_durably, durable_dir, pieces)
        body = json.dumps({"received": received}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return with_plain_put
