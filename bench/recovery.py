"""How fast an execution goes on after its worker is killed, on the local stack.

Quiet runs: `--runs` times, one execution's task (a 3 s sleep) is running when every
worker process is SIGKILLed; `segue dev` starts new ones. Measured, p50 and p99:

- kill -> lease taken back: the kill to the sweeper's commit of `LeaseExpired` (or of
  `WorkRedispatched`, when the worker died before its claim).
- kill -> the retry started: the kill to the new attempt's `TaskStarted`.

The bound is one lease plus one sweep period (`--lease`, `--sweep`): a lease has between
two thirds of it and all of it left at a kill (it is renewed every third), and the
sweeper looks within one period of its end. The defaults (60 s and a minute) make one
run take two minutes; `--lease 3 --sweep 1` is the same protocol scaled down.

With `--chaos N`, the loaded case instead: the e2e chaos run of N mixed executions with
four workers and a SIGKILL every 1.5-3 s (tests/chaos.py), and its recovery times.

    make bench-recovery   # or: uv run python -m bench.recovery --runs 30 --lease 3 --sweep 1
"""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import time
from pathlib import Path

from bench.pause import LAMBDA, percentiles, report, seconds
from tests import chaos
from tests.localstack import LocalStack, running_stack

SLOW = {
    "StartAt": "Slow",
    "States": {
        "Slow": {
            "Type": "Task",
            "Resource": LAMBDA + "sleepy",
            "Parameters": {"seconds": 3},
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3}],
            "End": True,
        }
    },
}


def killed_mid_task(stack: LocalStack, timeout: float) -> tuple[float, float]:
    """(kill -> LeaseExpired, kill -> retry's TaskStarted) in seconds, for one execution."""
    client = stack.client
    answer = client.call("POST", "/executions", {"stateMachine": "slow", "input": {}})
    execution_id = answer["executionId"]
    time.sleep(1.5)  # the task is running now: an idle worker took it at once
    killed = time.time()
    for pid in stack.worker_pids():
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = client.call("GET", f"/executions/{execution_id}/history")["events"]
        lost = [e for e in events if e["type"] in ("LeaseExpired", "WorkRedispatched")]
        started = [e for e in events if e["type"] == "TaskStarted"]
        if lost and started:
            return seconds(lost[0]["timestamp"]) - killed, seconds(started[0]["timestamp"]) - killed
        time.sleep(0.2)
    raise RuntimeError(f"{execution_id} did not recover within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--lease", type=int, default=3)
    parser.add_argument("--sweep", type=float, default=1.0)
    parser.add_argument("--chaos", type=int, default=0, help="executions of a chaos run instead")
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp()) / "segue-dev.log"
    if args.chaos:
        with running_stack(
            chaos.FUNCTIONS,
            log,
            workers=4,
            environment=chaos.ENVIRONMENT,
            cron_seconds=chaos.CRON_SECONDS,
        ) as stack:
            result = chaos.run_chaos(stack, executions=args.chaos)
        title = (
            f"chaos: {args.chaos} executions, {len(result.kills)} workers killed, "
            f"{len(result.wrong())} wrong, {len(result.committed_twice())} committed twice"
        )
        report(title, [("kill -> lease taken back", percentiles(result.recoveries()))])
        return
    environment = {
        "SEGUE_LEASE_SECONDS": str(args.lease),
        "SEGUE_DISPATCH_SECONDS": str(args.lease),
    }
    functions = {"sleepy": "tests.functional.lambdas:sleepy"}
    with running_stack(functions, log, environment=environment, cron_seconds=args.sweep) as stack:
        stack.client.call("POST", "/state-machines", {"name": "slow", "definition": SLOW})
        samples = []
        for _ in range(args.runs):
            samples.append(killed_mid_task(stack, timeout=3 * (args.lease + args.sweep) + 30))
            time.sleep(1.5)  # the new workers' first receive (see LocalStack.restart_workers)
    rows = [
        ("kill -> lease taken back", percentiles([s[0] for s in samples])),
        ("kill -> the retry started", percentiles([s[1] for s in samples])),
    ]
    bound = args.lease + args.sweep
    report(
        f"{args.runs} kills mid-task, lease {args.lease} s, sweep every {args.sweep} s"
        f" (bound {bound:.0f} s)",
        rows,
    )


if __name__ == "__main__":
    main()
