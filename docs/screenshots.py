"""The README's console screenshots, taken from a real run of the example workflows.

make screenshots   # writes docs/console-*.png
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from examples.tasks import FUNCTIONS
from tests.browser import launched
from tests.localstack import REPO, running_stack

OUT = REPO / "docs"


def main() -> None:
    log = Path(tempfile.mkdtemp()) / "segue-dev.log"
    with running_stack(FUNCTIONS, log) as stack, launched() as browser:
        call = stack.client.call
        for path in sorted((REPO / "statemachine").glob("*.asl.json")):
            definition = json.loads(path.read_text())
            call("POST", "/state-machines", {"name": path.name[:-9], "definition": definition})
        order = {"orderId": "o-7", "items": ["book"], "total": 30}
        start = {"stateMachine": "order", "input": order}
        call("POST", "/executions", start | {"name": "o-6"})
        call("POST", "/executions", start | {"name": "o-7", "pauseBefore": ["ChargeCard"]})
        call("POST", "/executions", start | {"name": "o-8", "input": {"orderId": "o-8"}})
        call("POST", "/executions", {"stateMachine": "fanout", "input": {"customerId": "c-1"}})
        for refund in ("r-1", "r-2"):
            body = {"refundId": refund, "amount": 30 if refund == "r-1" else 120}
            call("POST", "/executions", {"stateMachine": "refund", "name": refund, "input": body})
        stack.wait_for_status("order:o-7", "PAUSED")
        stack.wait_for_status("order:o-6", "SUCCEEDED")
        stack.wait_for_status("refund:r-2", "WAITING")
        (first,) = [
            a for a in call("GET", "/approvals")["items"] if a["executionId"] == "refund:r-1"
        ]
        decision = {"comment": "within policy", "data": {}}
        call("POST", f"/approvals/{first['approvalId']}/approve", decision)

        page = browser.new_page(viewport={"width": 1280, "height": 760})
        page.goto(f"{stack.endpoint}/console/")
        page.wait_for_selector('[data-testid="execution-row"][data-status="PAUSED"]')
        page.screenshot(path=str(OUT / "console-executions.png"))
        page.goto(f"{stack.endpoint}/console/executions/order:o-7?state=ReserveStock")
        page.wait_for_selector('[data-testid="graph"][data-drawn="true"]')
        page.wait_for_selector('[data-testid="state-detail"]')
        page.screenshot(path=str(OUT / "console-paused.png"), full_page=True)
        page.goto(f"{stack.endpoint}/console/approvals")
        page.wait_for_selector('[data-testid="approval-row"]')
        page.screenshot(path=str(OUT / "console-approvals.png"))
    for name in ("executions", "paused", "approvals"):
        print(f"docs/console-{name}.png")


if __name__ == "__main__":
    main()
