"""The ``endpoint`` decorator: a view's declared contract (parse, call, serialise, document).

A view declares its contract once::

    @endpoint(bp, "POST", "/learners", body=LearnerCreate, response=LearnerRead, status=201)
    def create_learner(body: LearnerCreate) -> Learner: ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response
from flask.blueprints import BlueprintSetupState
from pydantic import BaseModel

from ..state import app_state
from .parsing import parse_body, parse_query
from .responses import json_response, serialise


@dataclass
class Operation:
    """One declared endpoint, as the OpenAPI document describes it."""

    method: str
    rule: str
    endpoint: str
    summary: str
    tags: list[str]
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    errors: dict[int, str] = field(default_factory=dict)


def endpoint(
    bp: Blueprint,
    method: str,
    rule: str,
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    tags: list[str] | None = None,
    errors: dict[int, str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view with its declared contract (validation + serialisation + OpenAPI)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**path: Any) -> Any:
            kwargs = dict(path)
            if body is not None:
                kwargs["body"] = parse_body(body)
            if query is not None:
                kwargs["query"] = parse_query(query)
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            if status == 204:
                return Response(status=204)
            return json_response(serialise(response, result), status)

        bp.add_url_rule(rule, view.__name__, wrapper, methods=[method])
        doc = (view.__doc__ or view.__name__).strip().splitlines()[0]
        operation = Operation(
            method=method.lower(),
            rule=rule,
            endpoint=f"{bp.name}.{view.__name__}",
            summary=doc,
            tags=tags or [bp.name],
            body=body,
            query=query,
            response=response,
            status=status,
            errors=errors or {},
        )

        def record(state: BlueprintSetupState) -> None:
            # Per app, not per module: two services' blueprints may share a name in one process.
            app_state(state.app).operations.append(operation)

        bp.record_once(record)
        return wrapper

    return decorate
