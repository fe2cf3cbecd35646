"""Photo storage: content-addressed by SHA-256, one area per tenant (sync-protocol §6).

`PhotoStorage` is what the API needs; `FileStorage` keeps photos in a directory. An
S3-compatible store can replace it by implementing the same three methods (`move_in` is
the file system's shortcut for uploads already written under its root).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import BinaryIO, Protocol

from .tenants import is_tenant_code

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_COPY_CHUNK = 1024 * 1024


class StorageError(ValueError):
    """A request storage refuses: a name that is no tenant code or hash, a wrong hash."""


class HashMismatch(StorageError):
    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(f"The file's SHA-256 is {actual}, not {expected}; nothing was stored.")
        self.expected = expected
        self.actual = actual


class PhotoMissing(LookupError):
    """No photo with that hash in that tenant's area."""


class PhotoStorage(Protocol):
    def exists(self, tenant: str, sha256: str) -> bool:
        """True when the tenant's area holds the photo with this hash."""
        ...

    def open_read(self, tenant: str, sha256: str) -> BinaryIO:
        """The photo's bytes (the caller closes it); PhotoMissing when it is not there."""
        ...

    def put_complete(self, tenant: str, sha256: str, source_path: Path) -> None:
        """Store a complete file under its hash, atomically, after checking the hash;
        HashMismatch (and nothing stored) when the file is not what the hash says."""
        ...


def check_names(tenant: str, sha256: str) -> None:
    """Refuse anything that could leave the storage root or alias another file."""
    if not is_tenant_code(tenant):
        raise StorageError(f"'{tenant}' is not a tenant code.")
    if not _SHA256_RE.match(sha256):
        raise StorageError(f"'{sha256}' is not a SHA-256 (64 lower-case hex digits).")


class FileStorage:
    """Photos at `root/<tenant>/<ab>/<cd>/<sha256>` (two directory levels keep any one
    directory small). A file is written to a temporary name beside its target, flushed to
    disk and then renamed: a reader sees the whole photo or nothing, even after a crash."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, tenant: str, sha256: str) -> Path:
        check_names(tenant, sha256)
        return self.root / tenant / sha256[:2] / sha256[2:4] / sha256

    def exists(self, tenant: str, sha256: str) -> bool:
        return self.path_for(tenant, sha256).is_file()

    def open_read(self, tenant: str, sha256: str) -> BinaryIO:
        path = self.path_for(tenant, sha256)
        try:
            return path.open("rb")
        except FileNotFoundError:
            raise PhotoMissing(f"No photo {sha256} for {tenant}.") from None

    def put_complete(self, tenant: str, sha256: str, source_path: Path) -> None:
        target = self.path_for(tenant, sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        # The temporary name never matches a hash, so a half-written file is never served.
        temp = target.parent / f".{sha256[:8]}-{secrets.token_hex(8)}.part"
        digest = hashlib.sha256()
        try:
            with source_path.open("rb") as source, temp.open("xb") as out:
                while chunk := source.read(_COPY_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            actual = digest.hexdigest()
            if actual != sha256:
                raise HashMismatch(sha256, actual)
            # Same bytes under the same name: replacing an existing copy changes nothing.
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_directory(target.parent)

    def move_in(self, tenant: str, sha256: str, source_path: Path) -> None:
        """Store a file the caller has checked against the hash and flushed to disk, by
        renaming it into place: no copy, so it must be on the same file system (under
        `root`). The source is consumed."""
        target = self.path_for(tenant, sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Same bytes under the same name: replacing an existing copy changes nothing.
        os.replace(source_path, target)
        _fsync_directory(target.parent)


def _fsync_directory(path: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
