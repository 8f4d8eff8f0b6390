"""Listing and sweeping with many executions stored: items read and time at 1k, 10k, 100k.

The store is seeded directly, not through the API: three executions run through the real
handlers first (one ends, one pauses at a breakpoint, one waits a day on a Wait state),
then their head items are written again under new ids and start times (BatchWriteItem),
80% finished, 10% paused, 10% waiting, until the table holds `--sizes` executions.

At each size, through the API handler: the first page (50) of executions by status,
of all of them and of one state machine, and one sweep of the check-time index. "Items
read" is what DynamoDB looks at for it (ScannedCount of each Query): its read units and
its latency follow that. A listing reads a page of each of its shards (4) and merges
them. The time is moto's: moto scans the whole table for any index query, so on moto it
grows with the table where on DynamoDB it does not.

    make bench-index   # or: uv run python -m bench.index --sizes 1000 10000 100000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

import pytest

from bench.in_process import in_process_stack
from segue.asl.timestamps import format_timestamp
from segue.service.sweeper import Sweeper
from segue.store import keys
from segue.store.listing import shard_of, sharded, unsharded
from segue.store.table import to_item
from tests.unit.helpers import chain, machine

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:echo"
TEMPLATES = {  # kind: (share of the seeded executions, definition, start options)
    "finished": (0.8, chain(["pass"] * 3), {}),
    "paused": (0.1, chain(["task"], LAMBDA), {"pauseBefore": ["S0"]}),
    "waiting": (
        0.1,
        machine(
            {
                "Nap": {"Type": "Wait", "Seconds": 86400, "Next": "Up"},
                "Up": {"Type": "Pass", "End": True},
            }
        ),
        {},
    ),
}
PAGE = 50
RUNS = 3


class Reads:
    """Queries made and items DynamoDB looked at, from every Query answer."""

    def __init__(self) -> None:
        self.queries = 0
        self.items = 0

    def after(self, parsed: dict[str, Any], **_: Any) -> None:
        self.queries += 1
        self.items += int(parsed.get("ScannedCount", 0))


def templates(harness: Any) -> dict[str, dict[str, Any]]:
    """One real head item of each kind, as stored once the sweeper has looked at it (the
    look after a commit), so that its check time is when it may need one next."""
    started = {
        kind: harness.start(kind, definition, {"n": 1}, **options)
        for kind, (_, definition, options) in TEMPLATES.items()
    }
    harness.clock.advance(600)
    Sweeper(harness.services).sweep()
    heads = {}
    for kind, execution_id in started.items():
        item = harness.services.store._get(keys.head(execution_id))
        assert item is not None
        heads[kind] = item
    assert harness.executions.head(heads["waiting"]["execution_id"]).status == "WAITING"
    assert harness.executions.head(heads["paused"]["execution_id"]).status == "PAUSED"
    return heads


def seed(harness: Any, heads: dict[str, dict[str, Any]], first: int, last: int) -> None:
    """Executions number `first` to `last` - 1, cloned from `heads`, by BatchWriteItem."""
    store = harness.services.store
    start = harness.clock() - timedelta(days=1)
    batch: list[dict[str, Any]] = []
    for n in range(first, last):
        kind = "paused" if n % 10 == 0 else "waiting" if n % 10 == 1 else "finished"
        item = dict(heads[kind])
        execution_id = f"{item['state_machine']}:seeded-{n}"
        created = format_timestamp(start + timedelta(milliseconds=n))
        item |= keys.head(execution_id) | {"execution_id": execution_id, "name": f"seeded-{n}"}
        item |= {"created_at": created, "list_key": f"{created}#{execution_id}"}
        shard = shard_of(execution_id, store.list_shards)
        item |= {k: sharded(unsharded(item[k]), shard) for k in ("status", "state_machine", "kind")}
        if "due_shard" in item:
            item["due_shard"] = store.shard_of(execution_id)
        batch.append({"PutRequest": {"Item": to_item(item)}})
        if len(batch) == 25 or n == last - 1:
            answer = store.client.batch_write_item(RequestItems={store.table: batch})
            assert not answer.get("UnprocessedItems"), "moto left items unwritten"
            batch = []


def timed(reads: Reads, call: Any) -> dict[str, float]:
    """Median milliseconds of `call` over RUNS, with the queries and items read of one."""
    times = []
    for _ in range(RUNS):
        reads.queries = reads.items = 0
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {"ms": statistics.median(times), "queries": reads.queries, "items read": reads.items}


def measure(harness: Any, reads: Reads) -> dict[str, dict[str, float]]:
    def listing(**query: str) -> Any:
        def call() -> None:
            status, answer = harness.request(
                "GET", "/executions", query={"limit": str(PAGE)} | query
            )
            assert status == 200 and len(answer["items"]) == PAGE, (status, query)

        return call

    rows = {
        f"list {status}": listing(status=status) for status in ("PAUSED", "WAITING", "SUCCEEDED")
    }
    rows["list all"] = listing()
    rows["list one state machine"] = listing(stateMachine="finished")
    rows["sweep (none due)"] = lambda: Sweeper(harness.services).sweep()
    return {name: timed(reads, call) for name, call in rows.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    args = parser.parse_args(argv)
    reads = Reads()
    table: dict[int, dict[str, dict[str, float]]] = {}
    with in_process_stack(
        pytest.MonkeyPatch(), {"after-call.dynamodb.Query": reads.after}
    ) as harness:
        heads = templates(harness)
        stored = 0
        for size in sorted(args.sizes):
            started = time.perf_counter()
            seed(harness, heads, stored, size)
            stored = size
            print(f"seeded {size} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            table[size] = measure(harness, reads)
    sizes = sorted(table)
    print(
        f"| query (first page of {PAGE}) | "
        + " | ".join(f"items read at {s:,}" for s in sizes)
        + " | "
        + " | ".join(f"ms at {s:,} (moto)" for s in sizes)
        + " |"
    )
    print("| --- |" + " ---: |" * (2 * len(sizes)))
    for name in table[sizes[0]]:
        counts = [
            f"{table[s][name]['items read']:.0f} ({table[s][name]['queries']:.0f} q)" for s in sizes
        ]
        times = [f"{table[s][name]['ms']:.0f}" for s in sizes]
        print(f"| {name} | " + " | ".join(counts + times) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
