"""How fast waits end, on the local stack (`segue dev` and its worker processes).

Each figure is reported as p50 and p99 in milliseconds:

- approval: from the approve call to the next state's start (its TaskStarted event), and
  the approve call itself; `--runs` executions, one at a time.
- event: from the POST /events call to the next state's start, and the call itself.
- timer lateness: a Wait state's end (its StateExited event) minus its due time, for
  `--timers` Wait states due one every 250 ms, all started before the first is due:
  through a delayed work message (waits up to 15 minutes), and through a wake-up
  schedule handing over to a delayed message (longer waits; here forced with a 3 s lead
  on a second stack).

Times come from one machine's clock: the client's before each call, the server's in the
history events.

    make bench-waits   # or: uv run python -m bench.waits --runs 200 --timers 200
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.pause import LAMBDA, Bench, percentiles, report, seconds
from tests.localstack import running_stack

if TYPE_CHECKING:
    from collections.abc import Callable

FUNCTIONS = {"echo": "tests.functional.lambdas:echo"}
AFTER = {"Type": "Task", "Resource": LAMBDA + "echo", "End": True}
MACHINES = {
    "bench-approval": {
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": "segue:approval",
                "Parameters": {"Message": "go?"},
                "Next": "After",
            },
            "After": AFTER,
        },
    },
    "bench-event": {
        "StartAt": "Wait",
        "States": {
            "Wait": {
                "Type": "Task",
                "Resource": "segue:waitForEvent",
                "Parameters": {"EventName": "bench", "CorrelationKey.$": "$.key"},
                "Next": "After",
            },
            "After": AFTER,
        },
    },
    "bench-timer": {
        "StartAt": "Sleep",
        "States": {"Sleep": {"Type": "Wait", "TimestampPath": "$.at", "End": True}},
    },
}


class WaitBench(Bench):
    def approval_to_next_start(self, run: int) -> tuple[float, float]:
        execution_id = self.start("bench-approval", {}, name=f"a{run}")
        document = self.stack.wait_for_status(execution_id, "WAITING")
        approval = document["waits"][0]["key"]
        return self._timed(execution_id, "POST", f"/approvals/{approval}/approve", {})

    def event_to_next_start(self, run: int) -> tuple[float, float]:
        execution_id = self.start("bench-event", {"key": f"k{run}"}, name=f"e{run}")
        self.stack.wait_for_status(execution_id, "WAITING")
        body = {"name": "bench", "key": f"k{run}", "payload": {}}
        return self._timed(execution_id, "POST", "/events", body)

    def _timed(self, execution_id: str, method: str, path: str, body: Any) -> tuple[float, float]:
        called = time.time()
        self.client.call(method, path, body)
        answered = time.time()
        started = seconds(self.event(execution_id, "TaskStarted", "After")["timestamp"])
        return started - called, answered - called

    def lateness(self, count: int, prefix: str) -> list[float]:
        """`count` Wait states due 250 ms apart, all started before the first is due."""
        first = time.time() + 5 + count * 0.2  # starting one takes up to ~150 ms here
        due = [first + i * 0.25 for i in range(count)]
        ids = [
            self.start("bench-timer", {"at": _timestamp(at)}, name=f"{prefix}{i}")
            for i, at in enumerate(due)
        ]
        late = []
        for execution_id, at in zip(ids, due, strict=True):
            self.stack.wait_for_status(execution_id, "SUCCEEDED", timeout=120)
            exited = seconds(self.event(execution_id, "StateExited")["timestamp"])
            late.append(exited - round(at, 3))
        return late


def _timestamp(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def on_stack(workers: int, environment: dict[str, str], measure: Callable[[WaitBench], Any]) -> Any:
    log = Path(tempfile.mkdtemp()) / "segue-dev.log"
    with running_stack(FUNCTIONS, log, workers=workers, environment=environment) as stack:
        for name, definition in MACHINES.items():
            stack.client.call("POST", "/state-machines", {"name": name, "definition": definition})
        return measure(WaitBench(stack))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--timers", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    def queued(bench: WaitBench) -> tuple[list[Any], list[Any], list[float]]:
        approvals = [bench.approval_to_next_start(i) for i in range(args.runs)]
        events = [bench.event_to_next_start(i) for i in range(args.runs)]
        return approvals, events, bench.lateness(args.timers, "q")

    approvals, events, late = on_stack(args.workers, {}, queued)
    forced = {"SEGUE_MAX_QUEUE_DELAY_SECONDS": "0", "SEGUE_TIMER_LEAD_SECONDS": "3"}
    scheduled = on_stack(args.workers, forced, lambda b: b.lateness(args.timers, "s"))
    rows = [
        ("approve call -> next Task started", percentiles([a[0] for a in approvals])),
        ("the approve call itself", percentiles([a[1] for a in approvals])),
        ("POST /events -> next Task started", percentiles([e[0] for e in events])),
        ("the POST /events call itself", percentiles([e[1] for e in events])),
        ("Wait lateness, delayed message (end - due)", percentiles(late)),
        ("Wait lateness, wake-up schedule, then message", percentiles(scheduled)),
    ]
    workers = f"{args.workers} worker processes"
    report(f"{args.runs} runs, {args.timers} timers, {workers}, local stack on moto", rows)


if __name__ == "__main__":
    main()
