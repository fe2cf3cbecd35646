"""Resumable photo uploads (sync-protocol §6), kept on disk beside the photos so any server
process can continue an upload another one started: `<storage>/.uploads/<tenant>/<id>.part`
holds the bytes received so far (its size is the offset) and `<id>.json` what is expected.
The tenant in the path makes another ULB's upload id simply not found."""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from .storage import FileStorage, HashMismatch, check_names

CHUNK_SIZE = 256 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # the desktop stores photos of at most 5 MB
MEDIA_TYPES = frozenset({"image/jpeg", "image/png"})
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


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
        """A new upload, or the unfinished one of the same photo (resumed where it stands)."""
        check_names(tenant, sha256)
        if media_type not in MEDIA_TYPES:
            raise UploadRefused(f"Photos are JPEG or PNG, not {media_type}.")
        if not 0 < size <= MAX_PHOTO_BYTES:
            raise UploadRefused(f"A photo is 1 byte to {MAX_PHOTO_BYTES} bytes, not {size}.")
        if self.storage.exists(tenant, sha256):
            return UploadState("", sha256, size, media_type, size, complete=True)
        folder = self._dir(tenant)
        folder.mkdir(parents=True, exist_ok=True)
        for meta in folder.glob("*.json"):
            expected = json.loads(meta.read_text(encoding="utf-8"))
            if expected["sha256"] == sha256 and expected["size"] == size:
                return self.state(tenant, meta.stem)
        upload_id = secrets.token_urlsafe(18)
        part, meta = self._paths(tenant, upload_id)
        part.touch()
        meta.write_text(
            json.dumps({"sha256": sha256, "size": size, "media_type": media_type}),
            encoding="utf-8",
        )
        return UploadState(upload_id, sha256, size, media_type, 0)

    def state(self, tenant: str, upload_id: str) -> UploadState:
        part, meta = self._paths(tenant, upload_id)
        if not meta.is_file() or not part.is_file():
            raise UploadNotFound(upload_id)
        expected = json.loads(meta.read_text(encoding="utf-8"))
        return UploadState(
            upload_id,
            expected["sha256"],
            int(expected["size"]),
            expected["media_type"],
            part.stat().st_size,
        )

    def append(self, tenant: str, upload_id: str, start: int, data: bytes) -> UploadState:
        """Add a chunk that starts where the upload stands; at the end verify the hash and
        store the photo (a mismatch discards the upload: it starts again)."""
        current = self.state(tenant, upload_id)
        if start != current.offset:
            raise OffsetMismatch(current.offset)
        if current.offset + len(data) > current.size:
            raise UploadRefused("The chunk runs past the photo's size.")
        part, meta = self._paths(tenant, upload_id)
        with part.open("ab") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        offset = current.offset + len(data)
        if offset < current.size:
            return UploadState(upload_id, current.sha256, current.size, current.media_type, offset)
        try:
            self.storage.put_complete(tenant, current.sha256, part)
        except HashMismatch:
            part.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)
            raise
        part.unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
        return UploadState(
            upload_id, current.sha256, current.size, current.media_type, offset, complete=True
        )
