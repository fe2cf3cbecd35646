"""GET /records/{record_type}/{record_id}: the server's copy of one record of the device's
ULB (a desktop refreshing one record, e.g. from Conflicts). Another ULB's record is simply
not found."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from mukta_server.models import Record

from .auth import CurrentDevice, database
from .errors import ApiError, ErrorBody

router = APIRouter()


class RecordOut(BaseModel):
    record_type: str
    record_id: str
    number: str
    status: str
    version: int
    content_hash: str
    payload: dict[str, Any]


@router.get(
    "/records/{record_type}/{record_id}",
    response_model=RecordOut,
    responses={401: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
def record(record_type: str, record_id: str, request: Request, device: CurrentDevice) -> RecordOut:
    """The record as the server holds it now."""
    with database(request).read() as session:
        found = session.get(Record, record_id)
        if found is None or found.tenant_code != device.tenant or found.record_type != record_type:
            raise ApiError(404, "not_found", "No such record in your ULB.")
        return RecordOut(
            record_type=found.record_type,
            record_id=found.record_id,
            number=found.number,
            status=found.status,
            version=found.version,
            content_hash=found.content_hash,
            payload=json.loads(found.payload),
        )
