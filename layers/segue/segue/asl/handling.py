"""Retry and Catch: pure answers to "this state failed with E; now what?"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segue.asl import errors
from segue.asl.jsonata_fields import Fields
from segue.asl.jsonpath import Scope
from segue.asl.models import MAX_SECONDS
from segue.asl.outcomes import Fail, Next, Retry, Settled
from segue.asl.payload import assign, merge_result

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

    from segue.asl.models import Catcher, Retrier
    from segue.asl.outcomes import Json, Runtime, Visit


def error_matches(names: Sequence[str], error: str | None) -> bool:
    """Whether an ErrorEquals list takes `error`."""
    if error in errors.UNCATCHABLE:
        return False
    if errors.ALL in names:
        return True
    if errors.TASK_FAILED in names and error not in (None, errors.TIMEOUT):
        return True
    return error is not None and error in names


def retry_delay(retrier: Retrier, attempt: int, jitter: float) -> float:
    """Seconds before retry number `attempt + 1`; `jitter` is a draw from [0, 1).

    Without MaxDelaySeconds the back-off stops growing at MAX_SECONDS (three years, past
    any execution's life), so that a thousandth retry's delay is still a time.
    """
    longest = retrier.max_delay_seconds or MAX_SECONDS
    try:
        delay: float = min(retrier.interval_seconds * retrier.backoff_rate**attempt, longest)
    except OverflowError:
        delay = longest
    if retrier.jitter_strategy == "FULL":
        delay *= jitter
    return delay


def plan_retry(
    retriers: Sequence[Retrier],
    counts: tuple[int, ...],
    failure: errors.StatesError,
    rng: random.Random,
) -> Retry | None:
    """A Retry when the first retrier that takes `error` has attempts left, else None."""
    for index, retrier in enumerate(retriers):
        if not error_matches(retrier.error_equals, failure.error):
            continue
        used = counts[index] if index < len(counts) else 0
        if used >= retrier.max_attempts:
            return None
        padded = list(counts) + [0] * (len(retriers) - len(counts))
        padded[index] = used + 1
        delay = retry_delay(retrier, used, rng.random())
        return Retry(delay, tuple(padded), failure.error, failure.cause)
    return None


def error_output(error: str | None, cause: str | None) -> dict[str, Json]:
    """The `{Error, Cause}` object a Catch passes on."""
    return {"Error": error, "Cause": cause}


def plan_catch(
    catchers: Sequence[Catcher],
    visit: Visit,
    error: str | None,
    cause: str | None,
    runtime: Runtime,
    jsonata: bool = False,
) -> Next | None:
    """The transition of the first catcher that takes `error`, or None.

    A JSONata catcher passes on its Output (by default the error output itself), reading
    `$states.errorOutput`; a JSONPath one places the error output at its ResultPath.
    """
    for catcher in catchers:
        if not error_matches(catcher.error_equals, error):
            continue
        caught = error_output(error, cause)
        if jsonata:
            fields = Fields(visit, runtime, errorOutput=caught)
            return Next(
                catcher.next, fields.output(catcher, caught), fields.assigned(catcher.assign)
            )
        scope = Scope(caught, visit.context, visit.variables)
        return Next(
            catcher.next,
            merge_result(visit.input, caught, catcher.result_path),
            assign(catcher.assign, scope, runtime.rng),
        )
    return None


def handle(
    retriers: Sequence[Retrier],
    catchers: Sequence[Catcher],
    visit: Visit,
    failure: errors.StatesError,
    runtime: Runtime,
    jsonata: bool = False,
) -> Settled:
    """Retry, catch, or fail: what the spec does with an error a state raised."""
    retry = plan_retry(retriers, visit.retries, failure, runtime.rng)
    if retry is not None:
        return retry
    caught = plan_catch(catchers, visit, failure.error, failure.cause, runtime, jsonata)
    return caught if caught is not None else Fail(failure.error, failure.cause)
