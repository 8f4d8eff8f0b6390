"""The OpenAPI 3.1 document of segue's HTTP API, made from the routes as they are registered.

Each route names its body model (`http.bodies`, the one its handler parses), its query
parameters and its answers (`http.answers`); the schemas are those models' own JSON
Schemas. `docs/openapi.json` is this document, checked in (a test keeps it the same):
`python -m segue.http.openapi > docs/openapi.json` writes it again.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from segue.http.answers import Problem

if TYPE_CHECKING:
    from pydantic import BaseModel

AWS_JSON = "application/x-amz-json-1.0"


@dataclass(frozen=True)
class Query:
    """A query parameter: its name, JSON Schema and what it does."""

    name: str
    schema: dict[str, Any]
    description: str


@dataclass(frozen=True)
class Operation:
    """One method on one route, as the OpenAPI document describes it."""

    method: str
    rule: str
    name: str
    """The operationId."""
    summary: str
    answers: dict[int, type[BaseModel]]
    body: type[BaseModel] | None = None
    body_required: bool = True
    query: tuple[Query, ...] = ()
    media_type: str = "application/json"
    tags: tuple[str, ...] = field(default=())

    @property
    def path(self) -> str:
        """The route in OpenAPI's templating (`<execution_id>` is `{execution_id}`)."""
        return re.sub(r"<(\w+)>", r"{\1}", self.rule)


def document(operations: list[Operation]) -> dict[str, Any]:
    """The OpenAPI document of `operations`."""
    schemas: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(
            operation, schemas
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "segue",
            "version": "1",
            "description": "Durable, pausable Amazon States Language workflows: segue's "
            "own HTTP API (API.md). On AWS every request is signed (SigV4, IAM).",
        },
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.items()))},
    }


def _operation(operation: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {
        "operationId": operation.name,
        "summary": operation.summary,
    }
    if operation.tags:
        found["tags"] = list(operation.tags)
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"<(\w+)>", operation.rule)
    ] + [
        {"name": q.name, "in": "query", "required": False, "schema": q.schema}
        | {"description": q.description}
        for q in operation.query
    ]
    if parameters:
        found["parameters"] = parameters
    if operation.body is not None:
        found["requestBody"] = {
            "required": operation.body_required,
            "content": {operation.media_type: {"schema": _ref(operation.body, schemas)}},
        }
    answers = {
        str(status): _response(model, operation.media_type, schemas)
        for status, model in sorted(operation.answers.items())
    }
    answers["default"] = _response(Problem, "application/json", schemas, "refused")
    found["responses"] = answers
    return found


def _response(
    model: type[BaseModel], media_type: str, schemas: dict[str, Any], words: str = ""
) -> dict[str, Any]:
    description = words or (model.__doc__ or model.__name__).strip().splitlines()[0]
    return {"description": description, "content": {media_type: {"schema": _ref(model, schemas)}}}


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    for name, inner in schema.pop("$defs", {}).items():
        schemas[name] = inner
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def main() -> int:
    """Print the document of the API's routes (what docs/openapi.json holds)."""
    from segue.http.routes import operations

    sys.stdout.write(json.dumps(document(operations()), indent=2, sort_keys=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
