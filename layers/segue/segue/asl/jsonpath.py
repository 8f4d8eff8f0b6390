"""JSONPath as AWS Step Functions reads it: three roots, definite and indefinite paths.

`$` is the state's input, `$$` the context object and `$name` a variable. A definite
path (names and indices only) yields one value or fails; an indefinite one (wildcard,
slice, union, filter, deep scan) yields a list, empty when nothing matches. Failure
messages follow the ones AWS reports, since workflows and operators see them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

from segue.asl.bounds import MAX_DEPTH
from segue.asl.errors import RESULT_PATH_MATCH_FAILURE, PathFailure, StatesError
from segue.asl.filters import ABSENT, Filter, parse_filter

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

Json: TypeAlias = Any
"""A decoded JSON value: dict, list, str, int, float, bool or None."""

VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_STEPS = MAX_DEPTH + 8
"""A document nests at most MAX_DEPTH deep (the context object a few levels more)."""
_DOT_NAME = re.compile(r"[^.\[\]()\s'\"]+")


class Root(Enum):
    """Where a path starts."""

    INPUT = "$"
    CONTEXT = "$$"
    VARIABLE = "$var"


@dataclass(frozen=True)
class Name:
    key: str


@dataclass(frozen=True)
class Index:
    index: int


@dataclass(frozen=True)
class Wildcard:
    pass


@dataclass(frozen=True)
class Slice:
    start: int | None
    stop: int | None
    step: int | None


@dataclass(frozen=True)
class Union:
    members: tuple[str | int, ...]


@dataclass(frozen=True)
class DeepScan:
    target: Name | Wildcard


Step: TypeAlias = Name | Index | Wildcard | Slice | Union | Filter | DeepScan


class PathSyntaxError(ValueError):
    """The text is not a JSONPath that Step Functions accepts."""


@dataclass(frozen=True)
class Scope:
    """The three things a path can start from."""

    input: Json
    context: Json = None
    variables: Mapping[str, Json] | None = None


@dataclass(frozen=True)
class JsonPath:
    """A parsed path; `find` evaluates it."""

    text: str
    root: Root
    steps: tuple[Step, ...]
    variable: str | None = None

    @property
    def definite(self) -> bool:
        """True when the path names at most one node."""
        return all(isinstance(s, Name | Index) for s in self.steps)

    def find(self, scope: Scope) -> Json:
        """The value (definite) or the list of matches (indefinite) in `scope`."""
        start = self._start(scope)
        if self.definite:
            return self._walk_definite(start)
        return list(_matches(start, self.steps, scope))

    def _start(self, scope: Scope) -> Json:
        if self.root is Root.INPUT:
            return scope.input
        if self.root is Root.CONTEXT:
            return scope.context
        variables = scope.variables or {}
        if self.variable is None or self.variable not in variables:
            raise PathFailure(
                f"Invalid path '{self.text}': The variable '{self.variable}' is not defined"
            )
        return variables[self.variable]

    def _walk_definite(self, node: Json) -> Json:
        for position, step in enumerate(self.steps):
            last = position == len(self.steps) - 1
            walked = normalized(self.steps[: position + 1])
            if isinstance(step, Name):
                if not isinstance(node, dict):
                    raise self._failure(
                        f"Expected to find an object with property {_quote(step.key)} in path "
                        f"{normalized(self.steps[:position])} but found '{json_type(node)}'"
                    )
                if step.key not in node:
                    detail = (
                        f"No results for path: {walked}"
                        if last
                        else f"Missing property in path {walked}"
                    )
                    raise self._failure(detail)
                node = node[step.key]
            else:
                assert isinstance(step, Index)
                if not isinstance(node, list):
                    raise self._failure(f"Filter: [{step.index}] can only be applied to arrays")
                if not -len(node) <= step.index < len(node):
                    raise self._failure(f"Index out of bounds when evaluating path {walked}")
                node = node[step.index]
        return node

    def _failure(self, detail: str) -> PathFailure:
        return PathFailure(f"Invalid path '{self.text}' : {detail}")


def json_type(value: Json) -> str:
    """The JSON type name of a value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _quote(key: str) -> str:
    return "['" + key + "']"


