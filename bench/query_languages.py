"""What a state's data handling costs in each query language, in the pure interpreter.

For each shape of state, the same work written in JSONPath and in JSONata: one entry into
the state (`step.enter`, no I/O), repeated `--runs` times; the median in microseconds.
The JSONata expressions are parsed once (as per definition revision in the engine), so
the figures are evaluation alone.

    make bench-query   # or: uv run python -m bench.query_languages --runs 2000
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from segue.asl import Runtime, Visit, enter, load

ORDER = {
    "order": {
        "id": "o-1",
        "customer": {"name": "Ada", "tier": "gold"},
        "items": [{"sku": f"s{i}", "qty": i % 4, "price": 2.5 * i} for i in range(20)],
    }
}

SHAPES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "pass, no fields": (
        {"Type": "Pass", "End": True},
        {"Type": "Pass", "End": True},
    ),
    "pick two fields": (
        {
            "Type": "Pass",
            "Parameters": {"id.$": "$.order.id", "tier.$": "$.order.customer.tier"},
            "End": True,
        },
        {
            "Type": "Pass",
            "Output": {
                "id": "{% $states.input.order.id %}",
                "tier": "{% $states.input.order.customer.tier %}",
            },
            "End": True,
        },
    ),
    "filter 20 items": (
        {
            "Type": "Pass",
            "Parameters": {"many.$": "$.order.items[?(@.qty > 1)].sku"},
            "End": True,
        },
        {
            "Type": "Pass",
            "Output": {"many": "{% $states.input.order.items[qty > 1].sku %}"},
            "End": True,
        },
    ),
    "assign and compute": (
        {
            "Type": "Pass",
            "Assign": {"count.$": "States.ArrayLength($.order.items)"},
            "ResultPath": "$.seen",
            "Result": True,
            "End": True,
        },
        {
            "Type": "Pass",
            "Assign": {"count": "{% $count($states.input.order.items) %}"},
            "Output": {"total": "{% $sum($states.input.order.items.(qty * price)) %}"},
            "End": True,
        },
    ),
}


def per_state(state: dict[str, Any], language: str, runs: int) -> float:
    """Median microseconds of one entry into `state` written in `language`."""
    machine = load({"QueryLanguage": language, "StartAt": "S", "States": {"S": state}})
    visit = Visit("S", ORDER, {"State": {"Name": "S"}}, {}, (), 2)
    runtime = Runtime(datetime(2026, 1, 1, tzinfo=UTC), random.Random(0))
    enter(machine, visit, runtime)  # the first entry parses (once per revision)
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        enter(machine, visit, runtime)
        samples.append((time.perf_counter() - began) * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    print(f"{'state':<22} {'JSONPath µs':>12} {'JSONata µs':>12} {'ratio':>7}")
    for name, (jsonpath, jsonata) in SHAPES.items():
        path_us = per_state(jsonpath, "JSONPath", args.runs)
        nata_us = per_state(jsonata, "JSONata", args.runs)
        print(f"{name:<22} {path_us:>12.1f} {nata_us:>12.1f} {nata_us / path_us:>6.1f}x")


if __name__ == "__main__":
    main()
