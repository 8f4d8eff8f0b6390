"""Tasks that wait for the outside, on the pure engine: tokens, parameters, deliveries."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segue.asl import Failed, Invoke, Result, Succeeded
from segue.asl.timestamps import format_timestamp
from segue.engine import control, deliveries
from segue.engine.decider import advance, lease, work
from segue.engine.head import Status, TokenStatus
from segue.engine.waits import (
    Await,
    WaitKind,
    deadlines,
    expired,
    next_deadline,
    read_task_token,
    segue_wait,
    signed_by,
    task_token,
)
from tests.unit.helpers import NOW, Driven, machine

CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
DEFINITION = machine(
    {
        "Ask": {
            "Type": "Task",
            "Resource": CALLBACK,
            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
            "HeartbeatSeconds": 10,
            "TimeoutSeconds": 100,
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    }
)


class Run(Driven):
    """DEFINITION driven by hand; `sent` holds what its callback task handed over."""

    def __init__(self) -> None:
        super().__init__(DEFINITION, secret="s3cret")
        self.sent: list[Any] = []

    def hand_over(self, answer: Result | None = None):
        """Run the Ask task (its call answers `answer`) and commit what it comes to."""
        head = lease(self.head, "t1", "me", NOW + timedelta(minutes=1))

        def call(invoke: Invoke) -> Result:
            self.sent.append(invoke.parameters)
            return answer or Succeeded({"MessageId": "m"})

        outcome, report = work(self.sm, head, head.tokens["t1"], self.values, lambda: NOW, call)
        return self.apply(advance(self.sm, head, "t1", outcome, NOW, self.values, report))

    def deliver(self, result: Result, at: datetime = NOW, attempt: int = 1):
        return self.apply(
            deliveries.deliver(
                self.sm,
                self.head,
                token_id="t1",
                attempt=attempt,
                kind=WaitKind.CALLBACK,
                result=result,
                now=at,
                values=self.values,
            )
        )


def test_a_callback_task_hands_out_its_token_and_waits():
    run = Run()
    decision = run.hand_over()
    token = run.head.tokens["t1"]
    assert run.head.status is Status.WAITING and token.status is TokenStatus.WAITING
    assert token.wait == "callback"
    assert token.ready_at == format_timestamp(NOW + timedelta(seconds=10))  # the heartbeat first
    assert run.sent == [{"QueueUrl": "q", "MessageBody": {"token": task_token(run.head, token)}}]
    assert decision.started_waits == (token,) and decision.ended_waits == ()
    assert [t.id for t in decision.dispatch] == ["t1"]  # its wake-up at the deadline


def test_a_delivery_settles_the_task_once():
    run = Run()
    run.hand_over()
    decision = run.deliver(Succeeded({"answer": 1}))
    assert [t.state for t in run.head.tokens.values()] == ["Done"]
    assert [t.id for t in decision.ended_waits] == ["t1"]
    with pytest.raises(control.NotAllowed):
        run.deliver(Succeeded({"answer": 2}))


def test_a_delivery_for_another_attempt_or_a_running_task_is_refused():
    run = Run()
    leased = lease(run.head, "t1", "me", NOW)
    with pytest.raises(deliveries.HandingOver):
        deliveries.waiting_token(leased, "t1", 1, WaitKind.CALLBACK)
    run.hand_over()
    with pytest.raises(control.NotAllowed):
        run.deliver(Succeeded(1), attempt=2)
    with pytest.raises(control.NotAllowed):
        deliveries.waiting_token(run.head, "t1", 1, WaitKind.APPROVAL)


def test_a_failed_hand_over_fails_the_task_without_waiting():
    run = Run()
    run.hand_over(Failed("SQS.QueueDoesNotExist", "no queue"))
    assert run.head.status is Status.FAILED and run.head.error == "SQS.QueueDoesNotExist"


def test_a_delivery_while_paused_parks_what_follows():
    run = Run()
    run.hand_over()
    run.apply(
        control.pause(
            run.sm,
            run.head,
            by="op",
            reason="look",
            auto_resume_seconds=0,
            now=NOW,
            values=run.values,
        )
    )
    assert run.head.status is Status.PAUSED
    decision = run.deliver(Succeeded(1))
    assert run.head.status is Status.PAUSED and decision.dispatch == ()
    assert [t.status for t in run.head.tokens.values()] == [TokenStatus.PARKED]


def test_a_heartbeat_moves_the_deadline_and_asks_for_a_new_wake_up():
    run = Run()
    run.hand_over()
    later = NOW + timedelta(seconds=8)
    decision = deliveries.heartbeat(
        run.sm, run.head, token_id="t1", attempt=1, now=later, values=run.values
    )
    assert decision is not None
    run.apply(decision)
    token = run.head.tokens["t1"]
    assert token.ready_at == format_timestamp(later + timedelta(seconds=10))
    assert [t.id for t in decision.dispatch] == ["t1"] and decision.events == ()
    assert decision.started_waits == () and decision.ended_waits == ()


def test_the_deadline_that_came_names_the_error():
    info = deadlines(Await(WaitKind.CALLBACK, 100, 10), NOW)
    assert next_deadline(info) == format_timestamp(NOW + timedelta(seconds=10))
    assert expired(info, format_timestamp(NOW + timedelta(seconds=11))) == Failed(
        "States.HeartbeatTimeout", ""
    )
    assert expired(info, format_timestamp(NOW + timedelta(seconds=100))) == Failed(
        "States.Timeout", ""
    )
    assert next_deadline(deadlines(Await(WaitKind.EVENT), NOW)) == ""


def test_a_claimed_deadline_fails_the_task_through_retry_and_catch():
    run = Run()
    run.hand_over()
    head = lease(run.head, "t1", "timer", NOW + timedelta(minutes=1))
    later = NOW + timedelta(seconds=11)
    outcome, report = work(
        run.sm, head, head.tokens["t1"], run.values, lambda: later, lambda i: Succeeded(None)
    )
    decision = run.apply(advance(run.sm, head, "t1", outcome, later, run.values, report))
    assert run.head.status is Status.FAILED and run.head.error == "States.HeartbeatTimeout"
    assert [e.type for e in decision.events] == ["TaskFailed", "ExecutionFailed"]


@given(
    execution=st.text(min_size=1, max_size=120),
    token=st.from_regex(r"t[0-9]{1,5}", fullmatch=True),
    attempt=st.integers(min_value=1, max_value=10_000),
)
def test_a_task_token_names_its_attempt_and_only_its_secret_signs_it(execution, token, attempt):
    run = Run()
    head = replace(run.head, execution_id=execution)
    visit = replace(head.tokens["t1"], id=token, attempt=attempt)
    text = task_token(head, visit)
    read = read_task_token(text)
    assert read is not None
    named, signed = read
    assert (named.execution_id, named.token, named.attempt) == (execution, token, attempt)
    assert signed_by(head, signed)
    assert not signed_by(replace(head, secret="other"), signed)
    body, _, signature = text.partition(".")
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    assert not signed_by(head, f"{body}.{flipped}")


@given(st.text(max_size=300))
def test_reading_any_text_as_a_task_token_never_fails(text):
    read = read_task_token(text)
    assert read is None or isinstance(read[0].attempt, int)


@pytest.mark.parametrize(
    ("resource", "parameters", "problem"),
    [
        ("segue:approval", {"Message": 3}, "Message"),
        ("segue:approval", {"Approvers": "ann"}, "Approvers"),
        ("segue:approval", {"TimeoutSeconds": True}, "TimeoutSeconds"),
        ("segue:waitForEvent", {"CorrelationKey": "k"}, "EventName"),
        ("segue:waitForEvent", {"EventName": "e", "CorrelationKey": ""}, "CorrelationKey"),
        ("segue:waitForEvent", {"EventName": "e", "CorrelationKey": "k" * 300}, "CorrelationKey"),
    ],
)
def test_bad_parameters_of_segue_tasks_fail_with_a_clear_cause(resource, parameters, problem):
    result = segue_wait(Invoke(resource, parameters))
    assert isinstance(result, Failed) and result.error == "States.TaskFailed"
    assert problem in (result.cause or "")


def test_good_parameters_of_segue_tasks_say_what_to_wait_for():
    approval = segue_wait(Invoke("segue:approval", {"Message": "ok?", "TimeoutSeconds": 60}))
    assert approval == Await(WaitKind.APPROVAL, 60, None, {"message": "ok?", "approvers": []})
    event = segue_wait(Invoke("segue:waitForEvent", {"EventName": "e", "CorrelationKey": "k"}))
    assert event == Await(WaitKind.EVENT, None, None, {"name": "e", "key": "k"})
