"""How fast a short workflow runs on the local stack, next to moto's own Step Functions.

A ten-state Pass chain, started and polled until SUCCEEDED (every 5 ms, the same for
both; on segue not at all when the start's answer says it has ended), `--runs` times one
after another on each:

- segue: `segue dev` with two worker processes (the local stack a developer runs).
- moto: the Step Functions interpreter of the very moto server that stack runs on
  (`execute_state_machine` switched on), called through boto3.

Then saturation: `--burst` executions started at once on segue, and how many
executions and transitions a second the two workers finish.

    make bench-speed   # or: uv run python -m bench.speed --runs 30 --burst 200
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.localstack import running_stack
from tests.unit.helpers import chain

STATES = 10
CHAIN = chain(["pass"] * STATES)
POLL = 0.005


def until(done: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the execution did not end in time")
        time.sleep(POLL)


def segue_runs(client: Any, runs: int) -> list[float]:
    client.call("POST", "/state-machines", {"name": "chain", "definition": CHAIN})
    times = []
    for n in range(runs):
        started = time.perf_counter()
        body = {"stateMachine": "chain", "name": f"run-{n}", "input": {"n": n}}
        answer = client.call("POST", "/executions", body)
        path = f"/executions/{answer['executionId']}"
        if answer["status"] != "SUCCEEDED":  # it may have ended within its start
            until(lambda: client.call("GET", path)["status"] == "SUCCEEDED")  # noqa: B023
        times.append((time.perf_counter() - started) * 1000)
    return times


def moto_runs(aws_endpoint: str, sfn: Any, runs: int) -> list[float]:
    config = json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode()
    urllib.request.urlopen(  # noqa: S310 (the local moto server)
        urllib.request.Request(f"{aws_endpoint}/moto-api/config", config, method="POST")
    ).close()
    arn = sfn.create_state_machine(
        name="chain",
        definition=json.dumps(CHAIN),
        roleArn="arn:aws:iam::123456789012:role/bench",
    )["stateMachineArn"]
    times = []
    for n in range(runs):
        started = time.perf_counter()
        execution = sfn.start_execution(
            stateMachineArn=arn, name=f"run-{n}", input=json.dumps({"n": n})
        )
        arn_of = execution["executionArn"]
        until(lambda: sfn.describe_execution(executionArn=arn_of)["status"] == "SUCCEEDED")  # noqa: B023
        times.append((time.perf_counter() - started) * 1000)
    return times


def burst(client: Any, count: int) -> dict[str, float]:
    started = time.perf_counter()
    ids = [
        client.call("POST", "/executions", {"stateMachine": "chain", "input": {"n": n}})[
            "executionId"
        ]
        for n in range(count)
    ]
    accepted = time.perf_counter() - started
    for execution_id in ids:
        until(lambda: client.call("GET", f"/executions/{execution_id}")["status"] == "SUCCEEDED")  # noqa: B023
    elapsed = time.perf_counter() - started
    return {
        "executions": count,
        "starts per second": round(count / accepted, 1),
        "executions per second": round(count / elapsed, 1),
        "transitions per second": round(count * STATES / elapsed, 1),
    }


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median ms": round(statistics.median(ordered), 1),
        "p90 ms": round(ordered[int(0.9 * (len(ordered) - 1))], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--burst", type=int, default=200)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        running_stack({}, Path(folder) / "dev.log") as stack,
    ):
        segue = summary(segue_runs(stack.client, args.runs))
        moto = summary(moto_runs(stack.aws_endpoint, stack.aws("stepfunctions"), args.runs))
        saturated = burst(stack.client, args.burst)
    print(
        json.dumps(
            {
                "10 Pass states, start to SUCCEEDED": {
                    "segue local stack": segue,
                    "moto Step Functions": moto,
                },
                "saturation, 2 workers": saturated,
            },
            indent=2,
        )
    )
    print("\n| 10 Pass states, start to SUCCEEDED | median ms | p90 ms |")
    print("| --- | ---: | ---: |")
    print(f"| segue local stack (2 workers) | {segue['median ms']} | {segue['p90 ms']} |")
    print(f"| moto's Step Functions interpreter | {moto['median ms']} | {moto['p90 ms']} |")


if __name__ == "__main__":
    main()
