"""The bounds every JSON value segue takes in keeps: nesting depth, number length, size.

Text from outside (request bodies, definitions, queue messages, function results,
`States.StringToJson`) is read by `read_json`, which refuses what a client could not read
back (`NaN`, `Infinity`, numbers beyond a 64-bit float, lone surrogates) and what would
exhaust a worker (nesting deeper than `MAX_DEPTH`, number literals longer than
`MAX_NUMBER_CHARS`), each with a message that names the bound. Values built inside (a
state's output) are measured by `measure` without writing them out, so a value made of
many references to one big document is refused before its text is ever built.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, NoReturn

MAX_DEPTH = 128
"""Deepest nesting of arrays and objects in any document (the outermost counts as 1)."""
MAX_NUMBER_CHARS = 1000
"""Longest number literal, in characters."""

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JsonTextError(ValueError):
    """The text is not JSON that segue takes in; the message says which bound it broke."""


class _BadNumber(ValueError):
    pass


def read_json(text: str | bytes, what: str = "the JSON text") -> Any:
    """The value of `text`, within segue's bounds; JsonTextError naming `what` otherwise."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonTextError(f"{what} is not UTF-8 text (byte {exc.start})") from None
    try:
        value = _DECODER.decode(text)
    except RecursionError:
        _too_deep(what)
    except _BadNumber as exc:
        raise JsonTextError(f"{what} has {exc}") from None
    except json.JSONDecodeError as exc:
        raise JsonTextError(f"{what} is not valid JSON: {exc}") from None
    # fewer brackets than the bound cannot nest deeper than it: no need to walk the value
    if text.count("[") + text.count("{") > MAX_DEPTH and depth_over(value, MAX_DEPTH):
        _too_deep(what)
    if _SURROGATE_ESCAPE.search(text) and not _encodable(value):
        raise JsonTextError(f"{what} has a string with an unpaired UTF-16 surrogate (\\ud800)")
    return value


def _too_deep(what: str) -> NoReturn:
    raise JsonTextError(f"{what} is nested deeper than {MAX_DEPTH} levels") from None


def _number_literal(text: str) -> None:
    if len(text) > MAX_NUMBER_CHARS:
        raise _BadNumber(f"a number of {len(text)} characters (at most {MAX_NUMBER_CHARS})")


def _integer(text: str) -> int:
    _number_literal(text)
    value = int(text)
    if len(text) > 308:  # a double's range ends near 1.8e308
        _finite(text, value)
    return value


def _float(text: str) -> float:
    _number_literal(text)
    value = float(text)
    _finite(text, value)
    return value


def _finite(text: str, value: float) -> None:
    try:
        finite = math.isfinite(value)
    except OverflowError:
        finite = False
    if not finite:
        raise _BadNumber(f"the number {text[:40]} beyond the range of a 64-bit float")


def _constant(text: str) -> NoReturn:
    raise _BadNumber(f"{text}, which is not a JSON number")


_DECODER = json.JSONDecoder(parse_int=_integer, parse_float=_float, parse_constant=_constant)


_CONTAINERS = (dict, list)


def _children(node: Any) -> Any:
    return node.values() if isinstance(node, dict) else node


def _containers(node: Any) -> list[Any]:
    return [child for child in _children(node) if isinstance(child, _CONTAINERS)]


def depth_over(value: Any, limit: int) -> bool:
    """True when arrays and objects nest deeper than `limit` in `value`."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, _CONTAINERS):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in _containers(node))
    return False


def _encodable(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            texts: Any = (node,)
        elif isinstance(node, dict):
            texts = node.keys()
            stack.extend(node.values())
        elif isinstance(node, list):
            texts = ()
            stack.extend(node)
        else:
            continue
        try:
            for text in texts:
                text.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return True


# Measuring values built inside -------------------------------------------------------------


@dataclass(frozen=True)
class Extent:
    """How big a value is: its compact UTF-8 text's bytes, and its nesting depth."""

    bytes: int
    depth: int


def text_of(value: Any) -> str:
    """The compact JSON text every size and hash is computed from."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _size(value: Any) -> int:
    return len(text_of(value).encode("utf-8"))


def measure(value: Any) -> Extent:
    """The extent of `value`, without building its text when parts of it repeat.

    A value may hold one document in many places (a template that names `$` a thousand
    times): its text would be that many copies, so each repeated part is measured once.
    """
    if not isinstance(value, _CONTAINERS):
        return Extent(_size(value), 0)
    order, reached = _post_order(value)
    if all(count == 1 for count in reached.values()):
        return Extent(_size(value), order[-1][1])
    repeats: dict[int, bool] = {}
    sizes: dict[int, int] = {}
    for node, _, kids in order:
        repeats[id(node)] = any(reached[id(kid)] > 1 or repeats[id(kid)] for kid in kids)
        if repeats[id(node)]:  # only the containers above a repeated part are added up
            sizes[id(node)] = _spine_size(node, sizes)
    return Extent(sizes[id(value)], order[-1][1])


def _post_order(value: Any) -> tuple[list[tuple[Any, int, list[Any]]], dict[int, int]]:
    """Containers children first, each once, with its height and container children."""
    order: list[tuple[Any, int, list[Any]]] = []
    heights: dict[int, int] = {}
    reached: dict[int, int] = {}
    stack: list[tuple[Any, list[Any] | None]] = [(value, None)]
    while stack:
        node, kids = stack.pop()
        if kids is not None:
            height = 1 + max((heights[id(kid)] for kid in kids), default=0)
            heights[id(node)] = height
            order.append((node, height, kids))
            continue
        reached[id(node)] = reached.get(id(node), 0) + 1
        if reached[id(node)] > 1:
            continue
        found = _containers(node)
        stack.append((node, found))
        stack.extend((kid, None) for kid in found)
    return order, reached


def _spine_size(node: Any, sizes: dict[int, int]) -> int:
    """The text size of a container from its parts' sizes, each part measured once."""

    def part(child: Any) -> int:
        if not isinstance(child, _CONTAINERS):
            return _size(child)
        if id(child) not in sizes:
            sizes[id(child)] = _size(child)  # nothing repeats inside it: write it out once
        return sizes[id(child)]

    commas = max(len(node) - 1, 0)
    if isinstance(node, list):
        return 2 + commas + sum(part(child) for child in node)
    return 2 + commas + sum(_size(key) + 1 + part(child) for key, child in node.items())
