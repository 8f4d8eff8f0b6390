"""How fast pause and resume take effect, on the local stack (`segue dev` and its workers).

Three figures, each over `--runs` executions, reported as p50 and p99 in milliseconds:

- resume: from the resume call to the next Task's start (its TaskStarted event): the
  engine's work plus one queue hop to a worker process.
- pause, idle: from the pause call to PAUSED, for an execution waiting in a Wait state
  (nothing in flight: the call itself commits PAUSED).
- pause, task in flight: from the pause call to PAUSED (the ExecutionPaused event) while a
  0.5 s task runs, and the part of it after the task ended (its TaskSucceeded event). A
  run whose task ended before the pause call arrived is run again.

Times come from one machine's clock: the client's before each call, the server's in the
history events.

    make bench-pause   # or: uv run python -m bench.pause --runs 200
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segue.client import ApiError
from tests.localstack import running_stack

if TYPE_CHECKING:
    from segue.client import Client
    from tests.localstack import LocalStack

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
TASK_SECONDS = 0.5
FUNCTIONS = {name: f"tests.functional.lambdas:{name}" for name in ("echo", "sleepy")}

MACHINES = {
    "bench-resume": {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Task", "Resource": LAMBDA + "echo", "End": True},
        },
    },
    "bench-idle": {
        "StartAt": "Hold",
        "States": {"Hold": {"Type": "Wait", "Seconds": 3600, "End": True}},
    },
    "bench-flight": {
        "StartAt": "Slow",
        "States": {
            "Slow": {"Type": "Task", "Resource": LAMBDA + "sleepy", "Next": "After"},
            "After": {"Type": "Pass", "End": True},
        },
    },
}


def seconds(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


class Bench:
    def __init__(self, stack: LocalStack) -> None:
        self.client: Client = stack.client
        self.stack = stack

    def start(self, machine: str, input: Any, **extra: Any) -> str:
        body = {"stateMachine": machine, "input": input, **extra}
        return str(self.client.call("POST", "/executions", body)["executionId"])

    def event(self, execution_id: str, type: str, state: str | None = None) -> dict[str, Any]:
        """The first event of `type` (at `state`), polling until it is committed."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            events = self.client.call(
                "GET", f"/executions/{execution_id}/history", query={"limit": 1000}
            )["events"]
            for event in events:
                if event["type"] == type and (state is None or event.get("state") == state):
                    return dict(event)
            time.sleep(0.005)
        raise TimeoutError(f"{execution_id}: no {type}")

    def resume_to_next_start(self) -> tuple[float, float, float]:
        """Resume call to the next start; the call alone; the resume's commit to the start."""
        execution_id = self.start("bench-resume", {}, pauseBefore=["B"])
        self.stack.wait_for_status(execution_id, "PAUSED")
        called = time.time()
        self.client.call("POST", f"/executions/{execution_id}/resume", {})
        answered = time.time()
        started = seconds(self.event(execution_id, "TaskStarted", "B")["timestamp"])
        resumed = seconds(self.event(execution_id, "ExecutionResumed")["timestamp"])
        return started - called, answered - called, started - resumed

    def pause_idle(self) -> float:
        execution_id = self.start("bench-idle", {})
        self.stack.wait_for_status(execution_id, "WAITING")
        called = time.time()
        answer = self.client.call("POST", f"/executions/{execution_id}/pause", {})
        elapsed = time.time() - called
        assert answer["status"] == "PAUSED", answer
        self.client.call("POST", f"/executions/{execution_id}/cancel", {})
        return elapsed

    def pause_in_flight(self) -> tuple[float, float] | None:
        execution_id = self.start("bench-flight", {"seconds": TASK_SECONDS})
        self.event(execution_id, "StateEntered", "Slow")
        while True:  # wait until a worker holds the task
            document = self.client.call("GET", f"/executions/{execution_id}")
            if any(s["status"] == "LEASED" for s in document["currentStates"]):
                break
            time.sleep(0.005)
        called = time.time()
        try:
            answer = self.client.call("POST", f"/executions/{execution_id}/pause", {})
        except ApiError:
            return None  # the task ended first
        if answer["status"] != "PAUSING":
            self.client.call("POST", f"/executions/{execution_id}/cancel", {})
            return None
        paused = seconds(self.event(execution_id, "ExecutionPaused")["timestamp"])
        ended = seconds(self.event(execution_id, "TaskSucceeded", "Slow")["timestamp"])
        self.client.call("POST", f"/executions/{execution_id}/cancel", {})
        return paused - called, paused - ended


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp()) / "segue-dev.log"
    with running_stack(FUNCTIONS, log, workers=args.workers) as stack:
        bench = Bench(stack)
        for name, definition in MACHINES.items():
            stack.client.call("POST", "/state-machines", {"name": name, "definition": definition})
        resume = [bench.resume_to_next_start() for _ in range(args.runs)]
        idle = [bench.pause_idle() for _ in range(args.runs)]
        flight: list[tuple[float, float]] = []
        while len(flight) < args.runs:
            sample = bench.pause_in_flight()
            if sample is not None:
                flight.append(sample)
    rows = [
        ("resume call -> next Task started", percentiles([r[0] for r in resume])),
        ("the resume call itself (HTTP, commit, effects)", percentiles([r[1] for r in resume])),
        ("resume committed -> next Task started (queue hop)", percentiles([r[2] for r in resume])),
        ("pause call -> PAUSED (idle)", percentiles(idle)),
        ("pause call -> PAUSED (0.5 s task in flight)", percentiles([f[0] for f in flight])),
        ("task end -> PAUSED (same runs)", percentiles([f[1] for f in flight])),
    ]
    report(f"{args.runs} runs each, {args.workers} worker processes, local stack on moto", rows)


def report(title: str, rows: list[tuple[str, tuple[float, float]]]) -> None:
    """The figures as a Markdown table (for the README), then as JSON (for scripts)."""
    print(title)
    print("| measure | p50 ms | p99 ms |\n| --- | --- | --- |")
    for name, (p50, p99) in rows:
        print(f"| {name} | {p50:.0f} | {p99:.0f} |")
    print(
        json.dumps({name: {"p50_ms": round(a, 1), "p99_ms": round(b, 1)} for name, (a, b) in rows})
    )


if __name__ == "__main__":
    main()
