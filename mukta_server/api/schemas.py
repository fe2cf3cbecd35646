"""Request and answer bodies of /hello, /devices and /me (sync-protocol §2-3)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class VersionSpan(BaseModel):
    min: int
    max: int


class Hello(BaseModel):
    # "schema" is a BaseModel attribute in pydantic, hence the trailing underscore and alias.
    model_config = ConfigDict(populate_by_name=True)

    protocol: VersionSpan
    schema_: VersionSpan = Field(alias="schema")
    min_app_version: str = Field(examples=["0.4.0"])
    server_time: str = Field(
        description="ISO 8601 in UTC with Z", examples=["2026-11-21T06:30:00Z"]
    )


class EnrolRequest(BaseModel):
    login: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=500)
    device_name: str = Field(min_length=1, max_length=200, examples=["JE laptop, Dhenkanal"])
    app_version: str | None = Field(default=None, max_length=40, examples=["0.4.0"])


class UserOut(BaseModel):
    login: str
    name: str
    roles: list[str]


class Enrolled(BaseModel):
    device_id: str
    token: str = Field(description="Shown once; the server keeps only its SHA-256.")
    tenant: str
    user: UserOut


class Me(BaseModel):
    device_id: str
    device_name: str
    tenant: str
    tenant_name: str
    user: UserOut
