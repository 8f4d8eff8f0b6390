"""A Distributed Map over S3 on the local stack: time, a pause in the middle, cost per item.

On `segue dev` (two workers): `--items` JSON Lines items in a moto S3 object, read by an
ItemReader, in batches of `--batch` (ItemBatcher), `--concurrency` child executions at
once, each batch a Lambda task that notes its items in a file; a ResultWriter writes the
results. When a third of the items are done the execution is paused: how many children
still started after the pause answered, and when the last did; then it is resumed. At
the end every item must have been processed exactly once (the file), and the manifest
must name every child. Then the same workflow on `--cost-items` items runs on in-process
moto with every AWS call metered (`bench.cost`): dollars per million items, by part.

    make bench-distributed   # or: uv run python -m bench.distributed --items 10000
"""

from __future__ import annotations

import argparse
import functools
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench import prices
from bench.cost import Invocations, by_part, meter_for
from bench.in_process import in_process_stack
from segue.engine.visits import instant
from tests.localstack import running_stack
from tests.unit.helpers import distributed_map, object_reader

BUCKET = "bench-items"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:batch_tally"
POLL_SECONDS = 0.2


def definition(batch: int, concurrency: int, log: str) -> dict[str, Any]:
    """One Distributed Map over `items.jsonl`, a Lambda task per batch, results to S3."""
    tally = {"Type": "Task", "Resource": LAMBDA, "End": True}
    return distributed_map(
        {"StartAt": "Tally", "States": {"Tally": tally}},
        ItemReader=object_reader(BUCKET, "items.jsonl", InputType="JSONL"),
        ItemBatcher={"MaxItemsPerBatch": batch, "BatchInput": {"log": log}},
        MaxConcurrency=concurrency,
        ResultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": BUCKET, "Prefix": "results"},
        },
    )


def put_items(s3: Any, items: int) -> None:
    s3.create_bucket(Bucket=BUCKET)
    lines = "\n".join(json.dumps({"n": n, "payload": f"item-{n:08d}"}) for n in range(items))
    s3.put_object(Bucket=BUCKET, Key="items.jsonl", Body=lines.encode())


def run_of(client: Any, execution_id: str) -> dict[str, Any]:
    runs = client.call("GET", f"/executions/{execution_id}")["mapRuns"]
    return dict(runs[0]) if runs else {}


def on_the_local_stack(args: argparse.Namespace, report: dict[str, Any]) -> None:
    tally = Path(tempfile.mkdtemp()) / "tally.txt"
    tally.touch()
    functions = {"batch_tally": "tests.functional.lambdas:batch_tally"}
    with running_stack(functions, Path(args.log), workers=2) as stack:
        put_items(stack.aws("s3"), args.items)
        client = stack.client
        body = definition(args.batch, args.concurrency, str(tally))
        client.call("POST", "/state-machines", {"name": "fan", "definition": body})
        began = time.perf_counter()
        client.call("POST", "/executions", {"stateMachine": "fan", "name": "run-1", "input": {}})
        execution_id = "fan:run-1"
        while (run_of(client, execution_id).get("items") or {}).get("succeeded", 0) < (
            args.items // 3
        ):
            time.sleep(POLL_SECONDS)
        before = run_of(client, execution_id)["children"]
        asked, paused_at = time.time(), time.perf_counter()
        client.call("POST", f"/executions/{execution_id}/pause", {"reason": "bench"})
        answered = time.perf_counter()
        run = run_of(client, execution_id)
        started = run["children"]
        report["pause: new children stopped, s after it was asked"] = round(
            instant(run["pausedAt"]).timestamp() - asked, 3
        )
        report["pause: children started while it was asked"] = (
            before["pending"] - started["pending"]
        )
        claimed = started["total"] - started["pending"]
        last_start, settle_until = answered, answered + args.hold
        while time.perf_counter() < settle_until:
            now = run_of(client, execution_id)["children"]
            if now["total"] - now["pending"] > claimed:
                claimed, last_start = now["total"] - now["pending"], time.perf_counter()
            time.sleep(POLL_SECONDS)
        at_pause = started["total"] - started["pending"]
        report["pause: answered in ms"] = round((answered - paused_at) * 1000)
        report["pause: children started after it answered"] = claimed - at_pause
        report["pause: last child started, s after the answer"] = round(last_start - answered, 2)
        held = time.perf_counter()
        client.call("POST", f"/executions/{execution_id}/resume", {"reason": "bench"})
        resumed = time.perf_counter()
        while client.call("GET", f"/executions/{execution_id}")["status"] not in (
            "SUCCEEDED",
            "FAILED",
        ):
            time.sleep(POLL_SECONDS)
        ended = time.perf_counter()
        document = client.call("GET", f"/executions/{execution_id}")
        report["status"] = document["status"]
        running = (held - began) + (ended - resumed)
        report["seconds (without the pause)"] = round(running, 1)
        report["items per second"] = round(args.items / running, 1)
        seen = Counter(int(n) for n in tally.read_text().split())
        report["items processed once"] = sum(1 for n in range(args.items) if seen[n] == 1)
        report["items processed more than once"] = sum(1 for n in seen if seen[n] > 1)
        details = document["output"]["ResultWriterDetails"]
        s3 = stack.aws("s3")
        manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=details["Key"])["Body"].read())
        written = [
            entry
            for listed in manifest["ResultFiles"]["SUCCEEDED"]
            for entry in json.loads(s3.get_object(Bucket=BUCKET, Key=listed["Key"])["Body"].read())
        ]
        report["children in the ResultWriter's files"] = len(written)
        report["items in them"] = sum(json.loads(e["Output"])["count"] for e in written)


