"""External events (`segue:waitForEvent`), the inbox and triggers, with the real handlers."""

from __future__ import annotations

import json
import random
from typing import Any

import boto3
import pytest

from segue.asl.outcomes import MAX_PAYLOAD_BYTES
from tests.functional.harness import REPO, load_function, make_harness
from tests.functional.test_pause import _context
from tests.unit.helpers import machine


@pytest.fixture
def harness(aws, monkeypatch):
    return make_harness(
        monkeypatch, SEGUE_MAX_QUEUE_DELAY_SECONDS="0", SEGUE_TIMER_LEAD_SECONDS="0"
    )


def wait_for(name: str = "paid", **fields):
    parameters = {"EventName": name, "CorrelationKey.$": "$.orderId"}
    parameters |= fields.pop("parameters", {})
    return {"Type": "Task", "Resource": "segue:waitForEvent", "Parameters": parameters, **fields}


PAID = machine(
    {
        "WaitForPayment": wait_for(ResultPath="$.payment", Next="Ship"),
        "Ship": {"Type": "Pass", "End": True},
    }
)


def start(harness, order: str, definition=PAID) -> str:
    return harness.start("paid", definition, {"orderId": order}, name=order)


def send(harness, key: str, payload, name: str = "paid", **extra) -> dict:
    body = {"name": name, "key": key, "payload": payload, **extra}
    status, answer = harness.request("POST", "/events", body)
    assert status == 202, answer
    return answer


def test_an_event_completes_the_wait_with_its_payload(harness):
    execution_id = start(harness, "o-1")
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "WAITING"
    assert document["waits"] == [
        {"kind": "event", "state": "WaitForPayment", "dueAt": None, "name": "paid", "key": "o-1"}
    ]
    assert send(harness, "o-1", {"amount": 12})["delivered"] == 1
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED"
    assert document["output"] == {"orderId": "o-1", "payment": {"amount": 12}}


def test_an_event_that_comes_before_the_wait_is_kept_for_it(harness):
    assert send(harness, "o-2", {"amount": 3})["delivered"] == 0
    execution_id = start(harness, "o-2")
    harness.drain()
    assert harness.describe(execution_id)["output"]["payment"] == {"amount": 3}
    # taken once: the next wait on the pair waits for a new event
    later = harness.start("paid", PAID, {"orderId": "o-2"}, name="o-2-again")
    harness.drain()
    assert harness.describe(later)["status"] == "WAITING"


def test_every_wait_on_the_pair_gets_the_event(harness):
    waiting = [harness.start("paid", PAID, {"orderId": "o-3"}, name=f"o-3-{i}") for i in range(3)]
    other = start(harness, "o-4")
    harness.drain()
    assert send(harness, "o-3", "paid")["delivered"] == 3
    harness.drain()
    assert [harness.describe(e)["status"] for e in waiting] == ["SUCCEEDED"] * 3
    assert harness.describe(other)["status"] == "WAITING"


def test_an_event_wait_times_out(harness):
    definition = machine({"W": wait_for(parameters={"TimeoutSeconds": 120}, End=True)})
    execution_id = start(harness, "o-5", definition)
    harness.drain()
    harness.clock.advance(121)
    harness.scheduler.fire_due()
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "FAILED" and document["error"] == "States.Timeout"
    assert send(harness, "o-5", 1)["delivered"] == 0  # the wait is gone; the event is kept


def test_a_kept_event_expires_from_the_inbox(harness):
    send(harness, "o-6", "late")
    harness.clock.advance(86400 + 1)
    execution_id = start(harness, "o-6")
    harness.drain()
    assert harness.describe(execution_id)["status"] == "WAITING"


