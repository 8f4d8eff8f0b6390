"""Runs a Task state's resource: Lambda, an activity, or an AWS API call through boto3."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any, Protocol

from segue.asl import Failed, Succeeded, errors
from segue.asl.bounds import JsonTextError, read_json
from segue.asl.distributed import MAP_RUN
from segue.asl.sdk import PREFIX as SDK_PREFIX
from segue.asl.sdk import SdkAction, UnknownSdkAction, optimized, sdk_action
from segue.engine.waits import WaitKind, activity_name, base_resource, wait_kind
from segue.tasks import http, sdk
from segue.tasks.children import STARTED_BY, Parent, parent_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from segue.asl import Invoke, Result
    from segue.asl.outcomes import Json
    from segue.service.activities import Activities
    from segue.tasks.functions import Functions

LONGEST_TASK = 900.0
"""How long a task without TimeoutSeconds may run: as long as AWS lets a Lambda function
run (Step Functions' own default, 99999999 s, is for tasks that wait for callbacks)."""
HAND_OVER = 60.0
"""How long handing a task token over (an asynchronous invoke, a message) may take."""

_SERVICES = {
    "sqs:sendMessage": ("sqs", "SendMessage", "SQS", "AmazonSQSException"),
    "sns:publish": ("sns", "Publish", "SNS", "AmazonSNSException"),
    "dynamodb:putItem": ("dynamodb", "PutItem", "DynamoDB", "AmazonDynamoDBException"),
    "dynamodb:getItem": ("dynamodb", "GetItem", "DynamoDB", "AmazonDynamoDBException"),
    "dynamodb:updateItem": ("dynamodb", "UpdateItem", "DynamoDB", "AmazonDynamoDBException"),
    "dynamodb:deleteItem": ("dynamodb", "DeleteItem", "DynamoDB", "AmazonDynamoDBException"),
    "events:putEvents": ("events", "PutEvents", "EventBridge", "AmazonEventBridgeException"),
    "states:startExecution": (
        "stepfunctions",
        "StartExecution",
        "StepFunctions",
        "AWSStepFunctionsException",
    ),
}
"""Optimized integrations: the call, and the error prefix and generic error AWS gives them."""
_INTEGRATION = "arn:aws:states:::"
RUNNABLE_ACTIONS = frozenset({"lambda:invoke", "http:invoke", *_SERVICES})


class MapRunStarter(Protocol):
    """What starts a Distributed Map's run (`service.map_runs`)."""

    def start(self, invoke: Invoke) -> Result: ...


class Resources:
    """Task resources by ARN; every failure comes back as a `Failed` with an ASL error name."""

    def __init__(
        self,
        functions: Functions,
        client: Callable[[str], Any],
        activities: Activities | None = None,
        step_functions: Callable[[], Any] | None = None,
    ) -> None:
        self.functions = functions
        self.client = client
        self.activities = activities
        self.step_functions = step_functions
        """segue's own Step Functions API, in-process: what `sfn` calls reach."""
        self.map_runs: MapRunStarter | None = None
        """What runs a Distributed Map's task (set once the services exist)."""
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="task")

    def run(self, invoke: Invoke, budget: float | None = None) -> Result:
        """Run the resource, within the state's TimeoutSeconds (States.Timeout past it).

        `budget` is how long the worker itself has left: a task still running then fails
        with States.Timeout too, its cause saying why, so that its Retry may run it again
        on a worker with time. A `.waitForTaskToken` resource only hands the token over
        (a Lambda function is invoked asynchronously); TimeoutSeconds bounds the wait.
        """
        activity = activity_name(invoke.resource)
        if activity is not None:
            return self._offer(activity, invoke)
        if invoke.resource == MAP_RUN:
            if self.map_runs is None:
                return Failed(errors.RUNTIME, "segue runs no Distributed Map here")
            return self.map_runs.start(invoke)
        # a callback's task, or a nested execution's, waits once it has handed over
        callback = wait_kind(invoke.resource) is WaitKind.CALLBACK
        timeout = HAND_OVER if callback else float(invoke.timeout_seconds or LONGEST_TASK)
        cut_short = budget is not None and budget < timeout
        if budget is not None and cut_short:
            timeout = max(budget, 0.0)
        resource = base_resource(invoke.resource)
        parent = parent_of(invoke)
        future = self._pool.submit(
            self._run, resource, invoke.parameters, timeout, callback, parent
        )
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            if cut_short:
                return Failed(
                    errors.TIMEOUT,
                    f"The task was still running after {timeout:.0f} s, when its worker's own "
                    "time (the worker function's Timeout) ran out.",
                )
            return Failed(errors.TIMEOUT, "")  # AWS gives no cause for a task timeout

    def _offer(self, activity: str, invoke: Invoke) -> Result:
        """Offer the task to the activity's workers; one of them answers with its token."""
        if self.activities is None or invoke.task_token is None:
            return Failed(errors.TASK_FAILED, "segue has no activities here")
        if not self.activities.exists(activity):
            return Failed(errors.RUNTIME, f"the activity {activity} does not exist")
        self.activities.offer(activity, invoke.task_token, invoke.parameters)
        return Succeeded(None)

    def _run(
        self,
        resource: str,
        parameters: Json,
        timeout: float,
        callback: bool,
        parent: Parent | None = None,
    ) -> Result:
        if resource.startswith("arn:aws:lambda:"):
            return self.functions.invoke(resource, parameters, timeout)
        if not resource.startswith(_INTEGRATION):
            return Failed(errors.TASK_FAILED, f"segue cannot run the resource {resource}")
        action = resource[len(_INTEGRATION) :]
        if action == "lambda:invoke":
            return self._lambda_invoke(parameters, timeout, callback)
        if action == "http:invoke":
            return http.invoke(parameters, self.client, timeout)
        if action in _SERVICES:
            service, operation, prefix, generic = _SERVICES[action]
            result = self._call(optimized(service, operation, prefix), parameters, generic, parent)
            return _failed_entries(result) if action == "events:putEvents" else result
        if resource.startswith(SDK_PREFIX):
            try:
                return self._call(sdk_action(resource), parameters)
            except UnknownSdkAction as unknown:
                return Failed(errors.RUNTIME, str(unknown))
        return Failed(errors.TASK_FAILED, f"segue does not support the integration {action} yet")

    def _call(
        self,
        action: SdkAction,
        parameters: Json,
        generic: str | None = None,
        parent: Parent | None = None,
    ) -> Result:
        if action.service == "stepfunctions" and self.step_functions is not None:
            started_by = STARTED_BY.set(parent)
            try:
                return sdk.call(self.step_functions(), action, parameters, generic)
            finally:
                STARTED_BY.reset(started_by)
        return sdk.call(self.client(action.service), action, parameters, generic)

    def _lambda_invoke(self, parameters: Json, timeout: float, asynchronous: bool) -> Result:
        if not isinstance(parameters, dict) or not isinstance(parameters.get("FunctionName"), str):
            return Failed(errors.TASK_FAILED, "lambda:invoke needs Parameters.FunctionName")
        name = parameters["FunctionName"]
        payload = parameters.get("Payload")
        if payload is None:  # Lambda hands a function without a payload an empty object
            payload = {}
        elif isinstance(payload, str):  # a text Payload is the request's JSON itself
            try:
                payload = read_json(payload, "the Payload")
            except JsonTextError as refused:
                return Failed("Lambda.InvalidRequestContentException", str(refused))
        result = self.functions.invoke(name, payload, timeout, asynchronous)
        if isinstance(result, Failed):
            return result
        return Succeeded(
            {
                "ExecutedVersion": "$LATEST",
                "Payload": result.output,
                "StatusCode": 200,
            }
        )


def _failed_entries(result: Result) -> Result:
    """EventBridge's PutEvents answers entries it refused: the task fails with the answer."""
    output = result.output if isinstance(result, Succeeded) else None
    if isinstance(output, dict) and output.get("FailedEntryCount"):
        return Failed("EventBridge.FailedEntry", json.dumps(output, separators=(",", ":")))
    return result
