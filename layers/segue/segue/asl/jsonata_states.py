"""What each state does when it reads JSONata: `Arguments` in, `Output` and `Assign` out.

The JSONPath twin is `step`; both end in `transitions`. Every field may be a `{% ... %}`
expression over `$states.input`, `$states.context`, the variables and, once a Task,
Parallel or Map has its result, `$states.result`.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from segue.asl import distributed, errors
from segue.asl.errors import StatesError
from segue.asl.jsonata_fields import Fields
from segue.asl.jsonata_port import QueryFailure, is_expression
from segue.asl.models import MAX_SECONDS, Choice, Fail, Map, Parallel, Pass, Succeed, Task, Wait
from segue.asl.outcomes import End, FanOut, Invoke, Next, Outcome, Start, WaitUntil
from segue.asl.outcomes import Fail as Failure
from segue.asl.rules import Condition
from segue.asl.timestamps import parse_timestamp, to_datetime
from segue.asl.transitions import (
    INLINE_CONCURRENCY,
    go,
    items_within_limit,
    service,
    task_token,
    within_limit,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from segue.asl.models import State
    from segue.asl.outcomes import Json, Runtime, Visit


def _settle(
    state: Any, fields: Fields, default: Json, target: str | None, visit: Visit, runtime: Runtime
) -> Next | End:
    """Output (or `default`) and Assign, both read against the same variables, then move."""
    output = fields.output(state, default)
    return go(output, fields.assigned(state.assign), target, visit, runtime)


def _pass(state: Pass, visit: Visit, runtime: Runtime) -> Outcome:
    return _settle(state, Fields(visit, runtime), visit.input, state.next, visit, runtime)


def _succeed(state: Succeed, visit: Visit, runtime: Runtime) -> Outcome:
    return End(within_limit(Fields(visit, runtime).output(state, visit.input), visit, runtime))


def _choice(state: Choice, visit: Visit, runtime: Runtime) -> Outcome:
    fields = Fields(visit, runtime)
    for index, rule in enumerate(state.choices):
        assert isinstance(rule, Condition), "validation keeps JSONPath rules out"
        if fields.typed(rule.condition, f"Choices/{index}/Condition", "boolean"):
            assigned = fields.assigned(state.assign) | fields.assigned(rule.assign)
            output = fields.output(rule, fields.output(state, visit.input))
            return go(output, assigned, rule.next, visit, runtime)
    if state.default is None:
        raise StatesError(errors.NO_CHOICE_MATCHED, "No Matches!")
    return _settle(state, fields, visit.input, state.default, visit, runtime)


def _wait(state: Wait, visit: Visit, runtime: Runtime) -> Outcome:
    fields = Fields(visit, runtime)
    if state.seconds is not None:
        seconds = fields.typed(state.seconds, "Seconds", "integer")
        if not 0 <= seconds <= MAX_SECONDS:
            raise QueryFailure(
                f"The Seconds field must be an integer from 0 to {MAX_SECONDS}, got {seconds}"
            )
        until = runtime.now + timedelta(seconds=int(seconds))
    else:
        text = fields.value(state.timestamp, "Timestamp")
        parsed = parse_timestamp(text) if isinstance(text, str) else None
        if parsed is None:
            raise QueryFailure(
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                f"date-time format string: {text if isinstance(text, str) else json.dumps(text)}"
            )
        until = to_datetime(parsed)
    return WaitUntil(until, _settle(state, fields, visit.input, state.next, visit, runtime))


def _fail(state: Fail, visit: Visit, runtime: Runtime) -> Outcome:
    fields = Fields(visit, runtime)
    error = fields.typed(state.error, "Error", "string") if state.error is not None else None
    cause = fields.typed(state.cause, "Cause", "string") if state.cause is not None else None
    return Failure(error, cause)


def _task(state: Task, visit: Visit, runtime: Runtime) -> Outcome:
    fields = Fields(visit, runtime)
    arguments = (
        fields.value(state.arguments, "Arguments") if state.arguments is not None else visit.input
    )
    return Invoke(
        state.resource,
        arguments,
        _seconds(fields, state.timeout_seconds, "TimeoutSeconds"),
        _seconds(fields, state.heartbeat_seconds, "HeartbeatSeconds"),
        task_token(visit.context),
    )


def _seconds(fields: Fields, value: int | str | None, field: str) -> int | None:
    if not is_expression(value):
        return value if isinstance(value, int) else None
    seconds = fields.typed(value, field, "integer")
    if not 0 < seconds <= MAX_SECONDS:
        raise QueryFailure(f"The {field} field must be an integer from 1 to {MAX_SECONDS}")
    return int(seconds)


def _parallel(state: Parallel, visit: Visit, runtime: Runtime) -> Outcome:
    fields = Fields(visit, runtime)
    arguments = (
        fields.value(state.arguments, "Arguments") if state.arguments is not None else visit.input
    )
    return FanOut(tuple(Start(branch.start_at, arguments) for branch in state.branches))


def _map(state: Map, visit: Visit, runtime: Runtime) -> Outcome:
    fields = Fields(visit, runtime)
    if state.distributed and state.item_reader is not None:
        return _distributed(state, visit, fields, None)
    if state.items is not None:
        items = fields.typed(state.items, "Items", "array")
    elif isinstance(visit.input, list):
        items = visit.input
    else:
        shown = json.dumps(visit.input, separators=(",", ":"), ensure_ascii=False)
        raise QueryFailure(f"Map state input must be an array but was: {shown}")
    if state.distributed:
        return _distributed(state, visit, fields, items)
    start = state.processor.start_at
    starts = [Start(start, _item_input(state, visit, runtime, i, v)) for i, v in enumerate(items)]
    items_within_limit([s.input for s in starts], visit, runtime)
    if not starts:
        return finish(state, visit, [], runtime)
    concurrency = _count(fields, state.max_concurrency, "MaxConcurrency") or INLINE_CONCURRENCY
    return FanOut(tuple(starts), min(concurrency, INLINE_CONCURRENCY), *tolerances(state, fields))


def _distributed(state: Map, visit: Visit, fields: Fields, items: list[Json] | None) -> Invoke:
    concurrency = _count(fields, state.max_concurrency, "MaxConcurrency") or 0
    return distributed.request(
        state,
        visit,
        items,
        fields.value,
        lambda value, _, name: _count(fields, value, name),
        visit.input,
        (concurrency, *tolerances(state, fields)),
    )


def _item_input(state: Map, visit: Visit, runtime: Runtime, index: int, item: Json) -> Json:
    if state.item_selector is None:
        return item
    context = {**visit.context, "Map": {"Item": {"Index": index, "Value": item}}}
    return Fields(visit, runtime, context).value(state.item_selector, "ItemSelector")


def _count(fields: Fields, value: Any, field: str) -> int | None:
    if value is None:
        return None
    number = fields.typed(value, field, "integer")
    if number < 0:
        raise QueryFailure(f"The {field} field must not be negative, got {number}")
    return int(number)


def tolerances(state: Map, fields: Fields) -> tuple[int | None, float | None]:
    """ToleratedFailureCount and ToleratedFailurePercentage, their expressions evaluated."""
    count = _count(fields, state.tolerated_failure_count, "ToleratedFailureCount")
    percentage = state.tolerated_failure_percentage
    if percentage is not None:
        percentage = fields.typed(percentage, "ToleratedFailurePercentage", "number")
        if not 0 <= percentage <= 100:
            raise QueryFailure(
                f"The ToleratedFailurePercentage field must be from 0 to 100, got {percentage}"
            )
    return count, None if percentage is None else float(percentage)


def finish(state: State, visit: Visit, result: Json, runtime: Runtime) -> Next | End:
    """A Task's, Parallel's or Map's result through Output and Assign (`$states.result`)."""
    assert isinstance(state, Task | Parallel | Map)
    source = service(state.resource) if isinstance(state, Task) else None
    result = within_limit(result, visit, runtime, source)
    fields = Fields(visit, runtime, result=result)
    return _settle(state, fields, result, state.next, visit, runtime)


ENTER: dict[type, Callable[[Any, Visit, Runtime], Outcome]] = {
    Pass: _pass,
    Choice: _choice,
    Wait: _wait,
    Succeed: _succeed,
    Fail: _fail,
    Task: _task,
    Parallel: _parallel,
    Map: _map,
}
