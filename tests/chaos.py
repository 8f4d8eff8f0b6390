"""The chaos run: mixed workflows on the local stack while a killer SIGKILLs workers.

Used by the e2e chaos test (it asserts) and by `bench/recovery.py` (it reports). A kill
is a real SIGKILL of a real worker process; `segue dev` starts a new one, and whatever
the dead one held is found by lease expiry and moved on by the sweeper.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from segue.client import ApiError

if TYPE_CHECKING:
    from tests.localstack import LocalStack

TALLY = "arn:aws:lambda:us-east-1:123456789012:function:tally"
RETRY = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 1, "MaxAttempts": 20}]
FUNCTIONS = {"tally": "tests.functional.lambdas:tally"}
ENVIRONMENT = {
    "SEGUE_LEASE_SECONDS": "3",
    "SEGUE_DISPATCH_SECONDS": "10",
    "SEGUE_TIMER_GRACE_SECONDS": "2",
}
CRON_SECONDS = 1.0
"""With a 3 s lease, a task whose worker died goes on within about 4 s (plus load)."""


def _tally(step: int, **fields: Any) -> dict[str, Any]:
    parameters = {"n.$": "$.n", "step": step}
    return {"Type": "Task", "Resource": TALLY, "Parameters": parameters, "Retry": RETRY, **fields}


def _machine(states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


WORKFLOWS: dict[str, tuple[dict[str, Any], Any, Any]] = {
    "chain": (
        _machine(
            {
                "A": _tally(1, Next="Nap"),
                "Nap": {"Type": "Wait", "Seconds": 1, "Next": "B"},
                "B": _tally(10, End=True),
            }
        ),
        {"n": 0},
        {"n": 11},
    ),
    "fork": (
        _machine(
            {
                "Fork": {
                    "Type": "Parallel",
                    "Branches": [
                        _machine({"X": _tally(1, End=True)}),
                        _machine({"Y": _tally(100, End=True)}),
                    ],
                    "ResultSelector": {"n.$": "States.MathAdd($[0].n, $[1].n)"},
                    "Next": "Z",
                },
                "Z": _tally(1000, End=True),
            }
        ),
        {"n": 1},
        {"n": 1103},
    ),
    "each": (
        _machine(
            {
                "Each": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "MaxConcurrency": 2,
                    "ItemSelector": {"n.$": "$$.Map.Item.Value"},
                    "ItemProcessor": _machine({"T": _tally(5, End=True)}),
                    "End": True,
                }
            }
        ),
        {"n": 0, "items": [1, 2, 3, 4]},
        [{"n": 6}, {"n": 7}, {"n": 8}, {"n": 9}],
    ),
}
TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"}


@dataclass
class ChaosResult:
    """What a chaos run saw."""

    executions: dict[str, str] = field(default_factory=dict)
    """Execution id to workflow."""
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    histories: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    kills: list[tuple[int, float]] = field(default_factory=list)
    paused: int = 0
    seconds: float = 0.0

    def wrong(self) -> list[str]:
        """Executions that did not end with their clean output."""
        return [
            f"{eid}: {doc['status']} {doc.get('output')!r}"
            for eid, doc in self.documents.items()
            if doc["status"] != "SUCCEEDED"
            or doc.get("output") != WORKFLOWS[self.executions[eid]][2]
        ]

    def committed_twice(self) -> list[str]:
        """Task states committed more often than they were entered (from history)."""
        found = []
        for eid, events in self.histories.items():
            entered = Counter(e.get("state") for e in events if e["type"] == "StateEntered")
            done = Counter(e.get("state") for e in events if e["type"] == "TaskSucceeded")
            found += [f"{eid}: {s} {n}x" for s, n in done.items() if n != entered[s]]
        return found

    def recoveries(self) -> list[float]:
        """Seconds from each kill to the commit that took back a lease the dead worker held.

        Leases that live workers lost (a step slower than the lease, under load) count
        as `lost_by_the_living` instead.
        """
        return [delay for delay, held in self._lease_ends() if held]

    def lost_by_the_living(self) -> int:
        return sum(1 for _, held in self._lease_ends() if not held)

    def _lease_ends(self) -> list[tuple[float, bool]]:
        killed_at = dict(self.kills)
        ends = []
        for events in self.histories.values():
            for event in events:
                if event["type"] != "LeaseExpired":
                    continue
                pid = int(event["details"]["owner"].split(":")[1])
                at = _epoch(event["timestamp"])
                held = pid in killed_at and _epoch(event["details"]["leaseUntil"]) >= killed_at[pid]
                ends.append((at - killed_at.get(pid, at), held))
        return ends

    def count(self, event_type: str) -> int:
        return sum(1 for h in self.histories.values() for e in h if e["type"] == event_type)


def run_chaos(
    stack: LocalStack,
    executions: int = 300,
    kill_every: tuple[float, float] = (1.5, 3.0),
    pause_share: float = 0.15,
    kill_for: float = 90.0,
    stall: float = 180.0,
    seed: int = 6,
) -> ChaosResult:
    """Start `executions` mixed ones, kill a worker every few seconds, then wait for all.

    Kills go on for `kill_for` seconds: on a slow machine a worker killed every two
    seconds spends most of its life starting, so the end is awaited without them. The
    run gives up when no execution has ended for `stall` seconds (those left are stuck).
    """
    chance = random.Random(seed)
    client = stack.client
    for name, (definition, _, _) in WORKFLOWS.items():
        client.call("POST", "/state-machines", {"name": f"chaos-{name}", "definition": definition})
    result = ChaosResult()
    stop = threading.Event()
    began = time.monotonic()
    killer = threading.Thread(
        target=_killer, args=(stack, result, stop, kill_every, began + kill_for, chance)
    )
    killer.start()
    try:
        plan = [chance.choice(sorted(WORKFLOWS)) for _ in range(executions)]
        with ThreadPoolExecutor(4) as pool:
            for workflow, execution_id in zip(
                plan, pool.map(lambda w: _start(client, w), plan), strict=True
            ):
                result.executions[execution_id] = workflow
        paused = chance.sample(sorted(result.executions), int(executions * pause_share))
        for execution_id in paused:  # pause and resume some while they run
            with contextlib.suppress(ApiError):  # it may have ended already (a 409)
                client.call("POST", f"/executions/{execution_id}/pause", {})
                result.paused += 1
        time.sleep(1.0)
        _finish(stack, result, stall)
    finally:
        stop.set()
        killer.join()
    result.seconds = time.monotonic() - began
    for execution_id in result.executions:
        result.histories[execution_id] = _history(client, execution_id)
    return result


def _start(client: Any, workflow: str) -> str:
    body = {"stateMachine": f"chaos-{workflow}", "input": WORKFLOWS[workflow][1]}
    return str(client.call("POST", "/executions", body)["executionId"])


def _finish(stack: LocalStack, result: ChaosResult, stall: float) -> None:
    """Resume what is paused, until every execution has ended (or none has for `stall` s)."""
    client = stack.client
    open_ids = set(result.executions)
    progress = time.monotonic()
    while open_ids and time.monotonic() - progress < stall:
        before = len(open_ids)
        for execution_id in sorted(open_ids):
            document = client.call("GET", f"/executions/{execution_id}")
            if document["status"] == "PAUSED":
                with contextlib.suppress(ApiError):  # resumed meanwhile (a 409)
                    client.call("POST", f"/executions/{execution_id}/resume", {})
            elif document["status"] in TERMINAL:
                result.documents[execution_id] = document
                open_ids.discard(execution_id)
        if len(open_ids) < before:
            progress = time.monotonic()
        time.sleep(0.5)
    for execution_id in open_ids:  # stuck: recorded as they are
        result.documents[execution_id] = client.call("GET", f"/executions/{execution_id}")


def _killer(
    stack: LocalStack,
    result: ChaosResult,
    stop: threading.Event,
    every: tuple[float, float],
    until: float,
    chance: random.Random,
) -> None:
    while not stop.wait(chance.uniform(*every)) and time.monotonic() < until:
        pids = sorted(stack.worker_pids())
        if not pids:
            continue
        pid = chance.choice(pids)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
        result.kills.append((pid, time.time()))


def _history(client: Any, execution_id: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        query = {"limit": "1000"} | ({"nextToken": token} if token else {})
        page = client.call("GET", f"/executions/{execution_id}/history", query=query)
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            return events


def _epoch(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def percentile(samples: list[float], cut: int) -> float:
    """The `cut`th percentile of `samples` (inclusive method)."""
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[cut - 1]
