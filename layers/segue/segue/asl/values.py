"""Small facts about JSON values that several parts of the interpreter need."""

from __future__ import annotations

import json
import math
from typing import Any, TypeGuard


def is_number(value: Any) -> TypeGuard[int | float]:
    """True for JSON numbers (bool is not one; an int of any size is)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def is_integer(value: Any) -> TypeGuard[int | float]:
    """True for JSON numbers with no fractional part."""
    return is_number(value) and (isinstance(value, int) or value.is_integer())


def json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON means it: `true` is not `1`, and `1` is `1.0`."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    return type(left) is type(right) and bool(left == right)


def java_string(value: Any) -> str:
    """How AWS's Java runtime prints a value inside States.Format: `{a=1, b=[x, y]}`."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(java_string(v) for v in value) + "]"
    return json.dumps(value)
