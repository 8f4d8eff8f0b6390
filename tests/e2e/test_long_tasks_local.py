"""A task that runs far longer than a lease, on the local stack: renewed, never run twice.

Scaled down from a 5-minute Lambda task with a 60 s lease: a 12 s task with a 3 s lease,
and the sweeper looking for expired leases every second.
"""

from __future__ import annotations

from tests.e2e.test_pause_local import register, start
from tests.localstack import running_stack

SLOW = "arn:aws:lambda:us-east-1:123456789012:function:slow"


def test_a_task_four_leases_long_runs_once_and_succeeds(tmp_path):
    runs = tmp_path / "runs.log"
    environment = {"SEGUE_LEASE_SECONDS": "3"}
    functions = {"slow": "tests.functional.lambdas:slow"}
    with running_stack(
        functions, tmp_path / "segue-dev.log", environment=environment, cron_seconds=1
    ) as stack:
        task = {"Type": "Task", "Resource": SLOW, "End": True}
        register(stack, "long", {"Work": task}, "Work")
        execution_id = start(stack, "long", "one", {"seconds": 12, "log": str(runs)})
        document = stack.wait_for_status(execution_id, "SUCCEEDED", "FAILED", timeout=90)
        history = stack.client.call("GET", f"/executions/{execution_id}/history")["events"]
    assert document["status"] == "SUCCEEDED", document
    assert document["output"] == {"slept": 12}
    assert runs.read_text().splitlines() == ["ran"]  # one invocation, however many sweeps
    assert [e["type"] for e in history].count("TaskStarted") == 1
