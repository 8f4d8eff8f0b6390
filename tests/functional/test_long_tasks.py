"""Long tasks: no 60 s cap, the worker's own time as the bound, nothing lost past it."""

from __future__ import annotations

from segue.asl import Failed, Invoke, Succeeded
from segue.tasks.functions import Functions
from segue.tasks.resources import LONGEST_TASK, Resources
from tests.unit.helpers import machine

SLEEPY = "arn:aws:lambda:us-east-1:123456789012:function:sleepy"


def resources() -> Resources:
    functions = Functions(lambda: None, {"sleepy": "tests.functional.lambdas:sleepy"})  # type: ignore[arg-type, return-value]
    return Resources(functions, lambda service: None)


def test_a_task_without_timeout_seconds_may_run_as_long_as_a_lambda_function():
    assert LONGEST_TASK == 15 * 60
    result = resources().run(Invoke(SLEEPY, {"seconds": 0.2}))
    assert result == Succeeded({"seconds": 0.2})


def test_a_task_still_running_when_its_worker_runs_out_of_time_is_a_timeout_that_says_why():
    result = resources().run(Invoke(SLEEPY, {"seconds": 2}), budget=0.3)
    assert isinstance(result, Failed)
    assert result.error == "States.Timeout"
    assert "worker's own time" in str(result.cause)


def test_its_own_timeout_seconds_is_a_plain_timeout_as_on_aws():
    result = resources().run(Invoke(SLEEPY, {"seconds": 2}, timeout_seconds=1), budget=600)
    assert result == Failed("States.Timeout", "")


def test_a_worker_short_of_time_puts_the_message_back_for_another(harness):
    definition = machine({"T": {"Type": "Task", "Resource": SLEEPY, "End": True}})
    execution_id = harness.start("short", definition, {"seconds": 0})
    assert harness.step(timeout=30) == 1  # under the start floor: the token is not claimed
    assert [e["type"] for e in harness.history(execution_id)][-1] == "StateEntered"
    assert harness.step() == 1  # a worker with time takes it from the queue again
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"


def test_a_retry_takes_a_task_cut_short_by_its_worker(harness):
    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": SLEEPY,
                "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1}],
                "End": True,
            }
        }
    )
    execution_id = harness.start("cut", definition, {"seconds": 1})
    worker = harness.services.worker
    worker.start_floor = 1.0  # scaled down: a 10.5 s invocation keeps 10 s to commit
    harness.step(timeout=worker.commit_margin + 0.5)  # the task gets 0.5 s: it is cut
    worker.start_floor = 120.0
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED", document
    types = [e["type"] for e in harness.history(execution_id)]
    assert types.count("TaskFailed") == 1 and types.count("TaskSucceeded") == 1
