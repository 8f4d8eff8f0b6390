"""What a nested execution's end answers its parent's `.sync` Task with, as AWS gives it.

The answer is the child's DescribeExecution: its input and output as JSON text for
`.sync`, as JSON for `.sync:2`. A child that did not succeed fails the parent's task
with States.TaskFailed, the answer (as JSON text) its cause.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from segue.asl import errors
from segue.engine.head import Status
from segue.sfn.facade import AWS_STATUS
from segue.sfn.history import epoch, json_text

if TYPE_CHECKING:
    from segue.asl.outcomes import Json
    from segue.engine.head import Head
    from segue.engine.refs import Values
    from segue.sfn.arns import Arns

TEXT = 1
"""`parent_sync` of a `.sync` child: input and output as JSON text."""


def described(child: Head, values: Values, arns: Arns, text: bool | None = None) -> dict[str, Json]:
    """The child's DescribeExecution, as a `.sync` (or `.sync:2`) Task's output shows it;
    `text` says whether input and output are JSON text (by default: as the parent asked)."""
    as_text = child.parent_sync == TEXT if text is None else text

    def shown(ref: str) -> Json:
        value = values(ref)
        return json_text(value) if as_text else value

    answer: dict[str, Json] = {
        "ExecutionArn": arns.execution(child.execution_id),
        "Input": shown(child.input),
        "InputDetails": {"Included": True},
        "Name": child.name,
        "StartDate": _millis(child.created_at),
        "StateMachineArn": arns.state_machine(child.state_machine),
        "Status": AWS_STATUS[child.status],
        "StopDate": _millis(child.updated_at),
    }
    if child.output:
        answer |= {"Output": shown(child.output), "OutputDetails": {"Included": True}}
    if child.error is not None:
        answer["Error"] = child.error
    if child.cause is not None:
        answer["Cause"] = child.cause
    return answer


def parent_outcome(child: Head, values: Values, arns: Arns) -> dict[str, Json]:
    """What the parent's task token is answered with: an output, or an error and cause."""
    answer = described(child, values, arns)
    if child.status is Status.SUCCEEDED:
        return {"output": answer}
    return {"error": errors.TASK_FAILED, "cause": json_text(answer)}


def _millis(timestamp: str) -> int:
    return round(epoch(timestamp) * 1000)
