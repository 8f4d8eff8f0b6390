"""Thousands of executions at once on the local stack (`segue dev`, two workers).

Through the API, from `--clients` threads: `--executions` executions in all, of which
a tenth wait (a third each on a day's timer, an approval and an event), the most end
(three Pass states), and a tenth pause at a breakpoint with `autoResumeSeconds`; then a
tenth more start at once (one Task each) and are run to the end. Then the paused ones
resume on their own: when, how spread, and whether each ran its task exactly once.

    make bench-scale   # or: uv run python -m bench.scale --executions 10000
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segue.engine.visits import instant
from tests.localstack import running_stack
from tests.unit.helpers import chain, machine

if TYPE_CHECKING:
    from collections.abc import Callable

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:echo"
THEN = {"Next": "Done"}
DONE = {"Done": {"Type": "Pass", "End": True}}
WORKFLOWS = {
    "ends": chain(["pass"] * 3),
    "timer": machine({"Nap": {"Type": "Wait", "Seconds": 86400} | THEN} | DONE),
    "approval": machine(
        {
            "Ask": {"Type": "Task", "Resource": "segue:approval", "Parameters": {"Message": "ok?"}}
            | THEN
        }
        | DONE
    ),
    "event": machine(
        {
            "Hear": {
                "Type": "Task",
                "Resource": "segue:waitForEvent",
                "Parameters": {"EventName": "go", "CorrelationKey.$": "$.key"},
            }
            | THEN
        }
        | DONE
    ),
    "task": chain(["task"], LAMBDA),
}
AUTO_RESUME_SECONDS = 60
MIN_STARTS_PER_SECOND = 2
POLL_SECONDS = 2


def start_all(client: Any, clients: int, bodies: list[Callable[[], dict[str, Any]]]) -> float:
    """Start every body (made when it is sent) from `clients` threads; the starts a second."""
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for answer in pool.map(lambda b: client.call("POST", "/executions", b()), bodies):
            assert answer["status"] in ("RUNNING", "WAITING", "PAUSED", "SUCCEEDED"), answer
    return round(len(bodies) / (time.perf_counter() - started), 1)


def counts(client: Any, state_machine: str) -> dict[str, int]:
    query = {"stateMachine": state_machine, "counts": "true", "limit": "1"}
    found = client.call("GET", "/executions", query=query)["counts"]
    return {status: count for status, count in found.items() if count}


def until_ended(client: Any, ids: list[str], limit: float) -> tuple[float, list[str]]:
    """Seconds until every execution of `ids` has SUCCEEDED (one head read each, no index
    query: moto scans the whole table for those), and those that had not by `limit`."""
    started = time.perf_counter()
    left = list(ids)
    while left and time.perf_counter() - started < limit:
        with ThreadPoolExecutor(4) as pool:
            done = list(pool.map(lambda i: client.call("GET", f"/executions/{i}")["status"], left))
        left = [i for i, status in zip(left, done, strict=True) if status != "SUCCEEDED"]
        if left:
            time.sleep(POLL_SECONDS)
    return time.perf_counter() - started, left


def body(state_machine: str, n: int, due: float | None = None) -> Callable[[], dict[str, Any]]:
    """The start of execution `n`; with `due`, paused at its first state until that time."""

    def made() -> dict[str, Any]:
        start = {"stateMachine": state_machine, "name": f"e{n}", "input": {"n": n, "key": f"k{n}"}}
        if due is None:
            return start
        wait = max(1, math.ceil(due - time.time()))
        return start | {"pauseBefore": ["S0"], "autoResumeSeconds": wait}

    return made


def note(report: dict[str, Any], what: str, value: Any) -> None:
    """Keep a figure, and show it at once (a long run that fails still says how far it got)."""
    report[what] = value
    print(f"{what}: {value}", file=sys.stderr, flush=True)


def resumed(client: Any, execution_id: str) -> tuple[float, int] | None:
    """When the execution resumed (epoch seconds) and how many times its task ran."""
    events = client.call("GET", f"/executions/{execution_id}/history", query={"limit": "1000"})
    types = [e["type"] for e in events["events"]]
    at = next((e["timestamp"] for e in events["events"] if e["type"] == "ExecutionResumed"), None)
    if at is None:
        return None
    return instant(at).timestamp(), types.count("TaskSucceeded") + types.count("TaskFailed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--log", default=str(Path(tempfile.gettempdir()) / "segue-scale-dev.log"))
    args = parser.parse_args(argv)
    tenth = args.executions // 10
    report: dict[str, Any] = {"executions": args.executions}
    log = Path(args.log)
    functions = {"echo": "tests.functional.lambdas:echo"}
    with running_stack(functions, log, workers=2) as stack:
        client = stack.client
        for name, definition in WORKFLOWS.items():
            client.call("POST", "/state-machines", {"name": name, "definition": definition})
        waits = [body(("timer", "approval", "event")[n % 3], n) for n in range(tenth)]
        note(report, "waiting: starts/s", start_all(client, args.clients, waits))
        ends = [body("ends", n) for n in range(args.executions - 2 * tenth)]
        note(report, "ending: starts/s", start_all(client, args.clients, ends))
        # all due at once: as many seconds after the last start as the starts may take
        due = time.time() + tenth / MIN_STARTS_PER_SECOND + AUTO_RESUME_SECONDS
        paused = [body("task", n, due) for n in range(tenth)]
        note(report, "paused: starts/s", start_all(client, args.clients, paused))
        burst = [body("task", n) for n in range(tenth, 2 * tenth)]
        began = time.perf_counter()
        note(report, "burst: starts/s", start_all(client, args.clients, burst))
        _, left = until_ended(client, [f"task:e{n}" for n in range(tenth, 2 * tenth)], 900)
        note(report, "burst: executions/s", round(tenth / (time.perf_counter() - began), 1))
        note(report, "burst: not ended", len(left))
        held = [f"task:e{n}" for n in range(tenth)]
        _, left = until_ended(client, held, max(0, due - time.time()) + 900)
        note(report, "auto-resume: not ended 15 min after due", left[:20])
        with ThreadPoolExecutor(args.clients) as pool:
            seen = [r for r in pool.map(lambda i: resumed(client, i), held) if r is not None]
        times = sorted(at - due for at, _ in seen) or [math.nan]
        note(
            report,
            "auto-resume",
            {
                "paused": tenth,
                "resumed": len(times),
                "first after due (s)": round(times[0], 1),
                "median after due (s)": round(statistics.median(times), 1),
                "last after due (s)": round(times[-1], 1),
                "tasks run once": sum(1 for _, ran in seen if ran == 1),
            },
        )
        report["final counts"] = {n: counts(client, n) for n in WORKFLOWS}
    errors = [line for line in log.read_text().splitlines() if "ERROR" in line]
    report["errors logged"] = len(errors)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
