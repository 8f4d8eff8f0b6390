"""What the interpreter answers, and what the engine tells it: plain immutable values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import random
    from collections.abc import Mapping
    from datetime import datetime

Json: TypeAlias = Any

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
"""segue's state data limit (AWS Step Functions stops at 256 KiB)."""


@dataclass(frozen=True)
class Visit:
    """One entry into a state, as the engine knows it."""

    state: str
    input: Json
    context: Mapping[str, Json]
    variables: Mapping[str, Json] = field(default_factory=dict)
    retries: tuple[int, ...] = ()
    entered_event: int = 0


@dataclass(frozen=True)
class Runtime:
    """What the pure interpreter may not find for itself: time, chance and limits."""

    now: datetime
    rng: random.Random
    max_payload_bytes: int = MAX_PAYLOAD_BYTES


# Answers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Next:
    """Go to `state` with `input`; `assigned` are the variables this state set."""

    state: str
    input: Json
    assigned: Mapping[str, Json] = field(default_factory=dict)


@dataclass(frozen=True)
class End:
    """The (sub-)machine succeeded with `output`."""

    output: Json
    assigned: Mapping[str, Json] = field(default_factory=dict)


@dataclass(frozen=True)
class Fail:
    """The (sub-)machine failed with an error no Catch took."""

    error: str | None
    cause: str | None


@dataclass(frozen=True)
class WaitUntil:
    """A Wait state: at `until`, carry on with `then`."""

    until: datetime
    then: Next | End


@dataclass(frozen=True)
class Invoke:
    """A Task state: run `resource` with `parameters`, then call `complete`."""

    resource: str
    parameters: Json
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None
    task_token: str | None = None
    """`$$.Task.Token` of a task that waits for its token (an activity hands it to a worker)."""


@dataclass(frozen=True)
class Retry:
    """Enter the same state again after `delay_seconds`, with the new retry counts."""

    delay_seconds: float
    retries: tuple[int, ...]
    error: str | None
    cause: str | None


@dataclass(frozen=True)
class Start:
    """Where one branch or item of a fan-out begins."""

    state: str
    input: Json


@dataclass(frozen=True)
class FanOut:
    """A Parallel or Map state: run every start to its end, then call `complete`."""

    starts: tuple[Start, ...]
    max_concurrency: int = 0
    tolerated_failure_count: int | None = None
    tolerated_failure_percentage: float | None = None


Outcome: TypeAlias = Next | End | Fail | WaitUntil | Invoke | Retry | FanOut
Settled: TypeAlias = Next | End | Fail | Retry
"""What a state comes to once its work (task, branches) is done."""


# Results the engine reports back --------------------------------------------------------------


@dataclass(frozen=True)
class Succeeded:
    """A task, branch or item finished with `output`."""

    output: Json


@dataclass(frozen=True)
class Failed:
    """A task, branch or item failed."""

    error: str | None
    cause: str | None = None


Result: TypeAlias = Succeeded | Failed
