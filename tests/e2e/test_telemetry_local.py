"""What an operator sees of a run on the local stack: its metrics and its log lines.

One stack runs a paused and resumed execution, a failed one redriven, one cancelled, one
timed out, an approval, events, and a task whose worker is killed (3 s lease, a sweep a
second); then the metrics file and the log are read for every metric and the fields that
follow an execution across functions.
"""

from __future__ import annotations

import json
import time

import pytest

from segue.engine.measures import NAMES
from tests.e2e.test_pause_local import register, start
from tests.localstack import running_stack

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
FUNCTIONS = {name: f"tests.functional.lambdas:{name}" for name in ("add_one", "boom", "slow")}
MAYBE = {"CommitConflicts", "MessagesDeadLettered", "WorkRedispatched"}
"""Races, poison messages and lost dispatches, which a run may or may not have (their
counting is tested in tests/unit/test_measures.py)."""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("telemetry")
    metrics = folder / "metrics.jsonl"
    environment = {"SEGUE_LEASE_SECONDS": "3", "SEGUE_METRICS_FILE": str(metrics)}
    with running_stack(
        FUNCTIONS, folder / "segue-dev.log", environment=environment, cron_seconds=1
    ) as stack:
        ids = _a_day_of_work(stack, folder)
    documents = [json.loads(line) for line in metrics.read_text().splitlines()]
    lines = [json.loads(line) for line in stack.log.read_text().splitlines() if line[:1] == "{"]
    return ids, documents, lines


def _a_day_of_work(stack, folder) -> dict[str, str]:
    add_one = {"Type": "Task", "Resource": LAMBDA + "add_one"}
    register(stack, "steps", {"A": add_one | {"Next": "B"}, "B": add_one | {"End": True}}, "A")
    paused = start(stack, "steps", "paused", {"n": 0}, pauseBefore=["B"])
    stack.wait_for_status(paused, "PAUSED")
    stack.client.call("POST", f"/executions/{paused}/resume", {})
    stack.wait_for_status(paused, "SUCCEEDED")

    register(
        stack, "fails", {"Boom": {"Type": "Task", "Resource": LAMBDA + "boom", "End": True}}, "Boom"
    )
    failed = start(stack, "fails", "once", {})
    stack.wait_for_status(failed, "FAILED")
    stack.client.call("POST", f"/executions/{failed}/redrive", {})
    stack.wait_for_status(failed, "FAILED")

    register(stack, "hold", {"Hold": {"Type": "Wait", "Seconds": 3600, "End": True}}, "Hold")
    held = start(stack, "hold", "cancelled", {})
    stack.wait_for_status(held, "WAITING")
    stack.client.call("POST", f"/executions/{held}/cancel", {})
    short = {
        "TimeoutSeconds": 1,
        "StartAt": "Hold",
        "States": {"Hold": {"Type": "Wait", "Seconds": 60, "End": True}},
    }
    stack.client.call("POST", "/state-machines", {"name": "short", "definition": short})
    stack.wait_for_status(start(stack, "short", "late", {}), "TIMED_OUT", timeout=30)

    approval = {
        "Type": "Task",
        "Resource": "segue:approval",
        "Parameters": {"Message": "ok?"},
        "End": True,
    }
    register(stack, "approve", {"Ask": approval}, "Ask")
    asked = start(stack, "approve", "asked", {})
    stack.wait_for_status(asked, "WAITING")
    pending = stack.client.call("GET", "/approvals?status=PENDING")["items"]
    stack.client.call("POST", f"/approvals/{pending[0]['approvalId']}/approve", {})
    stack.wait_for_status(asked, "SUCCEEDED")

    wait = {"Type": "Task", "Resource": "segue:waitForEvent", "End": True}
    wait["Parameters"] = {"EventName": "paid", "CorrelationKey": "o-1"}
    register(stack, "await", {"Paid": wait}, "Paid")
    awaiting = start(stack, "await", "paid", {})
    stack.wait_for_status(awaiting, "WAITING")
    stack.client.call("POST", "/events", {"name": "paid", "key": "o-1"})
    stack.client.call("POST", "/events", {"name": "nobody", "key": "waits"})
    stack.wait_for_status(awaiting, "SUCCEEDED")

    retried = {"ErrorEquals": ["segue.WorkerLost"], "IntervalSeconds": 1}
    work = {"Type": "Task", "Resource": LAMBDA + "slow", "Retry": [retried], "End": True}
    register(stack, "slow", {"Work": work}, "Work")
    killed = start(stack, "slow", "killed", {"seconds": 4, "log": str(folder / "runs.log")})
    time.sleep(1.5)  # the task is running (its events are committed only when it ends)
    stack.restart_workers()
    stack.wait_for_status(killed, "SUCCEEDED", timeout=60)
    return {"paused": paused, "killed": killed, "failed": failed}


def test_every_metric_of_the_run_is_published_in_the_embedded_metric_format(run):
    _, documents, _ = run
    named = set()
    for document in documents:
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "segue"
        for metric in directive["Metrics"]:
            named.add(metric["Name"])
            assert metric["Name"] in document  # EMF: each metric's values at the top
        assert all(d in document for d in directive["Dimensions"][0])
    assert NAMES - MAYBE <= named <= NAMES


def test_counts_match_what_happened(run):
    _, documents, _ = run

    def total(name: str) -> float:
        return sum(sum(d[name]) for d in documents if name in d and "Resource" not in d)

    assert total("ExecutionsStarted") == 7
    assert total("Pauses") == total("Resumes") == 1
    assert total("Redrives") == 1
    assert total("ExecutionsFailed") == 2  # before and after the redrive
    assert total("ExecutionsCancelled") == total("ExecutionsTimedOut") == 1
    assert total("ApprovalsOpened") == total("ApprovalsDecided") == 1
    assert total("EventsDelivered") == total("EventsBuffered") == 1
    assert total("LeasesExpired") >= 1


def test_task_durations_have_their_resource_as_dimension(run):
    _, documents, _ = run
    resources = {d["Resource"] for d in documents if "TaskDuration" in d}
    assert {LAMBDA + "add_one", LAMBDA + "boom", LAMBDA + "slow"} <= resources


def test_log_lines_follow_an_execution_across_functions(run):
    ids, _, lines = run
    killed = [line for line in lines if line.get("execution_id") == ids["killed"]]
    messages = {line["message"] for line in killed}
    assert "task ran" in messages  # the worker that ran it after the kill
    assert "execution changed" in messages  # the sweeper's recovery
    sweeper = [line for line in killed if line["message"] == "execution changed"]
    assert any("LeaseExpired" in line["events"] for line in sweeper)
    task = next(line for line in killed if line["message"] == "task ran")
    assert task["state"] == "Work" and task["token"] and task["attempt"] == 2
    assert task["function_request_id"]
    assert task["resource"] == LAMBDA + "slow"
    operator = [line for line in lines if line.get("execution_id") == ids["paused"]]
    assert any("ExecutionResumed" in line.get("events", []) for line in operator)


def test_an_execution_that_fails_says_so_once_per_run(run):
    ids, _, lines = run
    ended = [
        line
        for line in lines
        if line.get("execution_id") == ids["failed"] and line["message"] == "execution ended"
    ]
    assert [(line["status"], line["error"]) for line in ended] == [("FAILED", "ValueError")] * 2
