"""Every intrinsic function of the spec, with its argument rules and failures."""

from __future__ import annotations

import random
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segue.asl.errors import IntrinsicFailure, StatesError
from segue.asl.intrinsics import IntrinsicSyntaxError, evaluate, parse_call
from segue.asl.jsonpath import Scope
from segue.asl.outcomes import MAX_PAYLOAD_BYTES
from segue.asl.values import json_equal

INPUT = {
    "name": "Ann",
    "n": 3,
    "items": [1, 2, 2, 3, 3, 4],
    "obj": {"a": {"x": 1}, "b": 2},
    "other": {"a": {"y": 2}, "c": 3},
    "text": "a,b;;c",
    "json": '{"k": [1, 2]}',
}


def call(text: str, seed: int = 7):
    return evaluate(
        parse_call(text), Scope(INPUT, {"State": {"Name": "S"}}, {"v": "var"}), random.Random(seed)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('Hello {}!', $.name)", "Hello Ann!"),
        ("States.Format('{} and {}', $.n, $v)", "3 and var"),
        ("States.Format('{} {} {}', null, true, 1.5)", "null true 1.5"),
        ("States.Format('obj {}', $.obj)", "obj {a={x=1}, b=2}"),
        ("States.Format('list {}', $.items)", "list [1, 2, 2, 3, 3, 4]"),
        ("States.Format('braces \\{\\} and {}', 'x')", "braces {} and x"),
        ("States.Format('quote \\' here')", "quote ' here"),
        ("States.StringToJson($.json)", {"k": [1, 2]}),
        ("States.StringToJson('  ')", None),
        ("States.JsonToString($.obj)", '{"a":{"x":1},"b":2}'),
        ("States.Array(1, 'two', $.n, null)", [1, "two", 3, None]),
        ("States.Array()", []),
        ("States.ArrayPartition($.items, 4)", [[1, 2, 2, 3], [3, 4]]),
        ("States.ArrayContains($.items, 3)", True),
        ("States.ArrayContains(States.Array(true), 1)", False),
        ("States.ArrayRange(1, 9, 2)", [1, 3, 5, 7, 9]),
        ("States.ArrayRange(5, 1, -2)", [5, 3, 1]),
        ("States.ArrayGetItem($.items, 5)", 4),
        ("States.ArrayLength($.items)", 6),
        ("States.ArrayUnique($.items)", [1, 2, 3, 4]),
        ("States.ArrayUnique(States.Array(1, 1.0, true, '1'))", [1, True, "1"]),
        ("States.Base64Encode('Data to encode')", "RGF0YSB0byBlbmNvZGU="),
        ("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", "Data to encode"),
        ("States.Hash('input data', 'SHA-1')", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("States.Hash('input data', 'MD5')", "812f45842bc6d66ee14572ce20db8e86"),
        ("States.JsonMerge($.obj, $.other, false)", {"a": {"y": 2}, "b": 2, "c": 3}),
        ("States.MathAdd($.n, -5)", -2),
        ("States.MathAdd(1.5, 2.5)", 5),
        ("States.MathAdd(-1.5, 0)", -1),
        ("States.StringSplit($.text, ',;')", ["a", "b", "c"]),
        ("States.StringSplit('a b', ',')", ["a b"]),
        ("States.ArrayLength(States.StringSplit($$.State.Name, ','))", 1),
    ],
)
def test_functions_compute_what_the_spec_says(text, expected):
    assert call(text) == expected


def test_math_random_stays_in_range_and_a_seed_repeats_it():
    values = {call("States.MathRandom(1, 4)", seed) for seed in range(50)}
    assert values <= {1, 2, 3} and len(values) == 3
    assert call("States.MathRandom(0, 1000, 42)", 1) == call("States.MathRandom(0, 1000, 42)", 2)


def test_uuid_is_a_version_4_uuid_drawn_from_the_given_randomness():
    first = call("States.UUID()", seed=3)
    assert uuid.UUID(first).version == 4
    assert first == call("States.UUID()", seed=3)
    assert first != call("States.UUID()", seed=4)


