"""What operators do to an execution: pause, resume, cancel, redrive. Pure, like the decider.

Each operation checks the execution's status and answers a `Decision` to commit like
any other; `NotAllowed` means the status does not permit it (the API's 409). Committing
with the head's version as the condition is what makes concurrent operations take
effect one at a time: the loser re-reads, and the status it then finds refuses it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from segue.asl import errors
from segue.engine import events as ev
from segue.engine.draft import Draft
from segue.engine.head import Join, Status, Token, TokenStatus, is_terminal
from segue.engine.starts import deadline_of
from segue.engine.visits import instant

if TYPE_CHECKING:
    from datetime import datetime

    from segue.asl import StateMachine
    from segue.asl.outcomes import Json
    from segue.engine.decision import Decision
    from segue.engine.head import Head
    from segue.engine.refs import Values

PAUSABLE = frozenset({Status.RUNNING, Status.WAITING})


class NotAllowed(Exception):
    """The operation does not fit the execution's current status."""


class Stale(Exception):
    """An auto-resume schedule for a pause that is no longer the execution's pause."""


def pause(
    machine: StateMachine,
    head: Head,
    *,
    by: str,
    reason: str,
    auto_resume_seconds: int | None,
    now: datetime,
    values: Values,
) -> Decision:
    """Ask for a pause: PAUSED at once when nothing runs, else PAUSING until the task ends."""
    if head.status not in PAUSABLE:
        raise NotAllowed(f"cannot pause an execution that is {head.status}")
    draft = Draft(machine, head, now, values)
    seconds = head.auto_resume_seconds if auto_resume_seconds is None else auto_resume_seconds
    draft.request_pause(by, reason, seconds)
    return draft.decision()


def hold_at_start(machine: StateMachine, head: Head, *, now: datetime, values: Values) -> Decision:
    """A breakpoint on StartAt: the new execution pauses before its first state."""
    if head.status not in PAUSABLE or head.pause is not None:
        raise NotAllowed(f"the execution is already {head.status}")
    draft = Draft(machine, head, now, values)
    start = machine.definition.start_at
    draft.request_pause("segue", "breakpoint", head.auto_resume_seconds, start)
    return draft.decision()


def resume(
    machine: StateMachine,
    head: Head,
    *,
    by: str,
    reason: str,
    data: dict[str, Json] | None,
    pause_before: tuple[str, ...] | None,
    now: datetime,
    values: Values,
    pause_id: str | None = None,
) -> Decision:
    """Go on from the pause point; `data` joins the variables. `pause_id`: an auto-resume."""
    if pause_id is not None and (head.pause is None or head.pause.id != pause_id):
        raise Stale(f"pause {pause_id} of {head.execution_id} is over")
    if head.status is not Status.PAUSED or head.pause is None:
        raise NotAllowed(f"cannot resume an execution that is {head.status}")
    draft = Draft(machine, head, now, values)
    if pause_before is not None:
        draft.head = replace(draft.head, pause_before=pause_before)
    details: dict[str, Json] = {"pauseId": head.pause.id, "by": by, "reason": reason}
    if pause_id is not None:
        draft.event(ev.SCHEDULE_FIRED, None, purpose="autoResume", pauseId=pause_id)
    elif head.pause.auto_resume_at:
        draft.event(ev.SCHEDULE_DELETED, None, purpose="autoResume", pauseId=head.pause.id)
    if data:
        details["data"] = draft.ref(data)
        _merge_variables(draft, data)
    draft.event(ev.EXECUTION_RESUMED, None, **details)
    for token in list(draft.tokens.values()):
        if token.status is TokenStatus.PARKED:
            draft.tokens[token.id] = replace(token, status=TokenStatus.READY)
        draft.redispatch.add(token.id)  # wake-ups that came while paused were dropped
    draft.end_pause()
    if pause_id is not None:
        draft.unschedule.clear()  # the schedule that fired deletes itself
    return draft.decision()


