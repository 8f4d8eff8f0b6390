"""The OpenAPI document: made from the routes' own models, checked in, served."""

from __future__ import annotations

import json

from segue.http.openapi import document
from segue.http.routes import build_api, operations
from tests.localstack import REPO

CHECKED_IN = REPO / "docs" / "openapi.json"


def test_the_checked_in_document_is_the_one_the_routes_make():
    made = document(operations())
    assert json.loads(CHECKED_IN.read_text()) == made, (
        "docs/openapi.json is stale: python -m segue.http.openapi > docs/openapi.json"
    )


def test_every_route_is_described_once_with_its_body_model():
    api = build_api()
    described = {(o.method, o.path) for o in api.operations}
    assert len(described) == len(api.operations)
    paths = document(api.operations)["paths"]
    for operation in api.operations:
        assert api.table.allowed(operation.path.replace("{", "").replace("}", ""))
        found = paths[operation.path][operation.method.lower()]
        if operation.body is not None:
            (media,) = found["requestBody"]["content"].values()
            assert media["schema"] == {"$ref": f"#/components/schemas/{operation.body.__name__}"}
    ids = [o.name for o in api.operations]
    assert len(set(ids)) == len(ids)


def test_the_request_bodies_are_the_handlers_own_models():
    schemas = document(operations())["components"]["schemas"]
    start = schemas["StartBody"]
    assert start["required"] == ["stateMachine"]
    assert start["additionalProperties"] is False  # extra="forbid", as the handler parses it
    assert schemas["PauseBody"]["properties"]["reason"]["maxLength"] == 1024


def test_get_openapi_json_serves_it():
    event = {
        "httpMethod": "GET",
        "path": "/openapi.json",
        "resource": "/{proxy+}",
        "headers": {},
        "requestContext": {"stage": "local"},
    }
    answer = build_api()(event, None)
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == json.loads(CHECKED_IN.read_text())
