"""The device token: in the keyring when there is one, else in a 0600 file with a warning."""

from __future__ import annotations

import stat
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from mukta_desktop.sync.credentials import forget_token, load_token, save_token


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_token_goes_to_the_keyring_when_there_is_one(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    stored = save_token(tmp_path, "https://ho.example/", "je", "mk1_secret")
    assert (stored.where, stored.warning) == ("keyring", "")
    assert memory_keyring.items == {("mukta-desktop", "https://ho.example|je"): "mk1_secret"}
    assert not (tmp_path / "sync-token").exists()
    assert load_token(tmp_path, "https://ho.example", "je") == "mk1_secret"
    forget_token(tmp_path, "https://ho.example", "je")
    assert load_token(tmp_path, "https://ho.example", "je") is None


def test_without_a_keyring_a_file_only_the_user_reads(tmp_path: Path) -> None:
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        stored = save_token(tmp_path, "https://ho.example", "je", "mk1_secret")
        path = tmp_path / "sync-token"
        assert stored.where == str(path)
        assert "only your user can read" in stored.warning
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert load_token(tmp_path, "https://ho.example", "je") == "mk1_secret"
        assert load_token(tmp_path, "https://ho.example", "someone.else") is None
    finally:
        keyring.set_keyring(previous)