def normalized(steps: tuple[Step, ...]) -> str:
    """The bracketed form AWS quotes in messages, e.g. `$['a'][0]`."""
    parts = ["$"]
    for step in steps:
        if isinstance(step, Name):
            parts.append(_quote(step.key))
        elif isinstance(step, Index):
            parts.append(f"[{step.index}]")
        else:
            parts.append("[*]" if isinstance(step, Wildcard) else f"[{type(step).__name__}]")
    return "".join(parts)


def _matches(node: Json, steps: tuple[Step, ...], scope: Scope) -> Iterator[Json]:
    if not steps:
        yield node
        return
    step, rest = steps[0], steps[1:]
    for child in _children(node, step, scope):
        yield from _matches(child, rest, scope)


def _children(node: Json, step: Step, scope: Scope) -> Iterator[Json]:
    if isinstance(step, Name):
        if isinstance(node, dict) and step.key in node:
            yield node[step.key]
    elif isinstance(step, Index):
        if isinstance(node, list) and -len(node) <= step.index < len(node):
            yield node[step.index]
    elif isinstance(step, Wildcard):
        yield from _all_children(node)
    elif isinstance(step, Slice):
        if isinstance(node, list):
            yield from node[step.start : step.stop : step.step]
    elif isinstance(step, Union):
        for member in step.members:
            yield from _children(
                node, Name(member) if isinstance(member, str) else Index(member), scope
            )
    elif isinstance(step, DeepScan):
        yield from _deep_scan(node, step.target, scope)
    else:
        candidates = node if isinstance(node, list) else [node] if isinstance(node, dict) else []
        yield from (item for item in candidates if step.matches(item, scope.input, _resolve))


def find_or_absent(text: str, scope: Scope) -> Json:
    """The path's value in `scope`, or ABSENT when a definite path finds nothing."""
    try:
        return parse(text).find(scope)
    except PathFailure:
        return ABSENT


def _resolve(text: str, base: Json) -> Json:
    return find_or_absent(text, Scope(base))


def _all_children(node: Json) -> Iterator[Json]:
    if isinstance(node, dict):
        yield from node.values()
    elif isinstance(node, list):
        yield from node


def _deep_scan(node: Json, target: Name | Wildcard, scope: Scope) -> Iterator[Json]:
    yield from _children(node, target, scope)
    for child in _all_children(node):
        if isinstance(child, dict | list):
            yield from _deep_scan(child, target, scope)


@lru_cache(maxsize=4096)
def parse(text: str) -> JsonPath:
    """Parse a path with any of the three roots."""
    if text.startswith("$$"):
        return JsonPath(text, Root.CONTEXT, _Parser(text, 2).steps())
    if text.startswith("$") and VARIABLE_NAME.match(text, 1):
        match = VARIABLE_NAME.match(text, 1)
        assert match is not None
        return JsonPath(text, Root.VARIABLE, _Parser(text, match.end()).steps(), match.group())
    if text.startswith("$"):
        return JsonPath(text, Root.INPUT, _Parser(text, 1).steps())
    raise PathSyntaxError(f"'{text}' is not a JSONPath: it must start with '$'")


def parse_reference(text: str) -> JsonPath:
    """Parse a reference path (ResultPath): input-rooted and naming exactly one node."""
    path = parse(text)
    if path.root is not Root.INPUT:
        raise PathSyntaxError(f"'{text}' is not a reference path: it must start with '$' or '$.'")
    if not path.definite:
        raise PathSyntaxError(
            f"'{text}' is not a reference path: only names and indices are allowed"
        )
    return path


def select(text: str, scope: Scope) -> Json:
    """Evaluate the path `text` in `scope`."""
    return parse(text).find(scope)


def put(document: Json, path: JsonPath, value: Json) -> Json:
    """A copy of `document` with `value` placed at the reference path `path`."""
    return _put(document, path.steps, value, path)


