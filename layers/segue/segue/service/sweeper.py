"""The sweeper (every minute): finds overdue executions through the check-time index and
moves each on (`engine.recovery`), or re-runs the effects of one that merely rests.

Bounded: at most `limit` executions per run, within `budget` seconds. Safe to run twice
at once: every recovery is a commit conditional on the head's version (the loser
re-decides and finds nothing overdue), and every effect is safe to repeat.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from segue.asl.timestamps import format_timestamp
from segue.engine.head import is_terminal
from segue.engine.recovery import check_at, implied, overdue, recover, settled_at
from segue.service.changes import change
from segue.service.errors import ConflictingRequestError, NotFoundError
from segue.telemetry.logs import correlated

if TYPE_CHECKING:
    from segue.service.wiring import Services

log = logging.getLogger("segue.sweeper")


@dataclass
class Sweeper:
    """One sweep over the check-time index."""

    services: Services
    limit: int = 200
    budget: float = 40.0

    def sweep(self) -> dict[str, int]:
        """Look at the executions whose check time has come; how many of each outcome."""
        store = self.services.store
        now = self.services.clock()
        found: list[tuple[str, str]] = []
        first = random.randrange(store.shards)  # no shard starves when there is too much
        for offset in range(store.shards):
            if len(found) >= self.limit:
                break
            found += store.due((first + offset) % store.shards, now, self.limit - len(found))
        stop = time.monotonic() + self.budget
        outcomes: Counter[str] = Counter()
        for execution_id, due_at in found:
            if time.monotonic() > stop:
                outcomes["deferred"] += 1
                continue
            with correlated(execution_id=execution_id):
                outcomes[self.look_at(execution_id, due_at)] += 1
        return {"due": len(found), **outcomes}

    def look_at(self, execution_id: str, due_at: str) -> str:
        """Recover, heal or just re-time one execution; what was done."""
        store = self.services.store
        patience = store.patience
        head = store.get_head(execution_id)
        now = self.services.clock()
        if head is None:
            return "gone"
        if is_terminal(head.status):
            outcome = "finished"
            children = self.services.effects.children
            if head.parent_token and children is not None:
                children.ended(head)  # again, in case a crash lost the answer
                outcome = "answered"
            store.check_again(head, None)
            return outcome
        if overdue(head, now, patience):
            try:
                change(
                    self.services,
                    execution_id,
                    lambda machine, head, values, now: recover(
                        machine, head, now=now, values=values, patience=patience
                    ),
                    self.services.clock,
                )
            except (ConflictingRequestError, NotFoundError) as moved:
                log.info("%s needs no recovery after all: %s", execution_id, moved)
                return "moved"
            log.info("recovered %s", execution_id)
            return "recovered"
        outcome = "rescheduled"
        settled = settled_at(head, patience)
        if due_at <= format_timestamp(settled) and settled <= now:
            # the look once after a commit: carry out its effects again, in case a
            # crash lost them (each is safe to repeat); the check time may be one kept
            # from before that commit (`recovery.index_time`)
            self.services.effects.apply(implied(head), head, now)
            outcome = "healed"
        store.check_again(head, check_at(head, patience, fresh=now < settled))
        return outcome
