"""Listings over sharded index partitions, newest first. Pure: the store does the reading.

Every execution writes the index partitions of its status, its state machine and "all
executions" at least twice (a put when it starts, a delete or an update when it ends).
One DynamoDB partition key takes about 1,000 write units a second, so each of these is
spread over `shards` partition values: the value itself for shard 0 (so items stored
before sharding, and a stack with one shard, read as they always did) and
`value#n` for shard n. An execution's shard comes from its id, so it never moves. Names
and statuses cannot contain `#` (`service.names`), so the suffix is never ambiguous.

A listing reads a page of every shard still holding items and merges them by
`list_key`. The position it hands on names, for each shard, the key to go on after
(or END): every item is listed once, in order, whatever the shards hold.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

END = "end"
"""A shard's position once all its items have been listed."""

Position = dict[str, Any]
"""Where a listing goes on: shard value to the key after which to read on, or END."""


def shard_of(execution_id: str, shards: int) -> int:
    """The shard of an execution's listing items: spread, and stable."""
    return zlib.crc32(execution_id.encode()) % shards


def sharded(value: str, shard: int) -> str:
    """The partition value of `value` in `shard`."""
    return value if shard == 0 else f"{value}#{shard}"


def unsharded(value: str) -> str:
    """The value a partition value stands for."""
    return value.partition("#")[0]


@dataclass(frozen=True)
class ShardPage:
    """One Query answer of a shard: its items, newest first, and its LastEvaluatedKey."""

    items: list[dict[str, Any]]
    last: dict[str, Any] | None


def merge(
    pages: dict[str, ShardPage], position: Position, wanted: int, key: str
) -> tuple[list[dict[str, Any]], Position]:
    """Up to `wanted` items of `pages` (shard value to page), newest first, and the
    position after them (`key`: the index's partition key attribute).

    An item is listed only if no shard with more to read could still hold a newer one:
    none older than the oldest position a shard has read to (a filtered Query reads
    further than it returns).
    """
    boundary = max((page.last["list_key"] for page in pages.values() if page.last), default="")
    candidates = sorted(
        ((item["list_key"], value, item) for value, page in pages.items() for item in page.items),
        key=lambda c: c[0],
        reverse=True,
    )
    taken = [c for c in candidates if c[0] >= boundary][:wanted]
    after = dict(position)
    for value, page in pages.items():
        mine = [item for _, shard, item in taken if shard == value]
        if len(mine) < len(page.items):
            if mine:  # on from the last one listed; else from where it was
                after[value] = {k: mine[-1][k] for k in ("pk", "sk", "list_key")} | {key: value}
        else:
            after[value] = page.last if page.last else END
    return [item for _, _, item in taken], after


def finished(position: Position, values: list[str]) -> bool:
    """Whether every shard has been listed to its end."""
    return all(position.get(value) == END for value in values)


def is_position(position: object) -> bool:
    """Whether `position` has the shape `merge` gives (a listing token may be older)."""
    return isinstance(position, dict) and all(
        isinstance(k, str) and (v == END or isinstance(v, dict)) for k, v in position.items()
    )