@pytest.mark.parametrize(
    "text",
    [
        "States.Format('{} {}', 1)",
        "States.Format($.n)",
        "States.StringToJson('{not json')",
        "States.StringToJson($.n)",
        "States.ArrayPartition($.items, 0)",
        "States.ArrayPartition($.items, 1.5)",
        "States.ArrayPartition($.name, 2)",
        "States.ArrayContains($.obj, 1)",
        "States.ArrayRange(1, 5, 0)",
        "States.ArrayRange(0, 2000, 1)",
        "States.ArrayGetItem($.items, 6)",
        "States.ArrayGetItem($.items, -1)",
        "States.ArrayLength($.obj)",
        "States.ArrayUnique('x')",
        "States.Base64Decode('***')",
        "States.Base64Decode('\u00e9t\u00e9')",  # outside ASCII: not base64 either
        "States.Base64Encode($.n)",
        "States.Hash('x', 'SHA-3')",
        "States.JsonMerge($.obj, $.other, true)",
        "States.JsonMerge($.obj, $.items, false)",
        "States.MathRandom(5, 5)",
        "States.MathAdd('1', 2)",
        "States.StringSplit($.text, '')",
    ],
)
def test_bad_arguments_raise_intrinsic_failure(text):
    with pytest.raises(IntrinsicFailure) as caught:
        call(text)
    assert caught.value.error == "States.IntrinsicFailure"


def test_strings_over_ten_thousand_characters_are_refused():
    with pytest.raises(IntrinsicFailure):
        evaluate(
            parse_call("States.Base64Encode($.s)"), Scope({"s": "x" * 10_001}), random.Random()
        )


@pytest.mark.parametrize(
    "text",
    [
        "States.Nope(1)",
        "States.UUID(1)",
        "States.ArrayRange(1, 2)",
        "States.JsonMerge(1, 2)",
        "States.Format()",
        "States.Format('x'",
        "States.Format('x) ",
        "States.Array(1 2)",
        "States.Array($.a[)",
        "States.Array(1) extra",
        "States.Array(@)",
    ],
)
def test_malformed_calls_are_refused_at_parse_time(text):
    with pytest.raises(IntrinsicSyntaxError):
        parse_call(text)


def test_nested_calls_and_paths_of_every_root_are_arguments():
    assert (
        call("States.Format('{}-{}-{}', States.ArrayLength($.items), $$.State.Name, $v)")
        == "6-S-var"
    )


def evaluate_on(text: str, document):
    return evaluate(parse_call(text), Scope(document), random.Random(0))


def test_array_range_is_counted_before_a_single_item_is_made():
    with pytest.raises(IntrinsicFailure, match="more than 1000 items"):
        call("States.ArrayRange(0, 1000000000000, 1)")  # a trillion items: never built
    assert call("States.ArrayRange(0, 999, 1)") == list(range(1000))


@given(
    st.lists(
        st.none()
        | st.booleans()
        | st.integers(-3, 3)
        | st.sampled_from([1.0, 2.5, -0.0])
        | st.lists(st.integers(0, 2), max_size=2)
        | st.dictionaries(st.sampled_from("ab"), st.integers(0, 1), max_size=2),
        max_size=30,
    )
)
def test_array_unique_keeps_the_first_of_each_json_equal_value(items):
    expected: list = []
    for item in items:  # the definition, comparing with every value kept
        if not any(json_equal(item, kept) for kept in expected):
            expected.append(item)
    assert evaluate_on("States.ArrayUnique($.items)", {"items": items}) == expected


def test_array_unique_of_many_distinct_items_takes_one_pass():
    items = list(range(200_000))
    assert evaluate_on("States.ArrayUnique($.items)", {"items": items + items}) == items


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[" * 5000 + "]" * 5000, "nested deeper than 128"),
        ("NaN", "not a JSON number"),
        ("9" * 5000, "at most 1000"),
        ("[1e999]", "64-bit float"),
    ],
)
def test_string_to_json_takes_only_json_within_bounds(text, named):
    with pytest.raises(IntrinsicFailure, match=named):
        evaluate_on("States.StringToJson($.t)", {"t": text})


def test_functions_that_would_build_more_than_the_state_limit_fail_before_building():
    big = {"blob": "x" * (MAX_PAYLOAD_BYTES // 4)}
    document = {"big": big, "copies": [big] * 10_000}
    with pytest.raises(StatesError) as to_string:
        evaluate_on("States.JsonToString($.copies)", document)
    assert to_string.value.error == "States.DataLimitExceeded"
    format_many = "States.Format('" + "{}" * 8 + "'" + ", $.big.blob" * 8 + ")"
    with pytest.raises(StatesError) as formatted:
        evaluate_on(format_many, document)
    assert formatted.value.error == "States.DataLimitExceeded"


def test_calls_nested_deeper_than_the_bound_are_refused_at_parse_time():
    nested = "States.Array(" * 33 + ")" * 33
    with pytest.raises(IntrinsicSyntaxError, match="nested deeper than 32"):
        parse_call(nested)
    assert parse_call("States.Array(" * 32 + ")" * 32)
    with pytest.raises(IntrinsicSyntaxError, match="nested deeper"):
        parse_call("States.Array(" * 1000 + ")" * 1000)
