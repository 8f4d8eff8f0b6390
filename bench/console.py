"""How fast the console shows a busy stack, in Debian's Chromium against `segue dev`.

Two pages, each opened once and then `--runs` times more, each time in a fresh page; the
first open and the p50 and p99 of the others, in ms:

- the executions list with `--executions` executions (held at a breakpoint, so the
  stack is otherwise quiet): from navigation to the first rendered row;
- one execution of a 500-state definition with about 5,000 history events (a loop of
  Pass and Choice states, then a chain): from navigation to the drawn graph (every
  state laid out by ELK and coloured), and to the first row of its history tab.

Times are the client's clock around the browser, the server's work included.

    make bench-console   # or: uv run python -m bench.console --runs 10
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.pause import percentiles, report
from tests.browser import launched
from tests.localstack import running_stack

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.localstack import LocalStack

CHAIN = 497
"""Pass states after the loop: with Count, More and Hold, 500 states in all."""


def big_definition(loops: int) -> dict[str, Any]:
    """A loop run `loops` times (4 events a turn), then a chain to a Wait that holds."""
    states: dict[str, Any] = {
        "Count": {
            "Type": "Pass",
            "Parameters": {"i.$": "States.MathAdd($.i, 1)"},
            "Next": "More",
        },
        "More": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.i", "NumericLessThan": loops, "Next": "Count"}],
            "Default": "Step0",
        },
    }
    for index in range(CHAIN):
        last = index == CHAIN - 1
        states[f"Step{index}"] = {"Type": "Pass", "Next": "Hold" if last else f"Step{index + 1}"}
    states["Hold"] = {"Type": "Wait", "Seconds": 3600, "End": True}
    return {"StartAt": "Count", "States": states}


def many_executions(stack: LocalStack, count: int) -> None:
    definition = {"StartAt": "Hold", "States": {"Hold": {"Type": "Pass", "End": True}}}
    stack.client.call("POST", "/state-machines", {"name": "bench-many", "definition": definition})
    body = {"stateMachine": "bench-many", "input": {}, "pauseBefore": ["Hold"]}

    def start(index: int) -> None:
        stack.client.call("POST", "/executions", body | {"name": f"run-{index}"})

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(start, range(count)))


def long_execution(stack: LocalStack, events: int) -> str:
    loops = max(1, (events - 2 * CHAIN) // 4)
    definition = big_definition(loops)
    stack.client.call("POST", "/state-machines", {"name": "bench-big", "definition": definition})
    body = {"stateMachine": "bench-big", "name": "big", "input": {"i": 0}}
    execution_id = str(stack.client.call("POST", "/executions", body)["executionId"])
    # the listing, not the execution's document: that one reads the whole history
    query = {"stateMachine": "bench-big"}
    while stack.client.call("GET", "/executions", query=query)["items"][0]["status"] != "WAITING":
        time.sleep(2)
    return execution_id


def count_events(stack: LocalStack, execution_id: str) -> int:
    """How many events the execution's history holds."""
    count, token = 0, None
    while True:
        query = {"limit": "1000", "nextToken": token}
        page = stack.client.call("GET", f"/executions/{execution_id}/history", query=query)
        count += len(page["events"])
        token = page["nextToken"]
        if token is None:
            return count


def timed(browser: Browser, stack: LocalStack, url: str, selector: str) -> float:
    """Seconds from navigation to `selector` being in the page.

    The local API answers one request at a time, as one Lambda container: what a closed
    page still asked for is let through before the next page opens.
    """
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        began = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_selector(selector, timeout=300_000, state="attached")
        return time.perf_counter() - began
    finally:
        page.close()
        stack.client.call("GET", "/health")


def opened(
    browser: Browser, stack: LocalStack, url: str, selector: str, runs: int
) -> list[tuple[str, Any]]:
    """The first open (the API has read nothing of it yet), then p50 and p99 of the next."""
    first = timed(browser, stack, url, selector)
    again = [timed(browser, stack, url, selector) for _ in range(runs)]
    return [("first open", (first * 1000, first * 1000)), ("opened again", percentiles(again))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--events", type=int, default=5000)
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp()) / "segue-dev.log"
    with running_stack({}, log, workers=2) as stack, launched() as browser:
        many_executions(stack, args.executions)
        execution_id = long_execution(stack, args.events)
        events = count_events(stack, execution_id)
        page = f"{stack.endpoint}/console/executions/{execution_id}"
        drawn = (
            '[data-testid="graph"][data-drawn="true"] [data-state="Hold"][data-status="current"]'
        )
        pages = {
            f"list of {args.executions + 1} executions, first row": (
                f"{stack.endpoint}/console/",
                '[data-testid="execution-row"]',
            ),
            "500 states, graph drawn": (page, drawn),
            f"{events} events, first history row": (
                page + "?tab=history",
                '[data-testid="history-row"]',
            ),
        }
        rows = [
            (f"{what}: {when}", figures)
            for what, (url, selector) in pages.items()
            for when, figures in opened(browser, stack, url, selector, args.runs)
        ]
    report(f"{args.runs} runs each, Chromium against segue dev (moto)", rows)


if __name__ == "__main__":
    main()
