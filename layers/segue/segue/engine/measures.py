"""What a committed decision tells an operator's metrics: counts and durations, no I/O.

Names are the metric names of the deployed stack's dashboard and alarms (README,
Operating segue). Dimensions are few on purpose: only a task's resource gets one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from segue.asl.models import Task
from segue.engine import events as ev
from segue.engine.visits import instant

if TYPE_CHECKING:
    from collections.abc import Iterator

    from segue.asl import StateMachine
    from segue.engine.decision import Decision
    from segue.engine.head import Head

COUNT = "Count"
MILLISECONDS = "Milliseconds"

ENDINGS = {
    ev.EXECUTION_SUCCEEDED: "ExecutionsSucceeded",
    ev.EXECUTION_FAILED: "ExecutionsFailed",
    ev.EXECUTION_TIMED_OUT: "ExecutionsTimedOut",
    ev.EXECUTION_CANCELLED: "ExecutionsCancelled",
}
COUNTED = {
    ev.EXECUTION_STARTED: "ExecutionsStarted",
    ev.STATE_ENTERED: "Transitions",
    ev.EXECUTION_PAUSED: "Pauses",
    ev.EXECUTION_RESUMED: "Resumes",
    ev.EXECUTION_REDRIVEN: "Redrives",
    ev.LEASE_EXPIRED: "LeasesExpired",
    ev.WORK_REDISPATCHED: "WorkRedispatched",
    **ENDINGS,
}
"""Event types counted one for one, by the metric that counts them."""

NAMES = frozenset(
    {
        *COUNTED.values(),
        "StateDuration",
        "TaskDuration",
        "PauseLatency",
        "PausedTime",
        "CommitConflicts",
        "ApprovalsOpened",
        "ApprovalsDecided",
        "EventsDelivered",
        "EventsBuffered",
        "MessagesDeadLettered",
    }
)
"""Every metric segue emits (the dashboard shows each)."""


@dataclass(frozen=True)
class Measure:
    """One metric value; `resource` is the task resource it is measured for, if any."""

    name: str
    value: float
    unit: str = COUNT
    resource: str = ""


def count(name: str, value: float = 1) -> Measure:
    """A count of `name`."""
    return Measure(name, value)


def of_decision(machine: StateMachine, before: Head, decision: Decision) -> list[Measure]:
    """The metrics of committing `decision` over `before`."""
    return list(_measures(machine, before, decision))


def _measures(machine: StateMachine, before: Head, decision: Decision) -> Iterator[Measure]:
    scheduled: dict[str, str] = {}
    for event in decision.events:
        name = COUNTED.get(event.type)
        if name is not None:
            yield Measure(name, 1)
        if event.type == ev.TASK_SCHEDULED and event.state is not None:
            scheduled[event.state] = event.timestamp
        elif event.type in (ev.TASK_SUCCEEDED, ev.TASK_FAILED) and event.state is not None:
            yield from _task(machine, before, event.state, event.timestamp, scheduled)
        elif event.type == ev.STATE_EXITED and event.state is not None:
            entered = _entered_at(before, decision, event.state)
            if entered:
                yield _duration("StateDuration", entered, event.timestamp)
        elif event.type == ev.EXECUTION_PAUSED and decision.head.pause is not None:
            pause = decision.head.pause
            yield _duration("PauseLatency", pause.requested_at, pause.paused_at)
        elif event.type == ev.EXECUTION_RESUMED and before.pause and before.pause.paused_at:
            yield _duration("PausedTime", before.pause.paused_at, event.timestamp)


def _task(
    machine: StateMachine, before: Head, state: str, ended: str, scheduled: dict[str, str]
) -> Iterator[Measure]:
    definition = machine.states.get(state)
    resource = definition.resource if isinstance(definition, Task) else ""
    started = scheduled.get(state) or next(
        (t.entered_at for t in before.tokens.values() if t.state == state), ""
    )
    if started:
        yield _duration("TaskDuration", started, ended, resource)


def _entered_at(before: Head, decision: Decision, state: str) -> str:
    """When the token that just left `state` entered it (a token of `before` now gone)."""
    gone = (
        t for t in before.tokens.values() if t.state == state and t.id not in decision.head.tokens
    )
    return next((t.entered_at for t in gone), "")


def _duration(name: str, start: str, end: str, resource: str = "") -> Measure:
    elapsed = instant(end) - instant(start)
    return Measure(name, max(0.0, elapsed.total_seconds() * 1000), MILLISECONDS, resource)
