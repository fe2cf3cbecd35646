"""`current_device`: the dependency every token-protected endpoint uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mukta_server.db import Database
from mukta_server.enrolment import DeviceIdentity, TokenRefused, identify

from .errors import ApiError

# auto_error=False: a missing or malformed header is answered by us, as token_invalid, in
# the protocol's JSON shape rather than FastAPI's.
_bearer = HTTPBearer(auto_error=False, description="The device token from enrolment (mk1_…).")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def database(request: Request) -> Database:
    """The database configured at app creation (app.state), not a module global."""
    db = request.app.state.database
    assert isinstance(db, Database)
    return db


def current_device(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> DeviceIdentity:
    """Who is asking: looked up by the token's SHA-256 on every request, so a revoke or a
    disabled user takes effect on the very next request, in every server process."""
    if credentials is None or not credentials.credentials:
        raise ApiError(
            401,
            "token_invalid",
            "This request needs a device token (Authorization: Bearer …). Enrol the device.",
            headers=_CHALLENGE,
        )
    try:
        return identify(database(request), credentials.credentials)
    except TokenRefused as refused:
        raise ApiError(401, refused.code, refused.message, headers=_CHALLENGE) from None


CurrentDevice = Annotated[DeviceIdentity, Depends(current_device)]
