"""Activities: Task states on an activity ARN wait for a worker that polls for them.

The Task hands its task token over as a callback task does, by offering it to the
activity; a worker's poll takes the oldest offer, records that it started, and answers
later with SendTaskSuccess or SendTaskFailure (the same callbacks as any token).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from segue.asl.timestamps import format_timestamp
from segue.engine.control import NotAllowed
from segue.service.errors import ConflictingRequestError, NotFoundError
from segue.store.retention import expiry_of_write

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime, timedelta

    from segue.asl.outcomes import Json
    from segue.store.activities import ActivityStore

POLL_EVERY = 0.5
"""Seconds between looks for an offered task while a worker's poll waits."""


def pause_between_looks(seconds: float) -> None:
    """How a waiting poll passes the time between looks (the local stack replaces it)."""
    time.sleep(seconds)


@dataclass
class Activities:
    """Activities and their offered tasks, on the store, on this clock."""

    store: ActivityStore
    clock: Callable[[], datetime]
    retention: timedelta

    def exists(self, name: str) -> bool:
        return self.store.get(name) is not None

    def offer(self, name: str, task_token: str, input: Json) -> None:
        now = self.clock()
        at = format_timestamp(now)
        expires = expiry_of_write(now, self.retention)
        self.store.offer(name, at, task_token, json.dumps(input, separators=(",", ":")), expires)

    def poll(
        self,
        name: str,
        seconds: float,
        started: Callable[[str], None],
        sleep: Callable[[float], None] | None = None,
    ) -> dict[str, Any] | None:
        """The oldest task offered to `name` (an activity the caller found) within
        `seconds`, or None.

        `started(token)` records that this worker took it; a task whose execution has
        moved on meanwhile (cancelled, timed out) is dropped and the next one looked at.
        """
        deadline = time.monotonic() + seconds
        while True:
            taken = self.store.take(name, int(self.clock().timestamp()))
            if taken is not None:
                try:
                    started(taken["task_token"])
                except (ConflictingRequestError, NotFoundError, NotAllowed):
                    continue  # no longer waited for: the next one
                return taken
            if time.monotonic() + POLL_EVERY > deadline:
                return None
            (sleep or pause_between_looks)(POLL_EVERY)
