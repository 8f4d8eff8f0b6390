"""AWS faults at random: throttling and 5xx on DynamoDB, SQS, Scheduler and S3 calls.

A fault comes before the call took effect (throttled, or a 5xx) or after it (a 5xx whose
request was carried out: the retry then finds its own write). botocore's standard retry
mode retries them with back-off (shortened here: its length is not under test). The
executions must end exactly as they do without faults.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.retries import standard
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import botocore_stubber

from segue.service import wiring
from segue.service.sweeper import Sweeper
from tests.functional.harness import Harness, make_harness
from tests.functional.test_recovery_model import INPUTS, WORKFLOWS

RATE = 0.15
SERVICES = ("dynamodb", "sqs", "scheduler", "s3")


class Faults:
    """Fails a share of a client's calls the ways AWS does under load."""

    def __init__(self, rate: float, seed: int) -> None:
        self.rate = rate
        self.chance = random.Random(seed)
        self.injected: Counter[str] = Counter()
        self.on = False
        self.calls = 0

    def attach(self, client: Any) -> None:
        client.meta.events.register_first("before-send", self._maybe_fail)

    def _maybe_fail(self, request: Any, **kwargs: Any) -> AWSResponse | None:
        if not self.on:
            return None
        self.calls += 1
        if self.chance.random() >= self.rate:
            return None
        service = request.url.split("//")[1].split(".")[0]
        kind = self.chance.choice(["throttled", "5xx before", "5xx after"])
        if kind == "throttled" and service in ("dynamodb", "sqs"):
            self.injected[f"{service} throttled"] += 1
            return _response(request, 400, _throttling(service))
        if kind == "5xx after":
            botocore_stubber(request=request, **kwargs)  # it happens; the answer is lost
        self.injected[f"{service} {kind if kind != 'throttled' else '5xx before'}"] += 1
        return _response(request, 503, b"")


def _throttling(service: str) -> bytes:
    prefix = "com.amazonaws.dynamodb.v20120810" if service == "dynamodb" else "com.amazonaws.sqs"
    error = "ThrottlingException"
    return json.dumps({"__type": f"{prefix}#{error}", "message": "Rate exceeded"}).encode()


def _response(request: Any, status: int, body: bytes) -> AWSResponse:
    headers = HTTPHeaders()
    headers["Content-Type"] = "application/x-amz-json-1.0"
    headers["x-amzn-RequestId"] = "fault"
    return AWSResponse(request.url, status, headers, MockRawResponse(body))


@pytest.fixture
def faulty(aws, monkeypatch) -> tuple[Harness, Faults]:
    harness = make_harness(
        monkeypatch,
        SEGUE_MAX_QUEUE_DELAY_SECONDS="0",
        SEGUE_TIMER_LEAD_SECONDS="0",
        SEGUE_SWEEP_SHARDS="2",
    )
    faults = Faults(RATE, seed=20261201)
    for service in SERVICES:
        faults.attach(wiring.client(service))
    original = standard.ExponentialBackoff.delay_amount
    monkeypatch.setattr(
        standard.ExponentialBackoff,
        "delay_amount",
        lambda self, context: original(self, context) / 1000,
    )
    return harness, faults


def run_all(harness: Harness, copies: int) -> dict[str, Any]:
    """Start `copies` of every workflow and drive them to their end; outputs by id."""
    started: dict[str, str] = {}
    for copy in range(copies):
        for workflow, definition in WORKFLOWS.items():
            key = f"{workflow}-{copy}-{random.random():.6f}"
            input = {**INPUTS[workflow], "key": key}
            harness.request("POST", "/state-machines", {"name": workflow, "definition": definition})
            body = {"stateMachine": workflow, "input": input, "name": key}
            status, answer = harness.request("POST", "/executions", body)
            # 200 rather than 201 when the first try's answer was lost: it is the same start
            assert status in (200, 201), answer
            started[answer["executionId"]] = workflow
            if workflow == "await":
                event = {"name": "go", "key": key, "payload": {"n": 7}, "id": key}
                assert harness.request("POST", "/events", event)[0] == 202
    for _ in range(60):
        documents = {i: harness.describe(i) for i in started}
        if all(d["status"] not in ("RUNNING", "WAITING", "PAUSING") for d in documents.values()):
            return {i: (started[i], d["status"], d.get("output")) for i, d in documents.items()}
        harness.drain()
        harness.clock.advance(5)
        harness.scheduler.fire_due()
        Sweeper(harness.services).sweep()
        harness.clock.advance(60)  # a lease: what a lost answer left behind is swept up
        Sweeper(harness.services).sweep()
    raise AssertionError(f"not finished: {documents}")


def test_throttling_and_5xx_change_nothing(faulty):
    harness, faults = faulty
    clean = {w: (s, o) for w, s, o in run_all(harness, 1).values()}
    faults.on = True
    outcomes = run_all(harness, 4)
    faults.on = False
    total = sum(faults.injected.values())
    print(f"\nfaults: {total} injected in {faults.calls} calls: {dict(faults.injected)}")
    assert total >= 50, faults.injected
    assert {"5xx after", "5xx before", "throttled"} <= {k.split(" ", 1)[1] for k in faults.injected}
    for execution_id, (workflow, status, output) in outcomes.items():
        assert (status, output) == clean[workflow], execution_id


def test_a_wait_record_written_but_its_answer_lost_is_the_writers_on_the_retry(faulty):
    """The first write of an approval's decision, a callback's result and an inbox event's
    taking takes effect and its answer is lost: botocore's retry must find its own write."""
    from tests.functional import test_approvals, test_callbacks, test_events

    harness, _ = faulty
    lost: Counter[str] = Counter()

    def lose_first_answer(request: Any, **kwargs: Any) -> AWSResponse | None:
        target = request.headers.get("X-Amz-Target", b"").decode()
        body = (request.body or b"").decode()
        for mark in ('"APPROVED"', '"O#', "taken_by"):
            if mark in body and target.endswith(("PutItem", "UpdateItem")) and not lost[mark]:
                lost[mark] += 1
                botocore_stubber(request=request, **kwargs)  # it happens; the answer is lost
                return _response(request, 503, b"")
        return None

    wiring.client("dynamodb").meta.events.register_first("before-send", lose_first_answer)
    approving, approval_id = test_approvals.waiting(harness, "lost-approve")
    answering, token = test_callbacks.waiting(harness, "lost-answer")
    assert test_events.send(harness, "lost-event", "paid")["delivered"] == 0
    hearing = test_events.start(harness, "lost-event")
    assert harness.request("POST", f"/approvals/{approval_id}/approve", {})[0] == 200
    assert harness.request("POST", "/tasks/success", {"taskToken": token, "output": 5})[0] == 200
    harness.drain()
    assert set(lost) == {'"APPROVED"', '"O#', "taken_by"}
    for execution_id in (approving, answering, hearing):
        assert harness.describe(execution_id)["status"] == "SUCCEEDED", execution_id
