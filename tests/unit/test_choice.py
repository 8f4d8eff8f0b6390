"""Choice rules: every operator, its Path form, combinators, Default and NoChoiceMatched."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segue.asl.choice import string_matches
from tests.unit.helpers import machine, output_of, run


def choose(rule: dict, input: dict, default: bool = True):
    """Which branch a single rule sends `input` to: 'yes' or 'no' (the Default)."""
    states = {
        "C": {
            "Type": "Choice",
            "Choices": [{**rule, "Next": "Yes"}],
            **({"Default": "No"} if default else {}),
        },
        "Yes": {"Type": "Pass", "Result": "yes", "End": True},
    }
    if default:
        states["No"] = {"Type": "Pass", "Result": "no", "End": True}
    return run(machine(states), input)


def answer(rule: dict, input: dict) -> str:
    execution = choose(rule, input)
    assert execution.status == "SUCCEEDED", execution
    return execution.output


@pytest.mark.parametrize(
    ("operator", "operand", "value", "expected"),
    [
        ("StringEquals", "abc", "abc", "yes"),
        ("StringEquals", "abc", "abd", "no"),
        ("StringEquals", "1", 1, "no"),
        ("StringLessThan", "b", "a", "yes"),
        ("StringGreaterThan", "b", "c", "yes"),
        ("StringLessThanEquals", "b", "b", "yes"),
        ("StringGreaterThanEquals", "b", "a", "no"),
        ("NumericEquals", 3, 3.0, "yes"),
        ("NumericEquals", 3, "3", "no"),
        ("NumericEquals", 1, True, "no"),
        ("NumericLessThan", 3, 2.5, "yes"),
        ("NumericGreaterThan", 3, 3, "no"),
        ("NumericLessThanEquals", 3, 3, "yes"),
        ("NumericGreaterThanEquals", 3, 4, "yes"),
        ("BooleanEquals", True, True, "yes"),
        ("BooleanEquals", False, 0, "no"),
        ("TimestampEquals", "2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00", "yes"),
        ("TimestampLessThan", "2024-01-01T00:00:00Z", "2023-12-31T23:59:59.999Z", "yes"),
        ("TimestampGreaterThan", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000000001Z", "yes"),
        ("TimestampLessThanEquals", "2024-01-01T00:00:00Z", "2024-01-01 00:00:00Z", "no"),
        ("TimestampGreaterThanEquals", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "yes"),
        ("StringMatches", "log-*.txt", "log-2024.txt", "yes"),
        ("StringMatches", "log-*.txt", "log-2024.csv", "no"),
    ],
)
def test_comparisons(operator, operand, value, expected):
    assert answer({"Variable": "$.v", operator: operand}, {"v": value}) == expected


@pytest.mark.parametrize(
    ("operator", "value", "other", "expected"),
    [
        ("StringEqualsPath", "a", "a", "yes"),
        ("NumericLessThanPath", 1, 2, "yes"),
        ("NumericGreaterThanEqualsPath", 1, 2, "no"),
        ("BooleanEqualsPath", False, False, "yes"),
        ("TimestampGreaterThanPath", "2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z", "yes"),
        ("StringGreaterThanEqualsPath", "a", 1, "no"),
    ],
)
def test_path_forms_compare_with_another_part_of_the_input(operator, value, other, expected):
    assert answer({"Variable": "$.v", operator: "$.w"}, {"v": value, "w": other}) == expected


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("IsNull", None, "yes"),
        ("IsNull", 0, "no"),
        ("IsNumeric", 1.5, "yes"),
        ("IsNumeric", "1", "no"),
        ("IsNumeric", True, "no"),
        ("IsString", "", "yes"),
        ("IsBoolean", False, "yes"),
        ("IsTimestamp", "2024-02-29T12:00:00Z", "yes"),
        ("IsTimestamp", "2023-02-29T12:00:00Z", "no"),
        ("IsTimestamp", "2024-02-01T12:00:00", "no"),
        ("IsPresent", None, "yes"),
    ],
)
def test_type_tests(operator, value, expected):
    assert answer({"Variable": "$.v", operator: True}, {"v": value}) == expected


def test_type_tests_with_false_invert_and_absent_values_fail_them():
    assert answer({"Variable": "$.v", "IsString": False}, {"v": 1}) == "yes"
    assert answer({"Variable": "$.v", "IsPresent": False}, {}) == "yes"
    assert answer({"Variable": "$.v", "IsNull": True}, {}) == "no"


def test_and_or_not_combine_rules():
    rule = {
        "And": [
            {"Variable": "$.n", "NumericGreaterThanEquals": 20},
            {
                "Or": [
                    {"Variable": "$.t", "StringEquals": "a"},
                    {"Not": {"Variable": "$.t", "StringEquals": "b"}},
                ]
            },
        ]
    }
    assert answer(rule, {"n": 25, "t": "c"}) == "yes"
    assert answer(rule, {"n": 25, "t": "b"}) == "no"
    assert answer(rule, {"n": 5, "t": "a"}) == "no"


def test_and_stops_before_a_comparison_on_a_missing_value():
    rule = {
        "And": [{"Variable": "$.k", "IsPresent": True}, {"Variable": "$.k", "StringEquals": "x"}]
    }
    assert answer(rule, {}) == "no"


def test_comparing_a_missing_value_is_a_runtime_error():
    execution = choose({"Variable": "$.k", "StringEquals": "x"}, {})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")


def test_first_matching_rule_wins_and_default_catches_the_rest():
    states = {
        "C": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                {"Variable": "$.n", "NumericGreaterThan": 0, "Next": "Small"},
            ],
            "Default": "None",
        },
        "Big": {"Type": "Pass", "Result": "big", "End": True},
        "Small": {"Type": "Pass", "Result": "small", "End": True},
        "None": {"Type": "Pass", "Result": "none", "End": True},
    }
    assert [output_of(machine(states), {"n": n}) for n in (11, 5, -1)] == ["big", "small", "none"]


def test_no_match_without_default_fails_with_no_choice_matched():
    execution = choose({"Variable": "$.v", "StringEquals": "x"}, {"v": "y"}, default=False)
    assert (execution.status, execution.error) == ("FAILED", "States.NoChoiceMatched")


def test_choice_passes_its_input_through_input_and_output_paths():
    states = {
        "C": {
            "Type": "Choice",
            "InputPath": "$.inner",
            "OutputPath": "$.keep",
            "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "End"}],
        },
        "End": {"Type": "Succeed"},
    }
    assert output_of(machine(states), {"inner": {"ok": True, "keep": [1]}}) == [1]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("*", "", True),
        ("a*c", "abbbc", True),
        ("a\\*c", "a*c", True),
        ("a\\*c", "abc", False),
        ("a\\\\*", "a\\xyz", True),
        ("*.txt", "x.txt\n", False),
        ("a.c", "abc", False),
    ],
)
def test_string_matches_wildcards_and_escapes(pattern, text, expected):
    assert string_matches(text, pattern) is expected


def reference_matches(text: str, pattern: str) -> bool:
    """StringMatches by the book: the pattern as a regular expression (backtracking)."""
    parts, index = [], 0
    while index < len(pattern):
        if pattern[index] == "\\" and index + 1 < len(pattern):
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if pattern[index] == "*" else re.escape(pattern[index]))
        index += 1
    return re.fullmatch("".join(parts), text, re.DOTALL) is not None


@given(st.text("ab*\\", max_size=12), st.text("ab*\\", max_size=12))
def test_string_matches_agrees_with_the_regular_expression_it_means(text, pattern):
    assert string_matches(text, pattern) == reference_matches(text, pattern)


def test_string_matches_takes_one_pass_over_a_long_text_whatever_the_pattern():
    text = "a" * 1_000_000
    assert not string_matches(text, "*a" * 30 + "*b")  # a regex engine backtracks here for ages
    assert string_matches(text + "b", "*a" * 30 + "*b")
