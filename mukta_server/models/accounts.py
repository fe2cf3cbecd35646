"""Who may sync: tenants (the state and its ULBs), server users and their enrolled devices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UtcDateTime, utcnow


class Tenant(Base):
    __tablename__ = "tenant"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class ServerUser(Base):
    """An officer who may enrol devices. Roles are the production codes, comma-separated."""

    __tablename__ = "server_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"), index=True)
    roles: Mapped[str] = mapped_column(String(400))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Device(Base):
    """An enrolled desktop. The token itself is never stored: only its SHA-256 (hex)."""

    __tablename__ = "device"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_login: Mapped[str] = mapped_column(ForeignKey("server_user.login"), index=True)
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
