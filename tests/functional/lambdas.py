"""Task functions the functional tests register in-process (as `segue dev --functions` does)."""

from __future__ import annotations

from typing import Any

CALLS: list[tuple[str, Any]] = []


def echo(event: Any, context: Any) -> Any:
    CALLS.append(("echo", event))
    return event


def add_one(event: Any, context: Any) -> Any:
    CALLS.append(("add_one", event))
    return {**event, "n": event.get("n", 0) + 1}


class FlakyError(Exception):
    pass


def flaky(event: Any, context: Any) -> Any:
    """Fails the first `failures` calls for a given `key`, then answers."""
    CALLS.append(("flaky", event))
    seen = sum(1 for name, e in CALLS if name == "flaky" and e.get("key") == event.get("key"))
    if seen <= event.get("failures", 1):
        raise FlakyError(f"attempt {seen} failed")
    return {"ok": True, "attempts": seen}


def boom(event: Any, context: Any) -> Any:
    raise ValueError("boom")


def big(event: Any, context: Any) -> Any:
    """A document of `size` bytes (roughly)."""
    return {"blob": "x" * event["size"]}


def sleepy(event: Any, context: Any) -> Any:
    import time

    time.sleep(event["seconds"])
    return event


DURING: dict[str, Any] = {}
"""What `hook` does while it runs, by key: tests put an operator's call here."""
ANSWERS: dict[str, Any] = {}


def hook(event: Any, context: Any) -> Any:
    """Adds one to `n`; first runs the action registered for `key`, if any (once)."""
    CALLS.append(("hook", event))
    key = event.get("key", "")
    action = DURING.pop(key, None)
    if action is not None:
        ANSWERS[key] = action()
    return {**event, "n": event.get("n", 0) + 1}


FIXED: set[str] = set()


def fixable(event: Any, context: Any) -> Any:
    """Fails until its `key` is in FIXED (an operator fixed what was wrong)."""
    CALLS.append(("fixable", event))
    if event.get("key") not in FIXED:
        raise FlakyError("not fixed yet")
    return {**event, "fixed": True}


def pid(event: Any, context: Any) -> Any:
    """Appends the id of the process it ran in (local functions run inside the worker)."""
    import os

    return {**event, "pids": [*event.get("pids", []), os.getpid()]}


HANDED: list[Any] = []
"""The events `hand_over` got (each holds a task token)."""


def hand_over(event: Any, context: Any) -> Any:
    """A callback task's function: keeps the event, then runs the action for its `key`."""
    HANDED.append(event)
    action = DURING.pop(event.get("key", ""), None)
    if action is not None:
        ANSWERS[event.get("key", "")] = action(event)
    return {"handedOver": True}


ON_TALLY: list[Any] = []
"""Called with the event before `tally` answers (the model test checks invariants here)."""


def tally(event: Any, context: Any) -> Any:
    """Adds `step` to `n`: a task applied twice shows in the output."""
    for check in ON_TALLY:
        check(event)
    return {"n": event["n"] + event.get("step", 1)}


def slow(event: Any, context: Any) -> Any:
    """Sleeps `seconds`, then notes one invocation in the file `log` (counted across processes)."""
    import time
    from pathlib import Path

    time.sleep(event["seconds"])
    with Path(event["log"]).open("a") as log:
        log.write("ran\n")
    return {"slept": event["seconds"]}


def batch_tally(event: Any, context: Any) -> Any:
    """Notes the items of a Distributed Map's batch in the file `BatchInput.log` (a line a
    call, appended: counted across processes), and counts them."""
    from pathlib import Path

    items = event["Items"]
    with Path(event["BatchInput"]["log"]).open("a") as log:
        log.write(" ".join(str(item["n"]) for item in items) + "\n")
    return {"count": len(items)}
