"""Stand-ins for the Lambda functions the recorded cases call, behaving as they did on AWS."""

from __future__ import annotations

import json
from typing import Any

from segue.asl import Failed, Succeeded
from segue.asl.simulator import TaskRun

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
# The recorded functions' payloads: name -> (seconds taken, result or error name).
_BEHAVIOUR: dict[str, Any] = {
    "b_identity": lambda event: (0.1, Succeeded(event)),
    "b_raise": lambda event: (0.1, _raised("Exception", "Some exception was raised.")),
    "b_echo": lambda event: (0.1, Succeeded({"Return": "HelloWorld"})),
    "b_bytes": lambda event: (0.1, Succeeded(json.loads('"HelloWorld!"'))),
    "b_wait60": lambda event: (60.0, Succeeded(event)),
    # The recorded 257 KiB response of the data-limit cases.
    "lambda_func_u00001": lambda event: (0.1, Succeeded("a" * (257 * 1024))),
}


def _raised(error_type: str, message: str) -> Failed:
    cause = {"errorMessage": message, "errorType": error_type, "requestId": "0", "stackTrace": []}
    return Failed(error_type, json.dumps(cause))


def function_name(reference: str) -> str:
    """`b_echo` from a bare name or any function ARN (with or without a version)."""
    if ":function:" in reference:
        return reference.split(":function:", 1)[1].split(":", 1)[0]
    return reference


def run_task(resource: str, parameters: Any) -> TaskRun:
    """A Task on a Lambda ARN, or the optimized `lambda:invoke` integration."""
    if resource.startswith(LAMBDA_INVOKE):
        name = function_name(str(parameters.get("FunctionName", "")))
        if name not in _BEHAVIOUR:
            return TaskRun(
                Failed("Lambda.ResourceNotFoundException", f"Function not found: {name}")
            )
        seconds, result = _BEHAVIOUR[name](parameters.get("Payload"))
        if isinstance(result, Succeeded):
            result = Succeeded(
                {"ExecutedVersion": "$LATEST", "Payload": result.output, "StatusCode": 200}
            )
        return TaskRun(result, seconds)
    name = function_name(resource)
    if name not in _BEHAVIOUR:
        return TaskRun(Failed("Lambda.ResourceNotFoundException", f"Function not found: {name}"))
    seconds, result = _BEHAVIOUR[name](parameters)
    return TaskRun(result, seconds)
