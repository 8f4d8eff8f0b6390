"""What a state transition costs on AWS, counted from every call the engine makes.

Runs three workflows on the stack of template.yaml (in-process moto, the real handlers):
ten Task states in a row, ten Pass and Choice states, and statemachine/order.asl.json,
one execution at a time (so the work queue hands each worker one message: no batching
discount). Every AWS call is seen by a botocore hook; what it costs is priced from
`bench.prices`:

- DynamoDB write units from the item as it was before and after each write (read
  aside from moto), 1 per started KB of the larger, and for each index the item puts,
  deletes and updates DynamoDB makes (100 bytes of overhead each); a failed
  conditional write costs too. Read units from the items returned, per started 4 KB.
- SQS: every send, and the receive and delete Lambda's event source mapping makes for
  each batch it hands a function (the mapping's idle long polls are a fixed cost per
  queue, about 650,000 requests a month, and left out).
- Lambda: a request per handler call, and GB-seconds at the template's memory size.
  The duration is estimated: the handler's own time here, less the time spent in moto,
  plus an assumed round trip for each AWS call and each task invoke (`LATENCY_MS`).
- Scheduler: every schedule made fires once at most. S3: puts and gets.

    make bench-cost   # or: uv run python -m bench.cost --executions 20
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from bench import prices
from bench.in_process import in_process_stack
from segue.local.template import read_template
from tests.functional import harness as functional
from tests.unit.helpers import chain

REPO = Path(__file__).resolve().parents[1]
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:echo"
EXAMPLES = {
    name: f"examples.tasks:{name.replace('-', '_')}"
    for name in ("reserve-stock", "charge-card", "release-stock")
}


WORKFLOWS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "10 Task states": (chain(["task"] * 10, LAMBDA), {"n": 1}),
    "10 Pass/Choice states": (chain(["pass", "choice"] * 5, variable="$.n"), {"n": 1}),
    "1 Task state": (chain(["task"], LAMBDA), {"n": 1}),
    "1 Pass state": (chain(["pass"]), {"n": 1}),
    "order.asl.json": (
        json.loads((REPO / "statemachine" / "order.asl.json").read_text()),
        {"orderId": "o-1", "items": ["book"], "total": 12},
    ),
}


def value_bytes(value: dict[str, Any]) -> int:
    """A typed attribute value's size as DynamoDB counts it (close to its rules)."""
    ((kind, v),) = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        return (len(v.lstrip("-").replace(".", "").lstrip("0")) + 1) // 2 + 1
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_bytes(e) + 1 for k, e in v.items())
    if kind == "L":
        return 3 + sum(value_bytes(e) + 1 for e in v)
    return sum(len(str(e)) for e in v)  # the sets


def item_bytes(item: dict[str, Any] | None) -> int:
    return sum(len(k.encode()) + value_bytes(v) for k, v in (item or {}).items())


@dataclass(frozen=True)
class Index:
    """A global secondary index: its key attributes and what it projects."""

    name: str
    keys: tuple[str, ...]
    projected: frozenset[str] | None  # None: all attributes

    def item(self, base: dict[str, Any] | None, table_keys: tuple[str, ...]) -> dict[str, Any]:
        if base is None or not all(k in base for k in self.keys):
            return {}
        names = set(base) if self.projected is None else {*self.projected, *self.keys}
        return {k: v for k, v in base.items() if k in names or k in table_keys}

    def units(self, old: dict[str, Any], new: dict[str, Any]) -> int:
        """The index writes one base item's change makes: a put, a delete, an update."""

        def size(item: dict[str, Any]) -> int:
            return math.ceil((item_bytes(item) + 100) / 1024)

        if not old and not new:
            return 0
        if not old or not new:
            return size(old or new)
        if any(old[k] != new[k] for k in self.keys):
            return size(old) + size(new)
        return size(new) if old != new else 0


