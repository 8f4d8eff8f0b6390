"""Properties over generated inputs: the interpreter only ever fails with States.* errors."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from segue.asl import Failed, Succeeded, diagnose, load
from segue.asl.errors import StatesError
from segue.asl.intrinsics import FUNCTIONS, evaluate, parse_call
from segue.asl.jsonpath import Name, Scope, parse_reference, put, select
from segue.asl.rules import OPERATORS
from segue.asl.simulator import Simulator, TaskRun
from segue.asl.timestamps import format_timestamp
from segue.engine.recovery import index_time

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["a", "b", "items", "n", "x"]), inner, max_size=4)
    ),
    max_leaves=12,
)
documents = st.dictionaries(
    st.sampled_from(["a", "b", "items", "n", "x", "orderId", "total", "keys"]),
    json_values,
    max_size=6,
)

EXAMPLES = [
    json.loads(p.read_text())
    for p in sorted((Path(__file__).resolve().parents[2] / "statemachine").glob("*.asl.json"))
]
PROBE = {
    "StartAt": "Shape",
    "States": {
        "Shape": {
            "Type": "Pass",
            "Parameters": {
                "a.$": "$.a",
                "n.$": "States.MathAdd($.n, 1)",
                "all.$": "$..x",
                "len.$": "States.ArrayLength($.items)",
            },
            "Next": "Pick",
        },
        "Pick": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.a", "NumericGreaterThan": 3, "Next": "Each"},
                {"Variable": "$.a", "StringMatches": "x*", "Next": "Wait"},
                {
                    "And": [
                        {"Variable": "$.a", "IsPresent": True},
                        {"Variable": "$.a", "IsTimestamp": True},
                    ],
                    "Next": "Wait",
                },
            ],
            "Default": "Each",
        },
        "Wait": {"Type": "Wait", "SecondsPath": "$.n", "Next": "Each"},
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.all",
            "ItemProcessor": {
                "StartAt": "Item",
                "States": {"Item": {"Type": "Pass", "OutputPath": "$", "End": True}},
            },
            "ResultPath": "$.mapped",
            "OutputPath": "$.mapped",
            "End": True,
        },
    },
}


def allowed_errors(definition: dict) -> set[str]:
    text = json.dumps(definition)
    return {name for name in ("OrderRejected", "CardDeclined", "OutOfStock") if name in text}


@given(st.sampled_from([PROBE, *EXAMPLES]), documents, json_values, st.booleans())
def test_runs_end_in_success_or_a_states_error_never_an_exception(
    definition, input, task_result, fail
):
    def tasks(resource: str, parameters: object) -> TaskRun:
        return TaskRun(
            Failed("States.TaskFailed", "x") if fail else Succeeded({"Payload": task_result})
        )

    execution = Simulator(load(definition), tasks=tasks, max_steps=10_000).run(input)
    assert execution.status in {"SUCCEEDED", "FAILED"}
    if execution.status == "FAILED":
        assert execution.error is not None
        assert execution.error.startswith("States.") or execution.error in allowed_errors(
            definition
        )


@given(st.sampled_from([PROBE, *EXAMPLES]), documents, st.integers(0, 2**32))
def test_the_same_run_twice_gives_the_same_result(definition, input, seed):
    def tasks(resource: str, parameters: object) -> TaskRun:
        return TaskRun(Succeeded({"Payload": parameters}))

    runs = [Simulator(load(definition), tasks=tasks, seed=seed).run(input) for _ in range(2)]
    assert runs[0] == runs[1]


paths = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=4)


@given(documents, paths, json_values)
def test_put_then_select_finds_what_was_put(document, names, value):
    path = parse_reference("$." + ".".join(names))
    try:
        updated = put(document, path, value)
    except StatesError as failure:
        assert failure.error == "States.ResultPathMatchFailure"
        return
    assert select(path.text, Scope(updated)) == value
    untouched = {k: v for k, v in document.items() if k != names[0]}
    assert {k: v for k, v in updated.items() if k != names[0]} == untouched
    assert isinstance(path.steps[0], Name)


@given(st.sampled_from(sorted(OPERATORS)), json_values, json_values)
def test_choice_rules_are_refused_at_validation_or_answer_at_run_time(operator, operand, value):
    definition = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.v", operator: operand, "Next": "Y"}],
                "Default": "N",
            },
            "Y": {"Type": "Pass", "Result": True, "End": True},
            "N": {"Type": "Pass", "Result": False, "End": True},
        },
    }
    if diagnose(definition)[1]:
        return
    execution = Simulator(load(definition)).run({"v": value, "w": operand})
    assert execution.status == "SUCCEEDED" or execution.error == "States.Runtime"


@given(st.sampled_from(sorted(FUNCTIONS)), st.lists(json_values, max_size=3), st.integers(0, 100))
def test_intrinsics_return_json_or_raise_intrinsic_failure(name, args, seed):
    fields = {f"a{i}": value for i, value in enumerate(args)}
    text = f"States.{name}({', '.join(f'$.a{i}' for i in range(len(args)))})"
    try:
        call = parse_call(text)
    except ValueError:
        return  # wrong number of arguments: refused at validation
    try:
        result = evaluate(call, Scope(fields), random.Random(seed))
    except StatesError as failure:
        assert failure.error == "States.IntrinsicFailure"
        return
    json.dumps(result)


@given(
    st.sampled_from(["", *(f"2024-01-01T00:00:{s:02d}.000Z" for s in range(0, 60, 7))]),
    st.one_of(st.none(), st.integers(0, 59)),
    st.integers(0, 59),
)
def test_a_kept_check_time_is_never_later_than_the_heads_own(stored, wanted_s, now_s):
    base = datetime(2024, 1, 1, tzinfo=UTC)
    wanted = None if wanted_s is None else base + timedelta(seconds=wanted_s)
    now = base + timedelta(seconds=now_s)
    kept = index_time(stored, wanted, now)
    if wanted is None:
        assert kept == ""
        return
    assert kept <= format_timestamp(wanted)  # the sweeper never looks late
    if format_timestamp(now) < stored <= format_timestamp(wanted):
        assert kept == stored  # and the index is not written when it need not be
    else:
        assert kept == format_timestamp(wanted)
