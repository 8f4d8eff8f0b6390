"""Existing Step Functions code against `segue dev`: boto3's own client and the AWS CLI.

The clients are the unchanged ones; pointing them at segue's endpoint is all they need.
Pause and resume come from the service model segue adds to botocore's (installed with
segue, found through AWS_DATA_PATH).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.localstack import running_stack

ROLE = "arn:aws:iam::123456789012:role/any"
SM = "arn:aws:states:us-east-1:123456789012:stateMachine:"
EX = "arn:aws:states:us-east-1:123456789012:execution:"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
NAP = {
    "StartAt": "Nap",
    "States": {
        "Nap": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
        "Done": {"Type": "Pass", "Result": {"slept": True}, "End": True},
    },
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running_stack({}, tmp_path_factory.mktemp("sfn") / "segue-dev.log") as stack:
        yield stack


@pytest.fixture(scope="module")
def sfn(stack):
    return stack.step_functions()


def ended(sfn: Any, arn: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return dict(described)
        time.sleep(0.2)
    raise AssertionError(f"{arn} is still running")


def aws(stack: Any, *args: str) -> subprocess.CompletedProcess[str]:
    """The AWS CLI (the awscli package), pointed at segue."""
    command = [sys.executable, "-m", "awscli", "stepfunctions", *args]
    command += ["--endpoint-url", stack.endpoint, "--region", "us-east-1", "--output", "json"]
    env = os.environ | CREDENTIALS
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_boto3_runs_a_workflow_and_reads_its_history(sfn):
    sfn.create_state_machine(name="nap", definition=json.dumps(NAP), roleArn=ROLE)
    arn = sfn.start_execution(stateMachineArn=SM + "nap", name="one", input="{}")["executionArn"]
    described = ended(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"slept": True}
    events = sfn.get_execution_history(executionArn=arn)["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "WaitStateEntered",
        "WaitStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    listed = sfn.list_executions(stateMachineArn=SM + "nap", statusFilter="SUCCEEDED")
    assert [e["executionArn"] for e in listed["executions"]] == [arn]


def test_boto3_pauses_and_resumes_with_the_extended_model(sfn):
    sfn.create_state_machine(name="nap2", definition=json.dumps(NAP), roleArn=ROLE)
    arn = sfn.start_execution(stateMachineArn=SM + "nap2", name="held")["executionArn"]
    paused = sfn.pause_execution(executionArn=arn, reason="look first")
    assert paused["segueStatus"] in ("PAUSING", "PAUSED")
    time.sleep(3)  # past the Wait's end: a paused execution does not go on
    described = sfn.describe_execution(executionArn=arn)
    assert (described["status"], described["segueStatus"]) == ("RUNNING", "PAUSED")
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.pause_execution(executionArn=arn)
    sfn.resume_execution(executionArn=arn, reason="go on")
    assert ended(sfn, arn)["status"] == "SUCCEEDED"
    events = sfn.get_execution_history(executionArn=arn)["events"]
    aws_ids = [e["id"] for e in events if e["id"] < 1_000_000_000]
    assert aws_ids == list(range(1, 7))  # the pause takes no AWS event number
    own = {e["type"] for e in events if e["id"] >= 1_000_000_000}
    assert {"PauseRequested", "ExecutionPaused", "ExecutionResumed"} <= own


def test_the_aws_cli_works_unchanged(stack, sfn):
    sfn.create_state_machine(name="cli", definition=json.dumps(NAP), roleArn=ROLE)
    started = aws(stack, "start-execution", "--state-machine-arn", SM + "cli", "--name", "c1")
    assert started.returncode == 0, started.stderr
    arn = json.loads(started.stdout)["executionArn"]
    assert arn == EX + "cli:c1"
    ended(sfn, arn)
    described = aws(stack, "describe-execution", "--execution-arn", arn)
    assert json.loads(described.stdout)["status"] == "SUCCEEDED"
    history = aws(stack, "get-execution-history", "--execution-arn", arn)
    assert len(json.loads(history.stdout)["events"]) == 6
    missing = aws(stack, "describe-execution", "--execution-arn", EX + "cli:nobody")
    assert missing.returncode != 0 and "ExecutionDoesNotExist" in missing.stderr


def test_the_aws_cli_pauses_resumes_and_stops(stack, sfn):
    long_nap = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    sfn.create_state_machine(name="cli2", definition=json.dumps(long_nap), roleArn=ROLE)
    arn = sfn.start_execution(stateMachineArn=SM + "cli2", name="c2")["executionArn"]
    paused = aws(stack, "pause-execution", "--execution-arn", arn)
    assert paused.returncode == 0, paused.stderr
    assert json.loads(paused.stdout)["segueStatus"] in ("PAUSING", "PAUSED")
    resumed = aws(stack, "resume-execution", "--execution-arn", arn, "--data", '{"x": 1}')
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["segueStatus"] in ("RUNNING", "WAITING")
    stopped = aws(stack, "stop-execution", "--execution-arn", arn, "--error", "Enough")
    assert stopped.returncode == 0, stopped.stderr
    described = sfn.describe_execution(executionArn=arn)
    assert (described["status"], described["error"]) == ("ABORTED", "Enough")


def test_an_activity_worker_long_polls_while_the_api_serves_others(stack, sfn):
    activity = sfn.create_activity(name="review")["activityArn"]
    steps = {"Review": {"Type": "Task", "Resource": activity, "End": True}}
    sfn.create_state_machine(
        name="act", definition=json.dumps({"StartAt": "Review", "States": steps}), roleArn=ROLE
    )
    worker = boto3.client(
        "stepfunctions",
        endpoint_url=stack.endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(read_timeout=70, retries={"max_attempts": 0}),
    )
    with ThreadPoolExecutor(1) as pool:
        polled = pool.submit(worker.get_activity_task, activityArn=activity, workerName="w-1")
        time.sleep(1.0)  # the worker's poll is waiting: the start must not wait for it
        arn = sfn.start_execution(stateMachineArn=SM + "act", input='{"doc": 7}')["executionArn"]
        task = polled.result(timeout=90)
    assert json.loads(task["input"]) == {"doc": 7}
    sfn.send_task_success(taskToken=task["taskToken"], output='{"ok": true}')
    assert ended(sfn, arn)["status"] == "SUCCEEDED"
    started = [
        e
        for e in sfn.get_execution_history(executionArn=arn)["events"]
        if e["type"] == "ActivityStarted"
    ]
    assert started[0]["activityStartedEventDetails"] == {"workerName": "w-1"}


FAILING = {
    "StartAt": "Boom",
    "States": {"Boom": {"Type": "Fail", "Error": "Boom", "Cause": "on purpose"}},
}


def test_every_other_operation_and_its_errors_through_segue_dev(sfn):
    """The operations the tests above do not use, once each against the real HTTP server."""
    assert sfn.validate_state_machine_definition(definition=json.dumps(NAP))["result"] == "OK"
    made = sfn.create_state_machine(
        name="ops", definition=json.dumps(FAILING), roleArn=ROLE, publish=True,
        tags=[{"key": "team", "value": "ops"}],
    )  # fmt: skip
    assert made["stateMachineVersionArn"] == SM + "ops:1"
    sfn.update_state_machine(stateMachineArn=SM + "ops", definition=json.dumps(NAP))
    assert sfn.describe_state_machine(stateMachineArn=SM + "ops")["revisionId"] == "2"
    published = sfn.publish_state_machine_version(stateMachineArn=SM + "ops")
    assert published["stateMachineVersionArn"] == SM + "ops:2"
    versions = sfn.list_state_machine_versions(stateMachineArn=SM + "ops")
    assert len(versions["stateMachineVersions"]) == 2
    sfn.delete_state_machine_version(stateMachineVersionArn=SM + "ops:2")
    sfn.tag_resource(resourceArn=SM + "ops", tags=[{"key": "tier", "value": "1"}])
    sfn.untag_resource(resourceArn=SM + "ops", tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=SM + "ops")["tags"] == [
        {"key": "tier", "value": "1"}
    ]
    failed = sfn.start_execution(stateMachineArn=SM + "ops:1", name="v1")["executionArn"]
    assert ended(sfn, failed)["status"] == "FAILED"
    for_execution = sfn.describe_state_machine_for_execution(executionArn=failed)
    assert json.loads(for_execution["definition"]) == FAILING
    sfn.redrive_execution(executionArn=failed)
    assert ended(sfn, failed)["redriveCount"] == 1
    for index in range(3):
        sfn.start_execution(stateMachineArn=SM + "ops", name=f"n{index}")
    pages = sfn.get_paginator("list_executions").paginate(
        stateMachineArn=SM + "ops", PaginationConfig={"PageSize": 2}
    )
    assert sum(len(page["executions"]) for page in pages) == 4
    listed = sfn.list_state_machines()["stateMachines"]
    assert SM + "ops" in [m["stateMachineArn"] for m in listed]
    activity = sfn.create_activity(name="ops-activity")["activityArn"]
    assert sfn.describe_activity(activityArn=activity)["name"] == "ops-activity"
    assert "ops-activity" in [a["name"] for a in sfn.list_activities()["activities"]]
    sfn.delete_activity(activityArn=activity)
    sfn.delete_state_machine(stateMachineArn=SM + "ops")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=SM + "ops")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_execution(executionArn="arn:nonsense")
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_failure(taskToken="no-such-token", error="E")
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_heartbeat(taskToken="no-such-token")
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.describe_activity(activityArn=activity)
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.list_executions(stateMachineArn=SM + "nap", maxResults=5000)
    with pytest.raises(sfn.exceptions.ClientError) as unknown:
        sfn.describe_state_machine_alias(stateMachineAliasArn=SM + "nap:live")
    assert unknown.value.response["Error"]["Code"] == "UnknownOperationException"
