"""Recovery: when an execution is overdue, and the decision that puts it right. Pure.

Every commit gives the head a time to be looked at again (`check_at`), kept in a sparse
index the sweeper reads. By then either something has committed again, or something
was lost: a worker died with its lease (`expired`), a dispatch never reached a worker
(`undelivered`), a timer never fired (`late`), a deadline or auto-resume was missed. A
head that is merely resting (a long wait) is looked at once, to re-run the effects it
implies (`implied`), since a crash between commit and effects may have lost them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from segue.asl import Failed, complete
from segue.asl.models import Task
from segue.asl.timestamps import format_timestamp
from segue.engine import control
from segue.engine import events as ev
from segue.engine.decision import AutoResume, Decision, wants_message
from segue.engine.draft import Draft
from segue.engine.head import Head, Status, Token, TokenStatus, is_terminal
from segue.engine.visits import instant, runtime_for, visit_of
from segue.engine.waits import WaitKind, wait_kind

if TYPE_CHECKING:
    from datetime import datetime

    from segue.asl import StateMachine
    from segue.engine.refs import Values

WORKER_LOST = "segue.WorkerLost"
"""The error of a task attempt whose worker stopped renewing its lease (Retry applies)."""

SILENT_WAITS = frozenset({WaitKind.APPROVAL, WaitKind.EVENT})
"""Task resources that only start a wait: running them again does nothing outside."""


@dataclass(frozen=True)
class Patience:
    """How long things may take before the sweeper steps in."""

    lease: timedelta = timedelta(seconds=60)
    """A worker renews its lease within this (every third of it) or loses the token."""
    dispatch: timedelta = timedelta(seconds=60)
    """A dispatched token is claimed within this, queue backlog included."""
    grace: timedelta = timedelta(seconds=60)
    """A timer fires within this of its time (Scheduler: within the minute)."""


@dataclass(frozen=True)
class Overdue:
    """What of one head should have happened by `now` and has not."""

    expired: tuple[Token, ...] = ()
    undelivered: tuple[Token, ...] = ()
    late: tuple[Token, ...] = ()
    deadline: bool = False
    auto_resume: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.expired or self.undelivered or self.late or self.deadline or self.auto_resume
        )


def _moving(head: Head) -> bool:
    """No pause is asked or taken: timers and dispatches are live (else kept for resume)."""
    return head.pause is None and head.status in (Status.RUNNING, Status.WAITING)


def _token_due(head: Head, token: Token, patience: Patience) -> datetime | None:
    """When `token` is overdue if nothing moves it on."""
    if token.status is TokenStatus.LEASED:
        return instant(token.lease_until)
    if not _moving(head):
        return None
    if token.status is TokenStatus.READY:
        if token.ready_at:
            return instant(token.ready_at) + patience.grace
        return settled_at(head, patience)
    if token.status is TokenStatus.WAITING and token.ready_at:
        return instant(token.ready_at) + patience.grace
    return None


def _deadline_due(head: Head, patience: Patience) -> datetime | None:
    """When the execution's own timeout is overdue (its message was lost)."""
    return instant(head.deadline) + patience.grace if head.deadline else None


def _auto_resume_due(head: Head, patience: Patience) -> datetime | None:
    """When a taken pause's auto-resume is overdue (its schedule never fired)."""
    pause = head.pause
    if not head.paused or pause is None or not pause.auto_resume_at:
        return None
    return instant(pause.auto_resume_at) + patience.grace


def index_time(stored: str, wanted: datetime | None, now: datetime) -> str:
    """The check time to store: `stored` while it is still to come and no later than
    `wanted` (the index item is not rewritten), else `wanted`; "" for none.

    The sweeper may look early (it finds nothing overdue and re-times the head), never late.
    """
    if wanted is None:
        return ""
    if stored and format_timestamp(now) < stored <= format_timestamp(wanted):
        return stored
    return format_timestamp(wanted)


def check_at(head: Head, patience: Patience, *, fresh: bool = True) -> datetime | None:
    """When the sweeper should look at `head` if nothing commits before; None for never.

    `fresh`: the head was just committed, so its effects are due to have run within the
    dispatch patience; the sweeper looks once then even if nothing else is due.
    """
    if is_terminal(head.status):
        # a child's answer to its parent's task is an effect a crash could lose
        return settled_at(head, patience) if fresh and head.parent_token else None
    candidates = [_token_due(head, t, patience) for t in head.tokens.values()]
    candidates += [_deadline_due(head, patience), _auto_resume_due(head, patience)]
    dues = [due for due in candidates if due is not None]
    if fresh:
        dues.append(settled_at(head, patience))
    return min(dues, default=None)


