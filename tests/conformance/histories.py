"""Comparing a GetExecutionHistory answer with the history AWS recorded for a case.

Event for event: types, order, ids, previousEventIds, state names, inputs and outputs,
errors and causes. The recording replaced values that change from run to run by
placeholders (`timestamp`, `snf_role_arn`, `<uuid:1>`, ARNs with `<region>`, ...): those
match any value. Inside a Parallel state the recorder sorted the events and numbered them
`[0]`: those are compared as a set, without ids.

Each difference is reported with its kind, so that the test can tell the differences
segue keeps on purpose (KEPT, each with its reason) from new ones.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

_PLACEHOLDER = re.compile(r"<[A-Za-z_:0-9-]+>")
_WILD = {"timestamp", "snf_role_arn", "date", "X-Amzn-Trace-Id", "lambda_function_name"}
_DATA = ("input", "output", "parameters", "cause")
"""Details that hold JSON text: compared parsed (the recording keeps some parsed, some as
text, and AWS keeps a start input as it was written, spaces and all)."""

KEPT = {
    "lambda-cause": (
        "A Lambda function's error cause is what its runtime reports: AWS's Python runtime "
        "adds a stack trace of /var/task/handler.py and a request id, segue's stand-ins "
        "(tests/conformance/handlers.py) report the error message and type only."
    ),
    "lambda-invoke-output": (
        "The result of `arn:aws:states:::lambda:invoke` carries the HTTP metadata of "
        "AWS's Invoke call (SdkHttpMetadata, SdkResponseMetadata, StatusCode headers); "
        "segue's local Lambda gives the Invoke API's own answer fields."
    ),
    "parallel-sorted": (
        "Inside a Parallel state the recorder sorted the events and dropped some "
        "(ParallelStateSucceeded, a nested Parallel's exit); segue's events there are "
        "compared as a set that must hold every recorded one."
    ),
}
"""The kinds of difference that remain on purpose, with the reason for each."""
_DROPPED_IN_BLOCK = ("ParallelStateSucceeded", "ParallelStateExited")


def area(case_name: str) -> str:
    """The area of a case, from its recorded test name."""
    name = case_name.split("__")[0].removeprefix("test_")
    return name


def differences(recorded: list[dict[str, Any]], ours: list[dict[str, Any]]) -> list[str]:
    """Each difference as `kind: what`; an empty list means the histories match."""
    ours = [e for e in ours if e["id"] < 1_000_000_000]  # segue's own events are extra
    found: list[str] = []
    sorted_block = [e for e in recorded if not isinstance(e["id"], int)]
    if sorted_block:
        found += _sorted_block(recorded, ours)
        recorded = [e for e in recorded if isinstance(e["id"], int)]
        ours = [e for e in ours if e["id"] in {r["id"] for r in recorded}]
    types = ([e["type"] for e in recorded], [e["type"] for e in ours])
    if types[0] != types[1]:
        return found + [f"types: recorded {types[0]}, got {types[1]}"]
    for want, got in zip(recorded, ours, strict=True):
        found += _event_differences(want, got)
    return found


def _sorted_block(recorded: list[dict[str, Any]], ours: list[dict[str, Any]]) -> list[str]:
    """The recorder's sorted Parallel events against ours in the ids it left out, as a set.

    Every recorded event must be among ours; ours may have more only of the kinds the
    recorder dropped there (a Parallel's success, a nested Parallel's exit).
    """
    numbered = {e["id"] for e in recorded if isinstance(e["id"], int)}
    gaps = [i for i in range(1, max(numbered)) if i not in numbered]
    mine = [e for e in ours if gaps[0] <= e["id"] <= gaps[-1] and e["id"] not in numbered]
    theirs = Counter(_key(e) for e in recorded if not isinstance(e["id"], int))
    found = Counter(_key(e) for e in mine)
    missing = theirs - found
    extra = [k for k in (found - theirs).elements() if not k.startswith(_DROPPED_IN_BLOCK)]
    if not missing and not extra:
        return []
    return [f"parallel-block: missing {sorted(missing.elements())}, extra {extra}"[:2000]]


def _key(event: dict[str, Any]) -> str:
    details = {k: v for k, v in event.items() if k.endswith("EventDetails")}
    return event["type"] + json.dumps(
        {k: _comparable(v) for k, v in details.items()}, sort_keys=True
    )


def _comparable(details: Any) -> Any:
    """Event details with their JSON text parsed (`_DATA`, and each assigned variable)."""
    if not isinstance(details, dict):
        return details
    out = {}
    for key, value in details.items():
        if isinstance(value, dict):
            value = _comparable(value)
            if key == "assignedVariables":
                value = {k: _parsed(v) for k, v in value.items()}
        elif key in _DATA:
            value = _parsed(value)
        out[key] = value
    return out


def _parsed(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _event_differences(want: dict[str, Any], got: dict[str, Any]) -> list[str]:
    where = f"event {want['id']} {want['type']}"
    found = []
    for key in ("id", "previousEventId"):
        if want.get(key) != got.get(key):
            found.append(f"{key}: {where}: recorded {want.get(key)}, got {got.get(key)}")
    for key in sorted(set(want) | set(got)):
        if not key.endswith("EventDetails"):
            continue
        mismatch = _mismatch(_comparable(want.get(key)), _comparable(got.get(key)), key)
        if mismatch:
            found.append(f"{_kind(want, key, mismatch)}: {where}: {mismatch}")
    return found


def _kind(event: dict[str, Any], key: str, mismatch: str) -> str:
    if ".cause.requestId" in mismatch or ".cause.stackTrace" in mismatch:
        return "lambda-cause"
    if ".output" in mismatch and "SdkHttpMetadata" in mismatch:
        return "lambda-invoke-output"
    return f"details:{event['type']}"


def _mismatch(want: Any, got: Any, path: str) -> str | None:
    """Where `got` differs from the recorded `want` (placeholders match anything)."""
    if isinstance(want, str) and (want in _WILD or _PLACEHOLDER.search(want)):
        return None if isinstance(got, str) else f"{path}: recorded {want!r}, got {got!r}"
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(set(want) | set(got)):
            if key not in got or key not in want:
                return f"{path}.{key}: recorded {want.get(key)!r:.200}, got {got.get(key)!r:.200}"
            found = _mismatch(want[key], got[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for index, (w, g) in enumerate(zip(want, got, strict=True)):
            found = _mismatch(w, g, f"{path}[{index}]")
            if found:
                return found
        return None
    if want != got:
        return f"{path}: recorded {want!r:.300}, got {got!r:.300}"
    return None
