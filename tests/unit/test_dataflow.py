"""Input and output processing in the spec's order, and the Pass, Fail, Wait and Succeed states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from segue.asl import Failed
from segue.asl.simulator import Simulator
from tests.unit.helpers import machine, output_of, pass_with, run

TASK = "arn:aws:states:::lambda:invoke"


def test_task_paths_apply_in_the_spec_order():
    # InputPath -> Parameters -> task -> ResultSelector -> ResultPath -> OutputPath
    seen = []

    def task(parameters):
        seen.append(parameters)
        return {"Payload": {"sum": parameters["a"] + parameters["b"]}, "StatusCode": 200}

    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": TASK,
                "InputPath": "$.numbers",
                "Parameters": {"a.$": "$.x", "b.$": "$.y", "label": "fixed"},
                "ResultSelector": {"total.$": "$.Payload.sum"},
                "ResultPath": "$.numbers.result",
                "OutputPath": "$.numbers",
                "End": True,
            }
        }
    )
    output = output_of(definition, {"numbers": {"x": 2, "y": 3}, "other": 1}, tasks={TASK: task})
    assert seen == [{"a": 2, "b": 3, "label": "fixed"}]
    assert output == {"x": 2, "y": 3, "result": {"total": 5}}


def test_result_path_null_keeps_the_input_and_drops_the_result():
    definition = pass_with({"Result": {"big": 1}, "ResultPath": None})
    assert output_of(definition, {"keep": True}) == {"keep": True}


def test_input_path_null_gives_an_empty_object_and_output_path_null_too():
    assert output_of(pass_with({"InputPath": None}), {"a": 1}) == {}
    assert output_of(pass_with({"OutputPath": None}), {"a": 1}) == {}


def test_pass_result_is_literal_even_with_dollar_keys():
    definition = pass_with({"Result": {"x.$": "$.not.evaluated"}})
    assert output_of(definition, {}) == {"x.$": "$.not.evaluated"}


def test_parameters_reach_input_context_and_intrinsics():
    definition = pass_with(
        {
            "Parameters": {
                "from_input.$": "$.a",
                "state.$": "$$.State.Name",
                "nested": {"list": [{"deep.$": "$.a"}], "plain": "$.a"},
                "upper.$": "States.Format('<{}>', $.a)",
            }
        }
    )
    assert output_of(definition, {"a": "x"}) == {
        "from_input": "x",
        "state": "P",
        "nested": {"list": [{"deep": "x"}], "plain": "$.a"},
        "upper": "<x>",
    }


def test_a_parameters_path_that_finds_nothing_is_a_runtime_error():
    execution = run(pass_with({"Parameters": {"v.$": "$.missing"}}), {"a": 1})
    assert execution.error == "States.Runtime"
    assert "could not be found in the input '{\"a\":1}'" in (execution.cause or "")


def test_runtime_errors_name_the_state_and_its_entry():
    execution = run(pass_with({"InputPath": "$.missing"}), {})
    assert execution.cause == (
        "An error occurred while executing the state 'P' (entered at the event id #2). "
        "Invalid path '$.missing' : No results for path: $['missing']"
    )


def test_fail_state_takes_error_and_cause_from_literals_paths_or_intrinsics():
    literal = machine({"F": {"Type": "Fail", "Error": "E", "Cause": "C"}})
    paths = machine(
        {"F": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('c={}', $.c)"}}
    )
    assert (run(literal).error, run(literal).cause) == ("E", "C")
    execution = run(paths, {"e": "Boom", "c": 1})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Boom", "c=1")


def test_fail_path_to_a_non_string_is_a_runtime_error():
    execution = run(machine({"F": {"Type": "Fail", "ErrorPath": "$.e"}}), {"e": 5})
    assert execution.error == "States.Runtime"


def test_succeed_applies_input_and_output_paths():
    definition = machine({"S": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}})
    assert output_of(definition, {"a": {"b": 7}}) == 7


START = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "input", "ends"),
    [
        ({"Seconds": 90}, {}, START + timedelta(seconds=90)),
        ({"SecondsPath": "$.s"}, {"s": 30}, START + timedelta(seconds=30)),
        ({"Timestamp": "2024-01-02T00:00:00Z"}, {}, datetime(2024, 1, 2, tzinfo=UTC)),
        (
            {"TimestampPath": "$.t"},
            {"t": "2024-01-01T05:00:00+02:00"},
            datetime(2024, 1, 1, 3, tzinfo=UTC),
        ),
        ({"Timestamp": "2023-01-01T00:00:00Z"}, {}, START),
    ],
)
def test_wait_ends_at_its_time_and_passes_input_through(fields, input, ends):
    definition = machine({"W": {"Type": "Wait", "End": True, **fields}})
    from segue.asl import load

    execution = Simulator(load(definition), now=START).run(input)
    assert (execution.status, execution.output, execution.ended) == ("SUCCEEDED", input, ends)


@pytest.mark.parametrize(
    ("fields", "input", "message"),
    [
        ({"SecondsPath": "$.s"}, {"s": -1}, "references a negative value: $.s == -1"),
        ({"SecondsPath": "$.s"}, {"s": "10"}, "cannot be parsed as a long value: $.s == 10"),
        ({"TimestampPath": "$.t"}, {"t": "2024-01-01T00:00:00"}, "valid ISO-8601"),
    ],
)
def test_wait_paths_to_bad_values_are_runtime_errors(fields, input, message):
    execution = run(machine({"W": {"Type": "Wait", "End": True, **fields}}), input)
    assert execution.error == "States.Runtime"
    assert message in (execution.cause or "")


def test_task_timeout_from_a_path_ends_a_slow_task_with_states_timeout():
    from segue.asl import Succeeded
    from segue.asl.simulator import TaskRun

    definition = machine(
        {"T": {"Type": "Task", "Resource": TASK, "TimeoutSecondsPath": "$.limit", "End": True}}
    )
    slow = {TASK: lambda _: TaskRun(Succeeded(1), seconds=10)}
    assert run(definition, {"limit": 5}, tasks=slow).error == "States.Timeout"
    assert run(definition, {"limit": 50}, tasks=slow).status == "SUCCEEDED"
    assert run(definition, {"limit": 0}, tasks=slow).error == "States.Runtime"


def test_task_failures_without_handlers_fail_the_execution():
    definition = machine({"T": {"Type": "Task", "Resource": TASK, "End": True}})
    execution = run(definition, tasks={TASK: lambda _: Failed("Boom", "it broke")})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Boom", "it broke")
