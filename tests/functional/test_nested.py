"""Nested executions: `states:startExecution` with `.sync`, `.sync:2` and
`.waitForTaskToken`, the child's answer to its parent, and the cascade of cancel,
timeout, pause and resume from a parent to its running children."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from segue.asl import diagnose
from segue.service.sweeper import Sweeper
from tests.functional.harness import make_harness
from tests.unit.helpers import machine

START = "arn:aws:states:::states:startExecution"
ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:"
KID = machine({"P": {"Type": "Pass", "Parameters": {"done": True, "got.$": "$"}, "End": True}})
BAD = machine({"F": {"Type": "Fail", "Error": "Kid.Broke", "Cause": "it broke"}})
_NAMES = itertools.count()
SLOW = machine(  # waits for an approval: running until someone decides
    {
        "Ask": {
            "Type": "Task",
            "Resource": "segue:approval",
            "Parameters": {"Message": "go?"},
            "End": True,
        }
    }
)


def register(harness, name: str, definition: dict[str, Any]) -> None:
    status, answer = harness.request(
        "POST", "/state-machines", {"name": name, "definition": definition}
    )
    assert status in (200, 201), answer


def parent(child: str, suffix: str, **task: Any) -> dict[str, Any]:
    """One Task that starts `child` (named k1) and waits as `suffix` says; errors caught."""
    parameters = {"StateMachineArn": ARN + child, "Input": {"n": 1}, "Name": "k1"}
    return machine(
        {
            "Run": {
                "Type": "Task",
                "Resource": START + suffix,
                "Parameters": parameters,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
                **task,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )


def test_sync2_gives_the_childs_description_with_its_output_as_json(harness):
    register(harness, "kid", KID)
    document = harness.run("mom", parent("kid", ".sync:2"), {})
    assert document["status"] == "SUCCEEDED", document["cause"]
    output = document["output"]
    assert output["Status"] == "SUCCEEDED"
    assert output["Output"] == {"done": True, "got": {"n": 1}}
    assert output["Input"] == {"n": 1}
    assert output["ExecutionArn"] == "arn:aws:states:us-east-1:123456789012:execution:kid:k1"
    assert output["StateMachineArn"] == ARN + "kid" and output["Name"] == "k1"
    assert output["InputDetails"] == output["OutputDetails"] == {"Included": True}
    assert isinstance(output["StartDate"], int) and output["StopDate"] >= output["StartDate"]
    types = [e["type"] for e in harness.history("mom:" + document["name"])]
    assert types.count("TaskSubmitted") == 1 and types.count("TaskSucceeded") == 1
    assert document["children"] == [
        {"executionId": "kid:k1", "state": "Run", "status": "SUCCEEDED"}
    ]
    assert harness.describe("kid:k1")["parent"] == {
        "executionId": document["executionId"],
        "waits": True,
    }


def test_sync_gives_the_input_and_output_as_json_text(harness):
    register(harness, "kid", KID)
    document = harness.run("mom", parent("kid", ".sync"), {})
    assert document["status"] == "SUCCEEDED", document["cause"]
    assert json.loads(document["output"]["Output"]) == {"done": True, "got": {"n": 1}}
    assert document["output"]["Input"] == '{"n":1}'


def test_a_failed_child_fails_the_task_with_states_task_failed_and_its_description(harness):
    register(harness, "bad", BAD)
    document = harness.run("mom", parent("bad", ".sync:2"), {})
    assert document["status"] == "SUCCEEDED"  # through the Catch
    assert document["output"]["Error"] == "States.TaskFailed"
    cause = json.loads(document["output"]["Cause"])
    assert cause["Status"] == "FAILED" and cause["Error"] == "Kid.Broke"
    assert cause["Cause"] == "it broke" and "Output" not in cause
    assert document["children"][0]["status"] == "FAILED"


def test_a_fire_and_forget_start_names_its_parent_when_the_input_says_so(harness):
    register(harness, "kid", KID)
    definition = machine(
        {
            "Run": {
                "Type": "Task",
                "Resource": START,
                "Parameters": {
                    "StateMachineArn": ARN + "kid",
                    "Name": "k1",
                    "Input": {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"},
                },
                "End": True,
            }
        }
    )
    document = harness.run("mom", definition, {})
    assert document["status"] == "SUCCEEDED", document["cause"]
    assert set(document["output"]) == {"ExecutionArn", "StartDate"}
    assert harness.describe("kid:k1")["parent"]["executionId"] == document["executionId"]
    assert harness.describe("kid:k1")["parent"]["waits"] is False
    assert [c["executionId"] for c in document["children"]] == ["kid:k1"]


def test_cancelling_the_parent_cancels_its_running_child(harness):
    register(harness, "slow", SLOW)
    mom = harness.start("mom", parent("slow", ".sync:2"), {})
    harness.drain()
    assert harness.describe("slow:k1")["status"] == "WAITING"
    status, answer = harness.operate("cancel", mom, {"reason": "enough"})
    assert status == 200, answer
    harness.drain()
    assert harness.describe(mom)["status"] == "CANCELLED"
    kid = harness.describe("slow:k1")
    assert kid["status"] == "CANCELLED"


def test_a_sync_task_that_times_out_cancels_its_child(harness):
    register(harness, "slow", SLOW)
    mom = harness.start("mom", parent("slow", ".sync:2", TimeoutSeconds=30), {})
    harness.drain()
    harness.clock.advance(31)
    Sweeper(harness.services).sweep()
    harness.drain()
    document = harness.describe(mom)
    assert document["status"] == "SUCCEEDED" and document["output"]["Error"] == "States.Timeout"
    assert harness.describe("slow:k1")["status"] == "CANCELLED"


def test_pausing_the_parent_pauses_its_child_and_resuming_it_resumes_both(harness):
    register(harness, "slow", SLOW)
    mom = harness.start("mom", parent("slow", ".sync:2"), {})
    harness.drain()
    status, answer = harness.operate("pause", mom, {"reason": "look"})
    assert (status, answer) == (202, {"status": "PAUSED"})
    kid = harness.describe("slow:k1")
    assert kid["status"] == "PAUSED"
    assert kid["pause"]["reason"] == f"with its parent {mom}: look"
    assert kid["pause"]["autoResumeAt"] is None  # it resumes with its parent
    status, answer = harness.operate("resume", mom, {"reason": "go on"})
    assert status == 200, answer
    assert harness.describe("slow:k1")["status"] == "WAITING"
    (approval,) = harness.request("GET", "/approvals")[1]["items"]
    status, answer = harness.request("POST", f"/approvals/{approval['approvalId']}/approve", {})
    assert status == 200, answer
    harness.drain()
    assert harness.describe("slow:k1")["status"] == "SUCCEEDED"
    assert harness.describe(mom)["status"] == "SUCCEEDED"


def test_a_child_that_ends_while_its_parent_is_paused_is_kept_for_the_resume(harness):
    register(harness, "slow", SLOW)
    definition = parent("slow", ".sync:2")
    run = definition["States"]["Run"]
    del run["End"]
    definition["States"] |= {"Run": run | {"Next": "After"}, "After": {"Type": "Pass", "End": True}}
    mom = harness.start("mom", definition, {})
    harness.drain()
    harness.operate("pause", mom)
    harness.operate("resume", "slow:k1", {"reason": "only the child"})
    (approval,) = harness.request("GET", "/approvals")[1]["items"]
    harness.request("POST", f"/approvals/{approval['approvalId']}/approve", {})
    harness.drain()
    assert harness.describe("slow:k1")["status"] == "SUCCEEDED"
    assert harness.describe(mom)["status"] == "PAUSED"  # the answer waits, parked
    harness.operate("resume", mom)
    harness.drain()
    assert harness.describe(mom)["status"] == "SUCCEEDED"
    assert harness.describe(mom)["output"]["Status"] == "SUCCEEDED"


def test_an_answer_lost_in_a_crash_is_given_again_by_the_sweeper(harness):
    register(harness, "slow", SLOW)
    mom = harness.start("mom", parent("slow", ".sync:2"), {})
    harness.drain()
    children = harness.services.effects.children
    harness.services.effects.children = None  # the child's end commits, its answer is lost
    try:
        (approval,) = harness.request("GET", "/approvals")[1]["items"]
        harness.request("POST", f"/approvals/{approval['approvalId']}/approve", {})
        harness.drain()
    finally:
        harness.services.effects.children = children
    assert harness.describe("slow:k1")["status"] == "SUCCEEDED"
    assert harness.describe(mom)["status"] == "WAITING"
    harness.clock.advance(120)
    outcomes = Sweeper(harness.services).sweep()
    assert outcomes.get("answered") == 1, outcomes
    harness.drain()
    assert harness.describe(mom)["status"] == "SUCCEEDED"
    assert Sweeper(harness.services).sweep()["due"] == 0  # looked at once, then left


def test_a_sync_task_answered_through_its_token_first_ends_with_that_answer(harness):
    register(harness, "slow", SLOW)
    definition = parent("slow", ".sync:2")
    definition["States"]["Run"]["Parameters"]["Input"] = {"token.$": "$$.Task.Token"}
    mom = harness.start("mom", definition, {})
    harness.drain()
    token = harness.describe("slow:k1")["input"]["token"]
    status, answer = harness.request(
        "POST", "/tasks/success", {"taskToken": token, "output": {"by": "hand"}}
    )
    assert status == 200, answer
    harness.drain()
    assert harness.describe(mom)["output"] == {"by": "hand"}
    assert harness.describe("slow:k1")["status"] == "CANCELLED"  # no task waits for it


@pytest.mark.parametrize("suffix", [".sync", ".sync:2", ".waitForTaskToken", ""])
def test_start_execution_is_valid_with_each_pattern(suffix):
    task = {"Type": "Task", "Resource": START + suffix, "Parameters": {}, "End": True}
    assert diagnose(machine({"T": task}))[1] == []


@pytest.mark.parametrize("suffix", [".sync:3", ".async"])
def test_other_patterns_of_start_execution_are_refused_by_name(suffix):
    task = {"Type": "Task", "Resource": START + suffix, "End": True}
    _, found = diagnose(machine({"T": task}))
    assert [d.path for d in found] == ["/States/T/Resource"]
    assert f"states:startExecution{suffix}" in found[0].message


FIXABLE = machine(
    {
        "Fix": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:fixable",
            "Parameters": {"key": "nested"},
            "End": True,
        }
    }
)


def test_redriving_the_parent_redrives_its_failed_child_instead_of_starting_another(harness):
    from tests.functional import lambdas

    register(harness, "fixable", FIXABLE)
    definition = parent("fixable", ".sync:2")
    del definition["States"]["Run"]["Catch"], definition["States"]["Caught"]
    mom = harness.run("mom", definition, {})["executionId"]
    assert harness.describe(mom)["status"] == "FAILED"
    assert harness.describe("fixable:k1")["status"] == "FAILED"
    lambdas.FIXED.add("nested")
    try:
        status, answer = harness.operate("redrive", mom)
        assert status == 200, answer
        harness.drain()
    finally:
        lambdas.FIXED.discard("nested")
    document = harness.describe(mom)
    assert document["status"] == "SUCCEEDED", document
    assert document["output"]["Output"] == {"key": "nested", "fixed": True}
    kid = [e["type"] for e in harness.history("fixable:k1")]
    assert kid.count("ExecutionRedriven") == 1 and kid.count("ExecutionStarted") == 1
    assert [c["executionId"] for c in document["children"]] == ["fixable:k1"]


def test_a_retried_sync_task_finds_its_ended_child_by_name_and_takes_its_answer(harness):
    register(harness, "kid", KID)
    first = harness.run("first", parent("kid", ".sync:2"), {})
    assert first["output"]["Status"] == "SUCCEEDED"
    second = harness.run("second", parent("kid", ".sync:2"), {})  # same child name, k1
    assert second["status"] == "SUCCEEDED", second
    assert second["output"]["Output"] == first["output"]["Output"]
    assert harness.describe("kid:k1")["parent"]["executionId"] == first["executionId"]


TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"}
OPERATIONS = st.lists(
    st.sampled_from(["pause", "resume", "cancel", "approve", "drain"]), max_size=8
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=OPERATIONS)
@example(operations=["pause"])
@example(operations=["cancel"])
def test_no_child_outlives_or_outruns_its_parent_whatever_the_operators_do(harness, operations):
    """Any interleaving of the parent's pause, resume and cancel with the child's progress
    ends with the child ended, or paused with its parent, or both running: never a child
    still running under a parent that ended or is paused."""
    if "slow" not in {m["name"] for m in harness.request("GET", "/state-machines")[1]["items"]}:
        register(harness, "slow", SLOW)
    definition = parent("slow", ".sync:2")
    name = f"k{next(_NAMES)}"
    definition["States"]["Run"]["Parameters"]["Name"] = name
    mom = harness.start("mom", definition, {})
    kid = f"slow:{name}"
    harness.drain()  # the child has started and waits
    for operation in operations:
        if operation == "drain":
            harness.drain()
        elif operation == "approve":
            pending = harness.request("GET", "/approvals", query={"status": "PENDING"})[1]
            for approval in pending["items"]:
                if approval["executionId"] == kid:
                    harness.request("POST", f"/approvals/{approval['approvalId']}/approve", {})
        else:
            harness.operate(operation, mom)
    harness.drain()
    status = harness.describe(mom)["status"]
    child = harness.describe(kid)["status"]
    if status in TERMINAL:
        assert child in TERMINAL, (operations, status, child)
    elif status == "PAUSED":
        assert child in TERMINAL | {"PAUSED"}, (operations, status, child)


def test_a_task_may_name_the_child_state_machine_by_name_alone(harness):
    register(harness, "kid", KID)
    definition = parent("kid", ".sync:2")
    definition["States"]["Run"]["Parameters"]["StateMachineArn"] = "kid"
    document = harness.run("mom", definition, {})
    assert document["output"]["StateMachineArn"] == ARN + "kid", document
    assert document["output"]["Status"] == "SUCCEEDED"


def test_the_jsonata_form_starts_and_waits_for_the_child_too(harness):
    register(harness, "kid", KID)
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Run",
        "States": {
            "Run": {
                "Type": "Task",
                "Resource": START + ".sync:2",
                "Arguments": {"StateMachineArn": "kid", "Input": "{% $states.input %}"},
                "Output": "{% $states.result.Output %}",
                "End": True,
            }
        },
    }
    document = harness.run("mom", definition, {"n": 7})
    assert document["output"] == {"done": True, "got": {"n": 7}}, document


def test_a_running_child_found_again_by_name_answers_the_task_that_found_it(harness):
    register(harness, "slow", SLOW)
    first = harness.start("first", parent("slow", ".sync:2"), {})
    harness.drain()
    second = harness.start("second", parent("slow", ".sync:2"), {})  # the same Name, k1
    harness.drain()
    assert harness.describe("slow:k1")["parent"]["executionId"] == second
    (approval,) = harness.request("GET", "/approvals")[1]["items"]
    harness.request("POST", f"/approvals/{approval['approvalId']}/approve", {})
    harness.drain()
    assert harness.describe(second)["output"]["Status"] == "SUCCEEDED"
    assert harness.describe(first)["status"] == "WAITING"  # one child answers one task
    kid = [e["type"] for e in harness.history("slow:k1")]
    assert kid.count("ExecutionStarted") == 1


@pytest.fixture
def scheduled(aws, monkeypatch):
    """Every wake-up through a schedule, so the test moves the clock instead of sleeping."""
    return make_harness(
        monkeypatch, SEGUE_MAX_QUEUE_DELAY_SECONDS="0", SEGUE_TIMER_LEAD_SECONDS="0"
    )


def test_a_parent_that_times_out_cancels_its_running_child(scheduled):
    register(scheduled, "slow", SLOW)
    definition = parent("slow", ".sync:2") | {"TimeoutSeconds": 60}
    mom = scheduled.start("mom", definition, {})
    scheduled.drain()
    assert scheduled.describe("slow:k1")["status"] == "WAITING"
    scheduled.clock.advance(61)
    scheduled.scheduler.fire_due()
    scheduled.drain()
    assert scheduled.describe(mom)["status"] == "TIMED_OUT"
    assert scheduled.describe("slow:k1")["status"] == "CANCELLED"
