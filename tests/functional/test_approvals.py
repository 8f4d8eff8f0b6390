"""Approvals (`segue:approval`) on moto, through the real api, worker and timer handlers."""

from __future__ import annotations

import pytest

from tests.functional.harness import make_harness
from tests.unit.helpers import machine


@pytest.fixture
def harness(aws, monkeypatch):
    return make_harness(
        monkeypatch, SEGUE_MAX_QUEUE_DELAY_SECONDS="0", SEGUE_TIMER_LEAD_SECONDS="0"
    )


def approval(**fields):
    parameters = {"Message.$": "States.Format('Ship order {}?', $.orderId)"}
    parameters |= fields.pop("parameters", {})
    return {"Type": "Task", "Resource": "segue:approval", "Parameters": parameters, **fields}


SHIP = machine(
    {
        "Approve": approval(ResultPath="$.approval", Next="Ship"),
        "Ship": {"Type": "Pass", "End": True},
    }
)
CAUGHT = machine(
    {
        "Approve": approval(
            Next="Ship",
            Catch=[
                {"ErrorEquals": ["Segue.ApprovalRejected"], "ResultPath": "$.no", "Next": "Stop"}
            ],
        ),
        "Ship": {"Type": "Pass", "End": True},
        "Stop": {"Type": "Pass", "End": True},
    }
)


def pending(harness) -> list[dict]:
    status, answer = harness.request("GET", "/approvals", query={"status": "PENDING"})
    assert status == 200, answer
    return list(answer["items"])


def waiting(harness, name: str, definition=SHIP) -> tuple[str, str]:
    execution_id = harness.start("ship", definition, {"orderId": name}, name=name)
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "WAITING"
    (wait,) = document["waits"]
    assert wait["kind"] == "approval"
    return execution_id, wait["key"]


def test_approve_gives_the_task_the_decision(harness):
    execution_id, approval_id = waiting(harness, "o-1")
    (listed,) = pending(harness)
    assert listed["approvalId"] == approval_id and listed["message"] == "Ship order o-1?"
    assert listed["executionId"] == execution_id and listed["state"] == "Approve"

    body = {"comment": "fine", "data": {"carrier": "ups"}}
    status, answer = harness.request(
        "POST", f"/approvals/{approval_id}/approve", body, headers={"X-Segue-User": "ann"}
    )
    assert status == 200 and answer["status"] == "APPROVED", answer
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED"
    assert document["output"]["approval"] == {
        "approved": True,
        "by": "ann",
        "comment": "fine",
        "data": {"carrier": "ups"},
    }
    assert pending(harness) == []
    again = harness.request("POST", f"/approvals/{approval_id}/reject", {})
    assert again[0] == 409


def test_a_caught_rejection_takes_the_catch(harness):
    execution_id, approval_id = waiting(harness, "o-2", CAUGHT)
    harness.request("POST", f"/approvals/{approval_id}/reject", {"by": "bob", "comment": "no"})
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED"
    assert document["output"]["no"]["Error"] == "Segue.ApprovalRejected"


def test_an_uncaught_rejection_fails_the_execution(harness):
    execution_id, approval_id = waiting(harness, "o-3")
    harness.request("POST", f"/approvals/{approval_id}/reject", {"comment": "no"})
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "FAILED" and document["error"] == "Segue.ApprovalRejected"
    status, answer = harness.request("GET", "/approvals", query={"status": "REJECTED"})
    assert [a["approvalId"] for a in answer["items"]] == [approval_id]


def test_an_approval_decided_while_paused_is_applied_at_resume(harness):
    execution_id, approval_id = waiting(harness, "o-4")
    assert harness.operate("pause", execution_id)[1] == {"status": "PAUSED"}
    assert harness.request("POST", f"/approvals/{approval_id}/approve", {})[0] == 200
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "PAUSED"
    assert [(s["name"], s["status"]) for s in document["currentStates"]] == [("Ship", "PARKED")]
    harness.operate("resume", execution_id)
    harness.drain()
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"


def test_an_approval_times_out(harness):
    definition = machine({"Approve": approval(parameters={"TimeoutSeconds": 60}, End=True)})
    execution_id, approval_id = waiting(harness, "o-5", definition)
    harness.clock.advance(61)
    harness.scheduler.fire_due()
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "FAILED" and document["error"] == "States.Timeout"
    assert pending(harness) == []
    status, answer = harness.request("GET", "/approvals", query={"status": "TIMED_OUT"})
    assert [a["approvalId"] for a in answer["items"]] == [approval_id]
    assert harness.request("POST", f"/approvals/{approval_id}/approve", {})[0] == 409


def test_cancel_closes_the_approval(harness):
    execution_id, approval_id = waiting(harness, "o-6")
    harness.operate("cancel", execution_id)
    assert pending(harness) == []
    assert harness.request("POST", f"/approvals/{approval_id}/approve", {})[0] == 409


def test_bad_approval_requests_are_refused(harness):
    assert harness.request("POST", "/approvals/ap-unknown/approve", {})[0] == 404
    assert harness.request("GET", "/approvals", query={"status": "MAYBE"})[0] == 400
    _, approval_id = waiting(harness, "o-7")
    assert harness.request("POST", f"/approvals/{approval_id}/approve", "[1]")[0] == 400
    assert harness.request("POST", f"/approvals/{approval_id}/perhaps", {})[0] == 404
    assert len(pending(harness)) == 1


def test_bad_parameters_fail_the_task_with_a_clear_cause(harness):
    definition = machine({"Approve": approval(parameters={"TimeoutSeconds": "soon"}, End=True)})
    document = harness.run("bad", definition, {"orderId": "x"})
    assert document["status"] == "FAILED" and document["error"] == "States.TaskFailed"
    assert "TimeoutSeconds" in document["cause"]
