"""Photo storage: content-addressed, tenant-prefixed, hash-verified, atomic, no path tricks."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mukta_server.storage import FileStorage, HashMismatch, PhotoMissing, PhotoStorage, StorageError

PHOTO = b"\xff\xd8\xff\xe0 not really a JPEG " * 1000
SHA = hashlib.sha256(PHOTO).hexdigest()
ULB = "od.dhenkanal"


@pytest.fixture
def storage(tmp_path: Path) -> FileStorage:
    return FileStorage(tmp_path / "photos")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "upload.part"
    path.write_bytes(PHOTO)
    return path


def test_stored_under_tenant_and_hash(storage: FileStorage, source: Path) -> None:
    checked: PhotoStorage = storage  # FileStorage is a PhotoStorage
    assert not checked.exists(ULB, SHA)
    checked.put_complete(ULB, SHA, source)
    expected = storage.root / ULB / SHA[:2] / SHA[2:4] / SHA
    assert expected.read_bytes() == PHOTO
    assert checked.exists(ULB, SHA)
    with checked.open_read(ULB, SHA) as photo:
        assert photo.read() == PHOTO
    assert source.read_bytes() == PHOTO  # the source is copied, not consumed
    # Nothing else is left in the directory (no temporary file).
    assert sorted(p.name for p in expected.parent.iterdir()) == [SHA]


def test_tenants_do_not_see_each_others_photos(storage: FileStorage, source: Path) -> None:
    storage.put_complete(ULB, SHA, source)
    assert not storage.exists("od.jatni", SHA)
    with pytest.raises(PhotoMissing):
        storage.open_read("od.jatni", SHA)


def test_a_wrong_hash_stores_nothing(storage: FileStorage, source: Path) -> None:
    wrong = hashlib.sha256(b"another photo").hexdigest()
    with pytest.raises(HashMismatch) as refused:
        storage.put_complete(ULB, wrong, source)
    assert refused.value.actual == SHA
    assert not storage.exists(ULB, wrong)
    directory = storage.root / ULB / wrong[:2] / wrong[2:4]
    assert list(directory.iterdir()) == []  # the temporary copy is gone too


def test_storing_the_same_photo_twice_is_harmless(storage: FileStorage, source: Path) -> None:
    storage.put_complete(ULB, SHA, source)
    storage.put_complete(ULB, SHA, source)
    with storage.open_read(ULB, SHA) as photo:
        assert photo.read() == PHOTO


def test_the_write_is_atomic(
    storage: FileStorage, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage.put_complete(ULB, SHA, source)

    # A crash between copying and renaming leaves the old, complete file and no debris.
    def crash(_src: object, _dst: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        storage.put_complete(ULB, SHA, source)
    monkeypatch.undo()
    target = storage.root / ULB / SHA[:2] / SHA[2:4] / SHA
    assert target.read_bytes() == PHOTO
    assert sorted(p.name for p in target.parent.iterdir()) == [SHA]


@pytest.mark.parametrize(
    ("tenant", "sha256"),
    [
        ("../od.dhenkanal", SHA),
        ("od/../..", SHA),
        ("od..", SHA),
        (".od", SHA),
        ("", SHA),
        ("/etc", SHA),
        ("OD.DHENKANAL", SHA),
        (ULB, "../" + SHA[3:]),
        (ULB, SHA.upper()),
        (ULB, SHA[:63]),
        (ULB, SHA + "0"),
        (ULB, "g" * 64),
        (ULB, SHA[:60] + "/../"),
    ],
)
def test_path_tricks_are_refused(
    storage: FileStorage, source: Path, tenant: str, sha256: str
) -> None:
    with pytest.raises(StorageError):
        storage.put_complete(tenant, sha256, source)
    with pytest.raises(StorageError):
        storage.exists(tenant, sha256)
    with pytest.raises(StorageError):
        storage.open_read(tenant, sha256)
    assert not storage.root.exists()  # nothing was created anywhere


def test_state_tenant_is_a_valid_area(storage: FileStorage, source: Path) -> None:
    storage.put_complete("od", SHA, source)
    assert storage.exists("od", SHA)
