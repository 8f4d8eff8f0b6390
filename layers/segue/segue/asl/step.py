"""The step interface: what one state does with its input. Pure; the engine keeps all state.

`enter` answers for a state just entered: a transition, an end, a failure, a wait, a
task to invoke, or branches to fan out. For the last two, the engine later reports the
result through `complete`, which answers with a transition, an end, a failure or a retry.
A state that reads JSONata is answered by `jsonata_states`; this module holds the JSONPath
states and what both share.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from segue.asl import distributed, errors, jsonata_states
from segue.asl.choice import first_match
from segue.asl.errors import RuntimeFailure, StatesError
from segue.asl.handling import handle
from segue.asl.jsonata_fields import Fields
from segue.asl.jsonata_port import QueryFailure
from segue.asl.jsonpath import Scope, parse
from segue.asl.models import MAX_SECONDS, Choice, Fail, Map, Parallel, Pass, Succeed, Task, Wait
from segue.asl.outcomes import (
    End,
    Failed,
    FanOut,
    Invoke,
    Next,
    Outcome,
    Result,
    Runtime,
    Settled,
    Start,
    Succeeded,
    Visit,
    WaitUntil,
)
from segue.asl.outcomes import Fail as Failure
from segue.asl.payload import assign, expression, merge_result, render, select_input
from segue.asl.timestamps import parse_timestamp, to_datetime
from segue.asl.transitions import (
    INLINE_CONCURRENCY,
    combine,
    go,
    items_within_limit,
    prefixed,
    service,
    task_token,
    within_limit,
)
from segue.asl.values import is_integer, is_number

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from segue.asl.machine import StateMachine
    from segue.asl.models import State
    from segue.asl.outcomes import Json


def enter(machine: StateMachine, visit: Visit, runtime: Runtime) -> Outcome:
    """What the state `visit.state` does when entered with `visit.input`."""
    state = machine.state(visit.state)
    table = jsonata_states.ENTER if state.jsonata else _ENTER
    try:
        return table[type(state)](state, visit, runtime)
    except RuntimeFailure as failure:
        return _runtime_failure(visit, failure)
    except QueryFailure as failure:
        return _handle(
            state, visit, StatesError(failure.error, prefixed(visit, failure.cause)), runtime
        )
    except StatesError as failure:
        return _handle(state, visit, failure, runtime)


def complete(
    machine: StateMachine, visit: Visit, results: Result | tuple[Result, ...], runtime: Runtime
) -> Settled:
    """Where a Task (one result) or a Parallel or Map (a result per start) goes next."""
    return _complete(machine.state(visit.state), visit, results, runtime)


def _complete(
    state: State, visit: Visit, results: Result | tuple[Result, ...], runtime: Runtime
) -> Settled:
    try:
        result = _combine(state, visit, results, runtime)
        if isinstance(result, Failed):
            raise StatesError(result.error, result.cause)
        if state.jsonata:
            return jsonata_states.finish(state, visit, result.output, runtime)
        return _finish(state, visit, result.output, runtime)
    except RuntimeFailure as failure:
        return _runtime_failure(visit, failure)
    except QueryFailure as failure:
        return _handle(
            state, visit, StatesError(failure.error, prefixed(visit, failure.cause)), runtime
        )
    except StatesError as failure:
        return _handle(state, visit, failure, runtime)


def _runtime_failure(visit: Visit, failure: RuntimeFailure) -> Failure:
    return Failure(failure.error, prefixed(visit, failure.cause))


def _handle(state: State, visit: Visit, failure: StatesError, runtime: Runtime) -> Settled:
    if isinstance(state, Task | Parallel | Map):
        return handle(state.retry, state.catch, visit, failure, runtime, state.jsonata)
    return Failure(failure.error, failure.cause)


def _scope(visit: Visit, document: Json) -> Scope:
    return Scope(document, visit.context, visit.variables)


def _move(
    state: Pass | Task | Wait | Parallel | Map | Choice,
    output: Json,
    assigned: Mapping[str, Json],
    visit: Visit,
    runtime: Runtime,
    target: str | None = None,
) -> Next | End:
    """Apply OutputPath, then go to `target` (or the state's Next)."""
    output = select_input(state.output_path, _scope(visit, output))
    return go(output, assigned, target or getattr(state, "next", None), visit, runtime)


def _effective_input(state: State, visit: Visit) -> Json:
    return select_input(getattr(state, "input_path", "$"), _scope(visit, visit.input))


def _pass(state: Pass, visit: Visit, runtime: Runtime) -> Outcome:
    effective = _effective_input(state, visit)
    if state.parameters is not None:
        effective = render(state.parameters, _scope(visit, effective), runtime.rng)
    result = state.result if "result" in state.model_fields_set else effective
    assigned = assign(state.assign, _scope(visit, result), runtime.rng)
    return _move(
        state, merge_result(visit.input, result, state.result_path), assigned, visit, runtime
    )


def _choice(state: Choice, visit: Visit, runtime: Runtime) -> Outcome:
    effective = _effective_input(state, visit)
    scope = _scope(visit, effective)
    rule = first_match(state.choices, scope)
    target = rule.next if rule is not None else state.default
    if target is None:
        raise StatesError(errors.NO_CHOICE_MATCHED, "No Matches!")
    assigned = assign(state.assign, scope, runtime.rng)
    if rule is not None and rule.assign:
        assigned |= assign(rule.assign, scope, runtime.rng)
    return _move(state, effective, assigned, visit, runtime, target)


def _wait(state: Wait, visit: Visit, runtime: Runtime) -> Outcome:
    effective = _effective_input(state, visit)
    scope = _scope(visit, effective)
    if state.seconds is not None:
        until = runtime.now + timedelta(seconds=_literal(state.seconds))
    elif state.seconds_path is not None:
        until = runtime.now + timedelta(seconds=_wait_seconds(state.seconds_path, scope))
    else:
        text = state.timestamp or parse(state.timestamp_path or "$").find(scope)
        parsed = parse_timestamp(text)
        if parsed is None:
            raise RuntimeFailure(
                "The TimestampPath parameter does not reference a valid ISO-8601 extended "
                f"offset date-time format string: {state.timestamp_path} == {text}"
            )
        until = to_datetime(parsed)
    assigned = assign(state.assign, scope, runtime.rng)
    return WaitUntil(until, _move(state, effective, assigned, visit, runtime))


def _wait_seconds(path: str, scope: Scope) -> int:
    value = parse(path).find(scope)
    if not is_integer(value):
        raise RuntimeFailure(
            f"The SecondsPath parameter cannot be parsed as a long value: {path} == {value}"
        )
    if value < 0:
        raise RuntimeFailure(
            f"The SecondsPath parameter references a negative value: {path} == {value}"
        )
    if value > MAX_SECONDS:
        raise RuntimeFailure(
            f"The SecondsPath parameter references a value over {MAX_SECONDS}: {path} == {value}"
        )
    return int(value)


def _succeed(state: Succeed, visit: Visit, runtime: Runtime) -> Outcome:
    effective = _effective_input(state, visit)
    return End(select_input(state.output_path, _scope(visit, effective)))


def _fail(state: Fail, visit: Visit, runtime: Runtime) -> Outcome:
    scope = _scope(visit, visit.input)
    error = _fail_field(state.error, state.error_path, "ErrorPath", scope, runtime)
    cause = _fail_field(state.cause, state.cause_path, "CausePath", scope, runtime)
    return Failure(error, cause)


def _fail_field(
    literal: str | None, path: str | None, name: str, scope: Scope, runtime: Runtime
) -> str | None:
    if path is None:
        return literal
    value = expression(path, scope, runtime.rng)
    if not isinstance(value, str):
        raise RuntimeFailure(f"The {name} '{path}' must reference a string, got {value!r}")
    return value


def _task(state: Task, visit: Visit, runtime: Runtime) -> Outcome:
    effective = _effective_input(state, visit)
    if state.parameters is not None:
        effective = render(state.parameters, _scope(visit, effective), runtime.rng)
    scope = _scope(visit, visit.input)
    return Invoke(
        state.resource,
        effective,
        _seconds(
            _literal(state.timeout_seconds), state.timeout_seconds_path, "TimeoutSecondsPath", scope
        ),
        _seconds(
            _literal(state.heartbeat_seconds),
            state.heartbeat_seconds_path,
            "HeartbeatSecondsPath",
            scope,
        ),
        task_token(visit.context),
    )


def _seconds(literal: int | None, path: str | None, name: str, scope: Scope) -> int | None:
    if path is None:
        return literal
    value = parse(path).find(scope)
    if not is_integer(value) or not 0 < value <= MAX_SECONDS:
        raise RuntimeFailure(
            f"The {name} field must reference a positive integer up to {MAX_SECONDS}: "
            f"{path} == {value}"
        )
    return int(value)


def _parallel(state: Parallel, visit: Visit, runtime: Runtime) -> Outcome:
    effective = _effective_input(state, visit)
    if state.parameters is not None:
        effective = render(state.parameters, _scope(visit, effective), runtime.rng)
    return FanOut(tuple(Start(branch.start_at, effective) for branch in state.branches))


def _map(state: Map, visit: Visit, runtime: Runtime) -> Outcome:
    effective = _effective_input(state, visit)
    scope = _scope(visit, effective)
    if state.distributed:
        return _distributed(state, visit, runtime, effective)
    items = parse(state.items_path).find(scope)
    if not isinstance(items, list):
        raise RuntimeFailure(
            f"Invalid path '{state.items_path}': the ItemsPath must reference an array, "
            f"got {type(items).__name__}"
        )
    selector = state.item_selector if state.item_selector is not None else state.parameters
    start = state.processor.start_at
    starts = tuple(
        Start(start, _item_input(selector, effective, visit, index, item, runtime))
        for index, item in enumerate(items)
    )
    items_within_limit([s.input for s in starts], visit, runtime)
    concurrency = min(_concurrency(state, scope) or INLINE_CONCURRENCY, INLINE_CONCURRENCY)
    if not starts:
        return _complete(state, visit, (), runtime)
    return FanOut(starts, concurrency, *_tolerances(state, scope))


def _distributed(state: Map, visit: Visit, runtime: Runtime, effective: Json) -> Invoke:
    scope = _scope(visit, effective)
    items = None
    if state.item_reader is None:
        items = parse(state.items_path).find(scope)
        if not isinstance(items, list):
            raise RuntimeFailure(
                f"Invalid path '{state.items_path}': the ItemsPath must reference an array, "
                f"got {type(items).__name__}"
            )

    def number(literal: Any, path: str | None, name: str) -> int | None:
        if path is None:
            return None if literal is None else int(_literal(literal))
        return _count_at(
            path,
            scope,
            lambda value: (
                f"The {name}Path field must reference a non-negative integer: "
                f"{path} == {_shown(value)}"
            ),
        )

    return distributed.request(
        state,
        visit,
        items,
        lambda template, _: render(template, scope, runtime.rng),
        number,
        effective,
        (_concurrency(state, scope), *_tolerances(state, scope)),
    )


def _item_input(
    selector: Any, effective: Json, visit: Visit, index: int, item: Json, runtime: Runtime
) -> Json:
    if selector is None:
        return item
    context = {**visit.context, "Map": {"Item": {"Index": index, "Value": item}}}
    return render(selector, Scope(effective, context, visit.variables), runtime.rng)


def _concurrency(state: Map, scope: Scope) -> int:
    path = state.max_concurrency_path
    if path is None:
        return _literal(state.max_concurrency) or 0
    return _count_at(
        path,
        scope,
        lambda value: (
            f'The MaxConcurrencyPath field refers to value "{_shown(value)}" which '
            f"is not a valid integer: {path}"
        ),
    )


def _count_at(path: str, scope: Scope, problem: Callable[[Json], str]) -> int:
    """The non-negative integer (or integer text) at `path`; States.Runtime otherwise."""
    value = parse(path).find(scope)
    number = _integer_like(value)
    if number is None or number < 0:
        raise RuntimeFailure(problem(value))
    return number


def _literal(value: Any) -> Any:
    """A JSONPath state's number field: validation keeps `{% ... %}` strings out of it."""
    assert not isinstance(value, str), "a JSONPath state has no expressions"
    return value


def _integer_like(value: Json) -> int | None:
    if is_integer(value):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _shown(value: Json) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _tolerances(state: Map, scope: Scope) -> tuple[int | None, float | None]:
    """ToleratedFailureCount and ToleratedFailurePercentage, their paths resolved."""
    count = _tolerance(
        _literal(state.tolerated_failure_count), state.tolerated_failure_count_path, scope
    )
    percentage = _tolerance(
        _literal(state.tolerated_failure_percentage),
        state.tolerated_failure_percentage_path,
        scope,
    )
    return (None if count is None else int(count)), percentage


def _tolerance(literal: float | None, path: str | None, scope: Scope) -> float | None:
    if path is None:
        return literal
    value = parse(path).find(scope)
    if not is_number(value) or value < 0:
        raise RuntimeFailure(
            f"The value at {path} must be a non-negative number to set a failure tolerance, "
            f"got {_shown(value)}"
        )
    return float(value)


def _combine(
    state: State, visit: Visit, results: Result | tuple[Result, ...], runtime: Runtime
) -> Result:
    """One result for the state: a task's own, or the list of branch or item outputs."""
    if not isinstance(results, tuple):
        return results
    if not isinstance(state, Map) or all(isinstance(r, Succeeded) for r in results):
        return combine(results, None)
    if state.jsonata:
        return combine(results, jsonata_states.tolerances(state, Fields(visit, runtime)))
    return combine(results, _tolerances(state, _scope(visit, _effective_input(state, visit))))


def _finish(state: State, visit: Visit, result: Json, runtime: Runtime) -> Next | End:
    """ResultSelector, Assign, ResultPath, OutputPath: the tail every working state shares."""
    assert isinstance(state, Task | Parallel | Map)
    source = service(state.resource) if isinstance(state, Task) else None
    result = within_limit(result, visit, runtime, source)
    if state.result_selector is not None:
        result = render(state.result_selector, _scope(visit, result), runtime.rng)
    assigned = assign(state.assign, _scope(visit, result), runtime.rng)
    return _move(
        state, merge_result(visit.input, result, state.result_path), assigned, visit, runtime
    )


_ENTER: dict[type, Callable[[Any, Visit, Runtime], Outcome]] = {
    Pass: _pass,
    Choice: _choice,
    Wait: _wait,
    Succeed: _succeed,
    Fail: _fail,
    Task: _task,
    Parallel: _parallel,
    Map: _map,
}
