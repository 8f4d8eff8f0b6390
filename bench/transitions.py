"""What one state transition costs: AWS calls by API, DynamoDB units, and speed on this machine.

Runs a 10-state linear workflow of Task states (an in-process function) and one of Pass
states on the stack of template.yaml (in-process moto), counting every botocore call
with an event hook. Write and read units are estimated from item sizes the way
DynamoDB bills them (1 write unit per started KB written, 1 read unit per started 4 KB
read strongly consistent), since moto does not meter them faithfully.

    make bench        # or: uv run python -m bench.transitions --executions 20
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.functional.harness import make_harness

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:echo"
STATES = 10


def linear(kind: str) -> dict[str, Any]:
    """Ten states in a row, each a Task (the echo function) or a Pass."""

    def state(n: int) -> dict[str, Any]:
        body: dict[str, Any] = (
            {"Type": "Task", "Resource": LAMBDA} if kind == "task" else {"Type": "Pass"}
        )
        return body | ({"Next": f"S{n + 1}"} if n < STATES - 1 else {"End": True})

    return {"StartAt": "S0", "States": {f"S{n}": state(n) for n in range(STATES)}}


def item_bytes(item: dict[str, Any]) -> int:
    """An item's billed size: attribute names plus values (close to DynamoDB's rule)."""
    return sum(len(name) + len(json.dumps(value)) for name, value in item.items())


class Meter:
    """Counts botocore calls and estimates DynamoDB capacity from what is sent and received."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.write_units = 0.0
        self.read_units = 0.0
        self.on = False

    def before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if not self.on:
            return
        self.calls[f"{model.service_model.service_name}.{model.name}"] += 1
        if model.name == "PutItem":
            self.write_units += math.ceil(item_bytes(params["Item"]) / 1024)
        if model.name == "BatchWriteItem":
            for requests in params["RequestItems"].values():
                for request in requests:
                    item = request["PutRequest"]["Item"]
                    self.write_units += math.ceil(item_bytes(item) / 1024)

    def after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if not self.on:
            return
        if model.name == "UpdateItem":
            self.write_units += math.ceil(item_bytes(parsed.get("Attributes", {})) / 1024) or 1
        if model.name == "GetItem" and "Item" in parsed:
            self.read_units += math.ceil(item_bytes(parsed["Item"]) / 4096)
        if model.name == "Query":
            size = sum(item_bytes(i) for i in parsed.get("Items", []))
            self.read_units += max(1, math.ceil(size / 4096))


ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def measure(kind: str, executions: int) -> dict[str, Any]:
    patch = pytest.MonkeyPatch()
    for key, value in ENVIRONMENT.items():
        patch.setenv(key, value)
    patch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        try:
            meter = Meter()
            boto3.setup_default_session()
            assert boto3.DEFAULT_SESSION is not None
            events = boto3.DEFAULT_SESSION.events
            events.register("provide-client-params", meter.before)
            events.register("after-call", meter.after)
            harness = make_harness(patch)
            harness.request("POST", "/state-machines", {"name": kind, "definition": linear(kind)})
            meter.on = True
            started = time.perf_counter()
            for n in range(executions):
                status, _ = harness.request(
                    "POST",
                    "/executions",
                    {"stateMachine": kind, "name": f"e{n}", "input": {"n": n}},
                )
                assert status == 201
            harness.drain()
            elapsed = time.perf_counter() - started
            meter.on = False
            statuses = {harness.executions.head(f"{kind}:e{n}").status for n in range(executions)}
            assert statuses == {"SUCCEEDED"}, statuses
        finally:
            patch.undo()
    transitions = executions * STATES
    return {
        "workflow": f"10 {kind} states",
        "transitions": transitions,
        "calls_per_transition": {
            k: round(v / transitions, 2) for k, v in sorted(meter.calls.items())
        },
        "aws_calls_per_transition": round(sum(meter.calls.values()) / transitions, 2),
        "write_units_per_transition": round(meter.write_units / transitions, 2),
        "read_units_per_transition": round(meter.read_units / transitions, 2),
        "transitions_per_second": round(transitions / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=20)
    args = parser.parse_args()
    for kind in ("task", "pass"):
        print(json.dumps(measure(kind, args.executions), indent=2))


if __name__ == "__main__":
    main()
