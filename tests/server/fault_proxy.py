"""A TCP proxy that breaks HTTP/1.1 exchanges on purpose, for the sync fault tests.

It sits between a desktop's SyncClient and a real server process. Each request is read
whole from the client (head and body, by Content-Length or chunked framing), then a seeded
random plan chooses what happens to it:

- `none`: forwarded on a fresh upstream connection, the answer read whole and sent back;
- `delay`: the same after a pause;
- `drop_request`: the client's connection is closed before anything reaches the server;
- `cut_request`: the head and part of the body reach the server, then both sides close;
- `drop_response`: the server answers (it has committed), the client's connection is closed
  without the answer;
- `cut_response`: part of the answer reaches the client, then the connection closes;
- `reset`: the request reaches the server, then the client's connection is reset (RST).

The proxy runs its own asyncio loop on a thread. `upstream` may be changed at any time (a
restarted server listens elsewhere), or be a function asked for each request (a balancer
over several server processes); `on_forwarded` is called on the proxy's thread once a
request has been handed to the server, for tests that kill a process at that moment, and
`on_answered` once the server's whole answer has arrived (before the fault decides whether
the client gets it).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import random
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

HEAD_END = b"\r\n\r\n"
READ_TIMEOUT = 60.0  # seconds: a stuck peer ends its connection, never the test run


class Fault(enum.StrEnum):
    NONE = "none"
    DELAY = "delay"
    DROP_REQUEST = "drop_request"
    CUT_REQUEST = "cut_request"
    DROP_RESPONSE = "drop_response"
    CUT_RESPONSE = "cut_response"
    RESET = "reset"


# Faults that keep the answer from the client (the round fails and is retried).
BREAKING = frozenset(Fault) - {Fault.NONE, Fault.DELAY}


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str  # without the query string
    head: bytes
    body: bytes

    @property
    def raw(self) -> bytes:
        return self.head + self.body


class FaultPlan:
    """Chooses the fault of each request with its own seeded RNG (weights by fault), only
    for requests `applies_to` accepts; counts what it chose."""

    def __init__(
        self,
        seed: int,
        weights: Mapping[Fault, float],
        *,
        applies_to: Callable[[Request], bool] = lambda _request: True,
        max_delay: float = 0.05,
    ) -> None:
        self.rng = random.Random(seed)
        self.faults = list(weights)
        self.weights = [weights[f] for f in self.faults]
        self.applies_to = applies_to
        self.max_delay = max_delay
        self.enabled = True
        self.chosen: Counter[Fault] = Counter()
        self._lock = threading.Lock()

    def choose(self, request: Request) -> Fault:
        with self._lock:
            fault = Fault.NONE
            if self.enabled and self.applies_to(request):
                fault = self.rng.choices(self.faults, self.weights)[0]
            self.chosen[fault] += 1
            return fault

    def fraction(self) -> float:
        """Where to cut a message: somewhere strictly inside it."""
        with self._lock:
            return self.rng.uniform(0.05, 0.95)

    def delay(self) -> float:
        with self._lock:
            return self.rng.uniform(0.0, self.max_delay)


NO_FAULTS = FaultPlan(0, {Fault.NONE: 1.0})


@dataclass
class ProxyStats:
    requests: int = 0
    by_path: Counter[str] = field(default_factory=Counter)
    upstream_refused: int = 0  # the server was down: the client's connection was closed
    cut_bodies: list[int] = field(default_factory=list)  # body bytes sent before each cut
    answers: list[tuple[Request, int]] = field(default_factory=list)  # the server's statuses


Address = tuple[str, int]


class FaultProxy:
    def __init__(
        self,
        upstream: Address | Callable[[], Address],
        plan: FaultPlan = NO_FAULTS,
        *,
        on_forwarded: Callable[[Request], None] | None = None,
        on_answered: Callable[[Request], None] | None = None,
    ) -> None:
        self.upstream = upstream
        self.plan = plan
        self.on_forwarded = on_forwarded
        self.on_answered = on_answered
        self.stats = ProxyStats()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- life ------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread.start()
        self._ready.wait(timeout=30)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout=30)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def call_later(self, delay: float, callback: Callable[[], None]) -> None:
        """Run `callback` on the proxy's thread after `delay` seconds (from `on_forwarded`)."""
        loop = self._loop
        assert loop is not None
        loop.call_soon_threadsafe(loop.call_later, delay, callback)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(self._serve, "127.0.0.1", 0)
            )
            self.port = int(self._server.sockets[0].getsockname()[1])
        except BaseException as error:  # reported by start()
            self._error = error
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            for task in asyncio.all_tasks(loop):
                task.cancel()
            with contextlib.suppress(BaseException):
                loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    # --- one client connection -------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._exchange(reader, writer):
                pass
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            _close(writer)

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """One request and its answer; False when the client's connection must end."""
        request = await _read_request(reader)
        if request is None:
            return False
        self.stats.requests += 1
        self.stats.by_path[request.path] += 1
        fault = self.plan.choose(request)
        if fault is Fault.DROP_REQUEST:
            return False
        if fault is Fault.DELAY:
            await asyncio.sleep(self.plan.delay())
        target = self.upstream() if callable(self.upstream) else self.upstream
        try:
            up_reader, up_writer = await asyncio.open_connection(*target)
        except OSError:
            self.stats.upstream_refused += 1
            return False
        try:
            if fault is Fault.CUT_REQUEST:
                sent = await _cut_request(up_writer, request, self.plan.fraction())
                self.stats.cut_bodies.append(sent)
                return False
            up_writer.write(request.raw)
            await up_writer.drain()
            if self.on_forwarded is not None:
                self.on_forwarded(request)
            if fault is Fault.RESET:
                _reset(writer)
                return False
            answer = await _read_response(up_reader, request.method)
            if answer is None:
                return False
            self.stats.answers.append((request, _status(answer)))
            if self.on_answered is not None:
                self.on_answered(request)
            if fault is Fault.DROP_RESPONSE:
                return False
            if fault is Fault.CUT_RESPONSE:
                writer.write(answer[: max(1, int(len(answer) * self.plan.fraction()))])
                await writer.drain()
                return False
            writer.write(answer)
            await writer.drain()
            return not _closes(answer)
        finally:
            _close(up_writer)


