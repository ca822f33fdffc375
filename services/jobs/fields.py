"""Request field rules the jobs domains share: ids, links, salaries and partial updates."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field

from services.common.api import Schema
from services.common.errors import ValidationProblem, field_error

OBJECT_ID = r"^[0-9a-f]{24}$"
LEARNER_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
WEBSITE = r"^https?://[^\s/$.?#][^\s]*$"
MAX_SALARY = 1_000_000_000

Salary = Annotated[int, Field(ge=0, le=MAX_SALARY, description="KZT per month")]


class PartialUpdate(Schema):
    """Base of partial updates: a field may be left out, but only nullable ones set to null."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    def changes(self) -> dict[str, Any]:
        """Return the fields the client sent, refusing null where a value is required."""
        sent = self.model_dump(exclude_unset=True)
        errors = [
            field_error(name, "may be left out but not set to null")
            for name, value in sent.items()
            if value is None and name not in self.NULLABLE
        ]
        if errors:
            raise ValidationProblem("the body is not valid", errors=errors)
        return sent
