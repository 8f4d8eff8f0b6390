"""Callback tasks (`.waitForTaskToken`) on moto, through the real api, worker and timer handlers.

Deadlines run on the harness's clock: every wake-up goes through a schedule (the queue's
delay is set to nothing), and the tests move the clock and fire due schedules instead
of sleeping.
"""

from __future__ import annotations

import json

import pytest

from tests.functional import lambdas
from tests.functional.harness import make_harness
from tests.unit.helpers import machine

HAND_OVER = "arn:aws:states:::lambda:invoke.waitForTaskToken"


@pytest.fixture
def harness(aws, monkeypatch):
    lambdas.HANDED.clear()
    lambdas.DURING.clear()
    lambdas.ANSWERS.clear()
    return make_harness(
        monkeypatch, SEGUE_MAX_QUEUE_DELAY_SECONDS="0", SEGUE_TIMER_LEAD_SECONDS="0"
    )


def callback(key: str = "k", **fields):
    payload = {"token.$": "$$.Task.Token", "key": key, "n.$": "$.n"}
    return {
        "Type": "Task",
        "Resource": HAND_OVER,
        "Parameters": {"FunctionName": "hand_over", "Payload": payload},
        **fields,
    }


ASK = machine(
    {
        "Ask": callback(
            Next="Done",
            Catch=[{"ErrorEquals": ["Nope"], "ResultPath": "$.error", "Next": "Handled"}],
        ),
        "Done": {"Type": "Pass", "End": True},
        "Handled": {"Type": "Pass", "Result": "handled", "End": True},
    }
)


def waiting(harness, name: str, definition=ASK) -> tuple[str, str]:
    """Start `definition` and run it to its wait; (execution id, the task token handed out)."""
    execution_id = harness.start("ask", definition, {"n": 1}, name=name)
    harness.drain()
    assert harness.describe(execution_id)["status"] == "WAITING"
    return execution_id, lambdas.HANDED[-1]["token"]


def tick(harness, seconds: float) -> None:
    """Move the clock, fire what came due, and run the work it released."""
    harness.clock.advance(seconds)
    harness.scheduler.fire_due()
    harness.drain()


def test_success_gives_the_task_its_output(harness):
    execution_id, token = waiting(harness, "yes")
    document = harness.describe(execution_id)
    assert document["waits"] == [{"kind": "callback", "state": "Ask", "dueAt": None}]

    status, _ = harness.request("POST", "/tasks/success", {"taskToken": token, "output": {"a": 1}})
    assert status == 200
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED" and document["output"] == {"a": 1}
    types = [e["type"] for e in harness.history(execution_id)]
    assert types.count("TaskSubmitted") == 1 and types.count("TaskSucceeded") == 1


def test_failure_is_caught_by_catch(harness):
    execution_id, token = waiting(harness, "no")
    body = {"taskToken": token, "error": "Nope", "cause": "said no"}
    assert harness.request("POST", "/tasks/failure", body)[0] == 200
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED" and document["output"] == "handled"


def test_a_token_used_twice_is_a_conflict_and_changes_nothing(harness):
    execution_id, token = waiting(harness, "twice")
    harness.request("POST", "/tasks/success", {"taskToken": token, "output": 1})
    status, answer = harness.request("POST", "/tasks/success", {"taskToken": token, "output": 2})
    assert status == 409, answer
    assert harness.request("POST", "/tasks/heartbeat", {"taskToken": token})[0] == 409
    harness.drain()
    assert harness.describe(execution_id)["output"] == 1


def test_unknown_and_forged_tokens_are_not_found(harness):
    execution_id, token = waiting(harness, "forged")
    body, _, signature = token.partition(".")
    forged = f"{body}.{'0' * len(signature)}"
    for bad in (forged, "not-a-token", body, "e30.abc"):
        status, answer = harness.request("POST", "/tasks/success", {"taskToken": bad})
        assert status == 404, (bad, answer)
    assert harness.request("POST", "/tasks/success", {"output": 1})[0] == 400
    assert harness.describe(execution_id)["status"] == "WAITING"


