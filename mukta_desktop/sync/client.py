"""The HTTP side of sync (docs/sync-protocol.md): one small class per conversation with the
server, answers turned into plain data and every refusal into an exception that says what the
device should do. No database here: the services decide what to send and store what comes
back, each in one unit of work."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from mukta_desktop import __version__
from mukta_desktop.domain.canonical import canonical_json

from .outbox import Operation

PROTOCOL = 1
SCHEMA = 1
GZIP_ABOVE = 1024  # bytes: smaller bodies are not worth compressing
MAX_BATCH = 200  # operations per push (the server also caps a body at 2 MB)
# A photo of at most one chunk (the protocol's 5 MiB; the desktop stores photos of at most
# 5,000,000 bytes) is sent whole in one request.
WHOLE_PHOTO_MAX = 5 * 1024 * 1024


class SyncError(Exception):
    """A sync step that did not happen; the message is plain words for the status line."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class Unreachable(SyncError):
    """Network trouble or a busy server: try again later (backoff, `Retry-After`)."""


class NotAuthorised(SyncError):
    """The token is unknown, the device revoked or the user disabled: enrol again.
    Nothing local is touched."""


class UpdateRequired(SyncError):
    """The server no longer accepts this version of the application: update it. Every
    local record and the outbox stay."""


class CursorExpired(SyncError):
    """The server no longer keeps changes that old: pull again from the start."""


class Refused(SyncError):
    """The server refused a request as malformed (a bug, not retried)."""


@dataclass(frozen=True, slots=True)
class Enrolment:
    device_id: str
    token: str
    tenant: str
    login: str
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OperationResult:
    seq: int
    status: str  # applied, duplicate, conflict, locked, rejected, gap
    version: int | None = None
    reasons: tuple[str, ...] = ()
    server_record: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class PushAnswer:
    results: tuple[OperationResult, ...]
    next_seq: int


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    record_type: str
    record_id: str
    version: int
    content_hash: str
    payload: dict[str, Any]
    # The workflow step that made this version ({"action", "by", "comment", "at"}), or
    # {"history": [step, ...]} for a record that reached the server with its past.
    action: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ChangesPage:
    changes: tuple[Change, ...]
    cursor: str
    more: bool


