"""Run a whole execution in memory on simulated time: for tests, conformance and dry runs.

This is a reference driver of the step interface, not the durable engine: it keeps
everything in local variables, runs branches one after another and never sleeps.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from segue.asl import errors
from segue.asl.context import ExecutionInfo, context_object
from segue.asl.models import Map
from segue.asl.outcomes import (
    MAX_PAYLOAD_BYTES,
    End,
    Fail,
    Failed,
    FanOut,
    Invoke,
    Next,
    Result,
    Retry,
    Runtime,
    Succeeded,
    Visit,
    WaitUntil,
)
from segue.asl.step import complete, enter

if TYPE_CHECKING:
    from collections.abc import Mapping

    from segue.asl.machine import StateMachine
    from segue.asl.outcomes import Json, Outcome


@dataclass(frozen=True)
class TaskRun:
    """What a simulated task did and how long it took."""

    result: Result
    seconds: float = 0.0


class TaskRunner(Protocol):
    def __call__(self, resource: str, parameters: Json) -> TaskRun: ...


class StepLimitExceededError(RuntimeError):
    """The execution took more steps than allowed (a loop that never ends?)."""


@dataclass(frozen=True)
class Execution:
    """How a simulated execution ended."""

    status: str
    output: Json = None
    error: str | None = None
    cause: str | None = None
    ended: datetime | None = None


def _no_tasks(resource: str, parameters: Json) -> TaskRun:
    return TaskRun(Failed(errors.TASK_FAILED, f"no task runner for {resource}"))


@dataclass
class Simulator:
    """Drives `enter` and `complete` for one execution, on a clock that only jumps."""

    machine: StateMachine
    tasks: TaskRunner = _no_tasks
    now: datetime = field(default_factory=lambda: datetime(2024, 1, 1, tzinfo=UTC))
    seed: int = 0
    max_steps: int = 100_000
    max_payload_bytes: int = MAX_PAYLOAD_BYTES
    _events: int = 0
    _steps: int = 0

    def run(self, input: Json, name: str = "simulated") -> Execution:
        """Run from StartAt to the end; the execution's status, output or error."""
        self._rng = random.Random(self.seed)
        self._execution = ExecutionInfo(
            id=f"arn:aws:states:local:000000000000:execution:sim:{name}",
            name=name,
            input=input,
            start_time=self.now,
            state_machine_id="arn:aws:states:local:000000000000:stateMachine:sim",
            state_machine_name="sim",
        )
        self._events = 1
        deadline = self.machine.definition.timeout_seconds
        result = self.run_machine(self.machine.definition.start_at, input, {})
        if deadline is not None and self.now > self._execution.start_time + timedelta(
            seconds=deadline
        ):
            return Execution("TIMED_OUT", error=errors.TIMEOUT, ended=self.now)
        if isinstance(result, Succeeded):
            return Execution("SUCCEEDED", output=result.output, ended=self.now)
        return Execution("FAILED", error=result.error, cause=result.cause or None, ended=self.now)

    def run_machine(self, state: str, input: Json, variables: Mapping[str, Json]) -> Result:
        """Run one (sub-)machine from `state`; its variables are its own copy."""
        scope = dict(variables)
        retries: tuple[int, ...] = ()
        entered = 0
        while True:
            self._count_step()
            if not retries:  # a retry runs the state again without entering it again
                self._events += 1
                entered = self._events
            visit = Visit(state, input, self._context(state, retries), scope, retries, entered)
            outcome = self._settle(visit, enter(self.machine, visit, self._runtime()))
            if isinstance(outcome, Retry):
                self.now += timedelta(seconds=outcome.delay_seconds)
                retries = outcome.retries
                continue
            if isinstance(outcome, Fail):
                return Failed(outcome.error, outcome.cause)
            self._events += 1  # StateExited
            scope.update(outcome.assigned)
            if isinstance(outcome, End):
                return Succeeded(outcome.output)
            state, input, retries = outcome.state, outcome.input, ()

    def _settle(self, visit: Visit, outcome: Outcome) -> Next | End | Fail | Retry:
        if isinstance(outcome, WaitUntil):
            self.now = max(self.now, outcome.until)
            return outcome.then
        if isinstance(outcome, Invoke):
            return complete(self.machine, visit, self._invoke(outcome), self._runtime())
        if isinstance(outcome, FanOut):
            per_item = 1 if isinstance(self.machine.state(visit.state), Map) else 0
            self._events += 1  # MapStateStarted / ParallelStateStarted
            results = []
            for start in outcome.starts:
                self._events += per_item  # MapIterationStarted
                results.append(self.run_machine(start.state, start.input, visit.variables))
                self._events += per_item  # MapIterationSucceeded / Failed
            self._events += 1  # MapStateSucceeded / ParallelStateSucceeded
            return complete(self.machine, visit, tuple(results), self._runtime())
        return outcome

    def _invoke(self, invoke: Invoke) -> Result:
        self._events += 3  # TaskScheduled, TaskStarted, TaskSucceeded / TaskFailed
        run = self.tasks(invoke.resource, invoke.parameters)
        if invoke.timeout_seconds is not None and run.seconds > invoke.timeout_seconds:
            self.now += timedelta(seconds=invoke.timeout_seconds)
            return Failed(errors.TIMEOUT, "")
        self.now += timedelta(seconds=run.seconds)
        return run.result

    def _context(self, state: str, retries: tuple[int, ...]) -> dict[str, Json]:
        can_retry = hasattr(self.machine.state(state), "retry")
        return context_object(self._execution, state, self.now, sum(retries) if can_retry else None)

    def _runtime(self) -> Runtime:
        return Runtime(self.now, self._rng, self.max_payload_bytes)

    def _count_step(self) -> None:
        self._steps += 1
        if self._steps > self.max_steps:
            raise StepLimitExceededError(f"more than {self.max_steps} steps")