@dataclass
class Meter:
    """Counts the calls and units of everything the stack does while `on`."""

    raw: Any
    table: str
    table_keys: tuple[str, ...]
    indexes: tuple[Index, ...]
    on: bool = False
    calls: Counter[str] = field(default_factory=Counter)
    units: Counter[str] = field(default_factory=Counter)
    moto_seconds: float = 0.0
    _before: list[tuple[dict[str, Any], dict[str, Any] | None]] = field(default_factory=list)
    _started: float = 0.0

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        answer = self.raw.get_item(TableName=self.table, Key=key, ConsistentRead=True)
        item: dict[str, Any] | None = answer.get("Item")
        return item

    def _keys_of(self, params: dict[str, Any], operation: str) -> list[dict[str, Any]]:
        if operation == "PutItem":
            return [{k: params["Item"][k] for k in self.table_keys}]
        if operation in ("UpdateItem", "DeleteItem"):
            return [params["Key"]]
        if operation == "BatchWriteItem":
            requests = [r for rs in params["RequestItems"].values() for r in rs]
            return [
                {k: (r.get("PutRequest", {}).get("Item") or r["DeleteRequest"]["Key"])[k]
                 for k in self.table_keys}
                for r in requests
            ]  # fmt: skip
        return []

    def before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if not self.on:
            return
        self._started = time.perf_counter()
        service, operation = model.service_model.service_name, model.name
        self.calls[f"{service}.{operation}"] += 1
        if service == "dynamodb":
            self._before = [(k, self._get(k)) for k in self._keys_of(params, operation)]
        elif service == "sqs" and operation in ("SendMessage", "SendMessageBatch"):
            entries = params.get("Entries") or [params]
            size = sum(len(e["MessageBody"].encode()) for e in entries)
            self.units["sqs_requests"] += max(1, math.ceil(size / (64 * 1024)))
        elif service == "scheduler" and operation == "CreateSchedule":
            self.units["schedules"] += 1
        elif service == "s3" and operation in ("PutObject", "GetObject"):
            self.units[f"s3_{operation[:3].lower()}s"] += 1

    def after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if not self.on:
            return
        service, operation = model.service_model.service_name, model.name
        if service == "dynamodb":
            self._dynamodb(parsed, operation)
        elif service == "sqs" and operation == "ReceiveMessage" and parsed.get("Messages"):
            self.units["sqs_requests"] += 1  # the mapping's receive of this batch
        elif service == "sqs" and operation == "DeleteMessageBatch":
            self.units["sqs_requests"] += 1
        self.moto_seconds += time.perf_counter() - self._started

    def _dynamodb(self, parsed: dict[str, Any], operation: str) -> None:
        failed = "Error" in parsed
        for key, old in self._before:
            new = None if failed else self._get(key)
            if failed:
                self.units["table_writes"] += max(1, math.ceil(item_bytes(old) / 1024))
                continue
            size = max(item_bytes(old), item_bytes(new))
            self.units["table_writes"] += max(1, math.ceil(size / 1024))
            for index in self.indexes:
                before = index.item(old, self.table_keys)
                after = index.item(new, self.table_keys)
                self.units["index_writes"] += index.units(before, after)
        self._before = []
        if operation == "GetItem":
            self.units["read_units_x2"] += (
                max(1, math.ceil(item_bytes(parsed.get("Item")) / 4096)) * 2
            )
        elif operation == "Query":
            size = sum(item_bytes(i) for i in parsed.get("Items", []))
            self.units["read_units_x2"] += max(1, math.ceil(size / 4096)) * 2
        elif operation == "BatchGetItem":  # consistent reads: 1 unit per item's started 4 KB
            found = [i for items in parsed.get("Responses", {}).values() for i in items]
            self.units["read_units_x2"] += sum(
                max(1, math.ceil(item_bytes(i) / 4096)) * 2 for i in found
            )

    def stored_bytes(self) -> int:
        """Bytes the executions keep in the table and its indexes (definitions left out)."""
        total, pages = 0, self.raw.get_paginator("scan").paginate(TableName=self.table)
        for item in (i for page in pages for i in page["Items"]):
            if not item["pk"]["S"].startswith("EX#"):
                continue
            total += item_bytes(item) + 100
            total += sum(
                item_bytes(index.item(item, self.table_keys)) + 100
                for index in self.indexes
                if index.item(item, self.table_keys)
            )
        return total


