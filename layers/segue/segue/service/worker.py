"""The step protocol (DESIGN.md): claim a token, run its state, commit, dispatch.

Cheap states, and further states within a time budget, run inline: the commit that
ends one state leases the next token to this worker in the same write.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from segue.asl.models import Task
from segue.asl.timestamps import format_timestamp
from segue.engine import control
from segue.engine.decider import (
    Advance,
    Decision,
    TaskReport,
    advance,
    lease,
    work,
)
from segue.engine.head import DEADLINE_TOKEN, Head, Token, TokenStatus
from segue.service.changes import change
from segue.service.errors import ConflictingRequestError, NotFoundError
from segue.store.errors import ConflictError

if TYPE_CHECKING:
    from collections.abc import Callable

    from segue.asl import StateMachine
    from segue.service.effects import Effects
    from segue.service.machines import Machines
    from segue.store.dynamo import ExecutionStore
    from segue.store.queue import WorkMessage, WorkQueue
    from segue.store.values import DocumentStore
    from segue.tasks.resources import Resources

log = logging.getLogger("segue.worker")

LEASE = timedelta(minutes=15)
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

    def handle(self, message: WorkMessage) -> None:
        """Run the token a work message names, and whatever follows it inline."""
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
        head = self.store.claim(
            message.execution_id,
            message.token,
            message.attempt,
            self.owner,
            format_timestamp(now + LEASE),
            format_timestamp(now),
        )
        if head is None:
            log.info("stale work message dropped: %s", message.body())
            return
        deadline = time.monotonic() + self.inline_seconds
        token_id: str | None = message.token
        while token_id is not None:
            head, token_id = self._step(head, token_id, deadline)

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
        machine = self.machines.get(head.state_machine, head.revision)
        values = self.documents.reader(head.execution_id)
        outcome, task = work(machine, head, token, values, self.clock, self.resources.run)
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
            decision = advance(machine, head, token.id, outcome, now, values, task)
            decision, kept = self._keep_one(decision, cheap_tokens(machine, decision), deadline)
            self.documents.put_many(head.execution_id, decision.values, now)
            try:
                committed = self.store.commit(head, decision, writer, now)
            except ConflictError:
                fresh = self.store.get_head(head.execution_id)
                if fresh is None or not _still_ours(fresh, token, self.owner):
                    log.warning("lease of %s/%s lost; result dropped", head.execution_id, token.id)
                    return head, None
                head = fresh
                time.sleep(min(0.5, 0.01 * 2**attempt))
                continue
            self.effects.apply(decision, committed, now)
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
        head = lease(decision.head, chosen.id, self.owner, now + LEASE)
        rest = tuple(t for t in decision.dispatch if t.id != chosen.id)
        return replace(decision, head=head, dispatch=rest), chosen.id


def cheap_tokens(machine: StateMachine, decision: Decision) -> set[str]:
    """Tokens whose state does no outside work (anything but a Task)."""
    return {t.id for t in decision.dispatch if not isinstance(machine.state(t.state), Task)}


def _still_ours(head: Head, token: Token, owner: str) -> bool:
    current = head.tokens.get(token.id)
    return (
        current is not None
        and current.status is TokenStatus.LEASED
        and current.owner == owner
        and current.fence == token.fence
    )


def wall_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)
