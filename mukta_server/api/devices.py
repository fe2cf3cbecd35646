"""POST /devices (enrolment with login and password) and GET /me (who a token is)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from mukta_server.enrolment import DeviceIdentity, EnrolmentRefused, enrol
from mukta_server.settings import Settings
from mukta_server.versions import MalformedVersion, app_refusal

from .auth import CurrentDevice, database
from .errors import ApiError, ErrorBody
from .schemas import Enrolled, EnrolRequest, Me, UserOut

router = APIRouter()

_STATUS = {"bad_credentials": 401, "user_disabled": 403}


def _user(identity: DeviceIdentity) -> UserOut:
    return UserOut(login=identity.login, name=identity.user_name, roles=list(identity.roles))


@router.post(
    "/devices",
    status_code=201,
    response_model=Enrolled,
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 426: {"model": ErrorBody}},
)
def enrol_device(body: EnrolRequest, request: Request) -> Enrolled:
    """Enrol a device: the answer's token is shown once and is what every later request
    carries. Unknown login and wrong password get the same 401 bad_credentials."""
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    if body.app_version is not None:
        _require_app_version(body.app_version, settings.min_app_version)
    try:
        enrolment = enrol(
            database(request),
            login=body.login,
            password=body.password,
            device_name=body.device_name,
        )
    except EnrolmentRefused as refused:
        raise ApiError(_STATUS[refused.code], refused.code, refused.message) from None
    identity = enrolment.identity
    return Enrolled(
        device_id=identity.device_id,
        token=enrolment.token,
        tenant=identity.tenant,
        user=_user(identity),
    )


@router.get("/me", response_model=Me, responses={401: {"model": ErrorBody}})
def me(device: CurrentDevice) -> Me:
    """The device, user and tenant the token stands for."""
    return Me(
        device_id=device.device_id,
        device_name=device.device_name,
        tenant=device.tenant,
        tenant_name=device.tenant_name,
        user=_user(device),
    )


def _require_app_version(app_version: str, min_app_version: str) -> None:
    try:
        reason = app_refusal(app_version, min_app_version)
    except MalformedVersion as error:
        raise ApiError(422, "invalid_request", str(error)) from None
    if reason is not None:
        raise ApiError(426, "update_required", reason, extra={"min_app_version": min_app_version})
