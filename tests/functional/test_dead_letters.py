"""Dead letters (`segue dlq`): poison messages are shown in place and sent back by choice."""

from __future__ import annotations

import json

from segue.local.sqs_source import poll_once
from tests.functional.test_execution import task
from tests.unit.helpers import machine

ECHO = machine({"A": task("echo", End=True)})


def poison(harness, *bodies: str) -> None:
    """Put `bodies` on the work queue and let them fail until SQS moves them aside."""
    sqs, url = harness.sqs, harness.queue_url
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    for _ in range(7):  # maxReceiveCount is 5
        poll_once(sqs, url, harness.worker.handler, function_name="worker", wait_seconds=0)


def test_dead_letters_are_listed_and_stay_where_they_are(harness):
    poison(harness, "not json", json.dumps({"executionId": "x"}))
    for _ in range(2):  # listing twice shows the same: listing leaves them in place
        status, answer = harness.request("GET", "/dead-letters/work")
        assert status == 200, answer
        assert sorted(m["body"] for m in answer["items"]) == sorted(
            ["not json", json.dumps({"executionId": "x"})]
        )
        assert all(m["receiveCount"] >= 1 and m["sentAt"].endswith("Z") for m in answer["items"])


def test_a_redriven_message_runs_its_token(harness):
    harness.request("POST", "/state-machines", {"name": "sm", "definition": ECHO})
    _, started = harness.request("POST", "/executions", {"stateMachine": "sm"})
    # the start's work message failed five times (say, a bad deploy) and was moved aside
    (message,) = harness.sqs.receive_message(QueueUrl=harness.queue_url)["Messages"]
    dlq = harness.stack.refs["WorkDeadLetterQueue"]
    harness.sqs.send_message(QueueUrl=dlq, MessageBody=message["Body"])
    harness.sqs.delete_message(QueueUrl=harness.queue_url, ReceiptHandle=message["ReceiptHandle"])
    poison(harness, "not json")

    _, listed = harness.request("GET", "/dead-letters/work")
    chosen = next(m["messageId"] for m in listed["items"] if m["body"] == message["Body"])
    status, answer = harness.request(
        "POST", "/dead-letters/work/redrive", {"messageIds": [chosen, "nope"]}
    )
    assert (status, answer) == (200, {"queue": "work", "redriven": 1, "notFound": ["nope"]})
    harness.drain()
    assert harness.describe(started["executionId"])["status"] == "SUCCEEDED"
    _, left = harness.request("GET", "/dead-letters/work")
    assert [m["body"] for m in left["items"]] == ["not json"]  # the rest stays


def test_redriving_everything_of_the_events_queue(harness):
    dlq = harness.stack.refs["EventsDeadLetterQueue"]
    body = json.dumps({"name": "go", "key": "k1", "payload": {"n": 1}})
    harness.sqs.send_message(QueueUrl=dlq, MessageBody=body)
    status, answer = harness.request("POST", "/dead-letters/events/redrive")
    assert (status, answer["redriven"]) == (200, 1)
    assert harness.step_queue("EventsQueue") == 1  # back on its queue, and handled
    assert harness.request("GET", "/dead-letters/events")[1]["items"] == []


def test_bad_dead_letter_requests_are_refused(harness):
    status, answer = harness.request("GET", "/dead-letters/nope")
    assert status == 404 and "work" in answer["message"]
    assert harness.request("GET", "/dead-letters/work", query={"limit": "0"})[0] == 400
    assert harness.request("GET", "/dead-letters/work", query={"limit": "x"})[0] == 400
    assert harness.request("POST", "/dead-letters/work/redrive", {"messageIds": []})[0] == 400
    assert harness.request("POST", "/dead-letters/work/redrive", {"ids": ["a"]})[0] == 400
