"""Photos by SHA-256 and their resumable uploads (sync-protocol §6), per ULB: another ULB's
photo or upload is simply not found."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.requests import ClientDisconnect

from mukta_server.storage import FileStorage, HashMismatch, StorageError
from mukta_server.uploads import (
    CHUNK_SIZE,
    ChunkWriter,
    OffsetMismatch,
    UploadNotFound,
    UploadRefused,
    Uploads,
    UploadState,
)

from .auth import CurrentDevice
from .errors import ApiError, ErrorBody

router = APIRouter()
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
# A body goes to disk in batches of about this size, off the event loop, one batch being
# written while the next arrives.
_BATCH = 1024 * 1024
T = TypeVar("T")


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
    """Start or resume the upload of a photo; `complete` (and no upload) when the server
    has it already."""
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
    "/photos/{sha256}",
    status_code=201,
    response_model=OffsetOut,
    responses={
        200: {"model": OffsetOut},
        400: {"model": ErrorBody},
        413: {"model": ErrorBody},
        422: {"model": ErrorBody},
    },
)
async def put_photo(
    sha256: str, request: Request, device: CurrentDevice, response: Response
) -> OffsetOut:
    """A photo of at most one chunk, whole, in one request (Content-Type image/jpeg or
    image/png): stored once its hash is checked (201), or already there (200)."""
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        await _drain(request)
        raise ApiError(400, "bad_upload", "A photo sent whole needs its Content-Length.")
    size = int(declared)
    if size > CHUNK_SIZE:
        raise ApiError(
            413,
            "too_large",
            f"A photo over {CHUNK_SIZE} bytes is sent in chunks (POST /uploads).",
        )
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    uploads = Uploads(_storage(request))
    try:
        writer = await _off_loop(uploads.whole, device.tenant, sha256, size, media_type)
    except (UploadRefused, StorageError) as refusal:
        await _drain(request)
        raise ApiError(400, "bad_upload", str(refusal)) from None
    if writer is None:  # stored already
        await _drain(request)
        response.status_code = 200
        return OffsetOut(offset=size, complete=True)
    state = await _receive(request, writer)
    return OffsetOut(offset=state.offset, complete=state.complete)


@router.put(
    "/uploads/{upload_id}",
    response_model=OffsetOut,
    responses={
        201: {"model": OffsetOut},
        400: {"model": ErrorBody},
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
    """A chunk, written to the upload as it arrives: a chunk cut half-way keeps the bytes
    that came. The last one completes the upload (201) once the photo's hash is checked."""
    match = _RANGE.match(content_range.strip())
    if match is None:
        await _drain(request)
        raise ApiError(400, "bad_range", "Content-Range: bytes START-END/SIZE.")
    start, end, _size = (int(g) for g in match.groups())
    length = end - start + 1
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip() != str(length):
        await _drain(request)
        raise ApiError(400, "bad_range", "The chunk's length does not match its Content-Range.")
    uploads = Uploads(_storage(request))
    try:
        writer = await _off_loop(uploads.open_chunk, device.tenant, upload_id, start, length)
    except UploadNotFound:
        await _drain(request)
        raise _not_found() from None
    except OffsetMismatch as mismatch:
        await _drain(request)
        return JSONResponse(status_code=409, content={"offset": mismatch.offset})
    except UploadRefused as refusal:
        await _drain(request)
        raise ApiError(400, "bad_upload", str(refusal)) from None
    state = await _receive(request, writer)
    if state.complete:
        response.status_code = 201
    return OffsetOut(offset=state.offset, complete=state.complete)


async def _off_loop(call: Callable[..., T], *args: object) -> T:
    """Disk work and hashing in a worker thread: the event loop keeps serving."""
    return await asyncio.get_running_loop().run_in_executor(None, call, *args)


async def _receive(request: Request, writer: ChunkWriter) -> UploadState:
    """Write the body as it arrives and end the chunk: finished, kept (the client went away
    half-way) or undone (the request was wrong)."""
    loop = asyncio.get_running_loop()
    writing: asyncio.Future[None] | None = None
    batch: list[bytes] = []
    batched = 0
    gone = False
    try:
        try:
            async for piece in request.stream():
                if not piece:
                    continue
                batch.append(piece)
                batched += len(piece)
                if batched >= _BATCH:
                    if writing is not None:
                        await writing
                    writing = loop.run_in_executor(None, writer.write, batch)
                    batch, batched = [], 0
        except ClientDisconnect:
            gone = True
        finally:
            if writing is not None:
                await writing
        if batch:
            await _off_loop(writer.write, batch)
    except UploadRefused as refusal:  # more bytes than the Content-Range said
        await _off_loop(writer.abort)
        raise ApiError(400, "bad_range", str(refusal)) from None
    except BaseException:
        await _off_loop(writer.abort)
        raise
    if gone:
        return await _off_loop(writer.keep)
    try:
        return await _off_loop(writer.finish)
    except UploadRefused as refusal:  # fewer bytes than the Content-Range said
        raise ApiError(400, "bad_range", str(refusal)) from None
    except HashMismatch:
        raise ApiError(
            422, "hash_mismatch", "The photo's bytes do not have its SHA-256; upload it again."
        ) from None


async def _drain(request: Request) -> None:
    """Read a body that is not wanted, so the connection stays usable for the next request."""
    try:
        async for _piece in request.stream():
            pass
    except (ClientDisconnect, RuntimeError):  # gone, or read already
        pass
