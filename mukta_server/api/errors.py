"""Every error answer is JSON: {"error": code, "message": plain words}, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "token_invalid",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "body_too_large",
    415: "unsupported_media_type",
}
_MESSAGES = {
    404: "There is nothing at this address.",
    405: "This address does not take that method.",
}


class ErrorBody(BaseModel):
    """The body of every error answer (more fields for some codes, e.g. min_app_version)."""

    error: str
    message: str


class ApiError(Exception):
    """Raised by an endpoint or dependency to answer with a protocol error."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "message": message, **(extra or {})}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, extra=exc.extra, headers=exc.headers)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODES.get(exc.status_code, f"http_{exc.status_code}")
    detail = exc.detail if isinstance(exc.detail, str) else None
    message = _MESSAGES.get(exc.status_code) or detail or "The request was refused."
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only where and what: pydantic's "input" would echo the request back, password included.
    problems = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()
    ]
    if any(p["type"] == "json_invalid" for p in problems):
        return error_response(
            422,
            "invalid_request",
            "The request body is not valid JSON.",
            extra={"problems": problems},
        )
    described = "; ".join(
        f"{'.'.join(p['loc'][1:]) or p['loc'][0] if p['loc'] else 'body'}: {p['msg']}"
        for p in problems[:5]
    )
    return error_response(
        422,
        "invalid_request",
        f"The request is not valid: {described}." if described else "The request is not valid.",
        extra={"problems": problems},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # A bug of ours: logged with its traceback here, answered in plain words there.
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        500, "internal_error", "The server met an unexpected error; it has been logged."
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
