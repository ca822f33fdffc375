"""Base types of every request and response schema, and the pagination pair."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from bson import ObjectId
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from ..clock import as_utc

T = TypeVar("T")


def _id_to_str(value: Any) -> Any:
    return str(value) if isinstance(value, ObjectId) else value


Id = Annotated[str, BeforeValidator(_id_to_str)]
"""A document id in responses (ObjectId rendered as its hex string)."""

ObjectIdStr = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]
"""A document id in requests: 24 lower-case hex digits."""

UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]
"""A datetime that is always timezone-aware UTC once validated."""


class Schema(BaseModel):
    """Base of every request schema: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadSchema(BaseModel):
    """Base of every response schema: built from model objects."""

    model_config = ConfigDict(from_attributes=True)


class PageQuery(Schema):
    """Pagination parameters shared by every list endpoint."""

    limit: int = Field(20, ge=1, le=200, description="items per page")
    offset: int = Field(0, ge=0, le=10_000_000, description="items to skip")


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total number of matching items."""

    items: list[T]
    total: int
    limit: int
    offset: int
