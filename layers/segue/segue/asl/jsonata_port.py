"""The port to the JSONata evaluator: `{% ... %}` expressions, parsed once, evaluated purely.

Step Functions binds `$states` (input, result, errorOutput, context), the workflow's
variables, and six functions of its own; `$eval` is not there. Time and chance come from
the caller (`Runtime`), never from the evaluator's clock or random source, so a decision
evaluated again after a crash comes out the same.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC
from functools import cache, cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from segue.asl import errors
from segue.asl.errors import StatesError
from segue.asl.intrinsics import FUNCTIONS

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from jsonata import Jsonata

    from segue.asl.outcomes import Json

OPEN, CLOSE = "{%", "%}"
MAX_MILLISECONDS = 5_000
"""How long one evaluation may run: a runaway expression fails its state, not the worker."""
MAX_DEPTH = 500
"""How deeply an evaluation may recurse (`$f := function($n){$f($n)}` ends here)."""


class QuerySyntaxError(ValueError):
    """The text between `{%` and `%}` is not a JSONata expression."""


class QueryFailure(StatesError):
    """States.QueryEvaluationError; the state that hit it adds its name to the cause."""

    def __init__(self, cause: str) -> None:
        super().__init__(errors.QUERY_EVALUATION_ERROR, cause)


def is_expression(value: object) -> bool:
    """Whether `value` is a whole `{% ... %}` string."""
    return (
        isinstance(value, str)
        and len(value) >= len(OPEN) + len(CLOSE)
        and value.startswith(OPEN)
        and value.endswith(CLOSE)
    )


def source(value: str) -> str:
    """The expression inside `{% ... %}`, as AWS quotes it in messages."""
    return value[len(OPEN) : -len(CLOSE)].strip()


@cache
def _utils() -> Any:
    # the evaluator is imported when an expression is first met: a worker that runs only
    # JSONPath definitions never loads it (a cold start the shorter)
    from jsonata.utils import Utils

    return Utils


@lru_cache(maxsize=4096)
def compiled(text: str) -> Jsonata:
    """The parsed expression (cached: each distinct text is parsed once per process)."""
    from jsonata import Jsonata
    from jsonata.jexception import JException

    try:
        expression = Jsonata(text)
    except JException as exc:
        raise QuerySyntaxError(_message(exc)) from exc
    except Exception as exc:  # the parser's own faults on hostile text
        raise QuerySyntaxError(str(exc) or type(exc).__name__) from exc
    if expression.get_errors():
        raise QuerySyntaxError("; ".join(_message(e) for e in expression.get_errors() or []))
    expression.set_output_convert_nulls(False)  # tell JSON null from undefined
    return expression


def check(value: str) -> str | None:
    """Why a `{% ... %}` string does not parse, or None when it does."""
    try:
        compiled(source(value))
    except QuerySyntaxError as exc:
        return str(exc)
    return None


def top_level_names(value: str) -> list[str]:
    """Names a `{% ... %}` string reads from the top-level input (`{% phone %}`): in Step
    Functions there is none (the input is `$states.input`), and AWS refuses them."""
    found: list[str] = []
    _names(compiled(source(value)).ast, found)
    return found


_CHILDREN = ("lhs", "rhs", "expression", "condition", "then", "else_", "_else")


def _names(node: Any, found: list[str]) -> None:
    """Walk what is read in the expression's own context; a path's later steps, its
    filters and a function's body read another, and are left alone."""
    kind = getattr(node, "type", None)
    if kind == "path":
        steps = node.steps or []
        if steps and steps[0].type == "name":
            found.append(str(steps[0].value))
        elif steps:
            _names(steps[0], found)
        return
    if kind == "name":
        found.append(str(node.value))
        return
    if kind in ("lambda", "transform", "regex", "variable"):
        return
    children = [getattr(node, name, None) for name in _CHILDREN if kind != "bind" or name == "rhs"]
    children += list(getattr(node, "expressions", None) or [])
    children += list(getattr(node, "arguments", None) or [])
    for pair in getattr(node, "lhs_object", None) or []:
        children += list(pair)
    for child in children:
        if child is not None and not isinstance(child, list):
            _names(child, found)


