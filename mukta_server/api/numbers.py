"""POST /number-blocks (sync-protocol §7): a block of document numbers for the device."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from mukta_desktop.domain.errors import ValidationError
from mukta_server.numbers import lease_block

from .auth import CurrentDevice, database
from .errors import ApiError, ErrorBody

router = APIRouter()


class BlockRequest(BaseModel):
    prefix: str = Field(min_length=2, max_length=4)
    financial_year: str = Field(min_length=7, max_length=7)
    # The highest number of the series the device made before it numbered by blocks.
    after: int = Field(default=0, ge=0, le=999_999)


class BlockOut(BaseModel):
    prefix: str
    financial_year: str
    first: int
    last: int


@router.post(
    "/number-blocks",
    status_code=201,
    response_model=BlockOut,
    responses={401: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
def number_block(body: BlockRequest, request: Request, device: CurrentDevice) -> BlockOut:
    """Lease the next block of numbers of a series to the device's ULB."""
    try:
        block = lease_block(
            database(request), device.tenant, body.prefix, body.financial_year, after=body.after
        )
    except ValidationError as refusal:
        raise ApiError(422, "bad_series", refusal.message) from None
    return BlockOut(
        prefix=block.prefix, financial_year=block.financial_year, first=block.first, last=block.last
    )
