"""Listings merged from sharded index partitions: every item once, newest first."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from segue.store.listing import (
    END,
    ShardPage,
    finished,
    is_position,
    merge,
    shard_of,
    sharded,
    unsharded,
)

KEY = "status"


def item(list_key: str, value: str) -> dict[str, Any]:
    return {"pk": f"EX#{list_key}", "sk": "HEAD", "list_key": list_key, KEY: value}


def query(
    partition: list[dict[str, Any]], start: dict[str, Any] | None, limit: int, keep: Any
) -> ShardPage:
    """DynamoDB's Query, newest first: `limit` items looked at after `start`, those `keep`
    likes returned, and the last looked at as LastEvaluatedKey when more may follow."""
    after = [i for i in partition if start is None or i["list_key"] < start["list_key"]]
    looked = after[:limit]
    last = looked[-1] if looked and len(after) > limit else None
    return ShardPage([i for i in looked if keep(i)], dict(last) if last else None)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 40), unique=True, max_size=30),
    st.integers(1, 5),
    st.integers(1, 6),
    st.integers(0, 3),
    st.booleans(),
)
@example([6, 4, 1], 2, 1, 0, True)  # shard 0 reads past a hidden 6: its 4 comes before 1
def test_paging_lists_every_item_once_newest_first(numbers, shards, wanted, extra, filtered):
    values = [sharded("RUNNING", n) for n in range(shards)]
    partitions: dict[str, list[dict[str, Any]]] = {v: [] for v in values}
    for number in numbers:
        value = values[number % shards]
        partitions[value].append(item(f"{number:05d}", value))
    for partition in partitions.values():
        partition.sort(key=lambda i: i["list_key"], reverse=True)

    def keep(i: dict[str, Any]) -> bool:
        return not filtered or int(i["list_key"]) % 3 != 0

    listed: list[str] = []
    position: dict[str, Any] = {}
    for _ in range(10 * len(numbers) + 10):
        pages = {
            v: query(partitions[v], position.get(v), wanted + extra, keep)
            for v in values
            if position.get(v) != END
        }
        found, position = merge(pages, position, wanted, KEY)
        assert len(found) <= wanted and is_position(position)
        listed += [i["list_key"] for i in found]
        if finished(position, values):
            break
    else:
        raise AssertionError("the listing never ended")
    expected = sorted((f"{n:05d}" for n in numbers if keep({"list_key": f"{n:05d}"})), reverse=True)
    assert listed == expected


def test_shard_0_is_the_value_itself_so_unsharded_items_read_as_before():
    assert sharded("RUNNING", 0) == "RUNNING" and sharded("RUNNING", 3) == "RUNNING#3"
    assert unsharded("RUNNING#3") == unsharded("RUNNING") == "RUNNING"
    assert {shard_of(f"sm:e{n}", 4) for n in range(100)} == {0, 1, 2, 3}
    assert shard_of("sm:e1", 4) == shard_of("sm:e1", 4)


def test_a_position_of_another_shape_is_not_one():
    assert not is_position({"pk": "EX#x", "sk": "HEAD"})  # a token of the unsharded listing
    assert not is_position([1, 2]) and is_position({}) and is_position({"RUNNING": END})
