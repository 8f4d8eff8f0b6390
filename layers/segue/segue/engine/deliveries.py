"""What the outside world does to a waiting Task: complete it, fail it, keep it alive. Pure.

Like the operator's operations (`engine.control`), each answers a `Decision` to commit
on the head's version, so of two deliveries to one wait exactly one takes effect. A
delivery to a paused execution is committed too: the task's result is kept and what
follows it is PARKED until resume, just as for a task that ends while paused.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from segue.asl import complete
from segue.asl.distributed import resource_of
from segue.asl.timestamps import format_timestamp
from segue.engine import events as ev
from segue.engine.control import NotAllowed
from segue.engine.decision import TaskReport
from segue.engine.draft import Draft
from segue.engine.head import TokenStatus, is_terminal
from segue.engine.visits import runtime_for, visit_of
from segue.engine.waits import WaitKind, next_deadline

if TYPE_CHECKING:
    from datetime import datetime

    from segue.asl import Result, StateMachine
    from segue.engine.decision import Decision
    from segue.engine.head import Head, Token
    from segue.engine.refs import Values


class HandingOver(Exception):
    """The task is still handing its token over (its wait is not committed yet)."""


def waiting_token(head: Head, token_id: str, attempt: int, kind: WaitKind) -> Token:
    """The token that waits for this delivery; NotAllowed once that wait is closed.

    HandingOver when the callback task is still being run by its worker: that worker
    looks for an early result once its wait is committed.
    """
    token = head.tokens.get(token_id)
    if is_terminal(head.status) or token is None or token.attempt != attempt:
        raise NotAllowed(f"the task of {head.execution_id} is no longer waiting")
    if token.status is TokenStatus.LEASED and not token.wait:
        raise HandingOver(f"{head.execution_id}/{token_id} is handing its token over")
    if token.status is not TokenStatus.WAITING or token.wait != kind:
        raise NotAllowed(f"the task of {head.execution_id} is no longer waiting")
    return token


def deliver(
    machine: StateMachine,
    head: Head,
    *,
    token_id: str,
    attempt: int,
    kind: WaitKind,
    result: Result,
    now: datetime,
    values: Values,
) -> Decision:
    """The waiting task ends with `result`: on to Retry, Catch or the next state."""
    token = waiting_token(head, token_id, attempt, kind)
    draft = Draft(machine, head, now, values)
    resource = resource_of(machine.state(token.state))
    draft.task_events(token, TaskReport(resource, None, None, now, result))
    visit = visit_of(head, token, values, machine)
    draft.settle(token, complete(machine, visit, result, runtime_for(head, token, now)))
    return draft.decision()


def heartbeat(
    machine: StateMachine,
    head: Head,
    *,
    token_id: str,
    attempt: int,
    now: datetime,
    values: Values,
    worker: str | None = None,
) -> Decision | None:
    """The task is alive: its heartbeat deadline starts again. None: it has no heartbeat.

    With `worker`, an activity's worker has just taken the task: that is recorded too.
    """
    token = waiting_token(head, token_id, attempt, WaitKind.CALLBACK)
    info = values(token.wait_info)
    seconds = info.get("heartbeatSeconds")
    if not seconds and worker is None:
        return None
    draft = Draft(machine, head, now, values)
    if seconds:
        info = {**info, "heartbeatAt": format_timestamp(now + timedelta(seconds=int(seconds)))}
        draft.tokens[token.id] = replace(
            token, ready_at=next_deadline(info), wait_info=draft.ref(info)
        )
    if worker is not None:
        draft.event(ev.ACTIVITY_STARTED, token.state, worker=worker)
    return draft.decision()
