"""One-time EventBridge Scheduler schedules that call the `timer` function.

Two kinds: the auto-resume of a paused execution, and the wake-up of a token whose time
is further off than SQS can delay a message (15 minutes). Scheduler fires within the
minute, not the second, so a wake-up is scheduled a little early and hands over to a
delayed work message, which the worker takes at its second.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from segue.engine.visits import instant
from segue.store.queue import WorkMessage

if TYPE_CHECKING:
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

    from segue.engine.decision import AutoResume


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    execution_id: str = Field(alias="executionId", min_length=1, max_length=300)


class AutoResumeEvent(_Event):
    """Resume the execution if `pause_id` is still its pause."""

    kind: Literal["autoResume"]
    pause_id: str = Field(alias="pauseId", min_length=1, max_length=40)


class WakeEvent(_Event):
    """Put the token's work message on the queue, delayed to its time."""

    kind: Literal["wake"]
    token: str = Field(min_length=1, max_length=40)
    attempt: int = Field(ge=1)
    not_before: datetime = Field(alias="notBefore")

    def message(self) -> WorkMessage:
        return WorkMessage(
            execution_id=self.execution_id,
            token=self.token,
            attempt=self.attempt,
            not_before=self.not_before,
        )


TimerEvent = Annotated[AutoResumeEvent | WakeEvent, Field(discriminator="kind")]
"""What a schedule hands the `timer` function (checked: the event comes from outside)."""

_TIMER_EVENT: TypeAdapter[AutoResumeEvent | WakeEvent] = TypeAdapter(TimerEvent)


def parse_timer_event(event: Any) -> AutoResumeEvent | WakeEvent:
    """A schedule's input, checked (pydantic's ValidationError when it is not one of ours)."""
    return _TIMER_EVENT.validate_python(event)


def _digest(*parts: object) -> str:
    return hashlib.sha256("/".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:40]


def schedule_name(timer: AutoResume) -> str:
    """Deterministic, so creating it twice makes one schedule (names: 64 chars at most)."""
    return f"resume-{_digest(timer.execution_id)}-{timer.pause_id}"[:64]


def wake_name(message: WorkMessage) -> str:
    """Deterministic per (execution, token, attempt, time): a retried effect makes one."""
    return (
        f"wake-{_digest(message.execution_id, message.token, message.attempt, message.not_before)}"
    )


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
        """Create the auto-resume schedule of a pause."""
        event = AutoResumeEvent(
            kind="autoResume", execution_id=timer.execution_id, pause_id=timer.pause_id
        )
        self._create(schedule_name(timer), instant(timer.at), event)

    def wake(self, message: WorkMessage, at: datetime) -> None:
        """Schedule `message` to be sent at `at` (early enough for its own time)."""
        assert message.not_before is not None
        event = WakeEvent(
            kind="wake",
            execution_id=message.execution_id,
            token=message.token,
            attempt=message.attempt,
            not_before=message.not_before,
        )
        self._create(wake_name(message), at, event)

    def _create(self, name: str, at: datetime, event: BaseModel) -> None:
        """Create a one-time schedule; one that already exists is the same (a retried effect)."""
        try:
            self.scheduler.create_schedule(
                Name=name,
                GroupName=self.group,
                ScheduleExpression=at_expression(at),
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
