"""An httpx transport that counts what crosses the wire, request by request: the HTTP/1.1
request line, headers and body as sent, and the status line, headers and body as received
(still gzip-encoded when the server compressed it)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx


@dataclass
class Exchange:
    method: str
    path: str
    status: int = 0
    sent: int = 0
    received: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.received


def _head_size(first_line: bytes, headers: list[tuple[bytes, bytes]]) -> int:
    """Bytes of an HTTP/1.1 head: the first line, `Name: value` lines and the blank line."""
    return len(first_line) + 2 + sum(len(n) + 2 + len(v) + 2 for n, v in headers) + 2


class _CountedBody(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, exchange: Exchange) -> None:
        self._inner = inner
        self._exchange = exchange

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._exchange.received += len(chunk)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class CountingTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self._inner = inner or httpx.HTTPTransport()
        self.exchanges: list[Exchange] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        target = request.url.raw_path
        exchange = Exchange(request.method, request.url.path)
        exchange.sent = _head_size(
            request.method.encode() + b" " + target + b" HTTP/1.1", request.headers.raw
        ) + len(body)
        self.exchanges.append(exchange)
        response = self._inner.handle_request(request)
        reason = response.extensions.get("reason_phrase", b"")
        exchange.status = response.status_code
        exchange.received = _head_size(
            b"HTTP/1.1 " + str(response.status_code).encode() + b" " + bytes(reason),
            response.headers.raw,
        )
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_CountedBody(response.stream, exchange),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()

    def reset(self) -> None:
        self.exchanges.clear()
