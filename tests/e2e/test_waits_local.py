"""Durable waits on the local stack: every kind survives new workers; events race waits."""

from __future__ import annotations

import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from segue.engine.visits import instant
from tests.e2e.test_pause_local import register, start


def test_every_kind_of_wait_ends_correctly_after_the_workers_are_replaced(local_stack):
    sqs = local_stack.aws("sqs")
    asks = sqs.create_queue(QueueName="e2e-asks")["QueueUrl"]
    done = {"Type": "Pass", "End": True}
    register(
        local_stack,
        "w-timer",
        {"Sleep": {"Type": "Wait", "Seconds": 4, "Next": "Done"}, "Done": done},
        "Sleep",
    )
    callback = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": asks, "MessageBody": {"token.$": "$$.Task.Token"}},
        "Next": "Done",
    }
    register(local_stack, "w-callback", {"Ask": callback, "Done": done}, "Ask")
    approval: dict[str, Any] = {"Type": "Task", "Resource": "segue:approval", "Next": "Done"}
    approval["Parameters"] = {"Message": "go?"}
    register(local_stack, "w-approval", {"Approve": approval, "Done": done}, "Approve")
    event: dict[str, Any] = {"Type": "Task", "Resource": "segue:waitForEvent", "Next": "Done"}
    event["Parameters"] = {"EventName": "e2e", "CorrelationKey": "k1"}
    register(local_stack, "w-event", {"Wait": event, "Done": done}, "Wait")

    ids = {kind: start(local_stack, f"w-{kind}", "one", {}) for kind in ("timer", "callback")}
    ids |= {kind: start(local_stack, f"w-{kind}", "one", {}) for kind in ("approval", "event")}
    for execution_id in ids.values():
        local_stack.wait_for_status(execution_id, "WAITING")

    local_stack.restart_workers()

    (message,) = sqs.receive_message(QueueUrl=asks, WaitTimeSeconds=5)["Messages"]
    token = json.loads(message["Body"])["token"]
    local_stack.client.call("POST", "/tasks/success", {"taskToken": token, "output": "called"})
    approvals = local_stack.client.call("GET", "/approvals?status=PENDING")["items"]
    (mine,) = [a for a in approvals if a["executionId"] == ids["approval"]]
    local_stack.client.call("POST", f"/approvals/{mine['approvalId']}/approve", {"by": "e2e"})
    events_queue = local_stack.aws("sqs").get_queue_url(QueueName="segue-local-EventsQueue")
    body = {"name": "e2e", "key": "k1", "payload": "came"}
    sqs.send_message(QueueUrl=events_queue["QueueUrl"], MessageBody=json.dumps(body))

    outputs = {
        kind: local_stack.wait_for_status(execution_id, "SUCCEEDED", timeout=30)["output"]
        for kind, execution_id in ids.items()
    }
    assert outputs["callback"] == "called" and outputs["event"] == "came"
    assert outputs["approval"]["approved"] is True and outputs["approval"]["by"] == "e2e"
    history = local_stack.client.call("GET", f"/executions/{ids['timer']}/history")["events"]
    due = next(e for e in history if e["type"] == "WaitStarted")["details"]["dueAt"]
    exited = next(e for e in history if e["type"] == "StateExited")["timestamp"]
    assert instant(exited) >= instant(due)


def test_events_racing_their_waits_from_many_threads_all_arrive(local_stack):
    event: dict[str, Any] = {"Type": "Task", "Resource": "segue:waitForEvent", "End": True}
    event["Parameters"] = {"EventName": "race", "CorrelationKey.$": "$.key"}
    register(local_stack, "race-event", {"Wait": event}, "Wait")
    keys = [f"r{i}" for i in range(16)]
    chance = random.Random(7)

    def waiter(key: str) -> str:
        time.sleep(chance.random() * 0.5)
        return start(local_stack, "race-event", key, {"key": key})

    def sender(key: str) -> None:
        time.sleep(chance.random() * 0.5)
        body = {"name": "race", "key": key, "payload": {"for": key}}
        local_stack.client.call("POST", "/events", body)

    with ThreadPoolExecutor(max_workers=8) as pool:
        started = {key: pool.submit(waiter, key) for key in keys}
        sent = [pool.submit(sender, key) for key in keys]
        for future in sent:
            future.result()
        ids = {key: future.result() for key, future in started.items()}
    for key, execution_id in ids.items():
        document = local_stack.wait_for_status(execution_id, "SUCCEEDED", timeout=30)
        assert document["output"] == {"for": key}


def test_approvals_and_events_through_the_cli(local_stack):
    approval: dict[str, Any] = {"Type": "Task", "Resource": "segue:approval", "Next": "Event"}
    approval["Parameters"] = {"Message": "ship it?"}
    event: dict[str, Any] = {"Type": "Task", "Resource": "segue:waitForEvent", "End": True}
    event["Parameters"] = {"EventName": "cli", "CorrelationKey": "c1"}
    event["ResultPath"] = "$.event"
    register(local_stack, "cli-waits", {"Approve": approval, "Event": event}, "Approve")
    execution_id = start(local_stack, "cli-waits", "one", {})
    local_stack.wait_for_status(execution_id, "WAITING")

    listed = local_stack.segue("approvals", check=True).stdout
    (line,) = [row for row in listed.splitlines() if execution_id in row]
    approval_id = line.split()[0]
    decided = local_stack.segue("approve", approval_id, "--comment", "ok", "--data", '{"x": 1}')
    assert decided.returncode == 0 and "APPROVED" in decided.stdout, decided.stderr
    again = local_stack.segue("reject", approval_id)
    assert again.returncode == 1 and "already" in again.stderr

    document = local_stack.wait_for_status(execution_id, "WAITING")
    assert document["waits"][0]["kind"] == "event"
    sent = local_stack.segue("send-event", "cli", "c1", "--payload", '{"paid": true}', check=True)
    assert "delivered to 1" in sent.stdout
    done = local_stack.wait_for_status(execution_id, "SUCCEEDED")
    assert done["output"]["event"] == {"paid": True}
    assert done["output"]["comment"] == "ok" and done["output"]["data"] == {"x": 1}