def test_the_task_times_out_with_states_timeout(harness):
    definition = machine({"Ask": callback(End=True, TimeoutSeconds=30)})
    execution_id, token = waiting(harness, "slow", definition)
    due = harness.describe(execution_id)["waits"][0]["dueAt"]
    tick(harness, 25)  # (real time passes too: leave it room)
    assert harness.describe(execution_id)["status"] == "WAITING"
    tick(harness, 6)
    document = harness.describe(execution_id)
    assert document["status"] == "FAILED" and document["error"] == "States.Timeout"
    timed_out = next(e for e in harness.history(execution_id) if e["type"] == "TaskFailed")
    assert timed_out["timestamp"] >= due
    status, _ = harness.request("POST", "/tasks/success", {"taskToken": token, "output": 1})
    assert status == 409


def test_heartbeats_keep_the_task_alive_until_they_stop(harness):
    definition = machine({"Ask": callback(End=True, TimeoutSeconds=300, HeartbeatSeconds=10)})
    execution_id, token = waiting(harness, "beating", definition)
    for _ in range(3):
        tick(harness, 6)
        assert harness.request("POST", "/tasks/heartbeat", {"taskToken": token})[0] == 200
    tick(harness, 6)  # the first deadlines have passed, but a heartbeat moved each
    assert harness.describe(execution_id)["status"] == "WAITING"
    tick(harness, 5)
    document = harness.describe(execution_id)
    assert document["status"] == "FAILED" and document["error"] == "States.HeartbeatTimeout"


def test_a_callback_that_comes_before_the_wait_is_committed_is_kept(harness):
    def answer_at_once(event):
        body = {"taskToken": event["token"], "output": {"early": True}}
        return harness.request("POST", "/tasks/success", body)

    lambdas.DURING["early"] = answer_at_once
    definition = machine({"Ask": callback("early", End=True)})
    execution_id = harness.start("early", definition, {"n": 1}, name="one")
    harness.drain()
    assert lambdas.ANSWERS["early"][0] == 200  # answered while the task still ran
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED" and document["output"] == {"early": True}


def test_a_failing_hand_over_fails_the_task_at_once(harness):
    definition = machine(
        {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "http://nowhere/1/none", "MessageBody": "x"},
                "End": True,
            }
        }
    )
    document = harness.run("nowhere", definition, {})
    assert document["status"] == "FAILED" and document["error"].startswith("SQS.")


def test_a_callback_through_sqs_carries_the_token_in_the_message(harness):
    sqs = harness.sqs
    url = sqs.create_queue(QueueName="asks")["QueueUrl"]
    definition = machine(
        {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        }
    )
    execution_id = harness.start("via-sqs", definition, {}, name="one")
    harness.drain()
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    token = json.loads(message["Body"])["token"]
    harness.request("POST", "/tasks/success", {"taskToken": token, "output": "answered"})
    harness.drain()
    assert harness.describe(execution_id)["output"] == "answered"


def test_a_callback_while_paused_is_kept_and_what_follows_waits_for_resume(harness):
    execution_id, token = waiting(harness, "paused")
    assert harness.operate("pause", execution_id)[1] == {"status": "PAUSED"}
    assert harness.request("POST", "/tasks/success", {"taskToken": token, "output": 5})[0] == 200
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "PAUSED"
    assert [s["name"] for s in document["completedStates"]] == ["Ask"]
    assert [(s["name"], s["status"]) for s in document["currentStates"]] == [("Done", "PARKED")]
    harness.operate("resume", execution_id)
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED" and document["output"] == 5


def test_a_result_written_again_by_a_retried_call_is_still_the_callers(harness):
    """A write whose answer was lost is retried by botocore: the retry finds its own result."""
    waits = harness.services.waits
    assert waits.put_outcome("sm:x", "t1", 1, "i:1", 0)
    assert waits.put_outcome("sm:x", "t1", 1, "i:1", 0)  # the same write again: still ours
    assert not waits.put_outcome("sm:x", "t1", 1, "i:2", 0)  # another result: the token is used
    assert waits.get_outcome("sm:x", "t1", 1) == "i:1"
