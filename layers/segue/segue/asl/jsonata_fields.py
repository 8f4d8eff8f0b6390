"""A JSONata state's fields: `{% ... %}` strings at any depth, evaluated against `$states`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from segue.asl.jsonata_port import Bindings, QueryFailure, evaluate, is_expression, said, source
from segue.asl.jsonpath import json_type
from segue.asl.values import is_integer

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from segue.asl.outcomes import Json, Runtime, Visit

_CHECKS: dict[str, Callable[[Json], bool]] = {
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "integer": is_integer,
    "number": lambda v: not isinstance(v, bool) and isinstance(v, int | float),
    "object": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
}


class Fields:
    """Evaluates one visit's fields; `$states` holds the input, the context and `states`."""

    def __init__(
        self,
        visit: Visit,
        runtime: Runtime,
        context: Mapping[str, Json] | None = None,
        **states: Json,
    ) -> None:
        self.bindings = Bindings(
            {"input": visit.input, "context": dict(context or visit.context), **states},
            visit.variables,
            runtime.now,
            runtime.rng,
        )

    def value(self, template: Json, field: str) -> Json:
        """The field's value: every `{% ... %}` string in it replaced by what it gives."""
        if is_expression(template):
            return evaluate(template, self.bindings, field)
        if isinstance(template, dict):
            return {key: self.value(item, f"{field}/{key}") for key, item in template.items()}
        if isinstance(template, list):
            return [self.value(item, f"{field}/{index}") for index, item in enumerate(template)]
        return template

    def typed(self, template: Json, field: str, expected: str) -> Any:
        """The field's value, which must be of the JSON type `expected` (or "integer")."""
        value = self.value(template, field)
        if not _CHECKS[expected](value):
            shown = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
            what = (
                f"returned an unexpected result type. Expected '{expected}', but was "
                f"'{json_type(value)}' for value: {shown}"
            )
            text = source(template) if is_expression(template) else shown
            raise QueryFailure(said(text, field, what))
        return value

    def assigned(self, template: Mapping[str, Json] | None) -> dict[str, Json]:
        """The variables an Assign block sets (all read the variables as they were)."""
        if not template:
            return {}
        values = self.value(dict(template), "Assign")
        assert isinstance(values, dict)
        return values

    def output(self, state: Any, default: Json, field: str = "Output") -> Json:
        """The state's (or catcher's, or rule's) Output, or `default` when it has none."""
        if "output" not in state.model_fields_set:
            return default
        return self.value(state.output, field)
