"""Parallel and Map: fan-out through the step interface, joins, tolerance, variable scopes."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from segue.asl import Failed, FanOut, Runtime, Succeeded, Visit, complete, enter, load
from tests.unit.helpers import machine, output_of, run

RUNTIME = Runtime(datetime(2024, 1, 1, tzinfo=UTC), random.Random(0))


def test_parallel_gives_every_branch_the_same_input_and_joins_results_in_order():
    definition = machine(
        {
            "P": {
                "Type": "Parallel",
                "Parameters": {"n.$": "$.n"},
                "Branches": [
                    {
                        "StartAt": "A",
                        "States": {"A": {"Type": "Pass", "OutputPath": "$.n", "End": True}},
                    },
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "End": True}}},
                ],
                "ResultPath": "$.results",
                "End": True,
            }
        }
    )
    fan_out = enter(load(definition), Visit("P", {"n": 4}, {}), RUNTIME)
    assert isinstance(fan_out, FanOut)
    assert [(s.state, s.input) for s in fan_out.starts] == [("A", {"n": 4}), ("B", {"n": 4})]
    assert output_of(definition, {"n": 4}) == {"n": 4, "results": [4, "b"]}


def test_a_failing_branch_fails_the_parallel_state_with_its_error():
    definition = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Ok", "States": {"Ok": {"Type": "Succeed"}}},
                    {
                        "StartAt": "Bad",
                        "States": {"Bad": {"Type": "Fail", "Error": "Broken", "Cause": "b"}},
                    },
                ],
                "Catch": [{"ErrorEquals": ["Broken"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    assert output_of(definition) == {"Error": "Broken", "Cause": "b"}


def item_map(**fields):
    return machine(
        {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "StartAt": "Check",
                    "States": {
                        "Check": {
                            "Type": "Choice",
                            "Choices": [
                                {"Variable": "$.value", "NumericLessThan": 0, "Next": "Bad"}
                            ],
                            "Default": "Good",
                        },
                        "Bad": {"Type": "Fail", "Error": "Negative"},
                        "Good": {"Type": "Pass", "OutputPath": "$.value", "End": True},
                    },
                },
                "ItemSelector": {
                    "value.$": "$$.Map.Item.Value",
                    "index.$": "$$.Map.Item.Index",
                    "tag.$": "$.tag",
                },
                "End": True,
                **fields,
            }
        }
    )


def test_map_runs_each_item_with_its_selector_and_keeps_order():
    fan_out = enter(
        load(item_map(MaxConcurrency=2)), Visit("M", {"items": [5, 6], "tag": "t"}, {}), RUNTIME
    )
    assert isinstance(fan_out, FanOut) and fan_out.max_concurrency == 2
    assert [s.input for s in fan_out.starts] == [
        {"value": 5, "index": 0, "tag": "t"},
        {"value": 6, "index": 1, "tag": "t"},
    ]
    assert output_of(item_map(), {"items": [3, 1, 2], "tag": "t"}) == [3, 1, 2]


def test_map_over_no_items_yields_an_empty_list_at_once():
    outcome = enter(load(item_map()), Visit("M", {"items": [], "tag": "t"}, {}), RUNTIME)
    assert outcome.output == []  # type: ignore[union-attr]


def test_map_items_path_must_be_an_array():
    assert run(item_map(), {"items": {"a": 1}, "tag": "t"}).error == "States.Runtime"


def test_a_failed_item_fails_the_map_without_tolerance():
    execution = run(item_map(), {"items": [1, -1], "tag": "t"})
    assert (execution.status, execution.error) == ("FAILED", "Negative")


def test_tolerated_failures_keep_the_map_going_with_error_objects_in_place():
    output = output_of(item_map(ToleratedFailureCount=1), {"items": [1, -1, 2], "tag": "t"})
    assert output == [1, {"Error": "Negative", "Cause": None}, 2]


def test_failures_over_the_tolerance_raise_the_threshold_error():
    for fields in ({"ToleratedFailureCount": 1}, {"ToleratedFailurePercentage": 40}):
        execution = run(item_map(**fields), {"items": [-1, -2, 3], "tag": "t"})
        assert execution.error == "States.ExceedToleratedFailureThreshold", fields


def test_tolerance_can_come_from_a_path():
    definition = item_map(ToleratedFailurePercentagePath="$.pct")
    assert run(definition, {"items": [-1, 2], "tag": "t", "pct": 50}).status == "SUCCEEDED"
    assert run(definition, {"items": [-1, 2], "tag": "t", "pct": 49}).status == "FAILED"


def test_complete_takes_results_in_start_order():
    machine_ = load(item_map())
    visit = Visit("M", {"items": [1, 2], "tag": "t"}, {})
    settled = complete(machine_, visit, (Succeeded("a"), Succeeded("b")), RUNTIME)
    assert settled.output == ["a", "b"]  # type: ignore[union-attr]
    failed = complete(machine_, visit, (Succeeded("a"), Failed("X", "y")), RUNTIME)
    assert (failed.error, failed.cause) == ("X", "y")  # type: ignore[union-attr]


def test_variables_flow_forward_and_branches_read_but_do_not_leak_them():
    definition = machine(
        {
            "Set": {"Type": "Pass", "Assign": {"x": 1, "seen.$": "$.in"}, "Next": "Fan"},
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "StartAt": "Inner",
                    "States": {
                        "Inner": {"Type": "Pass", "Assign": {"x": 99}, "Next": "Read"},
                        "Read": {
                            "Type": "Pass",
                            "Parameters": {"x.$": "$x", "seen.$": "$seen"},
                            "End": True,
                        },
                    },
                },
                "ResultPath": "$.inner",
                "Next": "After",
            },
            "After": {
                "Type": "Pass",
                "Parameters": {"x.$": "$x", "inner.$": "$.inner"},
                "End": True,
            },
        }
    )
    assert output_of(definition, {"in": "i", "items": [0]}) == {
        "x": 1,
        "inner": [{"x": 99, "seen": "i"}],
    }


def test_assignments_in_one_state_all_read_the_values_from_before_it():
    definition = machine(
        {
            "A": {"Type": "Pass", "Assign": {"v": 1}, "Next": "B"},
            "B": {
                "Type": "Pass",
                "Assign": {"v": 2, "old.$": "$v"},
                "OutputPath": "$v",
                "Next": "C",
            },
            "C": {
                "Type": "Pass",
                "Parameters": {"v.$": "$v", "old.$": "$old", "b_saw.$": "$"},
                "End": True,
            },
        }
    )
    assert output_of(definition) == {"v": 2, "old": 1, "b_saw": 1}


def test_choice_assign_adds_the_matched_rules_variables_to_the_states_own():
    definition = machine(
        {
            "C": {
                "Type": "Choice",
                "Assign": {"route": "default", "always": True},
                "Choices": [
                    {
                        "Variable": "$.n",
                        "NumericEquals": 1,
                        "Assign": {"route": "one"},
                        "Next": "Out",
                    }
                ],
                "Default": "Out",
            },
            "Out": {
                "Type": "Pass",
                "Parameters": {"route.$": "$route", "always.$": "$always"},
                "End": True,
            },
        }
    )
    assert output_of(definition, {"n": 1}) == {"route": "one", "always": True}
    assert output_of(definition, {"n": 2}) == {"route": "default", "always": True}
