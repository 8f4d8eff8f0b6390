"""Small builders shared by the unit tests."""

from __future__ import annotations

from typing import Any

from segue.asl import Failed, Succeeded, load
from segue.asl.simulator import Execution, Simulator, TaskRun


def machine(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    """A definition from its states; StartAt defaults to the first state."""
    return {"StartAt": start or next(iter(states)), "States": states, **top}


def run(
    definition: dict[str, Any],
    input: Any = None,
    tasks: Any = None,
    **simulator: Any,
) -> Execution:
    """Validate and simulate a definition; `tasks` maps a resource to a function of the input."""
    table = tasks or {}

    def runner(resource: str, parameters: Any) -> TaskRun:
        outcome = table[resource](parameters)
        if isinstance(outcome, TaskRun):
            return outcome
        if isinstance(outcome, Failed | Succeeded):
            return TaskRun(outcome)
        return TaskRun(Succeeded(outcome))

    return Simulator(load(definition), tasks=runner, **simulator).run(
        {} if input is None else input
    )


def output_of(definition: dict[str, Any], input: Any = None, **kwargs: Any) -> Any:
    """The output of a run that must succeed."""
    execution = run(definition, input, **kwargs)
    assert execution.status == "SUCCEEDED", execution
    return execution.output


def pass_with(fields: dict[str, Any]) -> dict[str, Any]:
    """A one-state machine: a Pass state with `fields`."""
    return machine({"P": {"Type": "Pass", "End": True, **fields}})
