"""Which of segue's events AWS's history numbers, so that segue can say event ids as AWS does.

AWS words a failure "... (entered at the event id #N)", N being the id GetExecutionHistory
gives the state's entry. segue keeps more events than AWS shows (how it waits, retries,
pauses) and some AWS never makes (a Parallel's branches); only the others take AWS's
numbers. `sfn.history` numbers by the same rule, so the two agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from segue.asl.distributed import MAP_RUN, resource_of
from segue.engine import events as ev
from segue.engine.waits import activity_name

if TYPE_CHECKING:
    from collections.abc import Sequence

    from segue.asl import StateMachine
    from segue.engine.events import Event

MECHANICS = frozenset(
    {
        ev.WAIT_STARTED,
        ev.RETRY_SCHEDULED,
        ev.TASK_HEARTBEAT,
        ev.SCHEDULE_CREATED,
        ev.SCHEDULE_FIRED,
        ev.SCHEDULE_DELETED,
    }
)
"""segue's events of how it waits and retries: AWS's history says the same by what follows
(a Wait state's exit, a task scheduled again)."""
ITERATIONS = frozenset(
    {ev.BRANCH_STARTED, ev.BRANCH_SUCCEEDED, ev.BRANCH_FAILED, ev.BRANCH_CANCELLED}
)
TASKS = frozenset(
    {
        ev.TASK_SCHEDULED,
        ev.TASK_STARTED,
        ev.TASK_SUBMITTED,
        ev.TASK_SUCCEEDED,
        ev.TASK_FAILED,
        ev.ACTIVITY_STARTED,
    }
)
_SHOWN = frozenset(
    {
        ev.EXECUTION_STARTED,
        ev.EXECUTION_SUCCEEDED,
        ev.EXECUTION_FAILED,
        ev.EXECUTION_TIMED_OUT,
        ev.EXECUTION_CANCELLED,
        ev.EXECUTION_REDRIVEN,
        ev.STATE_ENTERED,
        ev.STATE_EXITED,
        ev.FAN_OUT_STARTED,
        ev.FAN_OUT_SUCCEEDED,
        ev.FAN_OUT_FAILED,
        *ITERATIONS,
        *TASKS,
    }
)
_LAMBDA_PREFIX = "arn:aws:lambda:"


def family(resource: str) -> str:
    """How AWS names a task's events: `LambdaFunction...`, `Activity...` or `Task...` (a
    Distributed Map's run: `MapRun...`)."""
    if resource.startswith(_LAMBDA_PREFIX):
        return "LambdaFunction"
    if resource == MAP_RUN:
        return "MapRun"
    return "Activity" if activity_name(resource) else "Task"


def numbered(event: Event, following: Event | None, machine: StateMachine) -> bool:
    """Whether AWS's history has this event, with an id of its sequence."""
    if event.type not in _SHOWN:
        return False  # the mechanics of waits and retries, and segue's own (pauses, ...)
    state = machine.states.get(event.state) if event.state else None
    if event.type in ITERATIONS:  # a Parallel's branches have no events of their own
        return state is not None and state.type == "Map"
    if event.type == ev.FAN_OUT_FAILED:  # shown only when no retry follows
        return following is None or following.type != ev.RETRY_SCHEDULED
    resource = resource_of(state) if state is not None else ""
    if event.type == ev.TASK_SUBMITTED:  # only an integration (or a map run) tells of one
        return family(resource) in ("Task", "MapRun")
    if event.type == ev.TASK_STARTED:  # an activity starts when a worker takes it, and a
        return family(resource) not in ("Activity", "MapRun")  # map run when submitted
    return True


def aws_events(event: Event, following: Event | None, machine: StateMachine) -> int:
    """How many events of AWS's history this one stands for: 0, 1, or 2 for a map run's
    end (`MapRunSucceeded` and `MapStateSucceeded`, or its failure and the state's)."""
    if not numbered(event, following, machine):
        return 0
    if event.type not in (ev.TASK_SUCCEEDED, ev.TASK_FAILED) or not event.state:
        return 1
    if family(resource_of(machine.state(event.state))) != "MapRun":
        return 1
    retried = following is not None and following.type == ev.RETRY_SCHEDULED
    return 1 if event.type == ev.TASK_FAILED and retried else 2


def unnumbered(events: Sequence[Event], machine: StateMachine) -> int:
    """How many fewer events than `events` (one commit's, in order) AWS's history numbers
    (fewer than none when one of them stands for two)."""
    return sum(
        1 - aws_events(event, events[i + 1] if i + 1 < len(events) else None, machine)
        for i, event in enumerate(events)
    )
