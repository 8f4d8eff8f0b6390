"""Plays EventBridge Scheduler: fires due one-time `at()` schedules at their target function.

moto stores schedules but never fires them. `fire_due` reads the clock it is given, so
tests move time forward instead of sleeping; `segue dev` calls it every half second.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from segue.tasks.functions import LambdaContext, function_name

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger("segue.local")

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
    ) -> None:
        self.scheduler = scheduler
        self.group = group
        self.handlers = handlers
        self.clock = clock
        self.failures: dict[str, int] = {}
        self.known: dict[str, dict[str, Any]] = {}  # segue never updates a schedule

    def fire_due(self) -> int:
        """Call the target of every schedule whose time has come; how many fired."""
        now = self.clock()
        fired = 0
        names = self._names()
        self.known = {name: s for name, s in self.known.items() if name in names}
        for name in names:
            schedule = self._schedule(name)
            due = None if schedule is None else due_time(schedule["ScheduleExpression"])
            if schedule is None or due is None or due > now:
                continue
            target = schedule["Target"]
            name_of_function = function_name(target["Arn"])
            try:
                handler = self.handlers(name_of_function)
                handler(json.loads(target.get("Input", "{}")), _context(name_of_function))
            except Exception:
                self.failures[name] = self.failures.get(name, 0) + 1
                log.exception("schedule %s: %s failed", name, name_of_function)
                if self.failures[name] < ATTEMPTS:
                    continue
            if schedule.get("ActionAfterCompletion") == "DELETE":
                with contextlib.suppress(ClientError):  # the target may have deleted it
                    self.scheduler.delete_schedule(GroupName=self.group, Name=name)
            fired += 1
        return fired

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


def _context(name: str) -> LambdaContext:
    return LambdaContext(name, time.monotonic() + 60)
