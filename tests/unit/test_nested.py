"""Nested executions on the pure parts: which resources wait for a child, which child a
StartExecution answer names, and what the parent's task is answered with."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segue.engine.head import Status
from segue.engine.waits import (
    START_EXECUTION,
    WaitKind,
    base_resource,
    child_of,
    execution_of,
    sync_mode,
    wait_kind,
)
from segue.sfn.arns import Arns
from segue.sfn.nested import described, parent_outcome
from tests.unit.helpers import Driven, chain

NAMES = st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True)


@pytest.mark.parametrize(
    ("resource", "mode", "kind", "base"),
    [
        (START_EXECUTION + ".sync", 1, WaitKind.CALLBACK, START_EXECUTION),
        (START_EXECUTION + ".sync:2", 2, WaitKind.CALLBACK, START_EXECUTION),
        (START_EXECUTION + ".waitForTaskToken", 0, WaitKind.CALLBACK, START_EXECUTION),
        (START_EXECUTION, 0, None, START_EXECUTION),
        ("arn:aws:states:::lambda:invoke.sync", 0, None, "arn:aws:states:::lambda:invoke.sync"),
        (START_EXECUTION + ".sync:3", 0, None, START_EXECUTION + ".sync:3"),
    ],
)
def test_what_a_start_execution_resource_waits_for(resource, mode, kind, base):
    assert sync_mode(resource) == mode
    assert wait_kind(resource) is kind
    assert base_resource(resource) == base


@given(machine=NAMES, name=NAMES, region=st.sampled_from(["us-east-1", "local"]))
def test_the_child_of_a_start_answer_is_the_execution_its_arn_names(machine, name, region):
    arn = Arns(region, "123456789012").execution(f"{machine}:{name}")
    assert child_of({"ExecutionArn": arn, "StartDate": 1}) == f"{machine}:{name}"
    assert execution_of(arn) == f"{machine}:{name}"


@pytest.mark.parametrize(
    "answer",
    [None, {}, {"ExecutionArn": 1}, {"ExecutionArn": "arn:aws:states:us-east-1:1:execution:a:b"}],
)
def test_an_answer_that_names_no_execution_has_no_child(answer):
    assert child_of(answer) == ""


def _ended(status: Status, sync: int, error: str | None = None, cause: str | None = None):
    driven = Driven(chain(["pass"]), {"n": 1})
    output = driven.begun.head.input  # any stored document will do
    head = replace(driven.head, status=status, parent_sync=sync, parent_token="t")
    head = replace(head, error=error, cause=cause)
    if status is Status.SUCCEEDED:
        head = replace(head, output=output)
    return head, driven.values


ARNS = Arns("us-east-1", "123456789012")


@pytest.mark.parametrize("sync", [1, 2])
def test_a_succeeded_child_answers_with_its_description(sync):
    head, values = _ended(Status.SUCCEEDED, sync)
    outcome = parent_outcome(head, values, ARNS)
    answer = outcome["output"]
    assert answer["Status"] == "SUCCEEDED" and answer["Name"] == "1"
    assert answer["ExecutionArn"] == "arn:aws:states:us-east-1:123456789012:execution:x:1"
    shown = (lambda v: json.dumps(v, separators=(",", ":"))) if sync == 1 else (lambda v: v)
    assert answer["Input"] == shown({"n": 1}) and answer["Output"] == shown({"n": 1})
    assert "Error" not in answer


@pytest.mark.parametrize(
    ("status", "shown"),
    [(Status.FAILED, "FAILED"), (Status.CANCELLED, "ABORTED"), (Status.TIMED_OUT, "TIMED_OUT")],
)
def test_a_child_that_did_not_succeed_fails_the_task_with_its_description_as_cause(status, shown):
    head, values = _ended(status, 2, error="E", cause="C")
    outcome = parent_outcome(head, values, ARNS)
    assert outcome["error"] == "States.TaskFailed"
    cause = json.loads(str(outcome["cause"]))
    assert cause == described(head, values, ARNS)
    assert (cause["Status"], cause["Error"], cause["Cause"]) == (shown, "E", "C")
    assert "Output" not in cause
