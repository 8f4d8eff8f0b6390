"""A real boto3 `stepfunctions` client whose requests go to the api handler in-process."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse, HTTPHeaders

from segue.sfn.client import ResponseBody

ENDPOINT = "http://segue.invalid"


def step_functions_client(handler: Any) -> Any:
    """boto3's client, unchanged but for where it sends: `handler` (an API Gateway proxy)."""
    client = boto3.client("stepfunctions", endpoint_url=ENDPOINT, region_name="us-east-1")

    def send(request: Any, **_: Any) -> AWSResponse:
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        event = {
            "httpMethod": request.method,
            "path": "/",
            "resource": "/{proxy+}",
            "headers": {
                k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()
            },
            "queryStringParameters": None,
            "body": body,
            "isBase64Encoded": False,
            "requestContext": {"stage": "v1", "httpMethod": request.method, "path": "/"},
        }
        answer = handler(event, None)
        raw = answer["body"].encode()
        headers = HTTPHeaders()
        for name, value in {"Content-Type": "application/x-amz-json-1.0"}.items():
            headers[name] = value
        return AWSResponse(request.url, answer["statusCode"], headers, ResponseBody(raw))

    client.meta.events.register_first("before-send.sfn.*", send)
    return client


def body(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without botocore's response metadata."""
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def definition(states: dict[str, Any]) -> str:
    return json.dumps({"StartAt": next(iter(states)), "States": states})
