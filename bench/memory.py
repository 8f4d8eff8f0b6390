"""Peak memory of a worker carrying a big state, on the local stack.

`segue dev` with one worker process runs a small workflow first (so the worker has
imported everything and decided once), then one whose state is `--megabytes` big: a
Task, a Pass and a Task, each task reading one field of it and adding its result. The
worker's peak resident set (VmHWM, Linux) is read from /proc before and after; the task
function runs in the same process, as `segue dev` runs it.

    make bench-memory   # or: uv run python -m bench.memory --megabytes 10
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.localstack import running_stack
from tests.unit.helpers import machine

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:echo"
SMALL_PART = {"n.$": "$.n"}
WORKFLOW = machine(
    {
        "A": {"Type": "Task", "Resource": LAMBDA, "Parameters": SMALL_PART, "ResultPath": "$.a"}
        | {"Next": "B"},
        "B": {"Type": "Pass", "Result": {"ok": True}, "ResultPath": "$.b", "Next": "C"},
        "C": {"Type": "Task", "Resource": LAMBDA, "Parameters": SMALL_PART, "ResultPath": "$.c"}
        | {"End": True},
    }
)


def worker_pids(parent: int) -> list[int]:
    """The worker processes `segue dev` (process `parent`) runs."""
    found = []
    for task in Path(f"/proc/{parent}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if b"segue.local.poller" in command and any(b"worker" in c for c in command):
                found.append(int(child))
    return found


def peak_mb(pid: int) -> float:
    """The process's peak resident set so far, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmHWM for {pid}")


def run(client: Any, name: str, input: Any) -> None:
    body = {"stateMachine": "big", "name": name, "input": input}
    path = f"/executions/{client.call('POST', '/executions', body)['executionId']}"
    deadline = time.monotonic() + 300
    while (status := client.call("GET", path)["status"]) in ("RUNNING", "WAITING"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} did not end in time")
        time.sleep(0.05)
    if status != "SUCCEEDED":
        raise RuntimeError(f"{name} ended {status}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=10)
    args = parser.parse_args(argv)
    size = int(args.megabytes * 1024 * 1024) - 1024  # the input limit is 10 MiB, JSON and all
    with tempfile.TemporaryDirectory() as folder:
        functions = {"echo": "tests.functional.lambdas:echo"}
        with running_stack(functions, Path(folder) / "dev.log", workers=1) as stack:
            client = stack.client
            client.call("POST", "/state-machines", {"name": "big", "definition": WORKFLOW})
            (worker,) = worker_pids(stack.process.pid)
            run(client, "small", {"n": 1})
            warm = peak_mb(worker)
            run(client, "large", {"n": 2, "blob": "x" * size})
            large = peak_mb(worker)
    print(f"{'worker peak resident set':<44} {'MB':>6}")
    print(f"{'after a small execution (all imported)':<44} {warm:>6.0f}")
    print(f"{f'after one with a {args.megabytes:g} MB state':<44} {large:>6.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
