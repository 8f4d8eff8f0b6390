"""The rollout flag's rules: by name, by tag and by a definition's complexity."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from aws_lambda_powertools.utilities.feature_flags import FeatureFlags
from hypothesis import given
from hypothesis import strategies as st

from segue.asl.machine import load
from segue.engine.rollout import FLAG, SIMPLE_STATES, flag_context, shape
from segue.service.rollout import FileStore, NoFlags, Rollout, check_flags_file
from tests.unit.helpers import machine

PASS = {"Type": "Pass"}
KINDS: dict[str, dict[str, Any]] = {
    "pass": PASS,
    "task": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f"},
    "callback": {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}},
    },
    "approval": {"Type": "Task", "Resource": "segue:approval"},
    "wait": {"Type": "Wait", "Seconds": 5},
    "parallel": {"Type": "Parallel", "Branches": [machine({"In": PASS | {"End": True}})]},
}


def chain(kinds: list[str]):
    names = [f"S{i}" for i in range(len(kinds))]
    states = {}
    for i, kind in enumerate(kinds):
        follow: dict[str, Any] = {"Next": names[i + 1]} if i + 1 < len(kinds) else {"End": True}
        state: dict[str, Any] = {**KINDS[kind], **follow}
        if kind == "parallel":  # state names are unique across branches too
            state["Branches"] = [machine({f"In{i}": PASS | {"End": True}})]
        states[names[i]] = state
    return load(machine(states))


@given(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=14))
def test_a_workflow_is_simple_when_small_with_no_parallel_map_or_wait(kinds):
    found = shape(chain(kinds))
    states = len(kinds) + kinds.count("parallel")  # a branch's state counts too
    waiting = {"callback", "approval", "wait"} & set(kinds)
    assert found["states"] == states
    assert found["waits"] == sum(kinds.count(k) for k in waiting)
    simple = states <= SIMPLE_STATES and not waiting and "parallel" not in kinds
    assert found["complexity"] == ("simple" if simple else "complex")


def test_the_context_names_the_machine_and_its_tags():
    context = flag_context("order", {"team": "pay", "rollout": "pilot"}, chain(["pass"]))
    assert context["state_machine"] == "order"
    assert context["tags"] == ["rollout=pilot", "team=pay"]
    assert context["tag_keys"] == ["rollout", "team"]


def rules(*conditions, default=False):
    named = {f"rule {i}": {"when_match": True, "conditions": [c]} for i, c in enumerate(conditions)}
    return {FLAG: {"default": default, "rules": named}} if named else {FLAG: {"default": default}}


@pytest.mark.parametrize(
    ("condition", "name", "tags", "kinds", "expected"),
    [
        ({"action": "IN", "key": "state_machine", "value": ["order"]}, "order", {}, ["wait"], True),
        (
            {"action": "IN", "key": "state_machine", "value": ["order"]},
            "refund",
            {},
            ["pass"],
            False,
        ),
        (
            {"action": "VALUE_IN_KEY", "key": "tags", "value": "rollout=pilot"},
            "x",
            {"rollout": "pilot"},
            ["wait"],
            True,
        ),
        (
            {"action": "VALUE_IN_KEY", "key": "tags", "value": "rollout=pilot"},
            "x",
            {"rollout": "later"},
            ["pass"],
            False,
        ),
        (
            {"action": "EQUALS", "key": "complexity", "value": "simple"},
            "x",
            {},
            ["task", "pass"],
            True,
        ),
        (
            {"action": "EQUALS", "key": "complexity", "value": "simple"},
            "x",
            {},
            ["task", "parallel"],
            False,
        ),
        (
            {"action": "KEY_LESS_THAN_OR_EQUAL_VALUE", "key": "states", "value": 3},
            "x",
            {},
            ["task"] * 4,
            False,
        ),
    ],
)
def test_each_kind_of_rule(tmp_path, condition, name, tags, kinds, expected):
    path = tmp_path / "flags.json"
    path.write_text(json.dumps(rules(condition)))
    rollout = Rollout(FeatureFlags(store=FileStore(path)), lambda _: tags)
    assert rollout.enabled(name, 1, chain(kinds)) is expected


def test_with_no_store_every_workflow_is_managed():
    assert Rollout(FeatureFlags(store=NoFlags()), lambda _: {}).enabled("x", 1, chain(["wait"]))


def test_a_broken_rule_set_leaves_state_management_on(tmp_path):
    path = tmp_path / "flags.json"
    path.write_text(json.dumps({FLAG: {"default": "maybe"}}))
    assert Rollout(FeatureFlags(store=FileStore(path)), lambda _: {}).enabled(
        "x", 1, chain(["pass"])
    )


def test_answers_and_the_file_are_kept_for_their_max_age(tmp_path):
    path = tmp_path / "flags.json"
    path.write_text(json.dumps(rules(default=False)))
    store = FileStore(path, max_age=0.5)
    asked: list[str] = []

    def tags(name: str) -> dict[str, str]:
        asked.append(name)
        return {}

    rollout = Rollout(FeatureFlags(store=store), tags, 0.5)
    for _ in range(50):
        assert rollout.enabled("x", 1, chain(["pass"])) is False
        assert rollout.enabled("y", 1, chain(["pass"])) is False
    assert store.reads == 1 and asked == ["x", "y"]
    path.write_text(json.dumps(rules(default=True)))
    time.sleep(0.6)
    assert rollout.enabled("x", 1, chain(["pass"])) is True  # read again once they expire


def test_a_flags_file_is_checked_before_the_stack_starts(tmp_path):
    path = tmp_path / "flags.json"
    for text in ("{", '{"f": {"rules": {}}}', "[]"):
        path.write_text(text)
        with pytest.raises(ValueError, match="flags.json"):
            check_flags_file(path)
    path.write_text(json.dumps(rules({"action": "EQUALS", "key": "complexity", "value": "simple"})))
    check_flags_file(path)
