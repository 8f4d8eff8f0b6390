"""The Step Functions API through boto3's own client, in-process against the api handler."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError

from tests.conformance.cases import invalid_definitions
from tests.functional import lambdas
from tests.functional.harness import make_harness
from tests.functional.sfn_client import definition, step_functions_client

ROLE = "arn:aws:iam::123456789012:role/anything"
SM = "arn:aws:states:us-east-1:123456789012:stateMachine:"
EX = "arn:aws:states:us-east-1:123456789012:execution:"
PASS = definition({"P": {"Type": "Pass", "Result": {"done": True}, "End": True}})


@pytest.fixture
def harness(aws, monkeypatch):
    """Wake-ups go through schedules (no delayed messages), so the queue drains at once."""
    return make_harness(
        monkeypatch,
        SEGUE_MAX_QUEUE_DELAY_SECONDS="0",
        SEGUE_TIMER_LEAD_SECONDS="0",
        SEGUE_ACTIVITY_POLL_SECONDS="1",
    )


@pytest.fixture
def sfn(harness):
    return step_functions_client(harness.api.handler)


def code(error: ClientError) -> str:
    return error.response["Error"]["Code"]


def test_a_state_machine_is_created_described_listed_and_deleted(sfn):
    created = sfn.create_state_machine(name="hello", definition=PASS, roleArn=ROLE)
    assert created["stateMachineArn"] == SM + "hello"
    again = sfn.create_state_machine(name="hello", definition=PASS, roleArn=ROLE)
    assert again["stateMachineArn"] == SM + "hello"
    described = sfn.describe_state_machine(stateMachineArn=SM + "hello")
    assert described["name"] == "hello"
    assert json.loads(described["definition"]) == json.loads(PASS)
    assert described["roleArn"] == ROLE
    assert described["status"] == "ACTIVE"
    names = [m["name"] for m in sfn.list_state_machines()["stateMachines"]]
    assert names == ["hello"]
    sfn.delete_state_machine(stateMachineArn=SM + "hello")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=SM + "hello")


def test_creating_another_definition_under_a_taken_name_is_refused(sfn):
    sfn.create_state_machine(name="hello", definition=PASS, roleArn=ROLE)
    other = definition({"Q": {"Type": "Pass", "End": True}})
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists):
        sfn.create_state_machine(name="hello", definition=other, roleArn=ROLE)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "bad name", "InvalidName"),
        ("definition", "{not json", "InvalidDefinition"),
        ("definition", json.dumps({"StartAt": "Nowhere", "States": {}}), "InvalidDefinition"),
        ("roleArn", "not-an-arn", "InvalidArn"),
        ("name", "x" * 81, "ValidationException"),
    ],
)
def test_a_bad_state_machine_is_refused_as_aws_refuses_it(sfn, field, value, error):
    request = {"name": "ok", "definition": PASS, "roleArn": ROLE} | {field: value}
    with pytest.raises(ClientError) as refused:
        sfn.create_state_machine(**request)
    assert code(refused.value) == error
    assert sfn.list_state_machines()["stateMachines"] == []


RECORDED_REFUSALS = invalid_definitions("jsonata")


@pytest.mark.parametrize("refusal", RECORDED_REFUSALS, ids=[r["name"] for r in RECORDED_REFUSALS])
def test_a_recorded_refusal_of_a_jsonata_definition_is_answered_as_aws_answered(sfn, refusal):
    expected, text = refusal["expected_error"], json.dumps(refusal["definition"])
    if expected["api"] == "CreateStateMachine":
        with pytest.raises(ClientError) as refused:
            sfn.create_state_machine(name="refused", definition=text, roleArn=ROLE)
        assert code(refused.value) == expected["code"]
        assert refused.value.response["Error"]["Message"] == expected["message"]
        assert sfn.list_state_machines()["stateMachines"] == []
    else:
        answer = sfn.validate_state_machine_definition(
            definition=text, type=refusal["state_machine_type"]
        )
        assert answer["result"] == expected["result"]
        assert answer["diagnostics"] == expected["diagnostics"]


def test_the_recorded_refusals_are_there():
    assert len(RECORDED_REFUSALS) == 5


def test_an_execution_runs_and_reads_as_on_aws(sfn, harness):
    sfn.create_state_machine(name="hello", definition=PASS, roleArn=ROLE)
    started = sfn.start_execution(stateMachineArn=SM + "hello", name="one", input='{"a": 1}')
    assert started["executionArn"] == EX + "hello:one"
    assert harness.drain() == 0  # a lone Pass state ends within its start
    described = sfn.describe_execution(executionArn=EX + "hello:one")
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["input"]) == {"a": 1}
    assert json.loads(described["output"]) == {"done": True}
    assert described["stopDate"] >= described["startDate"]
    history = sfn.get_execution_history(executionArn=EX + "hello:one")["events"]
    assert [(e["id"], e["previousEventId"], e["type"]) for e in history] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "ExecutionSucceeded"),
    ]
    assert history[0]["executionStartedEventDetails"]["roleArn"] == ROLE
    listed = sfn.list_executions(stateMachineArn=SM + "hello")["executions"]
    assert [(e["name"], e["status"]) for e in listed] == [("one", "SUCCEEDED")]


def test_the_same_name_and_input_answer_the_same_execution(sfn):
    sfn.create_state_machine(name="hello", definition=PASS, roleArn=ROLE)
    first = sfn.start_execution(stateMachineArn=SM + "hello", name="one", input="{}")
    second = sfn.start_execution(stateMachineArn=SM + "hello", name="one", input="{}")
    assert first["executionArn"] == second["executionArn"]
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=SM + "hello", name="one", input='{"other": 1}')


@pytest.mark.parametrize(
    ("request_", "error"),
    [
        ({"stateMachineArn": SM + "nobody"}, "StateMachineDoesNotExist"),
        ({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:activity:x"}, "InvalidArn"),
        ({"stateMachineArn": "nonsense"}, "InvalidArn"),
        ({"stateMachineArn": SM + "hello", "input": "{nope"}, "InvalidExecutionInput"),
        ({"stateMachineArn": SM + "hello", "name": "a/b"}, "InvalidName"),
    ],
)
def test_a_bad_start_is_refused_as_aws_refuses_it(sfn, request_, error):
    sfn.create_state_machine(name="hello", definition=PASS, roleArn=ROLE)
    with pytest.raises(ClientError) as refused:
        sfn.start_execution(**request_)
    assert code(refused.value) == error


def test_an_unknown_execution_is_execution_does_not_exist(sfn):
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.describe_execution(executionArn=EX + "hello:nobody")
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.get_execution_history(executionArn=EX + "hello:nobody")


def test_stop_execution_aborts_with_error_and_cause(sfn, harness):
    waiting = definition({"W": {"Type": "Wait", "Seconds": 3600, "End": True}})
    sfn.create_state_machine(name="slow", definition=waiting, roleArn=ROLE)
    sfn.start_execution(stateMachineArn=SM + "slow", name="one")
    harness.drain()
    stopped = sfn.stop_execution(executionArn=EX + "slow:one", error="Oops", cause="by hand")
    assert stopped["stopDate"]
    described = sfn.describe_execution(executionArn=EX + "slow:one")
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "Oops",
        "by hand",
    )
    last = sfn.get_execution_history(executionArn=EX + "slow:one", reverseOrder=True)["events"][0]
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {"error": "Oops", "cause": "by hand"}


def test_history_pages_forwards_and_backwards(sfn, harness):
    chain: dict[str, Any] = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(5)}
    chain["S5"] = {"Type": "Pass", "End": True}
    sfn.create_state_machine(name="chain", definition=definition(chain), roleArn=ROLE)
    sfn.start_execution(stateMachineArn=SM + "chain", name="one")
    harness.drain()
    paginator = sfn.get_paginator("get_execution_history")
    forwards = [
        e["id"]
        for page in paginator.paginate(
            executionArn=EX + "chain:one", PaginationConfig={"PageSize": 5}
        )
        for e in page["events"]
    ]
    assert forwards == list(range(1, 15))
    backwards = sfn.get_execution_history(
        executionArn=EX + "chain:one", reverseOrder=True, maxResults=3
    )
    assert [e["id"] for e in backwards["events"]] == [14, 13, 12]
    assert backwards["nextToken"]
    bare = sfn.get_execution_history(executionArn=EX + "chain:one", includeExecutionData=False)
    assert "input" not in bare["events"][0]["executionStartedEventDetails"]


def test_a_bad_page_token_and_page_size_are_refused(sfn):
    sfn.create_state_machine(name="hello", definition=PASS, roleArn=ROLE)
    with pytest.raises(ClientError) as refused:
        sfn.list_executions(stateMachineArn=SM + "hello", nextToken="forged")
    assert code(refused.value) == "InvalidToken"
    with pytest.raises(ClientError) as refused:
        sfn.list_executions(stateMachineArn=SM + "hello", maxResults=1001)
    assert code(refused.value) == "ValidationException"
    assert "less than or equal to 1000" in refused.value.response["Error"]["Message"]


def test_an_unknown_operation_is_unknown_operation_exception(sfn):
    with pytest.raises(ClientError) as refused:
        sfn.describe_state_machine_alias(
            stateMachineAliasArn="arn:aws:states:us-east-1:123456789012:stateMachine:m:live"
        )
    assert code(refused.value) == "UnknownOperationException"


def test_task_callbacks_answer_as_aws(sfn, harness):
    lambdas.HANDED.clear()
    payload = {"token.$": "$$.Task.Token", "key": "sfn"}
    ask = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "hand_over", "Payload": payload},
        "End": True,
    }
    sfn.create_state_machine(name="cb", definition=definition({"Ask": ask}), roleArn=ROLE)
    sfn.start_execution(stateMachineArn=SM + "cb", name="one")
    harness.drain()
    token = lambdas.HANDED[-1]["token"]
    with pytest.raises(sfn.exceptions.InvalidOutput):
        sfn.send_task_success(taskToken=token, output="{nope")
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_success(taskToken="made-up", output="{}")
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")  # well formed, not signed
    with pytest.raises(sfn.exceptions.TaskDoesNotExist):
        sfn.send_task_success(taskToken=forged, output="{}")
    sfn.send_task_heartbeat(taskToken=token)
    sfn.send_task_success(taskToken=token, output='{"ok": true}')
    harness.drain()
    described = sfn.describe_execution(executionArn=EX + "cb:one")
    assert json.loads(described["output"]) == {"ok": True}
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_success(taskToken=token, output="{}")


def test_tags_are_kept_listed_and_removed(sfn):
    tags = [{"key": "team", "value": "ops"}, {"key": "tier", "value": "1"}]
    sfn.create_state_machine(name="hello", definition=PASS, roleArn=ROLE, tags=tags)
    sfn.tag_resource(resourceArn=SM + "hello", tags=[{"key": "tier", "value": "2"}])
    listed = sfn.list_tags_for_resource(resourceArn=SM + "hello")["tags"]
    assert listed == [{"key": "team", "value": "ops"}, {"key": "tier", "value": "2"}]
    sfn.untag_resource(resourceArn=SM + "hello", tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=SM + "hello")["tags"] == [
        {"key": "tier", "value": "2"}
    ]
    with pytest.raises(sfn.exceptions.TooManyTags):
        many = [{"key": f"k{i}", "value": "v"} for i in range(60)]
        sfn.tag_resource(resourceArn=SM + "hello", tags=many)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_tags_for_resource(resourceArn=SM + "nobody")


def test_published_versions_are_listed_described_and_started(sfn, harness):
    created = sfn.create_state_machine(name="v", definition=PASS, roleArn=ROLE, publish=True)
    assert created["stateMachineVersionArn"] == SM + "v:1"
    other = definition({"Q": {"Type": "Pass", "Result": 2, "End": True}})
    updated = sfn.update_state_machine(stateMachineArn=SM + "v", definition=other, publish=True)
    assert updated["stateMachineVersionArn"] == SM + "v:2"
    versions = sfn.list_state_machine_versions(stateMachineArn=SM + "v")["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in versions] == [SM + "v:2", SM + "v:1"]
    first = sfn.describe_state_machine(stateMachineArn=SM + "v:1")
    assert json.loads(first["definition"]) == json.loads(PASS)
    sfn.start_execution(stateMachineArn=SM + "v:1", name="old")
    harness.drain()
    described = sfn.describe_execution(executionArn=EX + "v:old")
    assert json.loads(described["output"]) == {"done": True}
    sfn.delete_state_machine_version(stateMachineVersionArn=SM + "v:1")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn=SM + "v:1", name="gone")
    published = sfn.publish_state_machine_version(stateMachineArn=SM + "v", revisionId="2")
    assert published["stateMachineVersionArn"] == SM + "v:2"
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.publish_state_machine_version(stateMachineArn=SM + "v", revisionId="1")


def test_an_activity_worker_polls_and_answers(sfn, harness):
    activity = sfn.create_activity(name="review")["activityArn"]
    assert activity == "arn:aws:states:us-east-1:123456789012:activity:review"
    assert sfn.create_activity(name="review")["activityArn"] == activity  # idempotent
    steps = {
        "Review": {
            "Type": "Task",
            "Resource": activity,
            "HeartbeatSeconds": 600,
            "TimeoutSeconds": 3600,
            "End": True,
        }
    }
    sfn.create_state_machine(name="act", definition=definition(steps), roleArn=ROLE)
    sfn.start_execution(stateMachineArn=SM + "act", name="one", input='{"doc": 7}')
    harness.drain()
    task = sfn.get_activity_task(activityArn=activity, workerName="w-1")
    assert json.loads(task["input"]) == {"doc": 7}
    assert "taskToken" not in sfn.get_activity_task(activityArn=activity)  # taken once
    sfn.send_task_success(taskToken=task["taskToken"], output='{"ok": 1}')
    harness.drain()
    described = sfn.describe_execution(executionArn=EX + "act:one")
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"ok": 1})
    events = sfn.get_execution_history(executionArn=EX + "act:one")["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    assert events[2]["activityScheduledEventDetails"]["heartbeatInSeconds"] == 600
    assert events[3]["activityStartedEventDetails"] == {"workerName": "w-1"}
    names = [a["name"] for a in sfn.list_activities()["activities"]]
    assert names == ["review"]
    assert sfn.describe_activity(activityArn=activity)["name"] == "review"
    sfn.delete_activity(activityArn=activity)
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.get_activity_task(activityArn=activity)


def test_a_task_on_a_missing_activity_fails_the_execution(sfn, harness):
    resource = "arn:aws:states:us-east-1:123456789012:activity:nobody"
    steps = {"Review": {"Type": "Task", "Resource": resource, "End": True}}
    sfn.create_state_machine(name="lost", definition=definition(steps), roleArn=ROLE)
    sfn.start_execution(stateMachineArn=SM + "lost", name="one")
    harness.drain()
    described = sfn.describe_execution(executionArn=EX + "lost:one")
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")


def test_segue_api_takes_step_functions_arns(sfn, harness):
    sfn.create_state_machine(name="hello", definition=PASS, roleArn=ROLE)
    status, started = harness.request(
        "POST", "/executions", {"stateMachine": SM + "hello", "name": "by-arn"}
    )
    assert (status, started["executionId"]) == (201, "hello:by-arn")
    status, described = harness.request("GET", "/executions/" + quote(EX + "hello:by-arn", safe=""))
    assert (status, described["executionId"]) == (200, "hello:by-arn")
    status, listed = harness.request("GET", "/executions", query={"stateMachine": SM + "hello"})
    assert [i["executionId"] for i in listed["items"]] == ["hello:by-arn"]


def test_validate_gives_aws_codes_and_locations(sfn):
    ok = sfn.validate_state_machine_definition(definition=PASS)
    assert (ok["result"], ok["diagnostics"]) == ("OK", [])
    bad = definition({"A": {"Type": "Pass", "Next": "Nowhere"}})
    found = sfn.validate_state_machine_definition(definition=bad)
    assert found["result"] == "FAIL"
    found_at = [(d["code"], d["location"]) for d in found["diagnostics"]]
    assert ("MISSING_TRANSITION_TARGET", "/States/A/Next") in found_at
    assert sfn.validate_state_machine_definition(definition="{")["result"] == "FAIL"


def test_a_failed_execution_is_redriven_and_counted(sfn, harness):
    flaky = {
        "Try": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:fixable",
            "End": True,
        }
    }
    sfn.create_state_machine(name="fix", definition=definition(flaky), roleArn=ROLE)
    sfn.start_execution(stateMachineArn=SM + "fix", name="one", input='{"key": "sfn-fix"}')
    harness.drain()
    failed = sfn.describe_execution(executionArn=EX + "fix:one")
    assert (failed["status"], failed["redriveStatus"]) == ("FAILED", "REDRIVABLE")
    lambdas.FIXED.add("sfn-fix")
    assert sfn.redrive_execution(executionArn=EX + "fix:one")["redriveDate"]
    harness.drain()
    described = sfn.describe_execution(executionArn=EX + "fix:one")
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=EX + "fix:one")
    types = [e["type"] for e in sfn.get_execution_history(executionArn=EX + "fix:one")["events"]]
    assert "ExecutionRedriven" in types and types[-1] == "ExecutionSucceeded"


def test_running_lists_paused_ones_and_deleting_a_machine_keeps_its_executions(sfn, harness):
    waiting = definition({"W": {"Type": "Wait", "Seconds": 3600, "End": True}})
    sfn.create_state_machine(name="slow", definition=waiting, roleArn=ROLE)
    sfn.start_execution(stateMachineArn=SM + "slow", name="held")
    sfn.start_execution(stateMachineArn=SM + "slow", name="free")
    harness.drain()
    sfn.pause_execution(executionArn=EX + "slow:held")
    running = sfn.list_executions(stateMachineArn=SM + "slow", statusFilter="RUNNING")
    assert sorted(e["name"] for e in running["executions"]) == ["free", "held"]
    first = sfn.list_executions(stateMachineArn=SM + "slow", maxResults=1)
    assert len(first["executions"]) == 1 and first["nextToken"]
    found = sfn.describe_state_machine_for_execution(executionArn=EX + "slow:held")
    assert found["stateMachineArn"] == SM + "slow" and json.loads(found["definition"])
    sfn.delete_state_machine(stateMachineArn=SM + "slow")
    assert sfn.describe_execution(executionArn=EX + "slow:held")["segueStatus"] == "PAUSED"
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn=SM + "slow", name="late")


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:states:us-east-1:123456789012:stateMachine:hello",
        "arn:aws:states:us-east-1:123456789012:execution:justone",
        "not an arn",
    ],
)
def test_a_malformed_execution_arn_is_invalid_arn(sfn, arn):
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_execution(executionArn=arn)


FAILS = {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $missing %}", "End": True}
"""A state that fails with States.QueryEvaluationError, naming the event it was entered at."""
BEFORE_FAILING: dict[str, dict[str, Any]] = {
    "retried": {
        "T": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3}],
            "Next": "F",
        }
    },
    "parallel": {
        "T": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": f"B{n}", "States": {f"B{n}": {"Type": "Pass", "End": True}}}
                for n in range(2)
            ],
            "Next": "F",
        }
    },
    "map": {
        "T": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
            "Next": "F",
        }
    },
    "waited": {"T": {"Type": "Wait", "Seconds": 1, "Next": "F"}},
}


@pytest.mark.parametrize("shape", sorted(BEFORE_FAILING))
def test_an_entered_event_id_in_a_cause_is_the_id_aws_history_gives_it(sfn, harness, shape):
    states = {**BEFORE_FAILING[shape], "F": FAILS}
    sfn.create_state_machine(name=shape, definition=definition(states), roleArn=ROLE)
    sfn.start_execution(stateMachineArn=SM + shape, name="one", input='{"items": [1, 2]}')
    for _ in range(10):
        harness.drain()
        harness.clock.advance(2)
        harness.scheduler.fire_due()
    described = sfn.describe_execution(executionArn=EX + shape + ":one")
    assert described["status"] == "FAILED", described
    events = sfn.get_execution_history(executionArn=EX + shape + ":one")["events"]
    (entered,) = [
        e["id"] for e in events if e.get("stateEnteredEventDetails", {}).get("name") == "F"
    ]
    assert f"(entered at the event id #{entered})" in described["cause"]
