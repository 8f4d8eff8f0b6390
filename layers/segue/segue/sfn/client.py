"""A boto3 `stepfunctions` client for segue: `segue.sfn.client.step_functions(url)`.

Installing segue already gives every boto3 `stepfunctions` client `pause_execution` and
`resume_execution` (segue's additions to the service model, on AWS_DATA_PATH). This
helper adds what a deployed stack needs: API Gateway checks IAM signatures made for
`execute-api`, while the client signs for `states`, so requests to an `execute-api`
endpoint are signed for `execute-api` instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import boto3
from botocore.awsrequest import AWSResponse, HTTPHeaders

if TYPE_CHECKING:
    from segue.service.wiring import Services

MODELS = Path(__file__).resolve().parent.parent / "botocore_data"
"""segue's additions to botocore's models (`<service>/<version>/service-2.sdk-extras.json`)."""


def step_functions(endpoint_url: str, session: boto3.Session | None = None, **config: Any) -> Any:
    """A `stepfunctions` client for segue at `endpoint_url` (`segue dev`, or a stack's ApiUrl)."""
    session = session or boto3.Session()
    loader = session._session.get_component("data_loader")
    if str(MODELS) not in loader.search_paths:
        loader.search_paths.append(str(MODELS))
    client = session.client("stepfunctions", endpoint_url=endpoint_url, **config)
    if ".execute-api." in (urlsplit(endpoint_url).hostname or ""):
        client.meta.events.register("before-sign.sfn", _sign_for_api_gateway)
    return client


def _sign_for_api_gateway(request: Any, **_: Any) -> None:
    request.context.setdefault("signing", {})["signing_name"] = "execute-api"


def in_process(services: Services) -> Any:
    """A `stepfunctions` client answered by segue's own API in this process (no network).

    What a Task's `aws-sdk:sfn:*` and `states:startExecution` reach: the same operations,
    checks and errors as over HTTP, for the executions this stack keeps.
    """
    from segue.sfn import protocol
    from segue.sfn.arns import Arns

    settings = services.settings
    arns = Arns(settings.region, settings.account)
    client = boto3.Session().client(
        "stepfunctions",
        endpoint_url="http://segue.in-process",
        region_name=settings.region,
        aws_access_key_id="segue",
        aws_secret_access_key="segue",
    )

    def send(request: Any, **_: Any) -> AWSResponse:
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        status, answer = protocol.answer(services, arns, "segue", headers, body)
        response_headers = HTTPHeaders()
        response_headers["Content-Type"] = "application/x-amz-json-1.0"
        return AWSResponse(
            request.url, status, response_headers, ResponseBody(json.dumps(answer).encode())
        )

    def by_name(params: dict[str, Any], **_: Any) -> None:
        """A Task may name one of segue's state machines by its name alone."""
        named = params.get("stateMachineArn")
        if isinstance(named, str) and named and not named.startswith("arn:"):
            params["stateMachineArn"] = arns.state_machine(named)

    client.meta.events.register("provide-client-params.sfn.StartExecution", by_name)
    client.meta.events.register_first("before-send.sfn.*", send)
    return client


class ResponseBody:
    """What botocore reads a response body from, for an answer made in this process."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body

    def read(self, *_: Any, **__: Any) -> bytes:
        return self.body
