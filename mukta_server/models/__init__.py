"""The server's tables (SQLAlchemy 2 ORM); the schema itself is made by its migrations."""

from .accounts import Device, ServerUser, Tenant
from .base import Base, DecimalText, UtcDateTime, utcnow
from .changes import CHANGE_SEQ, Change, ChangeCounter

__all__ = [
    "CHANGE_SEQ",
    "Base",
    "Change",
    "ChangeCounter",
    "DecimalText",
    "Device",
    "ServerUser",
    "Tenant",
    "UtcDateTime",
    "utcnow",
]
