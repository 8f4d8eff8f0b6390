"""A boto3 `stepfunctions` client for segue: `segue.sfn.client.step_functions(url)`.

Installing segue already gives every boto3 `stepfunctions` client `pause_execution` and
`resume_execution` (segue's additions to the service model, on AWS_DATA_PATH). This
helper adds what a deployed stack needs: API Gateway checks IAM signatures made for
`execute-api`, while the client signs for `states`, so requests to an `execute-api`
endpoint are signed for `execute-api` instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3

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
