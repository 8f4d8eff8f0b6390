"""AWS JSON 1.0 for Step Functions: `POST /` with `X-Amz-Target: AWSStepFunctions.<Op>`.

One request in, `(status, body)` out; every failure is an AWS-shaped error, never a 500
for anything a client sent.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from segue.asl.bounds import JsonTextError, read_json
from segue.sfn import errors as sfn
from segue.sfn import shapes as s
from segue.sfn.facade import StepFunctions

if TYPE_CHECKING:
    from segue.service.wiring import Services
    from segue.sfn.arns import Arns

TARGET_PREFIX = "AWSStepFunctions."
CONTENT_TYPE = "application/x-amz-json-1.0"

OPERATIONS: dict[str, type[s.Shape]] = {
    "CreateStateMachine": s.CreateStateMachineInput,
    "UpdateStateMachine": s.UpdateStateMachineInput,
    "DescribeStateMachine": s.StateMachineArnInput,
    "DeleteStateMachine": s.StateMachineArnInput,
    "ListStateMachines": s.PageInput,
    "DescribeStateMachineForExecution": s.ExecutionArnInput,
    "ValidateStateMachineDefinition": s.ValidateInput,
    "ListStateMachineVersions": s.ListVersionsInput,
    "PublishStateMachineVersion": s.PublishVersionInput,
    "DeleteStateMachineVersion": s.DeleteVersionInput,
    "CreateActivity": s.CreateActivityInput,
    "DescribeActivity": s.ActivityArnInput,
    "ListActivities": s.PageInput,
    "DeleteActivity": s.ActivityArnInput,
    "GetActivityTask": s.GetActivityTaskInput,
    "TagResource": s.TagResourceInput,
    "UntagResource": s.UntagResourceInput,
    "ListTagsForResource": s.ResourceArnInput,
    "StartExecution": s.StartExecutionInput,
    "DescribeExecution": s.ExecutionArnInput,
    "ListExecutions": s.ListExecutionsInput,
    "DescribeMapRun": s.MapRunArnInput,
    "ListMapRuns": s.ListMapRunsInput,
    "GetExecutionHistory": s.GetExecutionHistoryInput,
    "StopExecution": s.StopExecutionInput,
    "RedriveExecution": s.RedriveExecutionInput,
    "PauseExecution": s.PauseExecutionInput,
    "ResumeExecution": s.ResumeExecutionInput,
    "SendTaskSuccess": s.SendTaskSuccessInput,
    "SendTaskFailure": s.SendTaskFailureInput,
    "SendTaskHeartbeat": s.SendTaskHeartbeatInput,
}
"""Each operation segue answers, with the model of its request."""


def is_step_functions(headers: dict[str, str]) -> bool:
    """Whether a request is meant for this protocol (by its `X-Amz-Target`)."""
    return _header(headers, "x-amz-target").startswith(TARGET_PREFIX)


def answer(
    services: Services, arns: Arns, caller: str, headers: dict[str, str], body: str | None
) -> tuple[int, dict[str, Any]]:
    """The status and JSON body of one Step Functions request."""
    try:
        return 200, _answer(services, arns, caller, headers, body)
    except sfn.SfnError as error:
        return error.status, error.body()


def _answer(
    services: Services, arns: Arns, caller: str, headers: dict[str, str], body: str | None
) -> dict[str, Any]:
    operation = _header(headers, "x-amz-target").removeprefix(TARGET_PREFIX)
    model = OPERATIONS.get(operation)
    if model is None:
        raise sfn.UnknownOperationException(f"Unknown operation {operation[:100]!r}")
    try:
        document = read_json(body or "{}", "the request")
    except JsonTextError as problem:
        raise sfn.SerializationException(str(problem)) from problem
    if not isinstance(document, dict):
        raise sfn.SerializationException("the request must be a JSON object")
    try:
        request = model.model_validate(document)
    except ValidationError as problems:
        raise sfn.ValidationException(validation_message(problems)) from problems
    facade = StepFunctions(services, arns, caller)
    method = getattr(facade, _snake(operation))
    result: s.Shape = method(request)
    return result.wire()


def validation_message(problems: ValidationError) -> str:
    """pydantic's findings as AWS words them (`N validation errors detected: ...`)."""
    found = problems.errors()
    parts = [_constraint(p) for p in found[:10]]
    noun = "error" if len(found) == 1 else "errors"
    return f"{len(found)} validation {noun} detected: " + "; ".join(parts)


def _constraint(problem: Any) -> str:
    where = ".".join(str(part) for part in problem["loc"])
    value = problem.get("input")
    context = problem.get("ctx") or {}
    kind = problem["type"]
    if kind == "missing":
        return f"Value null at '{where}' failed to satisfy constraint: Member must not be null"
    if kind == "string_too_long":
        rule = f"Member must have length less than or equal to {context['max_length']}"
    elif kind == "string_too_short":
        rule = f"Member must have length greater than or equal to {context['min_length']}"
    elif kind in ("less_than_equal", "greater_than_equal"):
        word = "less" if kind == "less_than_equal" else "greater"
        limit = context.get("le", context.get("ge"))
        rule = f"Member must have value {word} than or equal to {limit}"
    elif kind == "literal_error":
        rule = f"Member must satisfy enum value set: [{context.get('expected', '')}]"
    else:
        rule = f"Member must be {problem['msg'].lower().removeprefix('input should be ')}"
    shown = repr(value)[:100] if not isinstance(value, dict) else "{...}"
    return f"Value {shown} at '{where}' failed to satisfy constraint: {rule}"


def _header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "") or ""


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
