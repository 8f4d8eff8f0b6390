"""Payload templates and the path fields that shape a state's input and output."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from segue.asl.errors import PathFailure, RuntimeFailure
from segue.asl.intrinsics import evaluate, looks_like_call, parse_call
from segue.asl.jsonpath import Json, Scope, parse, parse_reference, put

if TYPE_CHECKING:
    import random
    from collections.abc import Mapping


def expression(text: str, scope: Scope, rng: random.Random) -> Json:
    """The value of a `.$` field: a path or an intrinsic function call."""
    if looks_like_call(text):
        return evaluate(parse_call(text), scope, rng)
    return parse(text).find(scope)


def render(template: Json, scope: Scope, rng: random.Random) -> Json:
    """A payload template with every `key.$` field replaced by `key` and its value."""
    if isinstance(template, list):
        return [render(item, scope, rng) for item in template]
    if not isinstance(template, dict):
        return template
    rendered: dict[str, Json] = {}
    for key, value in template.items():
        if key.endswith(".$") and isinstance(value, str):
            rendered[key[:-2]] = _field(key, value, scope, rng)
        else:
            rendered[key] = render(value, scope, rng)
    return rendered


def _field(key: str, text: str, scope: Scope, rng: random.Random) -> Json:
    try:
        return expression(text, scope, rng)
    except PathFailure as exc:
        raise RuntimeFailure(
            f"The JSONPath '{text}' specified for the field '{key}' could not be found "
            f"in the input '{_compact(scope.input)}'"
        ) from exc


def _compact(value: Json) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def select_input(path: str | None, scope: Scope) -> Json:
    """InputPath or OutputPath: `None` gives `{}`, otherwise the path's value."""
    return {} if path is None else parse(path).find(scope)


def merge_result(raw_input: Json, result: Json, result_path: str | None) -> Json:
    """ResultPath: the result placed into (a copy of) the raw input."""
    if result_path is None:
        return raw_input
    return put(raw_input, parse_reference(result_path), result)


def assign(
    template: Mapping[str, Json] | None, scope: Scope, rng: random.Random
) -> dict[str, Json]:
    """The variables an `Assign` block sets, all evaluated against the same scope."""
    if not template:
        return {}
    values = render(dict(template), scope, rng)
    assert isinstance(values, dict)
    return values
