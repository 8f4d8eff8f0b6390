"""One-time EventBridge Scheduler schedules that call the `timer` function."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

from segue.engine.decider import instant

if TYPE_CHECKING:
    from datetime import datetime

    from mypy_boto3_scheduler import EventBridgeSchedulerClient

    from segue.engine.decider import AutoResume


class TimerEvent(BaseModel):
    """What a schedule hands the `timer` function (checked: the event comes from outside)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    kind: Literal["autoResume"]
    execution_id: str = Field(alias="executionId", min_length=1, max_length=300)
    pause_id: str = Field(alias="pauseId", min_length=1, max_length=40)


def schedule_name(timer: AutoResume) -> str:
    """Deterministic, so creating it twice makes one schedule (names: 64 chars at most)."""
    digest = hashlib.sha256(timer.execution_id.encode("utf-8")).hexdigest()[:40]
    return f"resume-{digest}-{timer.pause_id}"[:64]


def at_expression(moment: datetime) -> str:
    """Scheduler's one-time expression (whole seconds, UTC)."""
    return f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})"


class Timers:
    """Creates and deletes the auto-resume schedules of paused executions."""

    def __init__(
        self, scheduler: EventBridgeSchedulerClient, group: str, target_arn: str, role_arn: str
    ) -> None:
        self.scheduler = scheduler
        self.group = group
        self.target_arn = target_arn
        self.role_arn = role_arn

    def create(self, timer: AutoResume) -> None:
        """Create the schedule; one that already exists is the same one (a retried effect)."""
        event = TimerEvent(
            kind="autoResume", execution_id=timer.execution_id, pause_id=timer.pause_id
        )
        try:
            self.scheduler.create_schedule(
                Name=schedule_name(timer),
                GroupName=self.group,
                ScheduleExpression=at_expression(instant(timer.at)),
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                Target={
                    "Arn": self.target_arn,
                    "RoleArn": self.role_arn,
                    "Input": event.model_dump_json(by_alias=True),
                },
                ActionAfterCompletion="DELETE",
            )
        except ClientError as error:
            if _code(error) != "ConflictException":
                raise

    def delete(self, timer: AutoResume) -> None:
        """Delete the schedule; one already gone (it fired, or a retry) is fine."""
        try:
            self.scheduler.delete_schedule(Name=schedule_name(timer), GroupName=self.group)
        except ClientError as error:
            if _code(error) != "ResourceNotFoundException":
                raise


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def timer_input(text: str) -> TimerEvent:
    """A schedule's Input, checked."""
    return TimerEvent.model_validate(json.loads(text))
