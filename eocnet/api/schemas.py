"""Shapes of the JSON the API reads and writes. Inputs refuse unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

#: Ids are 64-bit integers in both databases.
MAX_ID = 2**63 - 1


def _digits(value: Any) -> Any:
    # "7.0", "+7", " 7" or "7_0" would otherwise be read as id 7 (or 70)
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("an id is written in digits only")
    return value


Id = Annotated[int, Path(ge=1, le=MAX_ID, description="An id"), BeforeValidator(_digits)]


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


class Input(BaseModel):
    """A request body: unknown fields are refused, text is trimmed and NUL-free (no
    database stores NUL in text)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_storable(cls, value: Any) -> Any:
        return _no_nul(value)


class ContactOut(BaseModel):
    kind: str
    value: str
    label: str
    always_on: bool


class FocalPointOut(BaseModel):
    name: str
    email: str
    phone: str


class PartyOut(BaseModel):
    code: str = Field(description="ISO 3166-1 alpha-3 code, or the organisation's code")
    name: str
    kind: Literal["member", "coordinator", "partner", "organisation"]
    eoc_name: str = Field(description="The party's Emergency Operations Centre")
    time_zone: str = Field(description="IANA time zone of the EOC")
    languages: list[str] = Field(description="BCP 47 language tags")
    contacts: list[ContactOut] = Field(description="24/7 contact points of the EOC")


class PartyDetailOut(PartyOut):
    focal_points: list[FocalPointOut] | None = Field(
        None, description="The party's focal points; absent for callers who may not see them"
    )


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    party: str
    party_name: str
    roles: list[str]
    language: str
    two_factor: bool = Field(description="Whether a second factor is set up")
    token_scope: str = Field(description="'write' for sessions and write tokens, else 'read'")


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    party: str
    roles: list[str]
    active: bool
    two_factor: bool
    created_at: datetime


class UserCreate(Input):
    email: str = Field(max_length=254)
    party: str = Field(min_length=3, max_length=8)
    roles: list[str] = Field(min_length=1, max_length=5)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field("", max_length=200)
    phone: str = Field("", max_length=60)
    language: str = Field("en", max_length=16)


class UserUpdate(Input):
    active: bool


class TokenCreate(Input):
    scope: Literal["read", "write"] = "read"
    name: str = Field("", max_length=100)
    expires_at: datetime | None = Field(
        None, description="In the future; a time without zone is UTC"
    )


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart")
    scope: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The token itself; shown only this once")


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    party: str | None
    action: str
    object_type: str
    object_id: str
    details: dict[str, object]
    hash: str


class AuditPage(BaseModel):
    items: list[AuditOut]
    next_before_id: int | None = Field(
        None, description="Pass as before_id to get the next (older) page"
    )


class ChainOut(BaseModel):
    intact: bool
    checked: int
    broken_id: int | None
    reason: str


class Health(BaseModel):
    status: str
    database: str | None = None
    migrations: str | None = None


M = TypeVar("M", bound=BaseModel)


def from_row(model: type[M], row: Any, **extra: Any) -> M:
    """A response model filled from a row's attributes of the same names (and
    ``extra`` for the ones computed elsewhere)."""
    values = {n: getattr(row, n) for n in model.model_fields if n not in extra}
    return model.model_validate({**values, **extra})
