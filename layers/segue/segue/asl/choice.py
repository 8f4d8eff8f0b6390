"""Choice rule evaluation: which rule, if any, an input matches."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from segue.asl.errors import RuntimeFailure
from segue.asl.filters import ABSENT
from segue.asl.jsonpath import Scope, find_or_absent
from segue.asl.rules import And, Comparison, Not, Or, Rule
from segue.asl.timestamps import parse_timestamp
from segue.asl.values import is_number

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def first_match(rules: Sequence[Rule], scope: Scope) -> Rule | None:
    """The first top-level rule that matches, or None."""
    return next((rule for rule in rules if matches(rule, scope)), None)


def matches(rule: Rule, scope: Scope) -> bool:
    """Whether one rule (with its nested rules) holds for the input in `scope`."""
    if isinstance(rule, And):
        return all(matches(part, scope) for part in rule.and_)
    if isinstance(rule, Or):
        return any(matches(part, scope) for part in rule.or_)
    if isinstance(rule, Not):
        return not matches(rule.not_, scope)
    assert isinstance(rule, Comparison), "validation keeps JSONata rules out of JSONPath states"
    return _compare(rule, scope)


def _compare(rule: Comparison, scope: Scope) -> bool:
    value = find_or_absent(rule.variable, scope)
    operator = rule.operator
    if operator == "IsPresent":
        return (value is not ABSENT) is rule.value
    if value is ABSENT:
        if operator.startswith("Is"):
            return False
        raise RuntimeFailure(f"Invalid path '{rule.variable}': no value to compare with {operator}")
    if operator.startswith("Is"):
        return bool(_TYPE_TESTS[operator](value)) is rule.value
    expected = rule.value
    if rule.is_path:
        expected = find_or_absent(rule.value, scope)
        if expected is ABSENT:
            raise RuntimeFailure(f"Invalid path '{rule.value}' in {operator}: no value found")
        operator = operator.removesuffix("Path")
    return _COMPARATORS[operator](value, expected)


def _is_timestamp(value: Any) -> bool:
    return parse_timestamp(value) is not None


_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda value: value is None,
    "IsNumeric": is_number,
    "IsString": lambda value: isinstance(value, str),
    "IsBoolean": lambda value: isinstance(value, bool),
    "IsTimestamp": _is_timestamp,
}


def _ordered(
    kind: Callable[[Any], Any], test: Callable[[Any, Any], bool]
) -> Callable[[Any, Any], bool]:
    """A comparison that is false whenever either side is not of the operator's kind."""

    def compare(value: Any, expected: Any) -> bool:
        left, right = kind(value), kind(expected)
        return left is not None and right is not None and test(left, right)

    return compare


def _as_number(value: Any) -> Any:
    return value if is_number(value) else None


def _as_string(value: Any) -> Any:
    return value if isinstance(value, str) else None


def _as_boolean(value: Any) -> Any:
    return value if isinstance(value, bool) else None


_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda a, b: bool(a == b),
    "LessThan": lambda a, b: bool(a < b),
    "GreaterThan": lambda a, b: bool(a > b),
    "LessThanEquals": lambda a, b: bool(a <= b),
    "GreaterThanEquals": lambda a, b: bool(a >= b),
}

_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    f"{kind}{name}": _ordered(convert, test)
    for kind, convert in (
        ("Numeric", _as_number),
        ("String", _as_string),
        ("Timestamp", parse_timestamp),
    )
    for name, test in _TESTS.items()
}
_COMPARATORS["BooleanEquals"] = _ordered(_as_boolean, _TESTS["Equals"])


def string_matches(value: Any, pattern: Any) -> bool:
    """`StringMatches`: `*` matches any run of characters; `\\*` and `\\\\` are literal.

    The pattern's literal pieces are found left to right, each at its first place after
    the one before: one pass over the text, however many `*` the pattern has.
    """
    if not isinstance(value, str) or not isinstance(pattern, str):
        return False
    pieces = _pieces(pattern)
    if len(pieces) == 1:
        return value == pieces[0]
    first, *middle, last = pieces
    end = len(value) - len(last)
    if end < len(first) or not value.startswith(first) or not value.endswith(last):
        return False
    position = len(first)
    for piece in middle:
        found = value.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


@lru_cache(maxsize=1024)
def _pieces(pattern: str) -> tuple[str, ...]:
    """The literal text between the pattern's unescaped `*`s."""
    pieces: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            current.append(pattern[index + 1])
            index += 2
            continue
        if char == "*":
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    pieces.append("".join(current))
    return tuple(pieces)


_COMPARATORS["StringMatches"] = string_matches
