"""segue's `stepfunctions` client: the extended model, and signatures API Gateway accepts."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.awsrequest import AWSResponse, HTTPHeaders

from segue.sfn.client import step_functions


class _Raw:
    def stream(self, **_: Any) -> Any:
        yield b'{"segueStatus": "PAUSED"}'


def signed_scope(endpoint: str) -> str:
    """The credential scope of the Authorization header a pause request is signed with."""
    session = boto3.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="eu-west-1"
    )
    client = step_functions(endpoint, session=session)
    seen: dict[str, str] = {}

    def send(request: Any, **_: Any) -> AWSResponse:
        seen["authorization"] = request.headers["Authorization"].decode()
        return AWSResponse(request.url, 200, HTTPHeaders(), _Raw())

    client.meta.events.register_first("before-send.sfn.*", send)
    answer = client.pause_execution(
        executionArn="arn:aws:states:eu-west-1:123456789012:execution:a:b"
    )
    assert answer["segueStatus"] == "PAUSED"
    return seen["authorization"].split("Credential=")[1].split(",")[0]


def test_a_deployed_stack_is_signed_for_execute_api():
    endpoint = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1"
    assert signed_scope(endpoint).endswith("/eu-west-1/execute-api/aws4_request")


def test_segue_dev_is_signed_as_step_functions_are():
    assert signed_scope("http://127.0.0.1:8321").endswith("/eu-west-1/states/aws4_request")
