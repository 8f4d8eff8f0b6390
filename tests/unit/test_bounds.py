"""The bounds of JSON segue takes in (depth, numbers, text) and measures it by (size, depth)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segue.asl.bounds import (
    MAX_DEPTH,
    MAX_NUMBER_CHARS,
    JsonTextError,
    measure,
    read_json,
    text_of,
)

finite = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.none() | st.booleans() | st.integers(-(10**30), 10**30) | finite | st.text()
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=30,
)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@given(documents)
def test_every_document_within_bounds_reads_back_as_itself(value):
    assert read_json(text_of(value)) == value
    assert read_json(text_of(value).encode("utf-8")) == value


@given(st.text() | st.binary())
def test_any_text_is_read_or_refused_with_a_message_never_another_error(text):
    try:
        read_json(text)
    except JsonTextError as refused:
        assert str(refused)


@given(documents)
def test_measure_is_the_size_of_the_compact_utf8_text(value):
    assert measure(value).bytes == len(text_of(value).encode("utf-8"))


def test_nesting_up_to_the_bound_is_read_and_beyond_it_refused_whatever_the_depth():
    assert read_json(nested(MAX_DEPTH)) is not None
    assert measure(read_json(nested(MAX_DEPTH))).depth == MAX_DEPTH
    for depth in (MAX_DEPTH + 1, 900, 10_000, 100_000):
        with pytest.raises(JsonTextError, match=f"nested deeper than {MAX_DEPTH} levels"):
            read_json(nested(depth), "the body")
    with pytest.raises(JsonTextError, match="deeper"):
        read_json('{"a":' * 5000 + "1" + "}" * 5000)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("9" * 5000, f"at most {MAX_NUMBER_CHARS}"),
        ("1" + "0" * 400, "range of a 64-bit float"),
        ("1e400", "range of a 64-bit float"),
        ("-1e400", "range of a 64-bit float"),
        ("NaN", "not a JSON number"),
        ('{"a": Infinity}', "not a JSON number"),
        ("[-Infinity]", "not a JSON number"),
        ('"\\ud800"', "unpaired UTF-16 surrogate"),
        ('{"\\udfff": 1}', "unpaired UTF-16 surrogate"),
        (b"\xff\xfe", "not UTF-8"),
        ("[1,]", "not valid JSON"),
    ],
)
def test_what_a_client_could_not_read_back_is_refused_naming_the_bound(text, named):
    with pytest.raises(JsonTextError, match=named):
        read_json(text, "the body")


def test_numbers_a_double_holds_and_surrogate_pairs_are_taken():
    assert read_json("1.7976931348623157e308") == 1.7976931348623157e308
    assert read_json("5e-324") == 5e-324
    assert read_json("12345678901234567890123") == 12345678901234567890123
    assert read_json('"\\ud83d\\ude00"') == "\U0001f600"
    assert not math.isinf(read_json("-0.0"))


def test_a_value_that_repeats_one_document_is_measured_without_writing_it_out():
    big = {"blob": "x" * 10_000_000}
    repeated = {"copies": [big] * 100_000, "and": {"one": big}}
    extent = measure(repeated)
    # the text would be a terabyte: only the document, once, was ever written out
    assert (
        extent.bytes
        == len('{"copies":[')
        + 100_000 * 10_000_011
        + 99_999
        + len('],"and":{"one":')
        + 10_000_011
        + 2
    )
    assert extent.depth == 3


@given(documents, st.integers(1, 5))
def test_measure_of_repeated_parts_is_the_size_of_the_text_they_would_make(value, copies):
    shared = {"a": [value] * copies, "b": value, "c": [[value], {"d": value}]}
    assert measure(shared).bytes == len(text_of(shared).encode("utf-8"))
    assert measure(shared).depth == depth_of(shared)


def depth_of(value):
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0
