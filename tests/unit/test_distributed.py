"""The Distributed Map's pure parts: readers, the batcher, tolerances, its ARN."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segue.asl import diagnose, errors
from segue.asl.bounds import measure
from segue.asl.distributed import (
    MAP_RUN,
    Batching,
    ReaderFailure,
    batched,
    csv_rows,
    inventory,
    items_in,
    over_tolerance,
    parse_object,
    processor_document,
    read_lines,
)
from segue.asl.errors import StatesError
from segue.sfn.arns import Arns
from segue.sfn.errors import InvalidArn

ITEMS = st.lists(
    st.one_of(
        st.integers(),
        st.text(max_size=30),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    ),
    max_size=60,
)


@given(
    ITEMS,
    st.one_of(st.none(), st.integers(1, 10)),
    st.one_of(st.none(), st.integers(200, 2000)),
    st.one_of(st.none(), st.fixed_dictionaries({"tag": st.text(max_size=8)})),
)
def test_batches_hold_every_item_once_in_order_within_their_limits(items, most, size, extra):
    batcher = Batching(most, size, extra)
    try:
        batches = list(batched(items, batcher))
    except StatesError as too_big:  # only when one item alone is over the byte limit
        assert too_big.error == errors.RUNTIME
        assert size is not None
        assert any(measure({"BatchInput": extra, "Items": [i]}).bytes > size for i in items)
        return
    assert [i for b in batches for i in b["Items"]] == items
    for batch in batches:
        assert batch["Items"], "no batch is empty"
        assert most is None or len(batch["Items"]) <= most
        assert size is None or measure(batch).bytes <= size
        assert batch.get("BatchInput") == extra
    for first, second in zip(batches, batches[1:], strict=False):  # a batch closes only when full
        grown = {**first, "Items": [*first["Items"], second["Items"][0]]}
        assert (most is not None and len(first["Items"]) == most) or (
            size is not None and measure(grown).bytes > size
        )


def test_without_a_batcher_each_item_is_a_child_input():
    assert list(batched([1, {"a": 2}], None)) == [1, {"a": 2}]
    assert items_in({"Items": [1, 2, 3]}, True) == 3 and items_in({"Items": [1]}, False) == 1


@pytest.mark.parametrize(
    ("kind", "body", "items"),
    [
        ("JSON", b'[1, {"a": 2}]', [1, {"a": 2}]),
        ("JSONL", b'{"a": 1}\n\n{"a": 2}\n', [{"a": 1}, {"a": 2}]),
        ("CSV", b"\xef\xbb\xbfx,y\n1,2\n3\n", [{"x": "1", "y": "2"}, {"x": "3", "y": ""}]),
    ],
)
def test_each_input_type_reads_its_items(kind, body, items):
    assert parse_object({"inputType": kind}, body) == items
    assert parse_object({"inputType": kind, "maxItems": 1}, body) == items[:1]


@pytest.mark.parametrize(
    ("kind", "body", "said"),
    [
        ("JSON", b'{"a": 1}', "must hold an array"),
        ("JSON", b"[1,", "not JSON"),
        ("JSONL", b"1\n{", "line 2"),
        ("CSV", b"a\n1,2\n", "row 1 has 2 fields"),
        ("JSON", b"\xff", "not UTF-8"),
    ],
)
def test_an_object_that_cannot_be_read_says_why(kind, body, said):
    with pytest.raises(ReaderFailure, match=said):
        parse_object({"inputType": kind}, body)


def test_csv_with_given_headers_and_a_delimiter():
    reader = {"headerLocation": "GIVEN", "headers": ["a", "b"], "delimiter": "SEMICOLON"}
    assert list(csv_rows(reader, ["1;2\n"])) == [{"a": "1", "b": "2"}]


def test_an_inventory_manifest_names_its_files_and_columns():
    manifest = {
        "destinationBucket": "arn:aws:s3:::inv",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key",
        "files": [{"key": "d/1.csv.gz"}],
    }
    assert inventory(json.dumps(manifest).encode()) == ("inv", ["d/1.csv.gz"], ["Bucket", "Key"])
    with pytest.raises(ReaderFailure, match="ORC"):
        inventory(json.dumps({**manifest, "fileFormat": "ORC"}).encode())
    with pytest.raises(ReaderFailure, match="not an S3 inventory"):
        inventory(b"{}")


@pytest.mark.parametrize(
    ("count", "percentage", "failed", "total", "over"),
    [
        (None, None, 0, 10, False),
        (None, None, 1, 10, True),
        (2, None, 2, 10, False),
        (2, None, 3, 10, True),
        (None, 30, 3, 10, False),
        (None, 30, 4, 10, True),
        (0, 50, 5, 10, False),  # either tolerance suffices
    ],
)
def test_tolerances(count, percentage, failed, total, over):
    asked = {"toleratedCount": count, "toleratedPercentage": percentage}
    assert over_tolerance(asked, failed, total) is over


def test_the_item_processor_is_found_at_any_depth_and_keeps_its_language():
    inner = {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P", "States": {}}
    definition = {
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [{"States": {"Deep": {"ItemProcessor": inner}}}],
            }
        }
    }
    found = processor_document(definition, "Deep", jsonata=True)
    assert found == {"StartAt": "P", "States": {}, "QueryLanguage": "JSONata"}
    with pytest.raises(LookupError):
        processor_document(definition, "Nope", jsonata=False)


@given(
    st.from_regex(r"[a-z][a-z0-9_-]{0,20}", fullmatch=True),
    st.text(st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1, max_size=20),
    st.from_regex(r"[a-z0-9.][a-z0-9._-]{0,20}", fullmatch=True),
    st.from_regex(r"t[0-9]{1,4}", fullmatch=True),
)
def test_a_map_run_arn_names_its_execution_and_token(machine, label, name, token):
    arns = Arns("us-east-1", "123456789012")
    arn = arns.map_run(machine, label, f"{name}.{token}")
    assert arns.map_run_of(arn) == (f"{machine}:{name}", token)


def test_a_map_run_arn_without_its_parts_is_invalid():
    arns = Arns("us-east-1", "123456789012")
    with pytest.raises(InvalidArn):
        arns.map_run_of("arn:aws:states:us-east-1:123456789012:mapRun:nothing")


def test_lines_are_read_as_they_come_and_max_items_stops_the_reading():
    def lines():
        for n in range(3):
            yield json.dumps({"n": n}).encode() + b"\n"
        raise AssertionError("read past MaxItems")

    reader = {"inputType": "JSONL", "maxItems": 3}
    assert list(read_lines(reader, lines())) == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_a_quoted_csv_field_may_hold_a_line_break():
    body = b'a,b\n"one\nline",2\n'
    assert parse_object({"inputType": "CSV"}, body) == [{"a": "one\nline", "b": "2"}]


def test_no_task_may_name_the_map_runs_own_resource():
    task = {"Type": "Task", "Resource": MAP_RUN, "End": True}
    (found,) = diagnose({"StartAt": "A", "States": {"A": task}})[1]
    assert (found.path, found.code) == ("/States/A/Resource", "INVALID_RESOURCE")
