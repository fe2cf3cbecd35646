"""Photos by SHA-256 and their resumable uploads (sync-protocol §6), per ULB: another ULB's
photo or upload is simply not found."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from mukta_server.storage import FileStorage, HashMismatch, StorageError
from mukta_server.uploads import (
    CHUNK_SIZE,
    OffsetMismatch,
    UploadNotFound,
    UploadRefused,
    Uploads,
)

from .auth import CurrentDevice
from .errors import ApiError, ErrorBody

router = APIRouter()
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def _storage(request: Request) -> FileStorage:
    storage = request.app.state.storage
    assert isinstance(storage, FileStorage)
    return storage


def _not_found() -> ApiError:
    return ApiError(404, "not_found", "No such photo or upload in your ULB.")


@router.api_route(
    "/photos/{sha256}", methods=["GET", "HEAD"], responses={404: {"model": ErrorBody}}
)
def photo(sha256: str, request: Request, device: CurrentDevice) -> Response:
    """The photo, if this ULB has it (HEAD: only whether it has)."""
    storage = _storage(request)
    try:
        path = storage.path_for(device.tenant, sha256)
    except StorageError:
        raise _not_found() from None
    if not path.is_file():
        raise _not_found()
    if request.method == "HEAD":
        return Response(status_code=200, headers={"Content-Length": str(path.stat().st_size)})
    return FileResponse(path, media_type="application/octet-stream")


class UploadIn(BaseModel):
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    size: int = Field(ge=1)
    media_type: str = Field(max_length=40)


class UploadOut(BaseModel):
    upload_id: str
    offset: int
    chunk_size: int
    complete: bool


@router.post(
    "/uploads",
    status_code=201,
    response_model=UploadOut,
    responses={400: {"model": ErrorBody}},
)
def start_upload(body: UploadIn, request: Request, device: CurrentDevice) -> UploadOut:
    try:
        state = Uploads(_storage(request)).start(
            device.tenant, body.sha256, body.size, body.media_type
        )
    except (UploadRefused, StorageError) as refusal:
        raise ApiError(400, "bad_upload", str(refusal)) from None
    return UploadOut(
        upload_id=state.upload_id,
        offset=state.offset,
        chunk_size=CHUNK_SIZE,
        complete=state.complete,
    )


class OffsetOut(BaseModel):
    offset: int
    complete: bool = False


@router.head("/uploads/{upload_id}", responses={404: {"model": ErrorBody}})
def upload_offset(upload_id: str, request: Request, device: CurrentDevice) -> Response:
    try:
        state = Uploads(_storage(request)).state(device.tenant, upload_id)
    except UploadNotFound:
        raise _not_found() from None
    return Response(status_code=200, headers={"Upload-Offset": str(state.offset)})


@router.put(
    "/uploads/{upload_id}",
    response_model=OffsetOut,
    responses={
        201: {"model": OffsetOut},
        404: {"model": ErrorBody},
        409: {"model": OffsetOut},
        422: {"model": ErrorBody},
    },
)
async def upload_chunk(
    upload_id: str,
    request: Request,
    device: CurrentDevice,
    response: Response,
    content_range: Annotated[str, Header()],
) -> OffsetOut | Response:
    match = _RANGE.match(content_range.strip())
    if match is None:
        raise ApiError(400, "bad_range", "Content-Range: bytes START-END/SIZE.")
    start, end, _size = (int(g) for g in match.groups())
    data = await request.body()
    if len(data) != end - start + 1:
        raise ApiError(400, "bad_range", "The chunk's length does not match its Content-Range.")
    uploads = Uploads(_storage(request))
    try:
        state = uploads.append(device.tenant, upload_id, start, data)
    except UploadNotFound:
        raise _not_found() from None
    except OffsetMismatch as mismatch:
        return JSONResponse(status_code=409, content={"offset": mismatch.offset})
    except UploadRefused as refusal:
        raise ApiError(400, "bad_upload", str(refusal)) from None
    except HashMismatch:
        raise ApiError(
            422, "hash_mismatch", "The photo's bytes do not have its SHA-256; upload it again."
        ) from None
    if state.complete:
        response.status_code = 201
    return OffsetOut(offset=state.offset, complete=state.complete)
