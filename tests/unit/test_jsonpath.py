"""JSONPath as Step Functions reads it."""

from __future__ import annotations

import pytest

from segue.asl.errors import PathFailure, StatesError
from segue.asl.jsonpath import PathSyntaxError, Root, Scope, parse, parse_reference, put, select

DOC = {
    "a": {"b": [10, 20, 30], "c": None},
    "users": [{"name": "ann", "age": 31}, {"name": "bob", "age": 17}, {"name": "cy"}],
    "odd key": 1,
    "dotted.key": 2,
}
SCOPE = Scope(DOC, {"Execution": {"Id": "exec-1"}}, {"limit": 18, "cfg": {"on": True}})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DOC),
        ("$.a.b", [10, 20, 30]),
        ("$.a.b[0]", 10),
        ("$.a.b[-1]", 30),
        ("$.a.c", None),
        ("$['a']['b'][1]", 20),
        ('$["odd key"]', 1),
        ("$['dotted.key']", 2),
        ("$$.Execution.Id", "exec-1"),
        ("$$", {"Execution": {"Id": "exec-1"}}),
        ("$limit", 18),
        ("$cfg.on", True),
    ],
)
def test_definite_paths_yield_one_value(path, expected):
    assert select(path, SCOPE) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.a.b[*]", [10, 20, 30]),
        ("$.a.b[1:]", [20, 30]),
        ("$.a.b[:2]", [10, 20]),
        ("$.a.b[::2]", [10, 30]),
        ("$.a.b[0,2]", [10, 30]),
        ("$.users[*].name", ["ann", "bob", "cy"]),
        ("$.users[*].age", [31, 17]),
        ("$..age", [31, 17]),
        ("$.users[?(@.age > 18)].name", ["ann"]),
        ("$.users[?(@.age)].name", ["ann", "bob"]),
        ("$.users[?(@.name == 'cy')]", [{"name": "cy"}]),
        ("$.users[?(@.age < 18 || @.name =~ /^a/)].name", ["ann", "bob"]),
        ("$.users[?(@.age >= 17 && !(@.name == 'bob'))].name", ["ann"]),
        ("$.missing[*]", []),
        ("$.missing[1:5].x", []),
    ],
)
def test_indefinite_paths_yield_a_list_empty_when_nothing_matches(path, expected):
    assert select(path, SCOPE) == expected


def test_missing_leaf_is_reported_like_aws():
    with pytest.raises(PathFailure) as caught:
        select("$.nope", SCOPE)
    assert caught.value.cause == "Invalid path '$.nope' : No results for path: $['nope']"


def test_missing_intermediate_is_reported_like_aws():
    with pytest.raises(PathFailure) as caught:
        select("$.no.such.path", SCOPE)
    assert caught.value.cause == "Invalid path '$.no.such.path' : Missing property in path $['no']"


@pytest.mark.parametrize("path", ["$.a.b[7]", "$.a.b.c", "$.a.b[0].x", "$undefined"])
def test_definite_paths_that_find_nothing_fail(path):
    with pytest.raises(PathFailure):
        select(path, SCOPE)


@pytest.mark.parametrize(
    "text", ["", "a.b", "$.a[", "$.a[1:2:0]", "$.a[?(@.x ==)]", "$.[x]", "$..", "$.a b"]
)
def test_malformed_paths_are_refused(text):
    with pytest.raises(PathSyntaxError):
        parse(text)


def test_roots_are_told_apart():
    assert parse("$.x").root is Root.INPUT
    assert parse("$$.x").root is Root.CONTEXT
    variable = parse("$total.x")
    assert (variable.root, variable.variable) == (Root.VARIABLE, "total")


@pytest.mark.parametrize("text", ["$.a[*]", "$..a", "$$.Execution", "$x"])
def test_reference_paths_name_one_input_node(text):
    with pytest.raises(PathSyntaxError):
        parse_reference(text)


def test_put_creates_missing_objects_and_leaves_the_original_alone():
    original = {"a": 1}
    assert put(original, parse_reference("$.b.c"), 5) == {"a": 1, "b": {"c": 5}}
    assert original == {"a": 1}


def test_put_replaces_an_array_item():
    assert put({"a": [1, 2]}, parse_reference("$.a[1]"), 9) == {"a": [1, 9]}


def test_put_at_root_replaces_the_document():
    assert put({"a": 1}, parse_reference("$"), [1]) == [1]


def test_put_into_a_non_object_is_a_result_path_match_failure():
    with pytest.raises(StatesError) as caught:
        put("text", parse_reference("$.a"), 1)
    assert caught.value.error == "States.ResultPathMatchFailure"


def test_a_filter_regex_runs_in_linear_time_and_one_it_cannot_run_is_refused():
    items = [{"s": "a" * 100_000}, {"s": "a" * 100_000 + "!"}]
    found = select("$.items[?(@.s =~ /(a+)+$/)]", Scope({"items": items}))
    assert found == [items[0]]  # a backtracking engine takes years on the second item
    assert select("$.items[?(@.s =~ /A+!/i)]", Scope({"items": items})) == [items[1]]
    with pytest.raises(PathSyntaxError, match="not a regular expression segue runs"):
        parse("$.items[?(@.s =~ /(a)\\1/)]")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("$.items[?(" + "(" * 10_000 + "@.x" + ")" * 10_000 + ")]", "deeper than 32 levels"),
        ("$.items[?(" + "!" * 1000 + "@.x)]", "deeper than 32 levels"),
        ("$" + ".a" * 137, "at most 136 steps"),
        ("$" + "..a" * 5000, "at most 136 steps"),
    ],
)
def test_paths_nested_or_long_beyond_any_document_are_refused_at_parse_time(text, named):
    with pytest.raises(PathSyntaxError, match=named):
        parse(text)
