"""Branch results kept out of the head: any completion order, any width, the same results."""

from __future__ import annotations

import json
import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from segue.asl.errors import MAX_CAUSE_CHARS, MAX_ERROR_CHARS
from segue.engine.head import HEAD_BYTES, RESULTS_CHUNK, Join, Status, Token, TokenStatus
from segue.engine.joins import fold, saved_results
from segue.engine.refs import ref_of
from tests.unit.helpers import machine, run
from tests.unit.test_decider import drive

PARENT = Token("t1", "M", TokenStatus.WAITING, "i:{}", "i:{}", 2, "2024-01-01T00:00:00.000Z")
WINDOW = 40


@settings(max_examples=15)
@given(
    st.sampled_from(
        [0, 1, RESULTS_CHUNK - 1, RESULTS_CHUNK, RESULTS_CHUNK**2 + 7, 2 * RESULTS_CHUNK**2]
    ),
    st.randoms(use_true_random=False),
)
def test_results_finishing_in_any_order_come_back_in_branch_order(total, order):
    stored: dict[str, object] = {}

    def keep(value: object) -> str:
        stored[ref_of(value)] = value
        return ref_of(value)

    join = Join(PARENT, total, "i:[]", total, WINDOW, False)
    running, launched = set(range(min(WINDOW, total))), min(WINDOW, total)
    while running:
        index = order.choice(sorted(running))
        running.remove(index)
        join = fold(replace(join, results={**join.results, index: f"ok:{index}"}), index, keep)
        if launched < total:
            running.add(launched)
            launched += 1
        # what stays in the head: the chunks still open (each waits for a running branch)
        open_chunks = {i // RESULTS_CHUNK for i in running} | {launched // RESULTS_CHUNK}
        assert {i // RESULTS_CHUNK for i in join.results} <= open_chunks
        groups = {(level, index // RESULTS_CHUNK) for level, index in join.folded}
        assert all(  # no group whose documents are all there is left unmerged
            sum((level, g * RESULTS_CHUNK + j) in join.folded for j in range(RESULTS_CHUNK))
            < RESULTS_CHUNK
            for level, g in groups
        )
    assert join.finished == total
    assert list(saved_results(join, lambda ref: stored.get(ref) or json.loads(ref[2:]))) == [
        f"ok:{i}" for i in range(total)
    ]


def test_a_map_of_thousands_of_items_keeps_a_small_head_and_all_its_results():
    items = list(range(RESULTS_CHUNK**3 + 7))  # enough to fold documents of documents
    definition = machine(
        {
            "Each": {
                "Type": "Map",
                "ItemProcessor": machine(
                    {
                        "P": {
                            "Type": "Pass",
                            "Parameters": {"n.$": "$", "pad": "x" * 200},
                            "End": True,
                        }
                    }
                ),
                "End": True,
            }
        }
    )
    largest = 0

    def observe(decision):
        nonlocal largest
        largest = max(largest, len(json.dumps(decision.head.to_dict())))

    head, _, values = drive(
        definition, items, random.Random(3), steps=10 * len(items), observe=observe
    )
    assert head.status is Status.SUCCEEDED
    assert values(head.output) == [{"n": n, "pad": "x" * 200} for n in items]
    assert largest < HEAD_BYTES // 2  # 40 running and the open chunks: never the whole map


def test_branches_too_many_to_run_at_once_fail_the_execution_clearly():
    branches = [machine({f"B{i}": {"Type": "Pass", "End": True}}) for i in range(3000)]
    definition = machine({"P": {"Type": "Parallel", "Branches": branches, "End": True}})
    head, history, _ = drive(definition, {}, random.Random(0))
    assert (head.status, head.error) == (Status.FAILED, "States.DataLimitExceeded")
    assert "3000 states running at once" in (head.cause or "")
    assert history[-1].type == "ExecutionFailed"


def test_an_error_and_cause_are_kept_at_the_lengths_aws_keeps():
    definition = machine({"F": {"Type": "Fail", "ErrorPath": "$.error", "CausePath": "$.cause"}})
    head, history, _ = drive(
        definition, {"error": "E" * 1000, "cause": "c" * 1_000_000}, random.Random(0)
    )
    assert (len(head.error or ""), len(head.cause or "")) == (MAX_ERROR_CHARS, MAX_CAUSE_CHARS)
    failed = history[-1].details
    assert (len(failed["error"]), len(failed["cause"])) == (MAX_ERROR_CHARS, MAX_CAUSE_CHARS)


def test_the_branches_of_a_parallel_share_one_stored_input():
    branches = [machine({f"B{i}": {"Type": "Pass", "End": True}}) for i in range(20)]
    definition = machine({"P": {"Type": "Parallel", "Branches": branches, "End": True}})
    stored_bytes = []

    big = {"blob": "x" * 100_000}

    def observe(decision):  # the branches end in the same decision: leave out their output
        if any(event.type == "FanOutStarted" for event in decision.events):
            kept = [v for v in decision.values.values() if v != [big] * 20]
            stored_bytes.append(sum(len(json.dumps(v)) for v in kept))

    head, _, values = drive(definition, big, random.Random(0), observe=observe)
    assert values(head.output) == [big] * 20
    assert stored_bytes and max(stored_bytes) < 2 * 100_000  # the input once, not 20 times


def test_items_whose_inputs_together_pass_the_limit_fail_before_one_starts():
    definition = machine(
        {
            "M": {
                "Type": "Map",
                "ItemSelector": {"big.$": "$.big", "n.$": "$$.Map.Item.Value"},
                "ItemsPath": "$.items",
                "ItemProcessor": machine({"P": {"Type": "Pass", "End": True}}),
                "End": True,
            }
        }
    )
    execution = run(
        definition, {"big": "x" * 1000, "items": list(range(10))}, max_payload_bytes=5000
    )
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert "inputs of the items of 'M'" in (execution.cause or "")
    assert (
        run(definition, {"big": "x", "items": [1, 2]}, max_payload_bytes=5000).status == "SUCCEEDED"
    )
