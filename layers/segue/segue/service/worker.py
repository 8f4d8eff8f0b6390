"""The step protocol (DESIGN.md): claim a token, run its state, commit, dispatch.

Cheap states, and further states within a time budget, run inline: the commit that
ends one state leases the next token to this worker in the same write.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from segue.asl.timestamps import format_timestamp
from segue.engine import control
from segue.engine.decider import advance, cheap, lease, work
from segue.engine.head import DEADLINE_TOKEN, Head, Token, TokenStatus, is_terminal
from segue.engine.measures import count, of_decision
from segue.service.changes import after_lost_race, change
from segue.service.errors import ConflictingRequestError, NotFoundError
from segue.store.errors import ConflictError
from segue.telemetry import metrics
from segue.telemetry.logs import correlated

if TYPE_CHECKING:
    from collections.abc import Callable

    from segue.asl import Invoke, Result, StateMachine
    from segue.engine.decision import Advance, Decision, TaskReport
    from segue.service.effects import Effects
    from segue.service.machines import Machines
    from segue.store.dynamo import ExecutionStore
    from segue.store.queue import WorkMessage, WorkQueue
    from segue.store.values import DocumentStore
    from segue.tasks.resources import Resources

log = logging.getLogger("segue.worker")

EARLY_GRACE = 0.5
"""A message up to this many seconds early waits here rather than on the queue again
(SQS delays in whole seconds, rounded to the nearest: see `store.queue`)."""
COMMIT_TRIES = 50


@dataclass
class Worker:
    """Runs tokens for one worker process (its `owner` name fences its leases)."""

    store: ExecutionStore
    documents: DocumentStore
    queue: WorkQueue
    machines: Machines
    resources: Resources
    effects: Effects
    owner: str
    clock: Callable[[], datetime]
    inline_seconds: float = 5.0
    time_left: Callable[[], float | None] = lambda: None
    """Seconds this invocation of the worker function has left (None: no limit)."""
    start_floor: float = 120.0
    """A worker with less time than this left takes no new message: it goes back on the
    queue for a worker with time for its task."""
    commit_margin: float = 10.0
    """The time a worker keeps back from a running task to commit what became of it."""

    def handle(self, message: WorkMessage) -> None:
        """Run the token a work message names, and whatever follows it inline."""
        with correlated(execution_id=message.execution_id):
            self._handle(message)

    def _handle(self, message: WorkMessage) -> None:
        now = self.clock()
        if message.not_before is not None and message.not_before > now:
            early = (message.not_before - now).total_seconds()
            if early > EARLY_GRACE:
                self.queue.send([message], now)  # it came early (SQS delays 15 minutes at most)
                return
            time.sleep(early)  # SQS delays in whole seconds: make up the fraction here
            now = self.clock()
        if message.token == DEADLINE_TOKEN:
            self._time_out(message)
            return
        left = self.time_left()
        if left is not None and left < self.start_floor:
            self.queue.send([message], now)
            return
        head = self.store.claim(
            message.execution_id,
            message.token,
            message.attempt,
            self.owner,
            format_timestamp(now + self.lease),
            format_timestamp(now),
        )
        if head is None:
            log.info("stale work message dropped: %s", message.body())
            return
        deadline = time.monotonic() + self.inline_seconds
        token_id: str | None = message.token
        while token_id is not None:
            head, token_id = self._step(head, token_id, deadline)

    @property
    def lease(self) -> timedelta:
        """How long a claim holds a token unless renewed (the sweeper's patience)."""
        return self.store.patience.lease

    def _time_out(self, message: WorkMessage) -> None:
        """End the execution at its own TimeoutSeconds (a stale deadline does nothing)."""
        try:
            change(
                self,
                message.execution_id,
                lambda machine, head, values, now: control.time_out(
                    machine, head, attempt=message.attempt, now=now, values=values
                ),
                self.clock,
            )
        except (ConflictingRequestError, NotFoundError) as stale:
            log.info("deadline of %s does nothing: %s", message.execution_id, stale)

    def _step(self, head: Head, token_id: str, deadline: float) -> tuple[Head, str | None]:
        token = head.tokens[token_id]
        with correlated(state=token.state, token=token.id, attempt=token.attempt):
            return self._run(head, token, deadline)

    def _run(self, head: Head, token: Token, deadline: float) -> tuple[Head, str | None]:
        machine = self.machines.get(head.state_machine, head.revision)
        values = self.documents.reader(head.execution_id)

        def run(invoke: Invoke) -> Result:
            left = self.time_left()
            with Renewal(self, head.execution_id, token):
                return self.resources.run(
                    invoke, None if left is None else left - self.commit_margin
                )

        outcome, task = work(machine, head, token, values, self.clock, run)
        if task is not None and task.started_at is not None:
            log.info(
                "task ran",
                extra={
                    "resource": task.resource,
                    "outcome": type(task.result).__name__,
                    "ms": round((task.ended_at - task.started_at).total_seconds() * 1000),
                },
            )
        return self._commit(machine, head, token, outcome, task, deadline)

    def _commit(
        self,
        machine: StateMachine,
        head: Head,
        token: Token,
        outcome: Advance,
        task: TaskReport | None,
        deadline: float,
    ) -> tuple[Head, str | None]:
        writer = f"{token.id}.{token.fence}"
        values = self.documents.reader(head.execution_id)
        for attempt in range(COMMIT_TRIES):
            now = self.clock()
            if not _holds(head, token, self.owner, now):
                head = self.store.get_head(head.execution_id) or head  # renewed meanwhile?
            if not _holds(head, token, self.owner, now):
                log.warning(
                    "%s/%s (attempt %d) is not ours (lease expired, or cancelled): result dropped",
                    head.execution_id,
                    token.id,
                    token.attempt,
                )
                return head, None
            decision = advance(machine, head, token.id, outcome, now, values, task)
            decision, kept = self._keep_one(decision, cheap_tokens(machine, decision), deadline)
            self.documents.put_many(head.execution_id, decision.values, now)
            try:
                committed = self.store.commit(head, decision, writer, now)
            except ConflictError:
                metrics.record([count("CommitConflicts")])
                fresh = self.store.get_head(head.execution_id)
                if fresh is None:
                    return head, None
                head = fresh
                after_lost_race(attempt)
                continue
            self.effects.apply(decision, committed, now)
            metrics.record(of_decision(machine, head, decision))
            if is_terminal(committed.status):
                ended = {"status": str(committed.status), "error": committed.error}
                log.info("execution ended", extra=ended)
            return committed, kept
        raise RuntimeError(f"could not commit {head.execution_id}/{token.id}: too much contention")

    def _keep_one(
        self, decision: Decision, cheap: set[str], deadline: float
    ) -> tuple[Decision, str | None]:
        """Lease one new READY token to ourselves, to run inline, if it is due and time allows."""
        due = [t for t in decision.dispatch if t.status is TokenStatus.READY and not t.ready_at]
        chosen = next((t for t in due if t.id in cheap), None)
        if chosen is None and due and time.monotonic() < deadline:
            chosen = due[0]
        if chosen is None:
            return decision, None
        now = self.clock()
        head = lease(decision.head, chosen.id, self.owner, now + self.lease)
        rest = tuple(t for t in decision.dispatch if t.id != chosen.id)
        return replace(decision, head=head, dispatch=rest), chosen.id


def cheap_tokens(machine: StateMachine, decision: Decision) -> set[str]:
    """Tokens whose state does no outside work (anything but a Task)."""
    return {t.id for t in decision.dispatch if cheap(machine, t)}


def _holds(head: Head, token: Token, owner: str, now: datetime) -> bool:
    """Whether `owner` still holds the lease it took of `token` (fencing: DESIGN.md, 8)."""
    current = head.tokens.get(token.id)
    return (
        current is not None
        and current.status is TokenStatus.LEASED
        and current.owner == owner
        and current.fence == token.fence
        and current.attempt == token.attempt
        and current.lease_until > format_timestamp(now)
    )


class Renewal:
    """Renews a worker's lease of a token every third of the lease while a task runs.

    A renewal is the running task's checkpoint (a head write, at least every 20 s with
    the default 60 s lease). Once a renewal fails the lease is someone else's: the task
    runs on, but its result will be dropped at commit.
    """

    def __init__(self, worker: Worker, execution_id: str, token: Token) -> None:
        self.worker = worker
        self.execution_id = execution_id
        self.token = token
        self._stop = threading.Event()
        # the log lines of renewals carry the task's correlation fields
        context = contextvars.copy_context()
        self._thread = threading.Thread(target=context.run, args=(self._renew,), daemon=True)

    def __enter__(self) -> Renewal:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _renew(self) -> None:
        worker = self.worker
        every = worker.lease.total_seconds() / 3
        while not self._stop.wait(every):
            now = worker.clock()
            try:
                held = worker.store.renew(
                    self.execution_id,
                    self.token.id,
                    worker.owner,
                    self.token.fence,
                    format_timestamp(now + worker.lease),
                    format_timestamp(now),
                )
            except Exception:  # the store out of reach for now: the next beat tries again
                log.exception(
                    "renewing the lease of %s/%s failed", self.execution_id, self.token.id
                )
                continue
            if not held:
                log.warning(
                    "lease of %s/%s lost while its task ran", self.execution_id, self.token.id
                )
                return


def wall_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)
