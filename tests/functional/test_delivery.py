"""Every work message delivered twice, and batches run out of order: same outputs, same history."""

from __future__ import annotations

import json
import time

import pytest

from segue.local.sqs_source import to_event
from segue.tasks.functions import LambdaContext
from tests.functional.test_execution import task
from tests.unit.helpers import machine

WORKFLOWS = {
    "linear": (
        machine(
            {
                "One": task("add_one", Next="Two"),
                "Two": {"Type": "Pass", "Next": "Three"},
                "Three": task("add_one", End=True),
            }
        ),
        {"n": 0},
    ),
    "fanout": (
        machine(
            {
                "Both": {
                    "Type": "Parallel",
                    "Branches": [
                        machine({"L": task("add_one", End=True)}),
                        machine(
                            {
                                "Each": {
                                    "Type": "Map",
                                    "ItemsPath": "$.items",
                                    "ItemProcessor": machine({"I": task("echo", End=True)}),
                                    "End": True,
                                }
                            }
                        ),
                    ],
                    "End": True,
                }
            }
        ),
        {"n": 1, "items": [1, 2, 3]},
    ),
}


def drain_with_duplicates(harness) -> None:
    """Send a second copy of every message, and hand each batch over in reverse order."""
    sqs, url = harness.sqs, harness.queue_url
    copied: set[str] = set()
    for _ in range(500):
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
            counts = attributes["Attributes"]
            if not any(
                int(counts[f"ApproximateNumberOfMessages{kind}"]) for kind in ("", "Delayed")
            ):
                return
            time.sleep(0.05)
            continue
        for message in messages:
            if message["Body"] not in copied:
                copied.add(message["Body"])
                sqs.send_message(QueueUrl=url, MessageBody=message["Body"])
        event = to_event(messages[::-1], "arn:queue")
        response = harness.worker.handler(event, LambdaContext("worker", time.monotonic() + 900))
        assert response == {"batchItemFailures": []}
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    raise AssertionError("did not drain")


def history_shape(harness, execution_id: str) -> list:
    status, page = harness.request(
        "GET", f"/executions/{execution_id}/history", query={"limit": "1000"}
    )
    assert status == 200
    return sorted(
        json.dumps([e["type"], e.get("state"), e["details"]], sort_keys=True)
        for e in page["events"]
    )


def start(harness, name: str, definition, input) -> str:
    harness.request("POST", "/state-machines", {"name": name, "definition": definition})
    status, answer = harness.request("POST", "/executions", {"stateMachine": name, "input": input})
    assert status == 201
    return answer["executionId"]


@pytest.mark.parametrize("workflow", sorted(WORKFLOWS))
def test_duplicated_and_reordered_delivery_changes_nothing(harness, workflow):
    definition, input = WORKFLOWS[workflow]
    clean = start(harness, "clean", definition, input)
    harness.drain()
    noisy = start(harness, "noisy", definition, input)
    drain_with_duplicates(harness)
    first, second = harness.executions.describe(clean), harness.executions.describe(noisy)
    assert first["status"] == second["status"] == "SUCCEEDED"
    assert first["output"] == second["output"]
    assert history_shape(harness, clean) == history_shape(harness, noisy)
