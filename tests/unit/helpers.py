"""Small builders shared by the unit tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from segue.asl import Failed, Succeeded, load
from segue.asl.simulator import Execution, Simulator, TaskRun
from segue.engine.refs import INLINE, inline_value, kind
from segue.engine.starts import begin

if TYPE_CHECKING:
    from segue.engine.decision import Decision


def machine(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    """A definition from its states; StartAt defaults to the first state."""
    return {"StartAt": start or next(iter(states)), "States": states, **top}


DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}


def distributed_map(processor: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A definition of one Distributed Map state, Each, that runs `processor` per item."""
    processor = {"ProcessorConfig": DISTRIBUTED, **processor}
    return machine({"Each": {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}})


def object_reader(bucket: str, key: str, **config: Any) -> dict[str, Any]:
    """An ItemReader of one S3 object (`config` its ReaderConfig)."""
    return {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": config,
        "Parameters": {"Bucket": bucket, "Key": key},
    }


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


def chain(kinds: list[str], task: str = "", variable: str = "$") -> dict[str, Any]:
    """States S0, S1, ... in a row: `pass`, `task` (the `task` resource) or `choice` (on to
    the next whenever `variable` is a number of at least 0; a last one is a Pass)."""

    def state(n: int, kind_of: str) -> dict[str, Any]:
        then = f"S{n + 1}"
        last = n == len(kinds) - 1
        if kind_of == "choice" and not last:
            rule = {"Variable": variable, "NumericGreaterThanEquals": 0, "Next": then}
            return {"Type": "Choice", "Choices": [rule], "Default": then}
        body = {"Type": "Task", "Resource": task} if kind_of == "task" else {"Type": "Pass"}
        return body | ({"End": True} if last else {"Next": then})

    return machine({f"S{n}": state(n, k) for n, k in enumerate(kinds)})


def pass_with(fields: dict[str, Any]) -> dict[str, Any]:
    """A one-state machine: a Pass state with `fields`."""
    return machine({"P": {"Type": "Pass", "End": True, **fields}})


NOW = datetime(2024, 1, 1, tzinfo=UTC)


class Driven:
    """One execution of `definition` driven by hand on the pure engine; documents in a dict."""

    def __init__(self, definition: dict, input: Any = None, **start: Any) -> None:
        self.sm = load(definition)
        self.stored: dict[str, Any] = {}
        decision = begin(
            self.sm,
            execution_id="x:1",
            name="1",
            state_machine="x",
            revision=1,
            input={} if input is None else input,
            now=NOW,
            **start,
        )
        self.begun = decision
        self.stored.update(decision.values)
        self.head = decision.head
        self.events = list(decision.events)

    def values(self, ref: str) -> Any:
        return inline_value(ref) if kind(ref) == INLINE else self.stored[ref]

    def apply(self, decision: Decision) -> Decision:
        self.stored.update(decision.values)
        self.head = decision.head
        self.events += decision.events
        return decision
