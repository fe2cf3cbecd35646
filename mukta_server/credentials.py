"""Passwords (argon2) and device tokens (random, stored only as their SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
from contextlib import suppress
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "mk1_"
# 32 random bytes (sync-protocol §3); token_urlsafe gives 43 characters for them.
TOKEN_BYTES = 32
MIN_PASSWORD = 8

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker argon2 parameters than today's defaults."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not the password of anybody")


def spend_password_time(password: str) -> None:
    """Verify against a throw-away hash: an unknown login then costs as long as a wrong
    password, so the time of the answer does not tell which logins exist."""
    with suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash(), password)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the server stores and looks up: the SHA-256 of the token, in hex.

    A plain hash is enough (no salt, no argon2): the token is 256 random bits, so nobody can
    guess it from its hash, and an indexed lookup by digest stays one query per request.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
