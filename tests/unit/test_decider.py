"""The decider, driven purely: any order of running ready tokens gives the simulator's answer.

No AWS here: documents live in a dict, time is a number that only jumps, and tokens are
picked in an order hypothesis chooses. After every decision the head's bookkeeping is
checked (version and history sequence move together, frontier tokens are unique).
"""

from __future__ import annotations

import functools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from segue.asl import Failed, Succeeded, load
from segue.asl.simulator import Simulator, TaskRun
from segue.engine import control
from segue.engine.decider import advance, lease, work
from segue.engine.head import Status, TokenStatus, is_terminal
from segue.engine.refs import INLINE, inline_value, kind
from segue.engine.starts import begin
from segue.engine.visits import instant
from tests.unit.helpers import machine

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
START = datetime(2024, 1, 1, tzinfo=UTC)


def task_result(resource: str, parameters: Any):
    """Deterministic tasks: `inc` adds one, `fail` fails, `echo` answers its input."""
    name = resource.rsplit(":", 1)[-1]
    if name == "fail":
        return Failed("Boom", "failed on purpose")
    if name == "inc":
        return Succeeded(parameters + 1)
    return Succeeded(parameters)


WORKFLOWS: dict[str, tuple[dict, Any]] = {
    "linear": (
        machine(
            {
                "A": {"Type": "Task", "Resource": LAMBDA + "inc", "Next": "B"},
                "B": {"Type": "Pass", "Assign": {"seen.$": "$"}, "Next": "C"},
                "C": {"Type": "Task", "Resource": LAMBDA + "inc", "End": True},
            }
        ),
        1,
    ),
    "parallel-of-maps": (
        machine(
            {
                "Both": {
                    "Type": "Parallel",
                    "Branches": [
                        machine(
                            {
                                "Each": {
                                    "Type": "Map",
                                    "MaxConcurrency": 2,
                                    "ItemProcessor": machine(
                                        {
                                            "Inc": {
                                                "Type": "Task",
                                                "Resource": LAMBDA + "inc",
                                                "End": True,
                                            }
                                        }
                                    ),
                                    "End": True,
                                }
                            }
                        ),
                        machine(
                            {"Echo": {"Type": "Task", "Resource": LAMBDA + "echo", "End": True}}
                        ),
                    ],
                    "Next": "Done",
                },
                "Done": {"Type": "Pass", "End": True},
            }
        ),
        [1, 2, 3, 4, 5],
    ),
    "caught-branch-failure": (
        machine(
            {
                "Both": {
                    "Type": "Parallel",
                    "Branches": [
                        machine(
                            {
                                "Slow": {"Type": "Wait", "Seconds": 5, "Next": "Inc"},
                                "Inc": {"Type": "Task", "Resource": LAMBDA + "inc", "End": True},
                            }
                        ),
                        machine(
                            {"Fail": {"Type": "Task", "Resource": LAMBDA + "fail", "End": True}}
                        ),
                    ],
                    "Catch": [{"ErrorEquals": ["Boom"], "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Pass", "End": True},
            }
        ),
        1,
    ),
    "retry-then-fail": (
        machine(
            {
                "Fail": {
                    "Type": "Task",
                    "Resource": LAMBDA + "fail",
                    "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                    "End": True,
                }
            }
        ),
        0,
    ),
}


def simulated(definition: dict, input: Any):
    def tasks(resource: str, parameters: Any) -> TaskRun:
        return TaskRun(task_result(resource, parameters))

    return Simulator(load(definition), tasks).run(input)


def drive(
    definition: dict,
    input: Any,
    order: random.Random,
    pauses: bool = False,
    steps: int = 1000,
    observe: Any = None,
):
    """Run the execution through the decider alone, picking runnable tokens in `order`.

    With `pauses`, an operator pauses at random moments (between steps, or while a task is
    in flight) and resumes once the pause is taken. `observe` sees every decision.
    """
    sm = load(definition)
    stored: dict[str, Any] = {}

    def values(ref: str) -> Any:
        return inline_value(ref) if kind(ref) == INLINE else stored[ref]

    now = START
    decision = begin(
        sm, execution_id="x:1", name="1", state_machine="x", revision=1, input=input, now=now
    )
    stored.update(decision.values)
    head, history = decision.head, list(decision.events)

    def operate(head, act):
        decision = act(sm, head, now=now, values=values)
        stored.update(decision.values)
        assert decision.head.version == head.version + 1
        history.extend(decision.events)
        return decision.head

    pause = functools.partial(control.pause, by="op", reason="look", auto_resume_seconds=60)
    resume = functools.partial(control.resume, by="op", reason="go", data=None, pause_before=None)
    pauses_left = 6 if pauses else 0
    for _ in range(steps):
        if is_terminal(head.status):
            return head, history, values
        if head.status is Status.PAUSED:
            assert not any(t.status is TokenStatus.READY for t in head.tokens.values())
            head = operate(head, resume)
            continue
        if pauses_left and order.random() < 0.3:
            pauses_left -= 1
            head = operate(head, pause)
            continue
        runnable = [
            t
            for t in head.tokens.values()
            if t.status is TokenStatus.READY or (t.status is TokenStatus.WAITING and t.then)
        ]
        token = order.choice(sorted(runnable, key=lambda t: t.id))
        if token.ready_at:
            now = max(now, instant(token.ready_at))
        head = lease(head, token.id, "me", now + timedelta(minutes=5))
        token = head.tokens[token.id]
        clock = iter(now + timedelta(milliseconds=i) for i in range(10))
        outcome, task = work(
            sm,
            head,
            token,
            values,
            functools.partial(next, clock),
            lambda i: task_result(i.resource, i.parameters),
        )
        if pauses_left and order.random() < 0.3 and head.status in control.PAUSABLE:
            pauses_left -= 1
            head = operate(head, pause)  # arrives while the task is in flight
            assert head.status is Status.PAUSING
        decision = advance(sm, head, token.id, outcome, now, values, task)
        if head.status is Status.PAUSING:  # the task's result is kept, nothing new starts
            assert decision.head.status in (Status.PAUSED, Status.PAUSING) or is_terminal(
                decision.head.status
            )
        stored.update(decision.values)
        if observe is not None:
            observe(decision)
        assert decision.head.version == head.version + 1
        assert decision.head.next_seq == head.next_seq + len(decision.events)
        assert len(decision.events) > 0
        head = decision.head
        history += decision.events
    raise AssertionError("the execution did not end")


@given(st.sampled_from(sorted(WORKFLOWS)), st.randoms(use_true_random=False))
def test_any_token_order_gives_the_simulators_outcome(name, order):
    definition, input = WORKFLOWS[name]
    expected = simulated(definition, input)
    head, history, values = drive(definition, input, order)
    assert str(head.status) == expected.status
    if head.status is Status.SUCCEEDED:
        assert values(head.output) == expected.output
    else:
        assert (head.error, head.cause) == (expected.error, expected.cause)
    assert head.next_seq == len(history) + 1
    assert not head.tokens and not head.joins


@given(st.sampled_from(sorted(WORKFLOWS)), st.randoms(use_true_random=False))
def test_pauses_and_resumes_anywhere_give_the_simulators_outcome(name, order):
    definition, input = WORKFLOWS[name]
    expected = simulated(definition, input)
    head, history, values = drive(definition, input, order, pauses=True)
    assert str(head.status) == expected.status
    if head.status is Status.SUCCEEDED:
        assert values(head.output) == expected.output
    assert head.next_seq == len(history) + 1
    types = [e.type for e in history]
    assert types.count("ExecutionPaused") == types.count("ExecutionResumed")
    # a pause asked while the last task ran is never taken: the execution ended first
    paused = types.count("ExecutionPaused")
    assert paused <= types.count("PauseRequested") <= paused + 1


@given(st.randoms(use_true_random=False))
def test_state_entered_ids_point_at_their_history_entries(order):
    definition, input = WORKFLOWS["parallel-of-maps"]
    _, history, _ = drive(definition, input, order)
    entered = [i + 1 for i, e in enumerate(history) if e.type == "StateEntered"]
    assert entered[0] == 2  # ExecutionStarted is #1
    assert len(entered) == len(set(entered))


def test_a_map_of_no_items_completes_without_branches():
    definition = machine(
        {
            "Each": {
                "Type": "Map",
                "ItemProcessor": machine({"P": {"Type": "Pass", "End": True}}),
                "End": True,
            }
        }
    )
    head, history, values = drive(definition, [], random.Random(0))
    assert head.status is Status.SUCCEEDED and values(head.output) == []
    assert not any(e.type == "BranchStarted" for e in history)
