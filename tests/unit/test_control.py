"""The operator's operations on the pure decider: what each status allows, and what it does."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from segue.engine import control
from segue.engine.decider import advance, lease, work
from segue.engine.head import Status, TokenStatus
from tests.unit.helpers import NOW, Driven, machine

if TYPE_CHECKING:
    from segue.asl import Invoke, Result

DEFINITION = machine(
    {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "Result": "done", "End": True},
    }
)


class Run(Driven):
    """The two-state DEFINITION driven by hand."""

    def __init__(self, **start: Any) -> None:
        super().__init__(DEFINITION, **start)

    def op(self, operation, **arguments: Any):
        return self.apply(operation(self.sm, self.head, now=NOW, values=self.values, **arguments))

    def step(self, token_id: str):
        head = lease(self.head, token_id, "me", NOW + timedelta(minutes=1))
        token = head.tokens[token_id]
        outcome, task = work(self.sm, head, token, self.values, lambda: NOW, no_task)
        return self.apply(advance(self.sm, head, token_id, outcome, NOW, self.values, task))


def no_task(invoke: Invoke) -> Result:
    raise AssertionError("this workflow has no Task")


def status(run: Run) -> Status:
    return run.head.status


def pause(run: Run, seconds: int | None = 60):
    return run.op(control.pause, by="op", reason="why", auto_resume_seconds=seconds)


def resume(run: Run, **arguments: Any):
    defaults: dict[str, Any] = {"by": "op", "reason": "go", "data": None, "pause_before": None}
    return run.op(control.resume, **(defaults | arguments))


def test_pause_with_nothing_in_flight_is_taken_at_once_and_schedules_its_resume():
    run = Run()
    decision = pause(run)
    assert run.head.status is Status.PAUSED
    assert run.head.tokens["t1"].status is TokenStatus.PARKED
    assert decision.dispatch == ()
    (timer,) = decision.schedule
    assert (timer.pause_id, timer.at) == ("p1", "2024-01-01T00:01:00.000Z")
    assert decision.snapshot == "pause"


def test_pause_with_a_task_in_flight_waits_for_its_commit():
    run = Run()
    leased = lease(run.head, "t1", "me", NOW + timedelta(minutes=1))
    run.head = leased
    pause(run)
    assert run.head.status is Status.PAUSING and run.head.pause is not None
    assert not run.head.paused
    outcome, _ = work(run.sm, run.head, run.head.tokens["t1"], run.values, lambda: NOW, no_task)
    decision = run.apply(advance(run.sm, run.head, "t1", outcome, NOW, run.values))
    assert status(run) is Status.PAUSED
    assert decision.dispatch == ()
    assert [t.status for t in run.head.tokens.values()] == [TokenStatus.PARKED]


def test_no_schedule_when_auto_resume_is_off():
    run = Run()
    decision = pause(run, 0)
    assert decision.schedule == () and run.head.pause is not None
    assert run.head.pause.auto_resume_at == ""


def test_resume_readies_what_was_parked_merges_data_and_deletes_the_schedule():
    run = Run()
    pause(run)
    decision = resume(run, data={"k": 1})
    assert run.head.status is Status.RUNNING and run.head.pause is None
    assert [t.id for t in decision.dispatch] == ["t1"]
    assert [t.pause_id for t in decision.unschedule] == ["p1"]
    assert run.values(run.head.tokens["t1"].vars) == {"k": 1}
    assert run.values(run.head.vars) == {"k": 1}


def test_what_each_status_refuses():
    run = Run()
    with pytest.raises(control.NotAllowed):
        resume(run)  # not paused
    pause(run)
    with pytest.raises(control.NotAllowed):
        pause(run)  # already paused
    with pytest.raises(control.NotAllowed):
        run.op(control.redrive, by="op")  # not failed
    run.op(control.cancel, by="op", reason="stop")
    assert run.head.status is Status.CANCELLED and not run.head.tokens
    with pytest.raises(control.NotAllowed):
        run.op(control.cancel, by="op", reason="again")
    with pytest.raises(control.NotAllowed):
        pause(run)


def test_a_stale_auto_resume_is_told_apart_from_the_current_pause():
    run = Run()
    pause(run)
    resume(run)
    pause(run)
    assert run.head.pause is not None and run.head.pause.id == "p2"
    with pytest.raises(control.Stale):
        resume(run, pause_id="p1")
    decision = resume(run, pause_id="p2")
    assert run.head.status is Status.RUNNING
    assert decision.unschedule == ()  # the schedule that fired deletes itself


def test_a_breakpoint_parks_the_token_that_enters_its_state():
    run = Run(pause_before=("B",))
    run.step("t1")
    assert run.head.status is Status.PAUSED
    assert run.head.pause is not None and run.head.pause.reason == "breakpoint"
    (token,) = run.head.tokens.values()
    assert (token.state, token.status) == ("B", TokenStatus.PARKED)
    resume(run)
    run.step(token.id)
    assert status(run) is Status.SUCCEEDED and run.values(run.head.output) == "done"


def test_a_timeout_is_taken_only_when_due_and_for_the_current_run():
    run = Run()
    assert run.head.deadline == ""  # no TimeoutSeconds: never times out
    with pytest.raises(control.NotAllowed):
        run.op(control.time_out, attempt=1)
    bounded = Driven({**DEFINITION, "TimeoutSeconds": 30})
    assert bounded.head.deadline == "2024-01-01T00:00:30.000Z"

    def time_out(attempt: int, now: datetime):
        head, values = bounded.head, bounded.values
        return control.time_out(bounded.sm, head, attempt=attempt, now=now, values=values)

    later = NOW + timedelta(seconds=30)
    with pytest.raises(control.NotAllowed):  # not due yet
        time_out(1, NOW)
    with pytest.raises(control.NotAllowed):  # the deadline of another run (a redrive's)
        time_out(2, later)
    decision = bounded.apply(time_out(1, later))
    assert bounded.head.status is Status.TIMED_OUT and bounded.head.tokens == {}
    assert bounded.head.error == "States.Timeout"
    assert [e.type for e in decision.events] == ["ExecutionTimedOut"]
