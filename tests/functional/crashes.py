"""A worker process dying at one point of the step protocol, in-process.

A `Crash` is a BaseException, so no `except Exception` on the way catches it: nothing
after the point runs, as when the process is killed.
"""

from __future__ import annotations

from typing import Any

POINTS = ("after claim", "mid-task", "after commit")


class Crash(BaseException):
    """The worker process dies here."""


def handle_and_die(worker: Any, message: Any, point: str) -> None:
    """The worker handles `message` and dies at `point`; Crash is raised to the caller."""
    owner, name, after = {
        "after claim": (worker.machines, "get", False),
        "mid-task": (worker.resources, "run", True),  # the task did run
        "after commit": (worker.effects, "apply", False),  # before any effect
    }[point]
    original = getattr(owner, name)

    def dying(*args: Any, **kwargs: Any) -> Any:
        if after:
            original(*args, **kwargs)
        raise Crash(point)

    setattr(owner, name, dying)
    try:
        worker.handle(message)
    finally:
        delattr(owner, name)