async def _cut_request(up_writer: asyncio.StreamWriter, request: Request, part: float) -> int:
    """Send the head and `part` of the body (or of the head, without a body); returns how
    many bytes of the body went."""
    if request.body:
        body = int(len(request.body) * part)
        up_writer.write(request.head + request.body[:body])
    else:
        body = 0
        up_writer.write(request.head[: int(len(request.head) * part)])
    await up_writer.drain()
    return body


def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, RuntimeError):
        writer.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0: the kernel answers with RST instead of FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    if writer.transport is not None:
        writer.transport.abort()


# --- HTTP/1.1 framing (only what our client and uvicorn use) --------------------------------


def _headers(head: bytes) -> tuple[str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip().lower()] = value.strip()
    return lines[0], fields


async def _read_head(reader: asyncio.StreamReader) -> bytes | None:
    try:
        return await asyncio.wait_for(reader.readuntil(HEAD_END), READ_TIMEOUT)
    except asyncio.IncompleteReadError as error:
        if error.partial:
            raise
        return None  # the peer closed between two messages


async def _read_body(reader: asyncio.StreamReader, fields: Mapping[str, str]) -> bytes:
    if "chunked" in fields.get("transfer-encoding", "").lower():
        parts = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            parts.append(size_line)
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while True:  # trailers, up to the empty line
                    line = await reader.readuntil(b"\r\n")
                    parts.append(line)
                    if line == b"\r\n":
                        return b"".join(parts)
            parts.append(await reader.readexactly(size + 2))
    length = int(fields.get("content-length", "0") or 0)
    return await asyncio.wait_for(reader.readexactly(length), READ_TIMEOUT) if length else b""


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    head = await _read_head(reader)
    if head is None:
        return None
    start, fields = _headers(head)
    method, _, rest = start.partition(" ")
    target = rest.rsplit(" ", 1)[0]
    body = await _read_body(reader, fields)
    return Request(method=method, path=target.split("?", 1)[0], head=head, body=body)


async def _read_response(reader: asyncio.StreamReader, method: str) -> bytes | None:
    """The whole answer as bytes, or None when the server went away before it."""
    try:
        head = await _read_head(reader)
        if head is None:
            return None
        start, fields = _headers(head)
        status = int(start.split(" ")[1])
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return head
        if "content-length" in fields or "transfer-encoding" in fields:
            return head + await _read_body(reader, fields)
        return head + await asyncio.wait_for(reader.read(), READ_TIMEOUT)
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        return None


def _status(answer: bytes) -> int:
    start, _fields = _headers(answer.split(HEAD_END, 1)[0])
    return int(start.split(" ")[1])


def _closes(answer: bytes) -> bool:
    _start, fields = _headers(answer.split(HEAD_END, 1)[0])
    return fields.get("connection", "").lower() == "close"


@contextlib.contextmanager
def running_proxy(
    upstream: Address | Callable[[], Address],
    plan: FaultPlan = NO_FAULTS,
    *,
    on_forwarded: Callable[[Request], None] | None = None,
    on_answered: Callable[[Request], None] | None = None,
) -> Iterator[FaultProxy]:
    with FaultProxy(upstream, plan, on_forwarded=on_forwarded, on_answered=on_answered) as proxy:
        yield proxy
