"""The execution head: the latest checkpoint of one execution, kept small.

A head holds the execution's status, a version bumped by every commit, the history
sequence, and the frontier: one token per active branch position. Documents (inputs,
outputs, variables) are held as references (`segue.engine.refs`), never inline copies
of big values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any

SCHEMA = 1
"""Version of the persisted shape; bump it with a migration when the shape changes."""


class Status(StrEnum):
    """Execution status (API.md)."""

    RUNNING = "RUNNING"
    WAITING = "WAITING"
    PAUSING = "PAUSING"
    PAUSED = "PAUSED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    TIMED_OUT = "TIMED_OUT"


DEADLINE_TOKEN = "deadline"
"""The token a work message names to end an execution at its own TimeoutSeconds."""

TERMINAL = frozenset({Status.SUCCEEDED, Status.FAILED, Status.CANCELLED, Status.TIMED_OUT})


def is_terminal(status: Status) -> bool:
    """True once an execution can change no more."""
    return status in TERMINAL


class TokenStatus(StrEnum):
    """Where one branch position stands (DESIGN.md, Execution state)."""

    READY = "READY"
    LEASED = "LEASED"
    WAITING = "WAITING"
    PARKED = "PARKED"


@dataclass(frozen=True)
class Token:
    """One visit of one state by one branch position."""

    id: str
    state: str
    status: TokenStatus
    input: str
    vars: str
    entered: int
    entered_at: str
    attempt: int = 1
    retries: tuple[int, ...] = ()
    fence: int = 0
    owner: str = ""
    lease_until: str = ""
    ready_at: str = ""
    then: str = ""
    join: str = ""
    branch: int = 0
    wait: str = ""
    wait_info: str = ""

    def to_dict(self) -> dict[str, Any]:
        # not dataclasses.asdict: it deep-copies, and a head is written at every commit
        data = {name: getattr(self, name) for name in _TOKEN_FIELDS}
        data = {k: v for k, v in data.items() if v != ""}
        return data | {"status": str(self.status), "retries": list(self.retries)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Token:
        values = {**_TOKEN_DEFAULTS, **data}
        values["status"] = TokenStatus(values["status"])
        values["retries"] = tuple(int(r) for r in values["retries"])
        for name in ("attempt", "fence", "entered", "branch"):
            values[name] = int(values[name])
        return cls(**values)


_TOKEN_FIELDS = tuple(f.name for f in fields(Token))
_TOKEN_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in fields(Token) if f.default is not f.default_factory
}


HEAD_BYTES = 300 * 1024
"""The largest head (and history page) a decision may write: DynamoDB takes 400 KB an item."""
RESULTS_CHUNK = 10
"""Branch results are moved out of the head into documents this many at a time (with 40
branches running, at most 41 chunks are open: a few hundred results, at most 390 bytes each)."""


@dataclass(frozen=True)
class Join:
    """A Parallel or Map state waiting for its branches; `parent` is the state's own visit.

    `results` holds the results (references) not yet moved out; `folded` the documents
    holding the others, by (level, index): a level-0 document lists the RESULTS_CHUNK
    results of chunk `index`, a level-n one the RESULTS_CHUNK level n-1 documents of its
    group. So a Map of a million items keeps a few hundred references in its head.
    """

    parent: Token
    total: int
    starts: str
    launched: int
    max_concurrency: int
    tolerant: bool
    results: dict[int, str] = field(default_factory=dict)
    folded: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.parent.id

    @property
    def folded_count(self) -> int:
        """How many results (those of the first branches) live in `folded` documents."""
        return sum(RESULTS_CHUNK ** (level + 1) for level, _ in self.folded)

    @property
    def finished(self) -> int:
        return self.folded_count + len(self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "parent": self.parent.to_dict(),
            "total": self.total,
            "starts": self.starts,
            "launched": self.launched,
            "maxConcurrency": self.max_concurrency,
            "tolerant": self.tolerant,
            "results": {str(k): v for k, v in self.results.items()},
            "folded": [[level, index, ref] for (level, index), ref in self.folded.items()],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Join:
        return cls(
            parent=Token.from_dict(data["parent"]),
            total=int(data["total"]),
            starts=data["starts"],
            launched=int(data["launched"]),
            max_concurrency=int(data["maxConcurrency"]),
            tolerant=bool(data["tolerant"]),
            results={int(k): v for k, v in data["results"].items()},
            folded={(int(lv), int(ix)): str(ref) for lv, ix, ref in data.get("folded", ())},
        )


@dataclass(frozen=True)
class Pause:
    """An operator's (or a breakpoint's) pause: asked at `requested_at`, taken at `paused_at`.

    `id` names this pause among the execution's pauses, so an auto-resume schedule made for
    an earlier pause can tell that it is stale.
    """

    id: str
    requested_at: str
    by: str
    reason: str
    auto_resume_seconds: int
    paused_at: str = ""
    auto_resume_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pause:
        values = {**data, "auto_resume_seconds": int(data["auto_resume_seconds"])}
        return cls(**values)


_SPARSE = frozenset(
    {"due_at", "output", "redrive", "trigger_rule", "trigger_event", "deadline", "joins"}
    | {"pause_before", "pauses", "redrives", "unnumbered", "secret", "first_page"}
    | {"parent", "parent_token", "parent_sync"}
)
"""Head attributes left out of the item while empty (or 0): every write pays for its bytes,
and no update expression refers to them."""


@dataclass(frozen=True)
class Head:
    """The latest committed checkpoint of one execution."""

    execution_id: str
    name: str
    state_machine: str
    revision: int
    status: Status
    version: int
    next_seq: int
    next_token: int
    created_at: str
    updated_at: str
    input: str
    vars: str
    tokens: dict[str, Token] = field(default_factory=dict)
    joins: dict[str, Join] = field(default_factory=dict)
    output: str = ""
    error: str | None = None
    cause: str | None = None
    pause: Pause | None = None
    pauses: int = 0
    pause_before: tuple[str, ...] = ()
    auto_resume_seconds: int = 0
    snapshot_at: str = ""
    redrive: str = ""
    redrives: int = 0
    secret: str = ""
    trigger_rule: str = ""
    trigger_event: str = ""
    deadline: str = ""
    unnumbered: int = 0
    """Committed events AWS's history does not number (engine.numbering): an event's
    AWS id is its seq less those before it."""
    first_page: int = 0
    """The events of page 1 when the start decided the states that follow it too
    (`starts.first_steps`); 0 for the usual two (ExecutionStarted, StateEntered)."""
    parent: str = ""
    """The execution whose Task started this one (`states:startExecution`), if known."""
    parent_token: str = ""
    """The parent's task token this execution's end answers (`.sync`, `.sync:2`)."""
    parent_sync: int = 0
    """1: the answer gives the input and output as JSON text (`.sync`); 2: as JSON."""
    due_at: str = ""
    """When the sweeper looks at the head, as stored (the sort key of the ByDue index).
    Commits keep it while it still comes in time (`recovery.index_time`), so most of them
    do not rewrite the index."""

    @property
    def paused(self) -> bool:
        """The pause has been taken (not merely asked for)."""
        return self.pause is not None and bool(self.pause.paused_at)

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["status"] = str(self.status)
        data["tokens"] = {k: t.to_dict() for k, t in self.tokens.items()}
        data["joins"] = {k: j.to_dict() for k, j in self.joins.items()}
        data["pause"] = self.pause.to_dict() if self.pause else None
        data["pause_before"] = list(self.pause_before)
        data["schema"] = SCHEMA
        return {k: v for k, v in data.items() if v is not None and (v or k not in _SPARSE)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Head:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["status"] = Status(values["status"])
        for name in (
            "revision",
            "version",
            "next_seq",
            "next_token",
            "pauses",
            "redrives",
            "unnumbered",
            "first_page",
            "parent_sync",
        ):
            if name in values:
                values[name] = int(values[name])
        values["auto_resume_seconds"] = int(values.get("auto_resume_seconds", 0))
        values["pause"] = Pause.from_dict(data["pause"]) if data.get("pause") else None
        values["pause_before"] = tuple(data.get("pause_before", ()))
        values["tokens"] = {k: Token.from_dict(t) for k, t in data.get("tokens", {}).items()}
        values["joins"] = {k: Join.from_dict(j) for k, j in data.get("joins", {}).items()}
        return cls(**values)
