"""States with no outside effect are decided together, in the decision of the state before."""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from segue.engine import decider
from segue.engine.decider import advance, lease, work
from segue.engine.head import Status, TokenStatus
from segue.engine.starts import first_page, first_steps
from tests.unit import helpers
from tests.unit.helpers import Driven, machine
from tests.unit.test_decider import LAMBDA, START, WORKFLOWS, drive, task_result


@contextlib.contextmanager
def one_state_per_commit():
    """The decider as it was: every state its own decision."""
    kept = decider.STATES_PER_COMMIT
    decider.STATES_PER_COMMIT = 0
    try:
        yield
    finally:
        decider.STATES_PER_COMMIT = kept


def chain(kinds: list[str]) -> dict:
    """States in a row; a task adds one to its input."""
    return helpers.chain(kinds, LAMBDA + "inc")


def decisions(definition: dict, input: object) -> list:
    """Each decision of a run that always takes the first ready token."""
    made: list = []
    drive(definition, input, random.Random(0), observe=made.append)
    return made


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["pass", "choice", "task"]), min_size=1, max_size=12))
def test_batched_and_one_by_one_give_the_same_history_and_output(kinds):
    definition = chain(kinds)
    batched = drive(definition, 0, random.Random(0))
    with one_state_per_commit():
        single = drive(definition, 0, random.Random(0))
    (head, history, values), (head_1, history_1, values_1) = batched, single
    assert head.status is head_1.status is Status.SUCCEEDED
    assert values(head.output) == values_1(head_1.output) == kinds.count("task")
    assert [(e.type, e.state, e.details) for e in history] == [
        (e.type, e.state, e.details) for e in history_1
    ]
    commits = len(decisions(definition, 0))
    assert commits == max(1, kinds.count("task") + (kinds[0] != "task"))


@given(st.sampled_from(sorted(WORKFLOWS)), st.randoms(use_true_random=False))
def test_batching_changes_no_outcome_of_fan_outs(name, order):
    definition, input = WORKFLOWS[name]
    head, history, values = drive(definition, input, order)
    with one_state_per_commit():
        head_1, history_1, values_1 = drive(definition, input, random.Random(0))
    assert head.status is head_1.status
    if head.status is Status.SUCCEEDED:
        assert values(head.output) == values_1(head_1.output)
    if any(e.type == "BranchFailed" for e in history):
        return  # which sibling states ran before a failure cancelled them depends on order
    # branches may interleave differently, but the same events happen
    assert Counter((e.type, e.state) for e in history) == Counter(
        (e.type, e.state) for e in history_1
    )


def test_ten_pass_states_are_one_decision_and_one_page():
    definition = chain(["pass"] * 10)
    made = decisions(definition, {"n": 1})
    assert len(made) == 1
    assert [e.type for e in made[0].events].count("StateEntered") == 9  # and the start's
    assert made[0].head.status is Status.SUCCEEDED


def first_decision(definition: dict, input: object = None, **start: Any):
    """Begin, lease the first token and decide it."""
    driven = Driven(definition, input, **start)
    head = lease(driven.head, "t1", "me", START + timedelta(minutes=1))
    outcome, task = work(
        driven.sm, head, head.tokens["t1"], driven.values, lambda: START,
        lambda i: task_result(i.resource, i.parameters),
    )  # fmt: skip
    return advance(driven.sm, head, "t1", outcome, START, driven.values, task)


def test_a_breakpoint_stops_the_batch_where_it_is_set():
    decision = first_decision(chain(["pass"] * 6), 0, pause_before=("S3",))
    assert decision.head.status is Status.PAUSED
    (parked,) = decision.head.tokens.values()
    assert (parked.state, parked.status) == ("S3", TokenStatus.PARKED)
    exited = [e.state for e in decision.events if e.type == "StateExited"]
    assert exited == ["S0", "S1", "S2"]


def test_a_loop_of_cheap_states_commits_every_so_many():
    loop = machine(
        {
            "Count": {"Type": "Pass", "Next": "Again"},
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericLessThan": 0, "Next": "Done"}],
                "Default": "Count",
            },
            "Done": {"Type": "Succeed"},
        }
    )
    decision = first_decision(loop, 1)
    assert decision.head.status is Status.RUNNING
    (ready,) = decision.head.tokens.values()
    assert ready.status is TokenStatus.READY and [t.id for t in decision.dispatch] == [ready.id]
    exited = [e for e in decision.events if e.type == "StateExited"]
    assert 50 < len(exited) <= decider.STATES_PER_COMMIT + 1  # the first state, then the batch


def test_a_task_ends_the_batch_and_is_dispatched():
    decision = first_decision(chain(["pass", "pass", "task", "pass"]), 0)
    (ready,) = decision.dispatch
    assert (ready.state, ready.status) == ("S2", TokenStatus.READY)
    assert decision.head.status is Status.RUNNING


def started(definition: dict, input: object, **start: Any) -> tuple[Driven, Any, Any]:
    """A start that decides what follows StartAt; its documents kept in the run."""
    run = Driven(definition, input, **start)
    decided, after = first_steps(run.sm, run.begun, run.values)
    run.stored.update(decided.values)
    return run, decided, after


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["pass", "choice", "task"]), min_size=1, max_size=8),
    st.sampled_from([0, {"text": "x" * 500}, [1, 2, 3]]),
)
def test_a_start_decides_what_follows_and_page_1_is_derived_again(kinds, input):
    definition = chain(kinds)
    run, decided, after = started(definition, input)
    leading = next((i for i, k in enumerate(kinds) if k == "task"), len(kinds))
    entered = [e.state for e in decided.events if e.type == "StateEntered"]
    assert entered == [f"S{n}" for n in range(min(leading + 1, len(kinds)))]
    assert decided.head.version == 1 and decided.head.next_seq == len(decided.events) + 1
    assert bool(after.events) == (leading > 0)
    assert first_page(run.sm, decided.head, run.values) == decided.events  # anyone can rewrite it
    if leading == len(kinds):
        assert decided.head.status is Status.SUCCEEDED and not decided.dispatch
    else:
        (ready,) = decided.dispatch
        assert ready.state == f"S{leading}" and decided.head.status is Status.RUNNING


def test_a_start_with_breakpoints_decides_nothing_more():
    run, decided, after = started(chain(["pass"] * 3), 0, pause_before=("S2",))
    assert decided == run.begun and not after.events
