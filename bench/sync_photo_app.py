"""The server app of the photo benchmark: `mukta_server`'s own app (settings from the
environment, as every `serve` worker), with one bench-only endpoint beside it in the same
process, `PUT /bench/plain`, that reads the body and answers how many bytes came: the plain
HTTP PUT the resumable upload is compared with."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from mukta_server.app import app_from_environment

PLAIN_PATH = "/bench/plain"


def app() -> ASGIApp:
    """The factory uvicorn calls (`--factory`)."""
    inner = app_from_environment()

    async def with_plain_put(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PLAIN_PATH:
            await inner(scope, receive, send)
            return
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            received += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
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
