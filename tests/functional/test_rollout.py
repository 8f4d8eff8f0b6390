"""The rollout flag `enable-workflow-state-management` on moto, through the real handlers.

Flags come from a file (as on `segue dev --flags`): state management on for simple
workflows and for the ones tagged `rollout=pilot`, off for everything else.
"""

from __future__ import annotations

import json

import pytest

from segue.engine.rollout import FLAG
from tests.functional import lambdas
from tests.functional.harness import make_harness
from tests.unit.helpers import machine

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
RULES = {
    FLAG: {
        "default": False,
        "rules": {
            "simple workflows": {
                "when_match": True,
                "conditions": [{"action": "EQUALS", "key": "complexity", "value": "simple"}],
            },
            "pilot": {
                "when_match": True,
                "conditions": [{"action": "VALUE_IN_KEY", "key": "tags", "value": "rollout=pilot"}],
            },
        },
    }
}


def hooked(key: str, **fields):
    parameters = {"n.$": "$.n", "key": key}
    return {"Type": "Task", "Resource": LAMBDA + "hook", "Parameters": parameters, **fields}


SIMPLE = machine({"A": hooked("A", Next="B"), "B": hooked("B", End=True)})
# A Wait makes a workflow complex, whatever its size.
COMPLEX = machine(
    {
        "A": hooked("A", Next="Nap"),
        "Nap": {"Type": "Wait", "Seconds": 0, "Next": "B"},
        "B": hooked("B", End=True),
    }
)


@pytest.fixture
def harness(aws, monkeypatch, tmp_path):
    flags = tmp_path / "flags.json"
    flags.write_text(json.dumps(RULES))
    lambdas.DURING.clear()
    lambdas.ANSWERS.clear()
    return make_harness(monkeypatch, SEGUE_FLAGS_FILE=str(flags))


def test_with_the_flag_off_pause_and_resume_answer_409_feature_disabled(harness):
    execution_id = "complex:one"
    lambdas.DURING["A"] = lambda: harness.operate("pause", execution_id)
    harness.start("complex", COMPLEX, {"n": 0}, name="one")
    harness.drain()

    status, answer = lambdas.ANSWERS["A"]
    assert status == 409 and answer["error"] == "FeatureDisabled"
    assert FLAG in answer["message"] and "'complex'" in answer["message"]
    done = harness.describe(execution_id)
    assert done["status"] == "SUCCEEDED"  # it ran on, durably, as any execution
    assert done["stateManagement"] is False
    status, answer = harness.operate("resume", execution_id)
    assert (status, answer["error"]) == (409, "FeatureDisabled")


def test_with_the_flag_off_breakpoints_and_auto_resume_are_refused_at_start(harness):
    harness.start("complex", COMPLEX, {"n": 0}, name="first")
    for extra in ({"pauseBefore": ["B"]}, {"autoResumeSeconds": 60}):
        body = {"stateMachine": "complex", "input": {"n": 0}, "name": "second", **extra}
        status, answer = harness.request("POST", "/executions", body)
        assert (status, answer["error"]) == (409, "FeatureDisabled")
    assert harness.describe("complex:first")["status"] == "RUNNING"  # nothing else changed
    status, _ = harness.request("GET", "/executions/complex:second")
    assert status == 404


def test_a_simple_workflow_keeps_pause_and_resume(harness):
    execution_id = "simple:one"
    lambdas.DURING["A"] = lambda: harness.operate("pause", execution_id)
    harness.start("simple", SIMPLE, {"n": 0}, name="one")
    harness.drain()
    assert lambdas.ANSWERS["A"][0] == 202
    assert harness.describe(execution_id)["status"] == "PAUSED"
    assert harness.describe(execution_id)["stateManagement"] is True
    assert harness.operate("resume", execution_id)[0] == 200
    harness.drain()
    assert harness.describe(execution_id)["output"] == {"n": 2, "key": "B"}


def test_a_tag_enables_a_complex_workflow(harness):
    harness.start("complex", COMPLEX, {"n": 0}, name="untagged")
    harness.drain()
    harness.services.rollout.max_age = 0  # the answer kept for the untagged one is not reused
    harness.services.store.put_state_machine("complex", {"tags": {"rollout": "pilot"}})
    execution_id = harness.start("complex", COMPLEX, {"n": 0}, name="tagged", pauseBefore=["B"])
    harness.drain()
    assert harness.describe(execution_id)["status"] == "PAUSED"


def test_with_the_flag_off_no_periodic_snapshot_is_kept(harness):
    three = {"A": hooked("A", Next="B"), "B": hooked("B", Next="C"), "C": hooked("C", End=True)}
    napping = three | {"A": hooked("A", Next="Nap"), "Nap": COMPLEX["States"]["Nap"]}
    for name, states in (("simple", three), ("complex", napping)):
        for key in ("A", "B"):  # tasks of 50 s each, within a lease: past a snapshot's interval
            lambdas.DURING[key] = lambda: harness.clock.advance(50)
        harness.start(name, machine(states), {"n": 0}, name="slow")
        harness.drain()
        assert harness.describe(f"{name}:slow")["status"] == "SUCCEEDED"
    reasons = {
        name: [
            item["reason"]
            for item in harness.request("GET", f"/executions/{name}:slow/checkpoints")[1]["items"]
        ]
        for name in ("simple", "complex")
    }
    assert "interval" in reasons["simple"]
    assert reasons["complex"] == ["commit"]  # only the live head


def test_flag_rules_are_read_once_per_minute_not_per_transition(harness):
    store = harness.services.rollout.flags.store
    harness.run("simple", SIMPLE, {"n": 0})
    harness.run("complex", COMPLEX, {"n": 0})
    assert store.reads == 1
