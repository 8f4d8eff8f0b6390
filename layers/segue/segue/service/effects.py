"""After a commit: what the decision asked for outside the head (DESIGN.md, step 4).

Effects run after the commit point, so a crash can lose one but never make one that
the history does not show; each is safe to repeat (a duplicate dispatch is refused by
the claim, a schedule has a deterministic name, a snapshot is keyed by its version).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from segue.engine.draft import INTERVAL
from segue.engine.head import DEADLINE_TOKEN, is_terminal
from segue.engine.visits import instant
from segue.store.queue import MAX_DELAY_SECONDS, WorkMessage
from segue.store.retention import needs_marking

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from segue.engine.decision import Decision
    from segue.engine.head import Head, Token
    from segue.store.dynamo import ExecutionStore
    from segue.store.queue import WorkQueue
    from segue.store.timers import Timers
    from segue.tasks.children import Parent

log = logging.getLogger("segue.effects")


def deadline_message(head: Head) -> WorkMessage:
    """The work message that ends `head` at its own TimeoutSeconds."""
    return WorkMessage(
        execution_id=head.execution_id,
        token=DEADLINE_TOKEN,
        attempt=head.redrives + 1,
        not_before=instant(head.deadline),
    )


class WaitHooks(Protocol):
    """What registers a wait for the outside once committed, and closes it once over."""

    def started(self, head: Head, token: Token) -> None: ...

    def ended(self, head: Head, token: Token) -> None: ...


class ChildHooks(Protocol):
    """What answers a parent when its child ends, and stops a child no task waits for."""

    def ended(self, child: Head) -> None: ...

    def wait_ended(self, parent: Head, token: Token) -> None: ...

    def adopt(self, child: Head, parent: Parent) -> None: ...

    def held(self, parent: Head, paused: bool) -> tuple[str, ...]: ...


@dataclass
class Effects:
    """Dispatch, schedules, checkpoints, wait records and expiry of committed decisions.

    `waits` and `children` are set once the services exist (they deliver through them).
    """

    store: ExecutionStore
    queue: WorkQueue
    timers: Timers
    keep_checkpoints: int = 10
    max_queue_delay: timedelta = timedelta(seconds=MAX_DELAY_SECONDS)
    timer_lead: timedelta = timedelta(minutes=5)
    waits: WaitHooks | None = None
    children: ChildHooks | None = None
    periodic_snapshots: Callable[[Head], bool] = lambda head: True
    """Whether the rollout flag keeps interval snapshots for this execution's workflow."""

    def apply(self, decision: Decision, committed: Head, now: datetime) -> None:
        """Carry out what `decision` (committed as `committed`) asks for."""
        messages = [
            WorkMessage(
                execution_id=committed.execution_id,
                token=t.id,
                attempt=t.attempt,
                not_before=instant(t.ready_at) if t.ready_at else None,
            )
            for t in decision.dispatch
        ]
        if decision.deadline:
            messages.append(deadline_message(committed))
        self.send(messages, now)
        if self.waits is not None:
            for token in decision.started_waits:
                self.waits.started(committed, token)
            for token in decision.ended_waits:
                self.waits.ended(committed, token)
        if self.children is not None:
            for token in decision.ended_waits:
                self.children.wait_ended(committed, token)
            self.children.ended(committed)
        for timer in decision.schedule:
            self.timers.create(timer)
        for timer in decision.unschedule:
            self.timers.delete(timer)
        if decision.snapshot and (
            decision.snapshot != INTERVAL or self.periodic_snapshots(committed)
        ):
            self.checkpoint(committed, decision.snapshot)
        if is_terminal(committed.status) and needs_marking(
            instant(committed.created_at), instant(committed.updated_at)
        ):
            marked = self.store.expire(committed)
            log.info("%s finished: %d items re-marked to expire", committed.execution_id, marked)

    def send(self, messages: list[WorkMessage], now: datetime) -> None:
        """Work messages: on the queue if due within its delay, else through a wake-up schedule."""
        near: list[WorkMessage] = []
        for message in messages:
            if message.not_before is None or message.not_before - now <= self.max_queue_delay:
                near.append(message)
            else:
                self.timers.wake(message, message.not_before - self.timer_lead)
        if near:
            self.queue.send(near, now)

    def checkpoint(self, head: Head, reason: str) -> int:
        """Keep a snapshot of `head`, then delete the oldest beyond the newest N; how many."""
        self.store.put_snapshot(head, reason)
        deleted = self.store.prune_snapshots(head.execution_id, self.keep_checkpoints)
        if deleted:
            log.info("checkpoint cleanup of %s deleted %d", head.execution_id, deleted)
        return deleted
