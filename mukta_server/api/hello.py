"""GET /hello: which versions this server accepts, and its clock (no token needed)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request

from mukta_server.settings import Settings

from .schemas import Hello, VersionSpan

router = APIRouter()


@router.get("/hello", response_model=Hello, response_model_by_alias=True)
def hello(request: Request) -> Hello:
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return Hello(
        protocol=VersionSpan(min=settings.protocol.min, max=settings.protocol.max),
        schema=VersionSpan(min=settings.schema.min, max=settings.schema.max),
        min_app_version=settings.min_app_version,
        server_time=now,
    )
