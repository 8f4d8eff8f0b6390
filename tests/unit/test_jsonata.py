"""JSONata states as AWS documents them: fields, `$states`, variables, functions, errors."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segue.asl import Failed, diagnose
from segue.asl.jsonata_port import Bindings, QueryFailure, compiled, evaluate
from tests.unit.helpers import machine, output_of, run

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)
NOW = datetime(2024, 1, 1, tzinfo=UTC)


def jsonata(states: dict[str, Any], start: str | None = None) -> dict[str, Any]:
    return machine(states, start, QueryLanguage="JSONata")


def codes(definition: dict[str, Any]) -> set[tuple[str, str]]:
    _, found = diagnose(definition)
    return {(d.path, d.code) for d in found}


def bindings(**states: Any) -> Bindings:
    return Bindings(states, {}, NOW, random.Random(0))


# Evaluation through the port ------------------------------------------------------------


@given(JSON)
def test_states_input_gives_back_any_json_unchanged(value):
    assert evaluate("{% $states.input %}", bindings(input=value), "Output") == value


@given(JSON)
def test_a_template_without_expressions_is_its_own_output(value):
    definition = jsonata({"P": {"Type": "Pass", "Output": {"fixed": value}, "End": True}})
    assert output_of(definition, {"in": 1}) == {"fixed": value}


def test_an_expression_is_parsed_once_whatever_the_evaluations():
    compiled.cache_clear()
    for n in range(20):
        evaluate("{% $states.input + 1 %}", bindings(input=n), "Output")
    assert compiled.cache_info().misses == 1


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{% $partition([1, 2, 3, 4, 5], 2) %}", [[1, 2], [3, 4], [5]]),
        ("{% $range(0, 10, 5) %}", [0, 5, 10]),
        ("{% $range(1, 3, 5) %}", 1),  # a sequence of one is its item, as on AWS
        (
            "{% $hash('a', 'SHA-256') %}",
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
        ),
        ("{% $parse('{\"a\": [1, null]}') %}", {"a": [1, None]}),
        ("{% $now() %}", "2024-01-01T00:00:00.000Z"),
        ("{% $millis() %}", 1704067200000),
        ("{% $random(7) = $random(7) %}", True),
        ("{% $length($uuid()) %}", 36),
        ("{% null %}", None),
        ("{% {'a': null, 'b': $nothing} %}", {"a": None}),
        ("{% 2.0 * 3 %}", 6),
    ],
)
def test_step_functions_functions_and_json_values(expression, expected):
    assert evaluate(expression, bindings(input={}), "Output") == expected


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("{% $nothing %}", "returned nothing (undefined)."),
        ("{% $eval('1') %}", "threw an error during evaluation. T1006"),
        ("{% function($x){$x} %}", "returned an unsupported result type."),
        ("{% 1/0 %}", "threw an error during evaluation."),
        ("{% ($f := function($n){$f($n)}; $f(1)) %}", "threw an error during evaluation."),
    ],
)
def test_what_cannot_be_a_value_is_a_query_evaluation_error(expression, says):
    with pytest.raises(QueryFailure) as raised:
        evaluate(expression, bindings(input={}), "Output/x")
    assert raised.value.error == "States.QueryEvaluationError"
    assert "specified for the field 'Output/x' " + says in str(raised.value.cause)


# States ------------------------------------------------------------------------------------


def test_a_task_takes_arguments_and_outputs_from_its_result():
    definition = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f", "Payload": {"n": "{% $states.input.n %}"}},
                "Output": {
                    "got": "{% $states.result.Payload.n * 2 %}",
                    "was": "{% $states.input %}",
                },
                "End": True,
            }
        }
    )
    tasks = {"arn:aws:states:::lambda:invoke": lambda args: {"Payload": args["Payload"]}}
    assert output_of(definition, {"n": 21}, tasks=tasks) == {"got": 42, "was": {"n": 21}}


def test_assign_and_output_read_the_variables_as_they_were_before_the_state():
    definition = jsonata(
        {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
            "B": {
                "Type": "Pass",
                "Assign": {"x": "{% $x + 1 %}"},
                "Output": "{% $x %}",
                "Next": "C",
            },
            "C": {
                "Type": "Pass",
                "Output": {"x": "{% $x %}", "in": "{% $states.input %}"},
                "End": True,
            },
        }
    )
    assert output_of(definition) == {"x": 2, "in": 1}


def test_choice_conditions_pick_the_first_true_rule_and_its_output():
    definition = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.n > 10 %}", "Next": "Big", "Output": "big"},
                    {"Condition": "{% $states.input.n > 5 %}", "Next": "Big"},
                ],
                "Default": "Small",
            },
            "Big": {"Type": "Succeed"},
            "Small": {"Type": "Succeed", "Output": "small"},
        }
    )
    assert output_of(definition, {"n": 11}) == "big"
    assert output_of(definition, {"n": 7}) == {"n": 7}
    assert output_of(definition, {"n": 1}) == "small"


def test_a_condition_that_is_not_a_boolean_fails_the_state():
    definition = jsonata(
        {
            "C": {"Type": "Choice", "Choices": [{"Condition": "{% 'yes' %}", "Next": "D"}]},
            "D": {"Type": "Succeed"},
        }
    )
    execution = run(definition)
    assert execution.error == "States.QueryEvaluationError"
    assert "Expected 'boolean', but was 'string'" in str(execution.cause)


def test_a_map_runs_its_items_with_the_selector_and_tolerances():
    definition = jsonata(
        {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.xs %}",
                "ItemSelector": {
                    "i": "{% $states.context.Map.Item.Index %}",
                    "v": "{% $states.context.Map.Item.Value %}",
                    "k": "{% $states.input.k %}",
                },
                "MaxConcurrency": "{% 2 %}",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "Output": "{% $states.result %}",
                "End": True,
            }
        }
    )
    assert output_of(definition, {"xs": ["a", "b"], "k": 9}) == [
        {"i": 0, "v": "a", "k": 9},
        {"i": 1, "v": "b", "k": 9},
    ]


def test_a_wait_computes_its_seconds_and_a_fail_its_error_and_cause():
    definition = jsonata(
        {
            "W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "F"},
            "F": {
                "Type": "Fail",
                "Error": "{% 'Custom.' & $states.input.kind %}",
                "Cause": "{% 'waited ' & $string($states.input.s) %}",
            },
        }
    )
    execution = run(definition, {"s": 30, "kind": "Late"})
    assert (execution.error, execution.cause) == ("Custom.Late", "waited 30")
    later = run(definition, {"s": 90, "kind": "Late"})
    assert later.ended is not None and execution.ended is not None
    assert (later.ended - execution.ended).total_seconds() == 60


def test_a_caught_error_is_the_output_unless_the_catcher_says_otherwise():
    def fails(_: Any) -> Any:
        return Failed("Boom", "it broke")

    definition = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
                "Catch": [
                    {
                        "ErrorEquals": ["Boom"],
                        "Assign": {"seen": "{% $states.errorOutput.Error %}"},
                        "Next": "After",
                    }
                ],
                "End": True,
            },
            "After": {
                "Type": "Pass",
                "Output": {"err": "{% $states.input %}", "seen": "{% $seen %}"},
                "End": True,
            },
        }
    )
    tasks = {"arn:aws:lambda:us-east-1:111111111111:function:f": fails}
    assert output_of(definition, {}, tasks=tasks) == {
        "err": {"Error": "Boom", "Cause": "it broke"},
        "seen": "Boom",
    }


def test_a_query_evaluation_error_is_caught_like_any_other():
    definition = jsonata(
        {
            "P": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
                "Arguments": "{% $missing %}",
                "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Pass", "Output": "{% $states.input.Error %}", "End": True},
        }
    )
    assert output_of(definition, {}, tasks={}) == "States.QueryEvaluationError"


def test_a_jsonpath_state_in_a_jsonata_free_machine_runs_beside_a_jsonata_one():
    definition = machine(
        {
            "Old": {"Type": "Pass", "Parameters": {"v.$": "$.x"}, "Next": "New"},
            "New": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Output": "{% $states.input.v * 10 %}",
                "End": True,
            },
        }
    )
    assert output_of(definition, {"x": 4}) == 40


# Validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (
            jsonata({"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}),
            ("/States/A", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            jsonata({"A": {"Type": "Pass", "InputPath": "$.x", "End": True}}),
            ("/States/A", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            jsonata({"A": {"Type": "Pass", "Parameters": {"a": 1}, "End": True}}),
            ("/States/A", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine({"A": {"Type": "Pass", "Output": {"a": 1}, "End": True}}),
            ("/States/A", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            jsonata({"A": {"Type": "Pass", "Output": "{% 1 + %}", "End": True}}),
            ("/States/A/Output", "INVALID_JSONATA_EXPRESSION"),
        ),
        (
            jsonata({"A": {"Type": "Pass", "Output": {"deep": ["{% ] %}"]}, "End": True}}),
            ("/States/A/Output/deep/0", "INVALID_JSONATA_EXPRESSION"),
        ),
        (
            jsonata({"A": {"Type": "Wait", "Seconds": "ten", "End": True}}),
            ("/States/A/Seconds", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine({"A": {"Type": "Wait", "Seconds": "{% 10 %}", "End": True}}),
            ("/States/A/Seconds", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine(
                {"A": {"Type": "Wait", "Timestamp": "{% '2016-03-14T01:59:00Z' %}", "End": True}}
            ),
            ("/States/A/Timestamp", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            jsonata(
                {
                    "C": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "D"}],
                    },
                    "D": {"Type": "Succeed"},
                }
            ),
            ("/States/C/Choices/0", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            jsonata({"A": {"Type": "Pass", "Assign": {"not ok": 1}, "End": True}}),
            ("/States/A/Assign/not ok", "INVALID_VARIABLE_NAME"),
        ),
        (
            jsonata({"A": {"Type": "Pass", "Output": {"v": "{% phone %}"}, "End": True}}),
            ("/States/A/Output/v", "UNSUPPORTED_JSONATA_EXPRESSION"),
        ),
        (
            jsonata({"A": {"Type": "Pass", "Output": "{% $sum(price) + 1 %}", "End": True}}),
            ("/States/A/Output", "UNSUPPORTED_JSONATA_EXPRESSION"),
        ),
    ],
)
def test_each_language_keeps_to_its_own_fields(definition, expected):
    assert expected in codes(definition)


def test_nested_states_take_the_language_of_the_machine_not_of_their_map():
    definition = machine(
        {
            "M": {
                "Type": "Map",
                "QueryLanguage": "JSONata",
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "Output": "{% 1 %}", "End": True}},
                },
                "End": True,
            }
        }
    )
    assert ("/States/M/ItemProcessor/States/P", "SCHEMA_VALIDATION_FAILED") in codes(definition)


@pytest.mark.parametrize(
    "fields",
    [
        {"Output": "{% $states.input %}", "Assign": {"a": "{% 1 %}"}},
        {"Output": ["{% 1 %}", {"b": "{% 2 %}"}]},
        # names read inside a path's steps, its filters or a function body are its own
        {"Output": "{% $states.input.items[qty > 1].(qty * price) %}"},
        {"Output": "{% $map($states.input.items, function($i){ $i.sku }) %}"},
    ],
)
def test_a_well_formed_jsonata_state_is_valid(fields):
    assert codes(jsonata({"A": {"Type": "Pass", **fields, "End": True}})) == set()
