"""Runs a Task state's resource: Lambda, or an optimized integration through boto3."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from segue.asl import Failed, Succeeded, errors
from segue.engine.waits import CALLBACK_SUFFIX, activity_name, base_resource

if TYPE_CHECKING:
    from collections.abc import Callable

    from segue.asl import Invoke, Result
    from segue.asl.outcomes import Json
    from segue.service.activities import Activities
    from segue.tasks.functions import Functions

DEFAULT_TIMEOUT = 60.0
"""Step Functions' default TimeoutSeconds for a Task is 99999999; we stop far sooner."""

_SERVICES = {
    "sqs:sendMessage": ("sqs", "send_message", "SQS"),
    "sns:publish": ("sns", "publish", "SNS"),
    "dynamodb:putItem": ("dynamodb", "put_item", "DynamoDB"),
    "dynamodb:getItem": ("dynamodb", "get_item", "DynamoDB"),
    "dynamodb:updateItem": ("dynamodb", "update_item", "DynamoDB"),
    "dynamodb:deleteItem": ("dynamodb", "delete_item", "DynamoDB"),
    "events:putEvents": ("events", "put_events", "EventBridge"),
}
_INTEGRATION = "arn:aws:states:::"
RUNNABLE_ACTIONS = frozenset({"lambda:invoke", *_SERVICES})


class Resources:
    """Task resources by ARN; every failure comes back as a `Failed` with an ASL error name."""

    def __init__(
        self,
        functions: Functions,
        client: Callable[[str], Any],
        activities: Activities | None = None,
    ) -> None:
        self.functions = functions
        self.client = client
        self.activities = activities
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="task")

    def run(self, invoke: Invoke) -> Result:
        """Run the resource, within the state's TimeoutSeconds (States.Timeout past it).

        A `.waitForTaskToken` resource only hands the token over (a Lambda function is
        invoked asynchronously); its TimeoutSeconds bounds the wait, not this call.
        """
        activity = activity_name(invoke.resource)
        if activity is not None:
            return self._offer(activity, invoke)
        callback = invoke.resource.endswith(CALLBACK_SUFFIX)
        timeout = DEFAULT_TIMEOUT if callback else float(invoke.timeout_seconds or DEFAULT_TIMEOUT)
        resource = base_resource(invoke.resource)
        future = self._pool.submit(self._run, resource, invoke.parameters, timeout, callback)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            return Failed(errors.TIMEOUT, "")  # AWS gives no cause for a task timeout

    def _offer(self, activity: str, invoke: Invoke) -> Result:
        """Offer the task to the activity's workers; one of them answers with its token."""
        if self.activities is None or invoke.task_token is None:
            return Failed(errors.TASK_FAILED, "segue has no activities here")
        if not self.activities.exists(activity):
            return Failed(errors.RUNTIME, f"the activity {activity} does not exist")
        self.activities.offer(activity, invoke.task_token, invoke.parameters)
        return Succeeded(None)

    def _run(self, resource: str, parameters: Json, timeout: float, callback: bool) -> Result:
        if resource.startswith("arn:aws:lambda:"):
            return self.functions.invoke(resource, parameters, timeout)
        if not resource.startswith(_INTEGRATION):
            return Failed(errors.TASK_FAILED, f"segue cannot run the resource {resource}")
        action = resource[len(_INTEGRATION) :]
        if action == "lambda:invoke":
            return self._lambda_invoke(parameters, timeout, callback)
        if action in _SERVICES:
            return self._call_service(*_SERVICES[action], parameters)
        return Failed(errors.TASK_FAILED, f"segue does not support the integration {action} yet")

    def _lambda_invoke(self, parameters: Json, timeout: float, asynchronous: bool) -> Result:
        if not isinstance(parameters, dict) or not isinstance(parameters.get("FunctionName"), str):
            return Failed(errors.TASK_FAILED, "lambda:invoke needs Parameters.FunctionName")
        name = parameters["FunctionName"]
        result = self.functions.invoke(name, parameters.get("Payload"), timeout, asynchronous)
        if isinstance(result, Failed):
            return result
        return Succeeded(
            {
                "ExecutedVersion": "$LATEST",
                "Payload": result.output,
                "StatusCode": 200,
            }
        )

    def _call_service(self, service: str, method: str, prefix: str, parameters: Json) -> Result:
        if not isinstance(parameters, dict):
            return Failed(errors.TASK_FAILED, f"{prefix} integration needs object Parameters")
        request = dict(parameters)
        if service == "sqs" and not isinstance(request.get("MessageBody"), str):
            request["MessageBody"] = json.dumps(request.get("MessageBody"))
        if service == "sns" and not isinstance(request.get("Message"), str):
            request["Message"] = json.dumps(request.get("Message"))
        try:
            answer = getattr(self.client(service), method)(**request)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "Exception")
            return Failed(f"{prefix}.{code}", str(error))
        except (BotoCoreError, TypeError) as error:  # botocore's parameter validation
            return Failed(errors.TASK_FAILED, f"{prefix} refused the parameters: {error}")
        answer.pop("ResponseMetadata", None)
        return Succeeded(json.loads(json.dumps(answer, default=str)))
