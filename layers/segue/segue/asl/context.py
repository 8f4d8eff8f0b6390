"""The context object (`$$`): what a state can know about its execution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from segue.asl.timestamps import format_timestamp

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from segue.asl.outcomes import Json


@dataclass(frozen=True)
class ExecutionInfo:
    """The execution-wide part of the context object."""

    id: str
    name: str
    input: Json
    start_time: datetime
    state_machine_id: str
    state_machine_name: str
    role_arn: str = ""
    redrive_count: int = 0
    trigger: Mapping[str, str] | None = None


def context_object(
    execution: ExecutionInfo,
    state: str,
    entered: datetime,
    retry_count: int | None = 0,
    task_token: str | None = None,
) -> dict[str, Json]:
    """`$$` for one visit of `state`; `State.RetryCount` only for a state that can retry
    (None otherwise: AWS gives a Pass state's context no RetryCount)."""
    context: dict[str, Json] = {
        "Execution": {
            "Id": execution.id,
            "Input": execution.input,
            "Name": execution.name,
            "RoleArn": execution.role_arn,
            "StartTime": format_timestamp(execution.start_time),
            "RedriveCount": execution.redrive_count,
        },
        "State": {"EnteredTime": format_timestamp(entered), "Name": state},
        "StateMachine": {"Id": execution.state_machine_id, "Name": execution.state_machine_name},
    }
    if retry_count is not None:
        context["State"]["RetryCount"] = retry_count
    if execution.trigger:  # segue's own: the EventBridge rule and event that started it
        context["Execution"]["Trigger"] = dict(execution.trigger)
    if task_token is not None:
        context["Task"] = {"Token": task_token}
    return context
