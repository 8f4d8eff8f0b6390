"""After a commit: what the decision asked for outside the head (DESIGN.md, step 4).

Effects run after the commit point, so a crash can lose one but never make one that
the history does not show; each is safe to repeat (a duplicate dispatch is refused by
the claim, a schedule has a deterministic name, a snapshot is keyed by its version).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from segue.engine.decider import instant
from segue.engine.head import is_terminal
from segue.store.queue import WorkMessage
from segue.store.retention import needs_marking

if TYPE_CHECKING:
    from datetime import datetime

    from segue.engine.decider import Decision
    from segue.engine.head import Head
    from segue.store.dynamo import ExecutionStore
    from segue.store.queue import WorkQueue
    from segue.store.timers import Timers

log = logging.getLogger("segue.effects")


@dataclass(frozen=True)
class Effects:
    """Dispatch, schedules, checkpoints and expiry of committed decisions."""

    store: ExecutionStore
    queue: WorkQueue
    timers: Timers
    keep_checkpoints: int = 10

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
        if messages:
            self.queue.send(messages, now)
        for timer in decision.schedule:
            self.timers.create(timer)
        for timer in decision.unschedule:
            self.timers.delete(timer)
        if decision.snapshot:
            self.checkpoint(committed, decision.snapshot)
        if is_terminal(committed.status) and needs_marking(
            instant(committed.created_at), instant(committed.updated_at)
        ):
            marked = self.store.expire(committed)
            log.info("%s finished: %d items re-marked to expire", committed.execution_id, marked)

    def checkpoint(self, head: Head, reason: str) -> int:
        """Keep a snapshot of `head`, then delete the oldest beyond the newest N; how many."""
        self.store.put_snapshot(head, reason)
        deleted = self.store.prune_snapshots(head.execution_id, self.keep_checkpoints)
        if deleted:
            log.info("checkpoint cleanup of %s deleted %d", head.execution_id, deleted)
        return deleted
