"""Typed Choice rules: comparisons and their `And` / `Or` / `Not` combinations."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator
from pydantic.alias_generators import to_pascal
from pydantic_core import PydanticCustomError

TYPE_TESTS = frozenset({"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"})
_COMPARED = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
VALUE_OPERATORS = frozenset(
    f"{kind}{test}" for kind in ("String", "Numeric", "Timestamp") for test in _COMPARED
) | frozenset({"BooleanEquals", "StringMatches"})
PATH_OPERATORS = frozenset(f"{op}Path" for op in VALUE_OPERATORS if op != "StringMatches")
OPERATORS = TYPE_TESTS | VALUE_OPERATORS | PATH_OPERATORS


class Model(BaseModel):
    """Base of every definition model: immutable, PascalCase in JSON, no unknown fields."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_pascal, populate_by_name=True
    )


class Comparison(Model):
    """`{"Variable": path, <Operator>: value}`; `operator` and `value` are read from the pair."""

    variable: str
    operator: str = Field(exclude=True)
    value: Any = Field(default=None, exclude=True)
    next: str | None = None
    assign: dict[str, Any] | None = None
    comment: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _pick_operator(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        found = [key for key in raw if key in OPERATORS]
        if len(found) != 1:
            detail = "none" if not found else ", ".join(found)
            raise PydanticCustomError(
                "SCHEMA_VALIDATION_FAILED",
                "a choice rule needs exactly one comparison operator (found: {detail})",
                {"detail": detail},
            )
        rest = {key: value for key, value in raw.items() if key != found[0]}
        return {**rest, "operator": found[0], "value": raw[found[0]]}

    @property
    def is_path(self) -> bool:
        """True when the operand is a path to compare against, not a literal."""
        return self.operator in PATH_OPERATORS


class And(Model):
    and_: tuple[Rule, ...] = Field(alias="And", min_length=1)
    next: str | None = None
    assign: dict[str, Any] | None = None
    comment: str | None = None


class Or(Model):
    or_: tuple[Rule, ...] = Field(alias="Or", min_length=1)
    next: str | None = None
    assign: dict[str, Any] | None = None
    comment: str | None = None


class Not(Model):
    not_: Rule = Field(alias="Not")
    next: str | None = None
    assign: dict[str, Any] | None = None
    comment: str | None = None


class Condition(Model):
    """A JSONata choice rule: a `{% ... %}` expression (or a literal boolean) to test."""

    condition: Any
    next: str | None = None
    assign: dict[str, Any] | None = None
    output: Any = None
    comment: str | None = None


def _rule_kind(raw: Any) -> str:
    if isinstance(raw, dict):
        for key in ("Condition", "And", "Or", "Not"):
            if key in raw:
                return key
        return "Comparison"
    return "Comparison" if not isinstance(raw, Model) else type(raw).__name__


Rule = Annotated[
    Annotated[Comparison, Tag("Comparison")]
    | Annotated[And, Tag("And")]
    | Annotated[Or, Tag("Or")]
    | Annotated[Not, Tag("Not")]
    | Annotated[Condition, Tag("Condition")],
    Discriminator(_rule_kind),
]

for _model in (And, Or, Not):
    _model.model_rebuild()
