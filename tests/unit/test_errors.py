"""Retry and Catch, as pure policy and through whole runs."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from segue.asl import Failed, Runtime, Succeeded, Visit
from segue.asl.errors import StatesError
from segue.asl.handling import error_matches, handle, retry_delay
from segue.asl.models import MAX_SECONDS, Catcher, Retrier
from tests.unit.helpers import machine, output_of, run

TASK = "arn:aws:states:::lambda:invoke"


def flaky(failures: int, error: str = "Flaky"):
    """A task that fails `failures` times, then returns how many calls it took."""
    calls = []

    def task(_):
        calls.append(1)
        return Failed(error, "try again") if len(calls) <= failures else Succeeded(len(calls))

    return task, calls


def task_state(**fields):
    return machine({"T": {"Type": "Task", "Resource": TASK, "End": True, **fields}})


@pytest.mark.parametrize(
    ("names", "error", "expected"),
    [
        (["A"], "A", True),
        (["A"], "B", False),
        (["States.ALL"], "Anything", True),
        (["States.ALL"], None, True),
        (["States.ALL"], "States.Runtime", False),
        (["States.Runtime"], "States.Runtime", False),
        (["States.TaskFailed"], "Lambda.Unknown", True),
        (["States.TaskFailed"], "States.Timeout", False),
        (["State.ALL"], "X", False),
    ],
)
def test_error_matching(names, error, expected):
    assert error_matches(names, error) is expected


def test_retry_delays_back_off_and_cap():
    retrier = Retrier(
        error_equals=("E",), interval_seconds=2, backoff_rate=3.0, max_delay_seconds=30
    )
    assert [retry_delay(retrier, attempt, 0.5) for attempt in range(4)] == [2, 6, 18, 30]


def test_full_jitter_scales_the_delay_by_the_draw():
    retrier = Retrier(error_equals=("E",), interval_seconds=10, jitter_strategy="FULL")
    assert retry_delay(retrier, 0, 0.25) == 2.5


def test_retry_counts_per_retrier_and_then_catch_takes_over():
    retriers = (
        Retrier(error_equals=("A",), max_attempts=2),
        Retrier(error_equals=("B",), max_attempts=1),
    )
    catchers = (Catcher(error_equals=("States.ALL",), next="Handler", result_path="$.error"),)
    visit = Visit("T", {"in": 1}, {}, retries=())
    runtime = Runtime(datetime(2024, 1, 1, tzinfo=UTC), random.Random(0))
    first = handle(retriers, catchers, visit, StatesError("A", "c"), runtime)
    assert first.retries == (1, 0)  # type: ignore[union-attr]
    second = handle(
        retriers,
        catchers,
        Visit("T", {"in": 1}, {}, retries=(2, 0)),
        StatesError("A", "c"),
        runtime,
    )
    assert second.state == "Handler"  # type: ignore[union-attr]
    assert second.input == {"in": 1, "error": {"Error": "A", "Cause": "c"}}  # type: ignore[union-attr]


def test_a_task_is_retried_until_it_succeeds_and_time_moves_on():
    task, calls = flaky(2)
    definition = task_state(
        Retry=[{"ErrorEquals": ["Flaky"], "IntervalSeconds": 3, "BackoffRate": 2}]
    )
    execution = run(definition, tasks={TASK: task})
    assert (execution.status, execution.output, len(calls)) == ("SUCCEEDED", 3, 3)
    baseline = run(machine({"P": {"Type": "Pass", "End": True}})).ended
    assert execution.ended is not None and baseline is not None
    assert (execution.ended - baseline).seconds == 9


def test_max_attempts_zero_never_retries():
    task, calls = flaky(1)
    execution = run(
        task_state(Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]), tasks={TASK: task}
    )
    assert (execution.error, len(calls)) == ("Flaky", 1)


def test_retries_spent_fail_with_the_last_error():
    task, calls = flaky(10)
    execution = run(
        task_state(Retry=[{"ErrorEquals": ["Flaky"], "MaxAttempts": 2}]), tasks={TASK: task}
    )
    assert (execution.status, execution.error, len(calls)) == ("FAILED", "Flaky", 3)


def test_catch_sends_the_error_object_where_result_path_says():
    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": TASK,
                "Catch": [
                    {"ErrorEquals": ["Other"], "Next": "Wrong"},
                    {
                        "ErrorEquals": ["Flaky"],
                        "ResultPath": "$.why",
                        "Next": "Handled",
                        "Assign": {"failed.$": "$.Error"},
                    },
                ],
                "End": True,
            },
            "Wrong": {"Type": "Fail"},
            "Handled": {
                "Type": "Pass",
                "Parameters": {"why.$": "$.why", "var.$": "$failed"},
                "End": True,
            },
        }
    )
    task, _ = flaky(1)
    assert output_of(definition, {"order": 1}, tasks={TASK: task}) == {
        "why": {"Error": "Flaky", "Cause": "try again"},
        "var": "Flaky",
    }


def test_runtime_errors_are_neither_retried_nor_caught():
    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": TASK,
                "OutputPath": "$.absent",
                "Retry": [{"ErrorEquals": ["States.ALL"]}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        }
    )
    task, calls = flaky(0)
    execution = run(definition, tasks={TASK: task})
    assert (execution.error, len(calls)) == ("States.Runtime", 1)


def test_intrinsic_failures_in_parameters_can_be_caught():
    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": TASK,
                "Parameters": {"x.$": "States.ArrayLength($.notAnArray)"},
                "Catch": [{"ErrorEquals": ["States.IntrinsicFailure"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "Result": "caught", "End": True},
        }
    )
    assert output_of(definition, {"notAnArray": 1}) == "caught"


def test_retry_count_is_visible_in_the_context_object():
    seen = []

    def task(parameters):
        seen.append(parameters["retry"])
        return Failed("Again") if len(seen) < 3 else Succeeded("ok")

    definition = task_state(
        Parameters={"retry.$": "$$.State.RetryCount"},
        Retry=[{"ErrorEquals": ["Again"], "MaxAttempts": 5}],
    )
    assert output_of(definition, tasks={TASK: task}) == "ok"
    assert seen == [0, 1, 2]


def test_a_back_off_that_would_overflow_stops_growing_at_the_largest_delay():
    retrier = Retrier(error_equals=("E",), interval_seconds=99_999_999, max_attempts=99_999_999)
    assert retry_delay(retrier, 99_999_998, 0.5) == MAX_SECONDS  # 2.0 ** 99999998 overflows
    assert retry_delay(retrier, 3, 0.5) == MAX_SECONDS
    capped = Retrier(error_equals=("E",), interval_seconds=1, max_delay_seconds=10)
    assert retry_delay(capped, 5000, 0.5) == 10


def test_seconds_and_timeouts_read_from_the_input_are_bounded_at_run_time():
    wait = machine({"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}})
    for seconds in (10**15, 10**400):
        execution = run(wait, {"s": seconds})
        assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
        assert "over 99999999" in (execution.cause or "")
    resource = "arn:aws:lambda:us-east-1:123456789012:function:f"
    timed = machine(
        {"T": {"Type": "Task", "Resource": resource, "TimeoutSecondsPath": "$.t", "End": True}}
    )
    execution = run(timed, {"t": 10**15}, tasks={resource: lambda _: 1})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