def settled_at(head: Head, patience: Patience) -> datetime:
    """When the effects of the commit that made `head` have surely run, or were lost."""
    return instant(head.updated_at) + patience.dispatch


def overdue(head: Head, now: datetime, patience: Patience) -> Overdue:
    """What of `head` is overdue at `now`."""
    if is_terminal(head.status):
        return Overdue()

    def passed(due: datetime | None) -> bool:
        return due is not None and due <= now

    def late(status: TokenStatus) -> tuple[Token, ...]:
        tokens = head.tokens.values()
        return tuple(
            t for t in tokens if t.status is status and passed(_token_due(head, t, patience))
        )

    return Overdue(
        expired=late(TokenStatus.LEASED),
        undelivered=late(TokenStatus.READY),
        late=late(TokenStatus.WAITING),
        deadline=passed(_deadline_due(head, patience)),
        auto_resume=passed(_auto_resume_due(head, patience)),
    )


def recover(
    machine: StateMachine, head: Head, *, now: datetime, values: Values, patience: Patience
) -> Decision:
    """The decision that moves an overdue head on; `control.NotAllowed` if nothing is overdue.

    A missed deadline times the execution out and a missed auto-resume resumes it. A lost
    worker's task fails its attempt with `segue.WorkerLost`, so the state's Retry (or
    Catch) decides; a state with no outside effect is simply run again. Lost dispatches
    and timers are sent again. History records each.
    """
    found = overdue(head, now, patience)
    if not found:
        raise control.NotAllowed(f"nothing of {head.execution_id} is overdue")
    if found.deadline:
        return control.time_out(machine, head, attempt=head.redrives + 1, now=now, values=values)
    if found.auto_resume and head.pause is not None:
        return control.resume(
            machine,
            head,
            by="segue",
            reason="auto-resume, late: started by the sweeper",
            data=None,
            pause_before=None,
            now=now,
            values=values,
            pause_id=head.pause.id,
        )
    draft = Draft(machine, head, now, values)
    for token in found.expired:
        _lease_expired(draft, token)
    again = [t.id for t in found.undelivered + found.late]
    if again:
        draft.event(ev.WORK_REDISPATCHED, None, tokens=again)
        draft.redispatch.update(again)
    return draft.decision()


def _lease_expired(draft: Draft, token: Token) -> None:
    details = {"token": token.id, "owner": token.owner, "attempt": token.attempt}
    draft.event(ev.LEASE_EXPIRED, token.state, leaseUntil=token.lease_until, **details)
    if not _runs_outside(draft.machine, token):
        status = TokenStatus.WAITING if token.wait or token.then else TokenStatus.READY
        draft.tokens[token.id] = replace(token, status=status, owner="", lease_until="")
        draft.redispatch.add(token.id)
        return
    cause = (
        f"the worker {token.owner} stopped renewing its lease of attempt {token.attempt}"
        f" (it ran out at {token.lease_until})"
    )
    visit = visit_of(draft.head, token, draft.values, draft.machine)
    settled = complete(
        draft.machine, visit, Failed(WORKER_LOST, cause), runtime_for(draft.head, token, draft.now)
    )
    draft.settle(token, settled)


def _runs_outside(machine: StateMachine, token: Token) -> bool:
    """Whether running the token's state again may repeat work outside the engine."""
    state = machine.state(token.state)
    if not isinstance(state, Task) or token.wait or token.then:
        return False
    return wait_kind(state.resource) not in SILENT_WAITS


def implied(head: Head) -> Decision:
    """The effects the committed `head` implies, as a decision with nothing to commit.

    Carried out again when a head has rested past its check time: its dispatches and
    wake-ups, the records of its waits, its deadline and its auto-resume schedule. Each
    is safe to repeat.
    """
    dispatch = tuple(t for t in head.tokens.values() if wants_message(t)) if _moving(head) else ()
    schedule: tuple[AutoResume, ...] = ()
    if head.paused and head.pause is not None and head.pause.auto_resume_at:
        schedule = (AutoResume(head.execution_id, head.pause.id, head.pause.auto_resume_at),)
    return Decision(
        head,
        (),
        {},
        dispatch,
        schedule,
        deadline="" if is_terminal(head.status) else head.deadline,
        old_tokens={},
    )
