"""The server's tables (SQLAlchemy 2 ORM); the schema itself is made by its migrations."""

from .accounts import Device, ServerUser, Tenant
from .base import Base, DecimalText, UtcDateTime, utcnow
from .changes import CHANGE_SEQ, Change, ChangeCounter
from .records import DeviceOperation, HeldOperation, Record
from .sor import PublishedRate, SorDefinition, SorPublication

__all__ = [
    "CHANGE_SEQ",
    "Base",
    "Change",
    "ChangeCounter",
    "DecimalText",
    "Device",
    "DeviceOperation",
    "HeldOperation",
    "PublishedRate",
    "Record",
    "ServerUser",
    "SorDefinition",
    "SorPublication",
    "Tenant",
    "UtcDateTime",
    "utcnow",
]
