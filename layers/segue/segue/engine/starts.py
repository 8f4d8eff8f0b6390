"""The start of an execution: its first head, its first history page, its deadline."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from segue.asl.timestamps import format_timestamp
from segue.engine import events as ev
from segue.engine.decision import Decision
from segue.engine.events import Event
from segue.engine.head import Head, Status, Token, TokenStatus
from segue.engine.refs import EMPTY_OBJECT, INLINE, kind, ref_of

if TYPE_CHECKING:
    from datetime import datetime

    from segue.asl import StateMachine
    from segue.asl.outcomes import Json


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


def start_events(head: Head, start_at: str) -> tuple[Event, ...]:
    """The first page (seq 1 and 2): derived from the head alone, so anyone can rewrite it."""
    return (
        Event(ev.EXECUTION_STARTED, head.created_at, None, {"input": head.input}),
        Event(ev.STATE_ENTERED, head.created_at, start_at, {"input": head.input}),
    )


def _stored(values: dict[str, Json]) -> dict[str, Json]:
    return {ref: value for ref, value in values.items() if kind(ref) != INLINE}