def meter_for(table: str) -> Meter:
    raw = boto3.session.Session().client("dynamodb", region_name="us-east-1")
    described = raw.describe_table(TableName=table)["Table"]
    table_keys = tuple(k["AttributeName"] for k in described["KeySchema"])
    indexes = tuple(
        Index(
            i["IndexName"],
            tuple(k["AttributeName"] for k in i["KeySchema"]),
            None
            if i["Projection"]["ProjectionType"] == "ALL"
            else frozenset(i["Projection"].get("NonKeyAttributes", ())),
        )
        for i in described.get("GlobalSecondaryIndexes", [])
    )
    return Meter(raw, table, table_keys, indexes)


@dataclass
class Invocations:
    """Each handler call: a Lambda request, and its estimated billed milliseconds."""

    meter: Meter
    requests: int = 0
    billed_ms: float = 0.0

    def wrap(self, handler: Any) -> Any:
        def timed(event: Any, context: Any) -> Any:
            if not self.meter.on:
                return handler(event, context)
            started, in_moto = time.perf_counter(), self.meter.moto_seconds
            calls = Counter(self.meter.calls)
            try:
                return handler(event, context)
            finally:
                own = time.perf_counter() - started - (self.meter.moto_seconds - in_moto)
                made = self.meter.calls - calls
                waited = sum(
                    n * prices.LATENCY_MS.get(name.split(".")[0], 10.0) for name, n in made.items()
                )
                self.requests += 1
                self.billed_ms += math.ceil(own * 1000 + waited)

        return timed


def memory_gb() -> float:
    template = read_template(REPO / "template.yaml")
    return float(template["Globals"]["Function"]["MemorySize"]) / 1024


def _delegate(metered: list[Meter], hook: str, **event: Any) -> None:
    if metered:
        getattr(metered[0], hook)(**event)


def measure(name: str, executions: int) -> dict[str, Any]:
    definition, input = WORKFLOWS[name]
    patch = pytest.MonkeyPatch()
    patch.setattr(functional, "FUNCTIONS", functional.FUNCTIONS | EXAMPLES)
    metered: list[Meter] = []  # clients take the session's hooks when made
    hooks = {
        event: functools.partial(_delegate, metered, hook)
        for event, hook in (("provide-client-params", "before"), ("after-call", "after"))
    }
    with in_process_stack(patch, hooks) as harness:
        meter = meter_for(harness.stack.refs["Table"])
        metered.append(meter)
        lambdas = Invocations(meter)
        patch.setattr(harness.api, "handler", lambdas.wrap(harness.api.handler))
        patch.setattr(harness.worker, "handler", lambdas.wrap(harness.worker.handler))
        harness.request("POST", "/state-machines", {"name": "m", "definition": definition})
        transitions = tasks = 0
        for n in range(executions):
            meter.on = True
            status, _ = harness.request(
                "POST", "/executions", {"stateMachine": "m", "name": f"e{n}", "input": input}
            )
            harness.drain()
            meter.on = False
            assert status == 201
            assert harness.executions.head(f"m:e{n}").status == "SUCCEEDED"
            types = [e["type"] for e in harness.history(f"m:e{n}")]
            transitions += types.count("StateEntered")
            tasks += types.count("TaskSucceeded") + types.count("TaskFailed")
        stored = meter.stored_bytes()
    lambdas.billed_ms += tasks * prices.TASK_INVOKE_MS
    return priced(name, executions, transitions, meter, lambdas, stored)


