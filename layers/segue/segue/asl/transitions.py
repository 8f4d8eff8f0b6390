"""What both query languages share once a state's data is shaped: limits, moves, results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segue.asl import errors
from segue.asl.bounds import MAX_DEPTH, measure
from segue.asl.errors import StatesError
from segue.asl.outcomes import End, Failed, Next, Succeeded

if TYPE_CHECKING:
    from collections.abc import Mapping

    from segue.asl.outcomes import Json, Result, Runtime, Visit

INLINE_CONCURRENCY = 40
"""An inline Map runs at most this many items at once, as on AWS (MaxConcurrency or not)."""


def within_limit(value: Json, visit: Visit, runtime: Runtime, source: str | None = None) -> Json:
    """The value, or States.DataLimitExceeded naming `source` (the state, by default)."""
    extent = measure(value)
    if extent.bytes > runtime.max_payload_bytes:
        raise StatesError(
            errors.DATA_LIMIT_EXCEEDED,
            f"The state/task '{source or visit.state}' returned a result with a size exceeding "
            "the maximum number of bytes service limit.",
        )
    if extent.depth > MAX_DEPTH:
        raise StatesError(
            errors.DATA_LIMIT_EXCEEDED,
            f"The state/task '{source or visit.state}' returned a result nested deeper than "
            f"{MAX_DEPTH} levels.",
        )
    return value


def go(
    output: Json,
    assigned: Mapping[str, Json],
    target: str | None,
    visit: Visit,
    runtime: Runtime,
) -> Next | End:
    """To `target` (or the end, when None) with `output`, both within the payload limit."""
    output = within_limit(output, visit, runtime)
    if assigned:
        within_limit(dict(assigned), visit, runtime)
    return Next(target, output, assigned) if target else End(output, assigned)


def items_within_limit(inputs: list[Json], visit: Visit, runtime: Runtime) -> None:
    """What a Map's items start with is kept together until they all have: one limit."""
    if measure(inputs).bytes > runtime.max_payload_bytes:
        raise StatesError(
            errors.DATA_LIMIT_EXCEEDED,
            f"The inputs of the items of '{visit.state}' together exceed the maximum number "
            "of bytes service limit.",
        )


def service(resource: str) -> str:
    """The service a Task resource calls (`lambda` for both Lambda spellings), as AWS names it."""
    parts = resource.split(":")
    if resource.startswith("arn:") and len(parts) > 5 and parts[2] == "states" and not parts[3]:
        return parts[5]
    return parts[2] if resource.startswith("arn:") and len(parts) > 2 else resource


def combine(
    results: tuple[Result, ...],
    tolerances: tuple[int | None, float | None] | None,
) -> Result:
    """A Parallel's or Map's one result: the outputs, or its failure past the tolerances."""
    failures = [result for result in results if isinstance(result, Failed)]
    if not failures:
        return Succeeded([item_output(result) for result in results])
    count, percentage = tolerances or (None, None)
    if count is None and percentage is None:
        return failures[0]
    if (count is not None and len(failures) <= count) or (
        percentage is not None and len(failures) * 100 <= percentage * len(results)
    ):
        return Succeeded([item_output(result) for result in results])
    return Failed(
        errors.EXCEED_TOLERATED_FAILURE_THRESHOLD,
        f"{len(failures)} of {len(results)} items failed, over the tolerated failure threshold",
    )


def item_output(result: Result) -> Json:
    """A branch's or item's place in the results: its output, or its error and cause."""
    if isinstance(result, Succeeded):
        return result.output
    return {"Error": result.error, "Cause": result.cause}


def task_token(context: Json) -> str | None:
    """`$$.Task.Token`, for a task that hands its token to someone who answers later."""
    task = context.get("Task") if isinstance(context, dict) else None
    token = task.get("Token") if isinstance(task, dict) else None
    return token if isinstance(token, str) else None


def prefixed(visit: Visit, cause: str | None) -> str:
    """A runtime or query failure's cause, prefixed with the state as AWS words it."""
    return (
        f"An error occurred while executing the state '{visit.state}' "
        f"(entered at the event id #{visit.entered_event}). " + (cause or "")
    )
