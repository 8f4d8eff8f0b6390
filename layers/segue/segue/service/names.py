"""Names of state machines and executions follow the Step Functions rules (API.md)."""

from __future__ import annotations

import re

_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


def name_problem(name: object) -> str | None:
    """Why `name` is not allowed, or None when it is."""
    if not isinstance(name, str) or not 1 <= len(name) <= 80:
        return "a name has 1 to 80 characters"
    bad = _FORBIDDEN.search(name)
    if bad:
        return f"a name may not contain {bad.group()!r}"
    return None


def is_execution_id(text: object) -> bool:
    """True for `machine:name` with both parts allowed names (any other id cannot exist)."""
    if not isinstance(text, str):
        return False
    machine, colon, name = text.partition(":")
    return bool(colon) and name_problem(machine) is None and name_problem(name) is None