def priced(
    name: str, executions: int, transitions: int, meter: Meter, lambdas: Invocations, stored: int
) -> dict[str, Any]:
    """Dollars per million transitions, by part, and the counts they come from."""
    u = meter.units
    per = 1e6 / transitions
    dollars = by_part(meter, lambdas)
    return {
        "workflow": name,
        "executions": executions,
        "transitions per execution": transitions / executions,
        "stored bytes per execution": round(stored / executions),
        "dollars per million transitions": round(sum(dollars.values()) * per, 3),
        "by part": {k: round(v * per, 3) for k, v in dollars.items()},
        "per transition": {
            "table write units": round(u["table_writes"] / transitions, 2),
            "index write units": round(u["index_writes"] / transitions, 2),
            "read units": round(u["read_units_x2"] / 2 / transitions, 2),
            "sqs requests": round(u["sqs_requests"] / transitions, 2),
            "lambda requests": round(lambdas.requests / transitions, 2),
            "lambda ms (estimated)": round(lambdas.billed_ms / transitions, 1),
            "stored bytes": round(stored / transitions),
        },
        "api gateway start, per million transitions": round(
            executions * prices.API_GATEWAY_REST_REQUEST * per, 3
        ),
        "calls per transition": {
            k: round(v / transitions, 2) for k, v in sorted(meter.calls.items())
        },
    }


def by_part(meter: Meter, lambdas: Invocations) -> dict[str, float]:
    """What the calls metered cost on AWS, in dollars, by part."""
    u = meter.units
    gb_seconds = lambdas.billed_ms / 1000 * memory_gb()
    return {
        "dynamodb writes": (u["table_writes"] + u["index_writes"]) * prices.DYNAMODB_WRITE_UNIT,
        "dynamodb reads": u["read_units_x2"] / 2 * prices.DYNAMODB_READ_UNIT,
        "sqs": u["sqs_requests"] * prices.SQS_REQUEST,
        "lambda requests": lambdas.requests * prices.LAMBDA_REQUEST,
        "lambda compute": gb_seconds * prices.LAMBDA_GB_SECOND_ARM,
        "scheduler": u["schedules"] * prices.SCHEDULER_INVOCATION,
        "s3": u["s3_puts"] * prices.S3_PUT + u["s3_gets"] * prices.S3_GET,
    }


def others(transitions_per_execution: float) -> dict[str, float]:
    """The same work elsewhere, per million transitions (Express: 100 ms at 64 MB a run)."""
    express = prices.STEP_FUNCTIONS_EXPRESS_REQUEST + 0.1 * (
        64 / 1024 * prices.STEP_FUNCTIONS_EXPRESS_GB_SECOND
    )
    return {
        "Step Functions Standard": round(prices.STEP_FUNCTIONS_STANDARD_TRANSITION * 1e6, 2),
        "Step Functions Express": round(express / transitions_per_execution * 1e6, 3),
        "Lambda durable functions (operations only)": round(
            prices.LAMBDA_DURABLE_OPERATION * 1e6, 2
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=20)
    args = parser.parse_args()
    print(f"# prices: {prices.REGION}, list prices as of {prices.AS_OF}")
    rows = [measure(name, args.executions) for name in WORKFLOWS]
    for row in rows:
        print(json.dumps(row | {"elsewhere": others(row["transitions per execution"])}, indent=2))
    print("\n| workflow | $ per million transitions | table WU | index WU | SQS | Lambda ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        p = row["per transition"]
        print(
            f"| {row['workflow']} | {row['dollars per million transitions']:.2f} "
            f"| {p['table write units']} | {p['index write units']} | {p['sqs requests']} "
            f"| {p['lambda ms (estimated)']} |"
        )
    print("\n| workflow | stored bytes per execution | per transition |")
    print("| --- | ---: | ---: |")
    for row in rows:
        each = row["per transition"]["stored bytes"]
        print(f"| {row['workflow']} | {row['stored bytes per execution']} | {each} |")


if __name__ == "__main__":
    main()
