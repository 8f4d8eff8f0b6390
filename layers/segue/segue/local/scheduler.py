"""Plays EventBridge Scheduler: fires due one-time `at()` schedules at their target function.

moto stores schedules but never fires them. `fire_due` reads the clock it is given, so
tests move time forward instead of sleeping; `segue dev` calls it every half second.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from segue.tasks.functions import LambdaContext, function_name

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger("segue.local")

WORKERS = 8
"""Targets called at once: moto's server answers one DynamoDB request at a time, but each
handler spends most of its time waiting on its round trips."""
ATTEMPTS = 3
"""A target that keeps failing is given up after this many tries (AWS retries for longer)."""


def due_time(expression: str) -> datetime | None:
    """The moment of an `at(yyyy-mm-ddThh:mm:ss)` expression (UTC); None for others."""
    if not (expression.startswith("at(") and expression.endswith(")")):
        return None
    return datetime.strptime(expression[3:-1], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


class LocalScheduler:
    """Fires the due schedules of one group by calling the target's handler in-process."""

    def __init__(
        self,
        scheduler: Any,
        group: str,
        handlers: Callable[[str], Callable[[Any, Any], Any]],
        clock: Callable[[], datetime],
        workers: int = WORKERS,
    ) -> None:
        self.scheduler = scheduler
        self.group = group
        self.handlers = handlers
        self.clock = clock
        self.failures: dict[str, int] = {}
        self.known: dict[str, dict[str, Any]] = {}  # segue never updates a schedule
        self.workers = workers
        self._lock = threading.Lock()

    def fire_due(self) -> int:
        """Call the target of every schedule whose time has come, `workers` at a time (as
        Scheduler invokes targets concurrently); how many fired."""
        now = self.clock()
        names = self._names()
        self.known = {name: s for name, s in self.known.items() if name in names}
        due = [(name, s) for name in names if (s := self._schedule(name)) and _due(s, now)]
        if not due:
            return 0
        with ThreadPoolExecutor(min(self.workers, len(due))) as pool:
            done = list(pool.map(lambda found: self._fire(*found), due))
        return sum(done)

    def _fire(self, name: str, schedule: dict[str, Any]) -> bool:
        """Call one schedule's target; whether it is done with (fired, or given up)."""
        target = schedule["Target"]
        name_of_function = function_name(target["Arn"])
        try:
            handler = self.handlers(name_of_function)
            handler(json.loads(target.get("Input", "{}")), _context(name_of_function))
        except Exception:
            with self._lock:
                self.failures[name] = failures = self.failures.get(name, 0) + 1
            log.exception("schedule %s: %s failed", name, name_of_function)
            if failures < ATTEMPTS:
                return False
        if schedule.get("ActionAfterCompletion") == "DELETE":
            with contextlib.suppress(ClientError):  # the target may have deleted it
                self.scheduler.delete_schedule(GroupName=self.group, Name=name)
        return True

    def _schedule(self, name: str) -> dict[str, Any] | None:
        if name not in self.known:
            try:
                self.known[name] = self.scheduler.get_schedule(GroupName=self.group, Name=name)
            except ClientError:  # deleted since it was listed
                return None
        return self.known[name]

    def _names(self) -> list[str]:
        names: list[str] = []
        request: dict[str, Any] = {"GroupName": self.group}
        while True:
            answer = self.scheduler.list_schedules(**request)
            names += [s["Name"] for s in answer.get("Schedules", [])]
            if not answer.get("NextToken"):
                return names
            request["NextToken"] = answer["NextToken"]


def _due(schedule: dict[str, Any], now: datetime) -> bool:
    due = due_time(schedule["ScheduleExpression"])
    return due is not None and due <= now


def _context(name: str) -> LambdaContext:
    return LambdaContext(name, time.monotonic() + 60)
