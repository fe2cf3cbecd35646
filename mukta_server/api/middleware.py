"""Request middleware: client version headers (426), request body size, gzip-encoded bodies."""

from __future__ import annotations

import zlib

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mukta_server.versions import (
    ClientVersions,
    MalformedVersion,
    VersionRange,
    refusal,
)

from .errors import error_response

# The largest request body, as sent and once decompressed. A push batch is at most 2 MB of
# JSON (sync-protocol §4); the margin is for photo chunks. Bounding the decompressed size
# keeps a small "gzip bomb" from filling the memory of a worker.
MAX_REQUEST_BODY = 32 * 1024 * 1024


class ClientVersionMiddleware:
    """Answers 426 update_required to a client whose protocol, schema or app version this
    server no longer accepts. Headers not sent are not checked (a browser reading the
    OpenAPI document sends none); the desktop always sends all three."""

    def __init__(
        self, app: ASGIApp, *, protocol: VersionRange, schema: VersionRange, min_app_version: str
    ) -> None:
        self.app = app
        self.protocol = protocol
        self.schema = schema
        self.min_app_version = min_app_version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        client = ClientVersions(
            protocol=headers.get("x-mukta-protocol"),
            schema=headers.get("x-mukta-schema"),
            app=headers.get("x-mukta-app"),
        )
        try:
            reason = refusal(
                client, protocol=self.protocol, schema=self.schema, min_app=self.min_app_version
            )
        except MalformedVersion as error:
            await error_response(400, "bad_version_header", str(error))(scope, receive, send)
            return
        if reason is not None:
            response = error_response(
                426,
                "update_required",
                reason,
                extra={"min_app_version": self.min_app_version},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class RequestBodyMiddleware:
    """Bounds every request body (413 body_too_large) and decompresses bodies sent with
    `Content-Encoding: gzip` (sync-protocol §1), so endpoints see plain JSON whatever the
    client sent."""

    def __init__(self, app: ASGIApp, *, max_body: int = MAX_REQUEST_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        encoding = (headers.get("content-encoding") or "").strip().lower()
        if encoding not in ("", "identity", "gzip"):
            response = error_response(
                415,
                "unsupported_encoding",
                f"Request bodies may be sent plain or gzip-encoded, not '{encoding}'.",
            )
            await response(scope, receive, send)
            return
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_body:
            await _too_large(self.max_body)(scope, receive, send)
            return
        if encoding != "gzip" and (declared is not None or "transfer-encoding" not in headers):
            # A plain body of a length within the limit (the HTTP server holds the client to
            # the length it declared), or no body at all.
            await self.app(scope, receive, send)
            return

        # Gzip, or a body streamed without a length: read it whole, within the limit.
        try:
            body = await _read_body(receive, self.max_body)
            if encoding == "gzip":
                body = _gunzip(body, self.max_body)
        except _ClientGone:
            return  # nobody is left to answer
        except _BodyTooLarge:
            await _too_large(self.max_body)(scope, receive, send)
            return
        except ValueError as error:
            await error_response(400, "bad_gzip", str(error))(scope, receive, send)
            return

        raw_headers = [
            (name, value)
            for name, value in scope["headers"]
            if name.lower() not in (b"content-encoding", b"content-length", b"transfer-encoding")
        ]
        raw_headers.append((b"content-length", str(len(body)).encode("ascii")))
        delivered = False

        async def receive_plain() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect as usual

        await self.app({**scope, "headers": raw_headers}, receive_plain, send)


class _BodyTooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


async def _read_body(receive: Receive, limit: int) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        body += message.get("body", b"")
        if len(body) > limit:
            raise _BodyTooLarge
        if not message.get("more_body", False):
            return bytes(body)


def _gunzip(data: bytes, limit: int) -> bytes:
    """The decompressed body (one or more gzip members); ValueError for anything not gzip."""
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(rest, limit + 1 - len(out))
        except zlib.error:
            raise ValueError("The request body is not valid gzip.") from None
        if len(out) > limit:
            raise _BodyTooLarge
        if not inflater.eof:
            if inflater.unconsumed_tail:  # stopped by the limit, not by the data
                raise _BodyTooLarge
            raise ValueError("The gzip-encoded request body is cut short.")
        rest = inflater.unused_data
    return bytes(out)


def _too_large(limit: int) -> ASGIApp:
    return error_response(
        413, "body_too_large", f"The request body is over {limit // (1024 * 1024)} MB."
    )