class SyncClient:
    """A conversation with one head-office server, as one device (or, before enrolment,
    without a token)."""

    def __init__(
        self,
        server_url: str,
        *,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        headers = {
            "X-Mukta-Protocol": str(PROTOCOL),
            "X-Mukta-Schema": str(SCHEMA),
            "X-Mukta-App": __version__,
            "Accept-Encoding": "gzip",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=f"{self.server_url}/api/v1",
            headers=headers,
            transport=transport,
            timeout=timeout,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- requests --------------------------------------------------------------------------

    def _send(self, method: str, path: str, *, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers: dict[str, str] = dict(kwargs.pop("headers", {}))
        content: bytes | None = kwargs.pop("content", None)
        if body is not None:
            content = canonical_json(body)
            headers["Content-Type"] = "application/json"
            if len(content) > GZIP_ABOVE:
                content = gzip.compress(content, mtime=0)
                headers["Content-Encoding"] = "gzip"
        try:
            response = self._http.request(method, path, content=content, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise Unreachable(f"The server {self.server_url} cannot be reached ({exc}).") from exc
        _raise_for(response, self.server_url)
        return response

    def hello(self) -> dict[str, Any]:
        answer: dict[str, Any] = self._send("GET", "/hello").json()
        return answer

    def enrol(self, login: str, password: str, device_name: str) -> Enrolment:
        data = self._send(
            "POST",
            "/devices",
            body={
                "login": login,
                "password": password,
                "device_name": device_name,
                "app_version": __version__,
            },
        ).json()
        user = data.get("user", {})
        return Enrolment(
            device_id=str(data["device_id"]),
            token=str(data["token"]),
            tenant=str(data["tenant"]),
            login=str(user.get("login", login)),
            name=str(user.get("name", "")),
            roles=tuple(str(r) for r in user.get("roles", ())),
        )

    def push(self, operations: Sequence[Operation]) -> PushAnswer:
        body = {"ops": [_op_body(op) for op in operations]}
        data = self._send("POST", "/push", body=body).json()
        return PushAnswer(
            results=tuple(
                OperationResult(
                    seq=int(r["seq"]),
                    status=str(r["status"]),
                    version=None if r.get("version") is None else int(r["version"]),
                    reasons=tuple(str(x) for x in r.get("reasons", ())),
                    server_record=r.get("server_record"),
                )
                for r in data.get("results", ())
            ),
            next_seq=int(data.get("next_seq", 0)),
        )

    def changes(self, cursor: str, *, limit: int = 500) -> ChangesPage:
        data = self._send(
            "GET", "/changes", params={"cursor": cursor or "0", "limit": limit}
        ).json()
        return ChangesPage(
            changes=tuple(
                Change(
                    seq=int(c["seq"]),
                    record_type=str(c["record_type"]),
                    record_id=str(c["record_id"]),
                    version=int(c["version"]),
                    content_hash=str(c["content_hash"]),
                    payload=dict(c["payload"]),
                    action=None if c.get("action") is None else dict(c["action"]),
                )
                for c in data.get("changes", ())
            ),
            cursor=str(data.get("cursor", cursor)),
            more=bool(data.get("more", False)),
        )

    def number_block(self, prefix: str, financial_year: str, *, after: int = 0) -> tuple[int, int]:
        """Lease the next block of document numbers of a series: (first, last)."""
        data = self._send(
            "POST",
            "/number-blocks",
            body={"prefix": prefix, "financial_year": financial_year, "after": after},
        ).json()
        return int(data["first"]), int(data["last"])

    def photo_exists(self, sha256: str) -> bool:
        try:
            response = self._http.head(f"/photos/{sha256}")
        except httpx.TransportError as exc:
            raise Unreachable(f"The server {self.server_url} cannot be reached ({exc}).") from exc
        if response.status_code == 404:
            return False
        _raise_for(response, self.server_url)
        return True

    def download_photo(self, sha256: str) -> bytes | None:
        """A photo of the device's ULB by its hash (a verifier needs the JE's photos), or
        None when it has not reached the server yet. The bytes are checked against the hash."""
        try:
            response = self._http.get(f"/photos/{sha256}")
        except httpx.TransportError as exc:
            raise Unreachable(f"The server {self.server_url} cannot be reached ({exc}).") from exc
        if response.status_code == 404:
            return None
        _raise_for(response, self.server_url)
        data = response.content
        if hashlib.sha256(data).hexdigest() != sha256:
            raise Unreachable(f"The photo {sha256[:12]}… arrived damaged; it is fetched again.")
        return data

    def upload_photo(
        self,
        path: Path,
        sha256: str,
        media_type: str,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Upload a stored photo (sync-protocol §6): whole in one PUT when it is at most one
        chunk (every photo the desktop stores), else in chunks, resuming where the server
        says it stands. Returns the number of PUTs sent (a resumed upload sends only the
        rest)."""
        size = path.stat().st_size
        sent = 0
        if size <= WHOLE_PHOTO_MAX:
            response = self._put(
                f"/photos/{sha256}",
                content=path.read_bytes(),
                headers={"Content-Type": media_type},
            )
            sent += 1
            if response.status_code != 413:  # 413: this server wants it in chunks
                _raise_for(response, self.server_url)
                if progress is not None:
                    progress(size, size)
                return sent
        return sent + self._upload_in_chunks(path, sha256, media_type, size, progress)

    def _put(self, path: str, *, content: bytes, headers: dict[str, str]) -> httpx.Response:
        try:
            return self._http.put(path, content=content, headers=headers)
        except httpx.TransportError as exc:
            # A cut upload resumes where the server stands on the next round.
            raise Unreachable(f"The server {self.server_url} cannot be reached ({exc}).") from exc

    def _upload_in_chunks(
        self,
        path: Path,
        sha256: str,
        media_type: str,
        size: int,
        progress: Callable[[int, int], None] | None,
    ) -> int:
        started = self._send(
            "POST", "/uploads", body={"sha256": sha256, "size": size, "media_type": media_type}
        ).json()
        if started.get("complete"):
            return 0  # the server has the photo already
        upload_id = str(started["upload_id"])
        offset = int(started.get("offset", 0))
        chunk_size = int(started.get("chunk_size", WHOLE_PHOTO_MAX))
        sent = 0
        with path.open("rb") as source:
            while offset < size:
                source.seek(offset)
                # Up to the next chunk boundary: after a cut, the rest of the cut chunk.
                chunk = source.read(chunk_size - offset % chunk_size)
                end = offset + len(chunk) - 1
                response = self._put(
                    f"/uploads/{upload_id}",
                    content=chunk,
                    headers={
                        "Content-Range": f"bytes {offset}-{end}/{size}",
                        "Content-Type": "application/octet-stream",
                    },
                )
                sent += 1
                if response.status_code == 409:  # the server stands elsewhere: follow it
                    offset = int(response.json()["offset"])
                    continue
                _raise_for(response, self.server_url)
                offset = int(response.json().get("offset", end + 1))
                if progress is not None:
                    progress(offset, size)
        return sent


def _op_body(op: Operation) -> dict[str, Any]:
    body: dict[str, Any] = {
        "seq": op.seq,
        "kind": op.kind,
        "record_type": op.record_type,
        "record_id": op.record_id,
        "base_version": op.base_version,
        "content_hash": op.content_hash,
        "payload": op.payload,
    }
    if op.action is not None:
        body["action"] = op.action
    return body


def _raise_for(response: httpx.Response, server: str) -> None:
    status = response.status_code
    if status < 400:
        return
    detail = _detail(response)
    message = str(detail.get("message") or detail.get("error") or response.reason_phrase)
    if status == 401:
        raise NotAuthorised(
            f"{server} no longer accepts this device ({message}); enrol it again. Nothing on "
            "this PC was changed."
        )
    if status == 426:
        raise UpdateRequired(
            f"{server} needs MUKTA Desktop {detail.get('min_app_version', 'newer')} or later "
            "to sync; update it. Every record stays on this PC."
        )
    if status == 410:
        raise CursorExpired(message)
    if status in (429, 503) or status >= 500:
        raise Unreachable(
            f"{server} is busy or failing ({status}: {message}); trying again later.",
            retry_after=_retry_after(response),
        )
    raise Refused(f"{status}: {message}")


def _detail(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except (ValueError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def batches(
    operations: Sequence[Operation], size: int = MAX_BATCH
) -> Iterator[Sequence[Operation]]:
    for start in range(0, len(operations), size):
        yield operations[start : start + size]