def cancel(
    machine: StateMachine,
    head: Head,
    *,
    by: str,
    reason: str,
    now: datetime,
    values: Values,
    error: str | None = None,
    cause: str | None = None,
) -> Decision:
    """End the execution; a task still in flight finishes, but its result starts nothing.

    `error` and `cause`, when given, are the execution's (as StopExecution records them).
    """
    if is_terminal(head.status):
        raise NotAllowed(f"cannot cancel an execution that is {head.status}")
    draft = Draft(machine, head, now, values)
    draft.status = Status.CANCELLED
    said = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
    if said:
        draft.error = (error, cause)
    draft.event(ev.EXECUTION_CANCELLED, None, by=by, reason=reason, **said)
    draft.drop_all()
    return draft.decision()


def time_out(
    machine: StateMachine, head: Head, *, attempt: int, now: datetime, values: Values
) -> Decision:
    """The execution ran past its own TimeoutSeconds: TIMED_OUT, whatever it was doing.

    It counts while paused too. `attempt` tells the deadline of a redrive from the first.
    """
    if is_terminal(head.status) or not head.deadline or attempt != head.redrives + 1:
        raise NotAllowed(f"no timeout is due for an execution that is {head.status}")
    if instant(head.deadline) > now:
        raise NotAllowed(f"{head.execution_id} times out at {head.deadline}, not before")
    draft = Draft(machine, head, now, values)
    draft.status = Status.TIMED_OUT
    seconds = machine.definition.timeout_seconds
    cause = f"the execution ran longer than its TimeoutSeconds ({seconds})"
    draft.error = (errors.TIMEOUT, cause)
    draft.event(ev.EXECUTION_TIMED_OUT, None, error=errors.TIMEOUT, cause=cause)
    draft.drop_all()
    return draft.decision()


def redrive(
    machine: StateMachine, head: Head, *, by: str, now: datetime, values: Values
) -> Decision:
    """Go on with a FAILED execution from where it failed; what succeeded is not run again."""
    if head.status is not Status.FAILED or not head.redrive:
        raise NotAllowed(f"cannot redrive an execution that is {head.status}")
    point = values(head.redrive)
    draft = Draft(machine, head, now, values)
    draft.status = Status.RUNNING
    draft.tokens = {k: Token.from_dict(t) for k, t in point["tokens"].items()}
    draft.joins = {k: Join.from_dict(j) for k, j in point["joins"].items()}
    draft.root_vars = point["vars"]
    draft.output, draft.error, draft.redrive = "", (None, None), ""
    draft.redispatch.update(draft.tokens)
    draft.event(ev.EXECUTION_REDRIVEN, None, by=by, redriveCount=head.redrives + 1)
    decision = draft.decision()
    deadline = deadline_of(machine, now)  # a redrive has the whole TimeoutSeconds again
    head = replace(decision.head, redrives=head.redrives + 1, deadline=deadline)
    return replace(decision, head=head, deadline=deadline)


def _merge_variables(draft: Draft, data: dict[str, Json]) -> None:
    """Resume data joins the variables of every scope still running."""
    draft.root_vars = draft.ref({**draft.read(draft.root_vars), **data})
    for token in list(draft.tokens.values()):
        draft.tokens[token.id] = replace(token, vars=draft.ref({**draft.read(token.vars), **data}))
    for join in list(draft.joins.values()):
        parent = join.parent
        merged = replace(parent, vars=draft.ref({**draft.read(parent.vars), **data}))
        draft.joins[join.id] = replace(join, parent=merged)


def adopt(
    machine: StateMachine,
    head: Head,
    *,
    parent: str,
    token: str,
    sync: int,
    now: datetime,
    values: Values,
) -> Decision:
    """A child found again by name by its parent's task (a retry, the parent's redrive)
    answers that task from now on; a FAILED child is redriven for it."""
    if head.status is Status.FAILED and head.redrive:
        decision = redrive(machine, head, by="segue", now=now, values=values)
    elif is_terminal(head.status):
        raise NotAllowed(f"an execution that is {head.status} answers at once")
    else:
        decision = Draft(machine, head, now, values).decision()
    linked = replace(decision.head, parent=parent, parent_token=token, parent_sync=sync)
    return replace(decision, head=linked)
