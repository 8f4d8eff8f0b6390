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
