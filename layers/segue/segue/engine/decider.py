"""The decider: what a token's state comes to, and the decision that applies it.

Pure: documents are read through a `Values` lookup (content-addressed, so it always
answers the same), time comes in as `now`, and chance from a generator seeded by the
execution, token and attempt, so re-deciding after a lost race gives the same answer.

The states that follow a token's with no outside effect (Pass, Choice, Succeed, Fail,
Wait, and the decisions of Parallel and Map) are decided in the same decision, so one
commit holds them all: a crash before it re-decides them with the same result.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from segue.asl import Invoke, Succeeded, complete, enter
from segue.asl.distributed import resource_of
from segue.asl.timestamps import format_timestamp
from segue.engine.decision import Advance, TaskReport
from segue.engine.draft import Draft
from segue.engine.head import TokenStatus, is_terminal
from segue.engine.visits import resume_wait, runtime_for, visit_of
from segue.engine.waits import (
    Await,
    WaitKind,
    expired,
    segue_wait,
    wait_kind,
    waited_for,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from segue.asl import Result, StateMachine
    from segue.engine.decision import Decision
    from segue.engine.head import Head, Token
    from segue.engine.refs import Values

STATES_PER_COMMIT = 100
"""At most this many states with no outside effect are decided together: a loop of them
still commits (and shows its progress) every so many."""
EVENTS_PER_COMMIT = 200
"""No further state joins a decision that already drafted this many events: with each
event under about 1 KB (documents over 384 bytes are kept by reference), a page stays
well within the size of one checkpoint."""


def lease(head: Head, token_id: str, owner: str, until: datetime) -> Head:
    """The head with `token_id` leased to `owner` (as the store's claim does, conditionally)."""
    token = head.tokens[token_id]
    leased = replace(
        token,
        status=TokenStatus.LEASED,
        fence=token.fence + 1,
        owner=owner,
        lease_until=format_timestamp(until),
    )
    return replace(head, tokens={**head.tokens, token_id: leased})


def work(
    machine: StateMachine,
    head: Head,
    token: Token,
    values: Values,
    clock: Callable[[], datetime],
    run_task: Callable[[Invoke], Result],
) -> tuple[Advance, TaskReport | None]:
    """What the token's state comes to; `run_task` is the one step with outside effects."""
    if token.then:
        return resume_wait(token, values), None
    visit = visit_of(head, token, values, machine)
    if token.wait:  # the claim found the wait's deadline passed
        now = clock()
        failed = expired(values(token.wait_info), format_timestamp(now))
        resource = resource_of(machine.state(token.state))
        report = TaskReport(resource, None, None, now, failed)
        return complete(machine, visit, failed, runtime_for(head, token, now)), report
    entered = enter(machine, visit, runtime_for(head, token, clock()))
    if not isinstance(entered, Invoke):
        return entered, None
    started = clock()
    limits = (entered.timeout_seconds, entered.heartbeat_seconds)
    kind_of_wait = wait_kind(entered.resource)
    if kind_of_wait in (WaitKind.APPROVAL, WaitKind.EVENT):
        awaited = segue_wait(entered)
        if isinstance(awaited, Await):
            report = TaskReport(
                entered.resource, entered.parameters, started, started, Succeeded(None), True
            )
            return awaited, report
        result: Result = awaited
    else:
        result = run_task(entered)
    ended = clock()
    if kind_of_wait is WaitKind.CALLBACK and isinstance(result, Succeeded):
        awaited = Await(WaitKind.CALLBACK, *limits, waited_for(entered.resource, result.output))
        return awaited, TaskReport(
            entered.resource, entered.parameters, started, ended, result, True, *limits
        )
    report = TaskReport(
        entered.resource, entered.parameters, started, ended, result, False, *limits
    )
    return complete(machine, visit, result, runtime_for(head, token, ended)), report


def advance(
    machine: StateMachine,
    head: Head,
    token_id: str,
    outcome: Advance,
    now: datetime,
    values: Values,
    task: TaskReport | None = None,
) -> Decision:
    """Apply what the token's state came to (move on, end, fail, retry, wait or fan out),
    and decide the states with no outside effect that follow."""
    draft = Draft(machine, head, now, values)
    token = head.tokens[token_id]
    if task is not None:
        draft.task_events(token, task)
    draft.settle(token, outcome)
    decide_cheap(draft)
    return draft.decision()


def decide_cheap(draft: Draft) -> None:
    """Settle READY tokens whose state has no outside effect, up to STATES_PER_COMMIT.

    Stops at a pause (what is ready is parked instead), at the end of the execution,
    and when the page grows long.
    """
    settled = 0
    while (
        settled < STATES_PER_COMMIT
        and len(draft.events) < EVENTS_PER_COMMIT
        and draft.pause is None
        and not is_terminal(draft.status)
    ):
        token = next((t for t in draft.tokens.values() if cheap(draft.machine, t)), None)
        if token is None:
            return
        visit = visit_of(draft.head, token, draft.read, draft.machine)
        entered = enter(draft.machine, visit, runtime_for(draft.head, token, draft.now))
        assert not isinstance(entered, Invoke), f"{token.state} is not a Task"
        draft.settle(token, entered)
        settled += 1


def cheap(machine: StateMachine, token: Token) -> bool:
    """Whether `token` is ready now for a state that does no outside work (not a Task, nor
    a Distributed Map)."""
    return (
        token.status is TokenStatus.READY
        and not token.ready_at
        and not token.then
        and not token.wait
        and not resource_of(machine.state(token.state))
    )
