"""The server's tables (SQLAlchemy 2 ORM); the schema itself is made by its migrations."""

from .accounts import Device, ServerUser, Tenant
from .base import Base, DecimalText, UtcDateTime, utcnow
from .changes import CHANGE_SEQ, Change, ChangeCounter
from .records import DeviceOperation, HeldOperation, Record

__all__ = [
    "CHANGE_SEQ",
    "Base",
    "Change",
    "ChangeCounter",
    "DecimalText",
    "Device",
    "DeviceOperation",
    "HeldOperation",
    "Record",
    "ServerUser",
    "Tenant",
    "UtcDateTime",
    "utcnow",
]
