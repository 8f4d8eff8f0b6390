"""The start of an execution: its first head, its first history page, its deadline.

A start also decides the states with no outside effect that follow StartAt (unless
breakpoints are set), so a workflow of Pass and Choice states can end in the very call
that starts it. Page 1 then holds them all; it is derived from the head (its input, its
start time to the millisecond, its seeded chance), so anyone can write it again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from segue.asl.timestamps import format_timestamp
from segue.engine import events as ev
from segue.engine.decider import cheap, decide_cheap
from segue.engine.decision import Decision, wants_message
from segue.engine.draft import Draft
from segue.engine.events import Event
from segue.engine.head import Head, Status, Token, TokenStatus, is_terminal
from segue.engine.refs import EMPTY_OBJECT, INLINE, kind, ref_of
from segue.engine.visits import instant

if TYPE_CHECKING:
    from datetime import datetime

    from segue.asl import StateMachine
    from segue.asl.outcomes import Json
    from segue.engine.refs import Values


def deadline_of(machine: StateMachine, now: datetime) -> str:
    """When an execution started (or redriven) at `now` times out ("" for never)."""
    seconds = machine.definition.timeout_seconds
    return format_timestamp(now + timedelta(seconds=seconds)) if seconds else ""


def begin(
    machine: StateMachine,
    *,
    execution_id: str,
    name: str,
    state_machine: str,
    revision: int,
    input: Json,
    now: datetime,
    pause_before: tuple[str, ...] = (),
    auto_resume_seconds: int = 0,
    secret: str = "",
    trigger: tuple[str, str] = ("", ""),
) -> Decision:
    """A new execution at StartAt, its first token READY; `secret` signs its task tokens."""
    at = format_timestamp(now)
    input_ref = ref_of(input)
    start = machine.definition.start_at
    token = Token("t1", start, TokenStatus.READY, input_ref, EMPTY_OBJECT, 2, at)
    head = Head(
        execution_id=execution_id,
        name=name,
        state_machine=state_machine,
        revision=revision,
        status=Status.RUNNING,
        version=1,
        next_seq=3,
        next_token=2,
        created_at=at,
        updated_at=at,
        input=input_ref,
        vars=EMPTY_OBJECT,
        tokens={token.id: token},
        pause_before=pause_before,
        auto_resume_seconds=auto_resume_seconds,
        snapshot_at=at,
        secret=secret,
        trigger_rule=trigger[0],
        trigger_event=trigger[1],
        deadline=deadline_of(machine, now),
    )
    events = start_events(head, start)
    stored = _stored({input_ref: input})
    return Decision(head, events, stored, (token,), deadline=head.deadline)


def first_steps(
    machine: StateMachine, begun: Decision, values: Values
) -> tuple[Decision, Decision]:
    """`begun` with the states that follow StartAt decided too, if they have no outside
    effect and no breakpoint is set; and the part decided after the start alone.

    Decided at the head's `created_at` (a millisecond timestamp), so that deciding it
    again from the head gives the same page 1.
    """
    head = begun.head
    nothing = replace(begun, events=(), values={}, dispatch=(), deadline="")
    if head.pause_before or not cheap(machine, head.tokens["t1"]):
        return begun, nothing

    def read(reference: str) -> Json:
        return begun.values[reference] if reference in begun.values else values(reference)

    draft = Draft(machine, head, instant(head.created_at), read)
    decide_cheap(draft)
    if not draft.events:
        return begun, nothing
    after = draft.decision()
    events = begun.events + after.events
    decided = replace(
        after,
        head=replace(after.head, version=head.version, first_page=len(events)),
        events=events,
        values=begun.values | after.values,
        dispatch=tuple(t for t in after.head.tokens.values() if wants_message(t)),
        deadline="" if is_terminal(after.head.status) else begun.deadline,
        old_tokens={},
    )
    return decided, after


def first_page(machine: StateMachine, head: Head, values: Values) -> tuple[Event, ...]:
    """Page 1 of an execution, from its head alone (and the documents it refers to)."""
    start_at = machine.definition.start_at
    if not head.first_page:
        return start_events(head, start_at)
    begun = begin(
        machine,
        execution_id=head.execution_id,
        name=head.name,
        state_machine=head.state_machine,
        revision=head.revision,
        input=values(head.input),
        now=instant(head.created_at),
        auto_resume_seconds=head.auto_resume_seconds,
        secret=head.secret,
        trigger=(head.trigger_rule, head.trigger_event),
    )
    return first_steps(machine, begun, values)[0].events


def start_events(head: Head, start_at: str) -> tuple[Event, ...]:
    """The first page (seq 1 and 2): derived from the head alone, so anyone can rewrite it."""
    return (
        Event(ev.EXECUTION_STARTED, head.created_at, None, {"input": head.input}),
        Event(ev.STATE_ENTERED, head.created_at, start_at, {"input": head.input}),
    )


def _stored(values: dict[str, Json]) -> dict[str, Json]:
    return {ref: value for ref, value in values.items() if kind(ref) != INLINE}
