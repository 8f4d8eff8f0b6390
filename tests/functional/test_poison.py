"""A malformed work message fails alone, and after maxReceiveCount it lands in the DLQ."""

from __future__ import annotations

import json

from segue.local.sqs_source import poll_once
from tests.unit.helpers import machine


def test_a_malformed_message_fails_alone_and_ends_in_the_dead_letter_queue(harness):
    sqs, url = harness.sqs, harness.queue_url
    dlq = harness.stack.refs["WorkDeadLetterQueue"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    definition = machine({"A": {"Type": "Pass", "End": True}})
    harness.request("POST", "/state-machines", {"name": "sm", "definition": definition})
    for body in ("not json", json.dumps({"executionId": "x"}), json.dumps({"token": 1})):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    _, started = harness.request("POST", "/executions", {"stateMachine": "sm"})

    max_receives = json.loads(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"][
            "RedrivePolicy"
        ]
    )["maxReceiveCount"]
    for _ in range(max_receives + 2):
        poll_once(sqs, url, harness.worker.handler, function_name="worker", wait_seconds=0)

    assert harness.executions.describe(started["executionId"])["status"] == "SUCCEEDED"
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in dead) == sorted(
        ["not json", json.dumps({"executionId": "x"}), json.dumps({"token": 1})]
    )
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