@pytest.mark.parametrize("seed", range(20))
def test_event_and_wait_meet_in_any_order(harness, seed):
    """Waits register and events arrive interleaved at random: each wait gets its event."""
    order = random.Random(seed)
    keys = [f"k{i}" for i in range(4)]
    steps = [("start", k) for k in keys] + [("send", k) for k in keys]
    order.shuffle(steps)
    executions = {}
    for action, key in steps:
        if action == "start":
            executions[key] = start(harness, key)
            if order.random() < 0.5:
                harness.drain()
        else:
            send(harness, key, {"for": key})
    harness.drain()
    for key, execution_id in executions.items():
        document = harness.describe(execution_id)
        assert document["status"] == "SUCCEEDED", (key, document["status"])
        assert document["output"]["payment"] == {"for": key}


def test_events_on_the_queue_are_delivered_and_garbage_ends_in_the_dead_letter_queue(harness):
    sqs, url = harness.sqs, harness.stack.refs["EventsQueue"]
    dlq = harness.stack.refs["EventsDeadLetterQueue"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    execution_id = start(harness, "o-7")
    harness.drain()
    garbage = ["not json", json.dumps({"name": "paid"}), json.dumps({"trigger": {}}), "[]"]
    for body in garbage[:2]:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    good = {"name": "paid", "key": "o-7", "payload": {"amount": 1}}
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(good))
    for body in garbage[2:]:
        sqs.send_message(QueueUrl=url, MessageBody=body)

    max_receives = json.loads(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"][
            "RedrivePolicy"
        ]
    )["maxReceiveCount"]
    for _ in range(max_receives + 2):
        harness.step_queue("EventsQueue")
    harness.drain()
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in dead) == sorted(garbage)


def test_a_big_event_is_kept_in_the_inbox_and_delivered_whole(harness):
    payload = {"text": "é" * (130 * 1024)}  # 260 KB of UTF-8: over a table item once escaped
    assert send(harness, "o-8", payload)["delivered"] == 0
    execution_id = start(harness, "o-8")
    harness.drain()
    assert harness.describe(execution_id)["output"]["payment"] == payload


def test_an_event_as_big_as_a_queue_message_is_delivered_from_the_queue(harness):
    execution_id = start(harness, "o-9")
    harness.drain()
    event = {"name": "paid", "key": "o-9", "payload": "é" * 1000}
    room = 256 * 1024 - len(json.dumps(event, ensure_ascii=False).encode())
    event["payload"] += "x" * room
    body = json.dumps(event, ensure_ascii=False)
    assert len(body.encode()) == 256 * 1024  # SQS's own limit, to the byte
    harness.sqs.send_message(QueueUrl=harness.stack.refs["EventsQueue"], MessageBody=body)
    harness.drain(queue="EventsQueue")
    harness.drain()
    assert harness.describe(execution_id)["output"]["payment"] == event["payload"]


def test_an_oversized_or_malformed_event_is_refused(harness):
    huge = {"name": "paid", "key": "o-8", "payload": "x" * MAX_PAYLOAD_BYTES}
    assert harness.request("POST", "/events", huge)[0] == 413
    assert harness.request("POST", "/events", {"name": "paid"})[0] == 400
    assert harness.request("POST", "/events", {"name": "", "key": "k"})[0] == 400


def test_an_eventbridge_rule_starts_the_workflow_once_per_event(harness):
    """The template's OrderPlacedTrigger rule starts `order` with the event as input."""
    trigger = {"Type": "Pass", "Parameters": {"trigger.$": "$$.Execution.Trigger"}, "End": True}
    harness.request(
        "POST", "/state-machines", {"name": "order", "definition": machine({"T": trigger})}
    )
    entry: dict = {
        "Source": "segue.example",
        "DetailType": "OrderPlaced",
        "Detail": json.dumps({"orderId": "o-9", "items": ["pen"], "total": 3}),
    }
    events: Any = boto3.client("events", region_name="us-east-1")
    events.put_events(Entries=[entry])
    events.put_events(Entries=[{**entry, "Source": "someone.else"}])  # not matched
    harness.drain(queue="EventsQueue")
    harness.drain()
    _, listed = harness.request("GET", "/executions", query={"stateMachine": "order"})
    (item,) = listed["items"]
    document = harness.describe(item["executionId"])
    rule = harness.stack.refs["OrderPlacedTrigger"]
    event_id = document["trigger"]["eventId"]
    assert document["trigger"] == {"rule": rule, "eventId": event_id}
    assert document["input"]["detail"]["orderId"] == "o-9"
    assert document["output"] == {"trigger": {"Rule": rule, "EventId": event_id}}
    assert item["name"] == f"{rule}-{event_id}"

    # the same event delivered again (SQS is at least once) starts nothing new
    body = {"trigger": {"stateMachine": "order", "rule": rule, "eventId": event_id}}
    body["trigger"]["event"] = document["input"]
    harness.sqs.send_message(
        QueueUrl=harness.stack.refs["EventsQueue"], MessageBody=json.dumps(body)
    )
    harness.drain(queue="EventsQueue")
    _, listed = harness.request("GET", "/executions", query={"stateMachine": "order"})
    assert len(listed["items"]) == 1