def _put(node: Json, steps: tuple[Step, ...], value: Json, path: JsonPath) -> Json:
    if not steps:
        return value
    step, rest = steps[0], steps[1:]
    if isinstance(step, Name):
        # A missing intermediate object is created, as AWS does.
        node = {} if node is ABSENT else node
        if not isinstance(node, dict):
            raise _match_failure(path, node)
        copy = dict(node)
        copy[step.key] = _put(node.get(step.key, ABSENT), rest, value, path)
        return copy
    assert isinstance(step, Index)
    if not isinstance(node, list) or not -len(node) <= step.index < len(node):
        raise _match_failure(path, node)
    items = list(node)
    items[step.index] = _put(items[step.index], rest, value, path)
    return items


def _match_failure(path: JsonPath, node: Json) -> StatesError:
    return StatesError(
        RESULT_PATH_MATCH_FAILURE,
        f"Unable to apply ResultPath '{path.text}' to input of type {json_type(node)}",
    )


class _Parser:
    """Reads the steps after the root."""

    def __init__(self, text: str, position: int) -> None:
        self.text = text
        self.pos = position

    def steps(self) -> tuple[Step, ...]:
        steps: list[Step] = []
        while self.pos < len(self.text):
            steps.append(self._step())
            if len(steps) > MAX_STEPS:  # deeper than any document: it could match nothing
                raise self._error(f"a path has at most {MAX_STEPS} steps")
        return tuple(steps)

    def _step(self) -> Step:
        text = self.text
        if text.startswith("..", self.pos):
            self.pos += 2
            target = self._dot_member()
            if not isinstance(target, Name | Wildcard):
                raise self._error("expected a name or '*' after '..'")
            return DeepScan(target)
        if text[self.pos] == ".":
            self.pos += 1
            return self._dot_member()
        if text[self.pos] == "[":
            return self._bracket()
        raise self._error(f"unexpected character {text[self.pos]!r}")

    def _dot_member(self) -> Step:
        if self.text.startswith("*", self.pos):
            self.pos += 1
            return Wildcard()
        if self.pos < len(self.text) and self.text[self.pos] == "[":
            return self._bracket()
        match = _DOT_NAME.match(self.text, self.pos)
        if match is None:
            raise self._error("expected a property name")
        self.pos = match.end()
        return Name(match.group())

    def _bracket(self) -> Step:
        end = self._closing_bracket()
        inner = self.text[self.pos + 1 : end].strip()
        self.pos = end + 1
        if inner == "*":
            return Wildcard()
        if inner.startswith("?(") and inner.endswith(")"):
            try:
                return parse_filter(inner[2:-1])
            except ValueError as exc:
                raise self._error(str(exc)) from exc
        if ":" in inner and not inner.startswith(("'", '"')):
            return self._slice(inner)
        members = self._members(inner)
        if len(members) == 1:
            only = members[0]
            return Name(only) if isinstance(only, str) else Index(only)
        return Union(tuple(members))

    def _closing_bracket(self) -> int:
        quote: str | None = None
        depth = 0
        for index in range(self.pos, len(self.text)):
            char = self.text[index]
            if quote:
                if char == quote:
                    quote = None
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                depth -= 1
                if depth == 0:
                    return index
        raise self._error("unclosed '['")

    def _members(self, inner: str) -> list[str | int]:
        members: list[str | int] = []
        for raw in _split_members(inner):
            if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
                members.append(raw[1:-1])
            elif re.fullmatch(r"-?\d+", raw):
                members.append(int(raw))
            else:
                raise self._error(f"invalid subscript [{inner}]")
        return members

    def _slice(self, inner: str) -> Slice:
        parts = [part.strip() for part in inner.split(":")]
        if len(parts) > 3 or not all(re.fullmatch(r"-?\d*", part) for part in parts):
            raise self._error(f"invalid slice [{inner}]")
        bounds = [int(part) if part else None for part in parts] + [None]
        if bounds[2] == 0:
            raise self._error("a slice step cannot be 0")
        return Slice(bounds[0], bounds[1], bounds[2])

    def _error(self, detail: str) -> PathSyntaxError:
        shown = self.text if len(self.text) <= 200 else self.text[:197] + "..."
        return PathSyntaxError(f"Invalid JSONPath '{shown}': {detail}")


def _split_members(inner: str) -> list[str]:
    members: list[str] = []
    current: list[str] = []
    quote: str | None = None
    for char in inner:
        if quote:
            current.append(char)
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char == ",":
            members.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    members.append("".join(current).strip())
    return members