def _delegate(metered: list[Any], hook: str, **event: Any) -> None:
    if metered:
        getattr(metered[0], hook)(**event)


def in_process_cost(args: argparse.Namespace, report: dict[str, Any]) -> None:
    """Every AWS call of one run metered and priced, per million items."""
    import boto3

    patch = pytest.MonkeyPatch()
    metered: list[Any] = []
    hooks = {
        event: functools.partial(_delegate, metered, hook)
        for event, hook in (("provide-client-params", "before"), ("after-call", "after"))
    }
    tally = Path(tempfile.mkdtemp()) / "tally.txt"
    with in_process_stack(patch, hooks) as harness:
        put_items(boto3.client("s3"), args.cost_items)
        meter = meter_for(harness.stack.refs["Table"])
        metered.append(meter)
        lambdas = Invocations(meter)
        patch.setattr(harness.api, "handler", lambdas.wrap(harness.api.handler))
        patch.setattr(harness.worker, "handler", lambdas.wrap(harness.worker.handler))
        body = definition(args.batch, args.concurrency, str(tally))
        harness.request("POST", "/state-machines", {"name": "fan", "definition": body})
        meter.on = True
        status, _ = harness.request(
            "POST", "/executions", {"stateMachine": "fan", "name": "cost", "input": {}}
        )
        harness.drain(limit=600)
        meter.on = False
        assert status == 201
        assert harness.executions.head("fan:cost").status == "SUCCEEDED"
    batches = -(-args.cost_items // args.batch)
    lambdas.billed_ms += batches * prices.TASK_INVOKE_MS
    dollars = by_part(meter, lambdas)
    per = 1e6 / args.cost_items
    report["cost: items"] = args.cost_items
    report["cost: $ per million items"] = round(sum(dollars.values()) * per, 2)
    report["cost: by part"] = {k: round(v * per, 3) for k, v in dollars.items()}
    report["cost: calls per batch"] = {
        k: round(v / batches, 1) for k, v in sorted(meter.calls.items())
    }
    # on AWS each child execution's one state is a transition (the parent's few are left out)
    report["cost: Step Functions Standard transitions, $ per million items"] = round(
        prices.STEP_FUNCTIONS_STANDARD_TRANSITION * 1e6 / args.batch, 2
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--hold", type=float, default=5.0, help="seconds paused")
    parser.add_argument("--cost-items", type=int, default=2000)
    parser.add_argument(
        "--log", default=str(Path(tempfile.gettempdir()) / "segue-distributed-dev.log")
    )
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "items": args.items,
        "batch": args.batch,
        "max concurrency": args.concurrency,
    }
    on_the_local_stack(args, report)
    print(json.dumps(report, indent=2), flush=True)
    in_process_cost(args, report)
    print(json.dumps(report, indent=2))
    ok = (
        report["status"] == "SUCCEEDED"
        and report["items processed once"] == args.items
        and report["items processed more than once"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