def test_the_refund_example_ends_with_an_approval_and_the_sample_payout_event(harness):
    refund = json.loads((REPO / "statemachine" / "refund.asl.json").read_text())
    execution_id = harness.start("refund", refund, {"refundId": "r-1", "amount": 30}, name="r-1")
    harness.drain()
    (approval,) = harness.request("GET", "/approvals", query={"status": "PENDING"})[1]["items"]
    assert approval["message"] == "Refund r-1 of 30 EUR?" and approval["approvers"] == ["finance"]
    harness.request("POST", f"/approvals/{approval['approvalId']}/approve", {"by": "fin"})
    harness.drain()
    assert harness.describe(execution_id)["waits"][0]["kind"] == "event"

    sample = json.loads((REPO / "events" / "events-payout-sent.json").read_text())
    assert harness.events.handler(sample, _context()) == {"batchItemFailures": []}
    harness.drain()
    document = harness.describe(execution_id)
    assert document["output"] == {
        "refundId": "r-1",
        "status": "REFUNDED",
        "approvedBy": "fin",
        "payoutId": "p-9",
    }


def test_a_sample_wake_up_for_an_unknown_execution_sends_a_stale_message(harness):
    sample = json.loads((REPO / "events" / "timer-wake.json").read_text())
    answer = load_function("timer").handler(sample, _context())
    assert answer == {"executionId": "refund:r-1", "woken": "t2"}
    assert harness.step() == 1  # the worker finds no such execution and drops it


def test_a_late_registration_gives_back_the_event_it_could_not_use(harness):
    """A wait's registration effect that runs again after the wait ended takes no event."""
    execution_id = start(harness, "o-10")
    harness.drain()
    waiting_head = harness.services.store.get_head(execution_id)
    (token,) = waiting_head.tokens.values()
    send(harness, "o-10", "first")
    harness.drain()
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"
    assert send(harness, "o-10", "second")["delivered"] == 0  # kept in the inbox

    harness.services.effects.waits.started(waiting_head, token)  # a repeated effect
    later = harness.start("paid", PAID, {"orderId": "o-10"}, name="o-10-later")
    harness.drain()
    assert harness.describe(later)["output"]["payment"] == "second"


def test_an_event_its_wait_took_but_never_used_is_delivered_when_the_effect_runs_again(harness):
    """A taking whose answer was lost (or a crash before the delivery) loses no event."""
    send(harness, "o-11", "kept")
    execution_id = "paid:o-11"
    taker = f"{execution_id}#t1#1"  # the wait the execution's first state will be
    waits = harness.services.waits
    assert waits.take_event("paid", "o-11", waits.kept_events("paid", "o-11", 0)[0].event_id, taker)
    (event,) = waits.kept_events("paid", "o-11", 0, taker)
    assert waits.take_event("paid", "o-11", event.event_id, taker)  # the same taker again
    assert not waits.take_event("paid", "o-11", event.event_id, "someone else")
    assert waits.kept_events("paid", "o-11", 0) == []  # for any other wait it is gone
    start(harness, "o-11")
    harness.drain()
    assert harness.describe(execution_id)["output"]["payment"] == "kept"
