"""A decision: the next head, the events that lead to it, its documents and its effects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from segue.asl import Fail, FanOut, Next, Retry, WaitUntil
from segue.asl.outcomes import End
from segue.engine.head import Head, Token, TokenStatus
from segue.engine.waits import Await

if TYPE_CHECKING:
    from datetime import datetime

    from segue.asl import Result
    from segue.asl.outcomes import Json
    from segue.engine.events import Event


@dataclass(frozen=True)
class TaskReport:
    """What running a Task's resource did, for the history.

    `started_at` is None when the task started in an earlier commit (a wait that ended);
    `waiting` when the call was made and the task now waits for its result.
    """

    resource: str
    parameters: Json
    started_at: datetime | None
    ended_at: datetime
    result: Result
    waiting: bool = False
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None


@dataclass(frozen=True)
class AutoResume:
    """A one-time schedule that resumes `execution_id` if `pause_id` is still its pause."""

    execution_id: str
    pause_id: str
    at: str


@dataclass(frozen=True)
class Decision:
    """A new head, the events that lead to it, the documents it refers to and its effects."""

    head: Head
    events: tuple[Event, ...]
    values: dict[str, Json]
    dispatch: tuple[Token, ...]
    schedule: tuple[AutoResume, ...] = ()
    unschedule: tuple[AutoResume, ...] = ()
    snapshot: str = ""
    deadline: str = ""
    """When set, the execution's own timeout is (re)armed for this time."""

    @property
    def started_waits(self) -> tuple[Token, ...]:
        """Tokens that began to wait for the outside in this decision."""
        return _waits_only_in(self.head.tokens, self.old_tokens)

    @property
    def ended_waits(self) -> tuple[Token, ...]:
        """Tokens whose wait for the outside this decision ended (delivered, timed out, dropped)."""
        return _waits_only_in(self.old_tokens, self.head.tokens)

    old_tokens: dict[str, Token] = field(default_factory=dict)


def _waits_only_in(tokens: dict[str, Token], others: dict[str, Token]) -> tuple[Token, ...]:
    """Tokens of `tokens` waiting for the outside that do not wait the same in `others`."""
    return tuple(t for t in tokens.values() if t.wait and not _same_wait(others.get(t.id), t))


def _same_wait(other: Token | None, token: Token) -> bool:
    return (
        other is not None
        and other.wait == token.wait
        and other.attempt == token.attempt
        and other.status is TokenStatus.WAITING
    )


Advance = Next | End | Fail | Retry | FanOut | WaitUntil | Await


def wants_message(token: Token) -> bool:
    """READY tokens need a worker; a waiting token with a deadline, a wake-up at its time."""
    return token.status is TokenStatus.READY or (
        token.status is TokenStatus.WAITING and bool(token.ready_at)
    )