@dataclass(frozen=True)
class Bindings:
    """What an expression can see: `$states`, the variables, the time and a random source."""

    states: Mapping[str, Json]
    variables: Mapping[str, Json]
    now: datetime
    rng: random.Random

    @cached_property
    def functions(self) -> dict[str, Any]:
        """Step Functions' own functions for these bindings, made once for all their fields."""
        from jsonata import Jsonata

        return {name: Jsonata.JLambda(f) for name, f in _functions(self).items()}


def evaluate(value: str, bindings: Bindings, field: str) -> Json:
    """The value of the `{% ... %}` string in `field`; QueryFailure when it has none."""
    from jsonata.jexception import JException
    from jsonata.timebox import Timebox

    text = source(value)
    try:
        expression = compiled(text)
    except QuerySyntaxError as exc:  # validation parses every expression; this is a backstop
        raise QueryFailure(said(text, field, f"could not be parsed. {exc}")) from exc
    frame = expression.create_frame()
    Timebox(frame, MAX_MILLISECONDS, MAX_DEPTH)  # binds its checks into this frame only
    for name, variable in bindings.variables.items():
        frame.bind(name, _null_safe(variable))
    frame.bind("states", {key: _null_safe(v) for key, v in bindings.states.items()})
    for name, function in bindings.functions.items():
        frame.bind(name, function)
    frame.bind("eval", None)  # not offered by Step Functions; `$parse` is
    try:
        result = expression.evaluate(None, frame)
    except JException as exc:
        raise QueryFailure(_threw(text, field, _message(exc))) from exc
    except StatesError as exc:
        raise QueryFailure(_threw(text, field, exc.cause or str(exc.error))) from exc
    except RecursionError as exc:
        raise QueryFailure(_threw(text, field, "D1011: Stack overflow error")) from exc
    except Exception as exc:  # the evaluator's own faults (e.g. a division by zero)
        raise QueryFailure(_threw(text, field, f"{type(exc).__name__}: {exc}")) from exc
    if result is None:
        raise QueryFailure(said(text, field, "returned nothing (undefined)."))
    try:
        return _plain(result)
    except TypeError as exc:
        raise QueryFailure(said(text, field, str(exc))) from exc


def said(text: str, field: str, what: str) -> str:
    """A message about the expression `text` of `field`, in AWS's words."""
    return f"The JSONata expression '{text}' specified for the field '{field}' {what}"


def _threw(text: str, field: str, message: str) -> str:
    return said(text, field, f"threw an error during evaluation. {message}")


def _message(exc: Exception) -> str:
    code = getattr(exc, "error", None)
    message = str(exc)
    return f"{code}: {message}" if code and not message.startswith(str(code)) else message


def _null_safe(value: Json) -> Json:
    """JSON null as the evaluator's own null (a bare None would read as undefined)."""
    return _utils().NULL_VALUE if value is None else value


def _plain(value: Any) -> Json:
    """The evaluator's answer as plain JSON: its null, sequences and whole floats undone."""
    if value is None or value is _utils().NULL_VALUE:
        return None
    if isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError("returned a number out of range (Infinity or NaN).")
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise TypeError("returned an unsupported result type.")


def _functions(bindings: Bindings) -> dict[str, Callable[..., Json]]:
    """Step Functions' own functions, and `$now`/`$millis` read from the decision's time."""
    rng = bindings.rng
    millis = int(bindings.now.timestamp() * 1000)
    stamp = bindings.now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def intrinsic(name: str) -> Callable[..., Json]:
        def call(*args: Any) -> Json:
            return FUNCTIONS[name].run([_plain(a) for a in args], rng)

        return call

    def sequence(*args: Any) -> Json:
        # AWS's $range answers a JSONata sequence: one number alone comes out as that number.
        return _utils().create_sequence_from_iter(intrinsic("ArrayRange")(*args))

    def random_number(seed: Any = None) -> float:
        source = rng if seed is None else random.Random(_plain(seed))
        return source.random()

    return {
        "partition": intrinsic("ArrayPartition"),
        "range": sequence,
        "hash": intrinsic("Hash"),
        "uuid": intrinsic("UUID"),
        "parse": intrinsic("StringToJson"),
        "random": random_number,
        "now": lambda *_: stamp,
        "millis": lambda *_: millis,
    }
