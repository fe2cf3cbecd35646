"""POST /push and GET /changes (sync-protocol §4-5): the device's operations applied exactly
once, and the changes it may see, by server sequence cursor."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from mukta_server.push import CursorExpired, IncomingOperation, changes_after, push

from .auth import CurrentDevice, database
from .errors import ApiError, ErrorBody

router = APIRouter()
MAX_OPERATIONS = 200


class OperationIn(BaseModel):
    seq: int = Field(ge=1)
    kind: str = Field(default="upsert", max_length=20)
    record_type: str = Field(max_length=40)
    record_id: str = Field(min_length=1, max_length=36)
    base_version: int | None = Field(default=None, ge=1)
    content_hash: str = Field(pattern="^[0-9a-f]{64}$")
    payload: dict[str, Any]
    action: dict[str, Any] | None = None


class PushIn(BaseModel):
    ops: list[OperationIn] = Field(max_length=MAX_OPERATIONS)


class PushOut(BaseModel):
    results: list[dict[str, Any]]
    next_seq: int


class ChangeOut(BaseModel):
    seq: int
    record_type: str
    record_id: str
    version: int
    content_hash: str
    payload: dict[str, Any]
    action: dict[str, Any] | None = None


class ChangesOut(BaseModel):
    changes: list[ChangeOut]
    cursor: str
    more: bool


@router.post("/push", response_model=PushOut, responses={401: {"model": ErrorBody}})
def push_operations(body: PushIn, request: Request, device: CurrentDevice) -> PushOut:
    """Apply the device's operations in seq order, each exactly once (a replay gets the
    original answer as `duplicate`); refused and conflicting ones are kept whole."""
    answers, next_seq = push(
        database(request),
        device,
        [
            IncomingOperation(
                seq=op.seq,
                record_type=op.record_type,
                record_id=op.record_id,
                base_version=op.base_version,
                content_hash=op.content_hash,
                payload=op.payload,
                action=op.action,
                kind=op.kind,
            )
            for op in body.ops
        ],
        photos=request.app.state.storage,
    )
    return PushOut(results=[a.as_json() for a in answers], next_seq=next_seq)


def _cursor(text: str) -> int:
    raw = text.strip()
    if raw in ("", "0"):
        return 0
    if raw.startswith("v1.") and raw[3:].isdigit():
        return int(raw[3:])
    raise ApiError(400, "bad_cursor", f"'{text}' is not a cursor this server handed out.")


@router.get(
    "/changes",
    response_model=ChangesOut,
    responses={400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 410: {"model": ErrorBody}},
)
def changes(
    request: Request,
    device: CurrentDevice,
    cursor: str = Query(default="0", max_length=40),
    limit: int = Query(default=500, ge=1, le=1000),
) -> Response:
    """Changes of the device's ULB (and the state's) after the cursor, oldest first."""
    try:
        rows, last, more = changes_after(database(request), device, _cursor(cursor), limit)
    except CursorExpired:
        raise ApiError(
            410,
            "cursor_expired",
            "The server no longer keeps changes that old; pull again from the start.",
        ) from None
    # The payloads are stored as canonical JSON text: spliced into the answer as they are,
    # not parsed and serialised again (the bulk of a pull's cost otherwise).
    entries = ",".join(
        f'{{"seq":{row.seq},"record_type":{json.dumps(row.record_type)},'
        f'"record_id":{json.dumps(row.record_id)},"version":{row.version},'
        f'"content_hash":{json.dumps(row.content_hash)},"payload":{row.payload},'
        f'"action":{row.action or "null"}}}'
        for row in rows
    )
    body = f'{{"changes":[{entries}],"cursor":"v1.{last}","more":{"true" if more else "false"}}}'
    return Response(content=body.encode("utf-8"), media_type="application/json")
