"""Resumable photo uploads (sync-protocol §6), kept on disk beside the photos so any server
process can continue an upload another one started: `<storage>/.uploads/<tenant>/<id>.part`
holds the bytes received so far (its size is the offset) and `<id>.json` what is expected.
The tenant in the path makes another ULB's upload id simply not found.

A chunk is written to the part file as it arrives (`ChunkWriter`), so a chunk cut half-way
keeps the bytes that came and the upload resumes from there. When the last byte is in, the
part file is hashed once, flushed to disk once and renamed into the storage (same file
system: no copy). A wrong hash discards the upload: it starts again. Chunks before the last
are not flushed one by one: whatever a crash loses of them only lowers the offset the server
answers, and bytes a crash would damage fail the hash at the end.

A photo of at most one chunk may also come whole in one request (`Uploads.whole`): streamed
to a file of its own, hashed while it arrives; a cut request leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass, replace
from pathlib import Path

from .storage import FileStorage, HashMismatch, check_names

# Every photo the desktop stores (at most 5,000,000 bytes) is one chunk: one request.
CHUNK_SIZE = 5 * 1024 * 1024
# Larger files still go in chunks of CHUNK_SIZE.
MAX_PHOTO_BYTES = 32 * 1024 * 1024
MEDIA_TYPES = frozenset({"image/jpeg", "image/png"})
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_HASH_READ = 1024 * 1024
# How long a look at an upload waits for a chunk being written to end (a client that went
# away is noticed in milliseconds; one still sending is not waited for longer).
_LOCK_WAIT = 2.0


class UploadNotFound(LookupError):
    pass


class OffsetMismatch(ValueError):
    def __init__(self, offset: int) -> None:
        super().__init__(f"the upload stands at {offset}")
        self.offset = offset


class UploadRefused(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class UploadState:
    upload_id: str
    sha256: str
    size: int
    media_type: str
    offset: int
    complete: bool = False


def check_photo(sha256: str, size: int, media_type: str) -> None:
    if media_type not in MEDIA_TYPES:
        raise UploadRefused(f"Photos are JPEG or PNG, not {media_type}.")
    if not 0 < size <= MAX_PHOTO_BYTES:
        raise UploadRefused(f"A photo is 1 byte to {MAX_PHOTO_BYTES} bytes, not {size}.")


class Uploads:
    def __init__(self, storage: FileStorage) -> None:
        self.storage = storage

    def _dir(self, tenant: str) -> Path:
        return self.storage.root / ".uploads" / tenant

    def _paths(self, tenant: str, upload_id: str) -> tuple[Path, Path]:
        if not _ID.match(upload_id):
            raise UploadNotFound(upload_id)
        folder = self._dir(tenant)
        return folder / f"{upload_id}.part", folder / f"{upload_id}.json"

    def start(self, tenant: str, sha256: str, size: int, media_type: str) -> UploadState:
        """A new upload, the unfinished one of the same photo (resumed where it stands), or
        `complete` when the photo is already stored (nothing to send)."""
        check_names(tenant, sha256)
        check_photo(sha256, size, media_type)
        if self.storage.exists(tenant, sha256):
            return UploadState("", sha256, size, media_type, size, complete=True)
        folder = self._dir(tenant)
        folder.mkdir(parents=True, exist_ok=True)
        # An id begins with the photo's hash: finding its unfinished upload reads no other.
        for meta in folder.glob(f"{sha256[:32]}-*.json"):
            with contextlib.suppress(UploadNotFound):
                state = self.state(tenant, meta.stem)
                if state.size == size:
                    return state
        upload_id = f"{sha256[:32]}-{secrets.token_urlsafe(12)}"
        part, meta = self._paths(tenant, upload_id)
        part.touch()
        # The description appears whole (rename) and after the part file it describes.
        temp = meta.with_suffix(".json.tmp")
        temp.write_text(
            json.dumps({"sha256": sha256, "size": size, "media_type": media_type}),
            encoding="utf-8",
        )
        os.replace(temp, meta)
        return UploadState(upload_id, sha256, size, media_type, 0)

    def state(self, tenant: str, upload_id: str) -> UploadState:
        """Where the upload stands. A chunk still being written (its client may have gone
        a moment ago, and its last bytes are on their way to the disk) is waited for, a
        while: the offset answered is where the next chunk can start."""
        part, meta = self._paths(tenant, upload_id)
        try:
            expected = json.loads(meta.read_text(encoding="utf-8"))
            fd = os.open(part, os.O_RDONLY)
        except FileNotFoundError:
            raise UploadNotFound(upload_id) from None
        try:
            _lock(fd, fcntl.LOCK_SH)
            offset = os.fstat(fd).st_size
        finally:
            os.close(fd)
        return UploadState(
            upload_id,
            expected["sha256"],
            int(expected["size"]),
            expected["media_type"],
            offset,
        )

    def open_chunk(self, tenant: str, upload_id: str, start: int, length: int) -> ChunkWriter:
        """Begin a chunk of `length` bytes at `start`, which must be where the upload stands
        (else OffsetMismatch with the offset). One chunk at a time is written to an upload,
        whichever process receives it (a lock on the part file); a second one meanwhile is
        told where the upload stands."""
        current = self.state(tenant, upload_id)
        if start != current.offset:
            raise OffsetMismatch(current.offset)
        if length < 1 or start + length > current.size:
            raise UploadRefused("The chunk runs past the photo's size.")
        part, meta = self._paths(tenant, upload_id)
        try:
            # No O_CREAT: an upload finished meanwhile is not brought back empty.
            fd = os.open(part, os.O_WRONLY | os.O_APPEND)
        except FileNotFoundError:
            raise UploadNotFound(upload_id) from None
        if not _lock(fd, fcntl.LOCK_EX):
            offset = os.fstat(fd).st_size
            os.close(fd)
            raise OffsetMismatch(offset)
        offset = os.fstat(fd).st_size
        if offset != start:  # another process added a chunk between our look and the lock
            os.close(fd)
            raise OffsetMismatch(offset)
        return ChunkWriter(
            self.storage,
            tenant,
            replace(current, offset=start),
            fd,
            part,
            meta,
            length,
            # The whole photo in this chunk: hash it as it arrives, never read it again.
            hashing=start == 0 and length == current.size,
        )

    def append(self, tenant: str, upload_id: str, start: int, data: bytes) -> UploadState:
        """A chunk whose bytes are all at hand (see `open_chunk`, `ChunkWriter.finish`)."""
        writer = self.open_chunk(tenant, upload_id, start, len(data))
        try:
            writer.write([data])
        except BaseException:
            writer.abort()
            raise
        return writer.finish()

    def whole(self, tenant: str, sha256: str, size: int, media_type: str) -> ChunkWriter | None:
        """A photo of at most one chunk sent whole in one request, into a file of its own
        (no upload id: a request cut short leaves nothing to resume); None when the photo
        is stored already."""
        check_names(tenant, sha256)
        check_photo(sha256, size, media_type)
        if size > CHUNK_SIZE:
            raise UploadRefused(f"A photo over {CHUNK_SIZE} bytes is sent in chunks.")
        if self.storage.exists(tenant, sha256):
            return None
        folder = self._dir(tenant)
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / f"whole-{secrets.token_urlsafe(12)}.tmp"
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        state = UploadState("", sha256, size, media_type, 0)
        return ChunkWriter(self.storage, tenant, state, fd, part, None, size, hashing=True)


def _lock(fd: int, kind: int) -> bool:
    """Lock a part file (any process on this storage), waiting up to `_LOCK_WAIT` seconds
    for a chunk being written to end; False when it did not."""
    deadline = time.monotonic() + _LOCK_WAIT
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)


class ChunkWriter:
    """One chunk (or a whole photo) being written as its bytes arrive. The caller ends it
    with exactly one of `finish` (all its bytes came), `keep` (the client went away: the
    bytes that came stay) or `abort` (the request was wrong: the upload is as before).
    Every method blocks (disk, hashing): call them off the event loop."""

    def __init__(
        self,
        storage: FileStorage,
        tenant: str,
        state: UploadState,
        fd: int,
        part: Path,
        meta: Path | None,
        length: int,
        *,
        hashing: bool,
    ) -> None:
        self.storage = storage
        self.tenant = tenant
        self.state = state
        self.length = length
        self.written = 0
        self._fd = fd
        self._part = part
        self._meta = meta
        self._digest = hashlib.sha256() if hashing else None

    def write(self, pieces: list[bytes]) -> None:
        for piece in pieces:
            if self.written + len(piece) > self.length:
                raise UploadRefused("The chunk is longer than its Content-Range.")
            view = memoryview(piece)
            while view:
                view = view[os.write(self._fd, view) :]
            if self._digest is not None:
                self._digest.update(piece)
            self.written += len(piece)

    def keep(self) -> UploadState:
        """The client went away half-way: the bytes that came are kept (an upload resumes
        after them; a whole photo in one request is dropped)."""
        os.close(self._fd)
        if self._meta is None:
            self._part.unlink(missing_ok=True)
        return replace(self.state, offset=self.state.offset + self.written)

    def abort(self) -> None:
        """Undo this chunk: the upload stands where it stood before it."""
        try:
            if self._meta is not None:
                os.ftruncate(self._fd, self.state.offset)
        finally:
            os.close(self._fd)
            if self._meta is None:
                self._part.unlink(missing_ok=True)

    def finish(self) -> UploadState:
        """All the chunk's bytes came. When it was the last one, verify the photo's hash and
        store it (HashMismatch: the upload is discarded, it starts again)."""
        if self.written != self.length:
            self.abort()
            raise UploadRefused("The chunk is shorter than its Content-Range.")
        state = replace(self.state, offset=self.state.offset + self.written)
        if state.offset < state.size:
            os.close(self._fd)
            return state
        try:
            actual = self._hash()
            if actual != state.sha256:
                raise HashMismatch(state.sha256, actual)
            os.fsync(self._fd)
            self.storage.move_in(self.tenant, state.sha256, self._part)
        except BaseException:
            self._part.unlink(missing_ok=True)
            raise
        finally:
            os.close(self._fd)
            if self._meta is not None:
                self._meta.unlink(missing_ok=True)
        return replace(state, complete=True)

    def _hash(self) -> str:
        if self._digest is not None:
            return self._digest.hexdigest()
        digest = hashlib.sha256()
        with self._part.open("rb") as source:
            while block := source.read(_HASH_READ):
                digest.update(block)
        return digest.hexdigest()
