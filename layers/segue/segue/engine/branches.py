"""Parallel and Map: a fan-out's branches launched, each ending folded in, the join closed."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from segue.asl import Failed, Succeeded, complete
from segue.engine import events as ev
from segue.engine import joins
from segue.engine.head import Join, TokenStatus
from segue.engine.visits import runtime_for, visit_of

if TYPE_CHECKING:
    from segue.asl import FanOut, Result, Settled
    from segue.asl.outcomes import Json
    from segue.engine.draft import Draft
    from segue.engine.head import Token


def fan_out(draft: Draft, token: Token, fanned: FanOut) -> None:
    """Start a Parallel's or Map's branches, as many at once as its concurrency allows."""
    inputs = [start.input for start in fanned.starts]
    starts: Json = [[start.state, start.input] for start in fanned.starts]
    if inputs and all(input is inputs[0] for input in inputs):  # a Parallel's, kept once
        starts = {"input": draft.ref(inputs[0]), "states": [s.state for s in fanned.starts]}
    tolerant = (
        fanned.tolerated_failure_count is not None
        or fanned.tolerated_failure_percentage is not None
    )
    parent = replace(token, status=TokenStatus.WAITING, owner="", lease_until="")
    total = len(fanned.starts)
    join = Join(parent, total, draft.ref(starts), 0, fanned.max_concurrency, tolerant)
    draft.event(ev.FAN_OUT_STARTED, token.state, branches=total)
    first = min(join.max_concurrency or total, total)
    draft.joins[join.id] = join
    for _ in range(first):
        launch(draft, join.id)


def launch(draft: Draft, join_id: str) -> None:
    """Start the join's next branch."""
    join = draft.joins[join_id]
    starts = draft.read(join.starts)
    if isinstance(starts, dict):
        state, input = starts["states"][join.launched], draft.read(starts["input"])
    else:
        state, input = starts[join.launched]
    draft.event(ev.BRANCH_STARTED, join.parent.state, index=join.launched)
    draft.new_token(state, input, join.parent.vars, join_id, join.launched)
    draft.joins[join_id] = replace(join, launched=join.launched + 1)


def branch_done(draft: Draft, join: Join, index: int, result: Result) -> None:
    """Fold a branch's result in; close the join, or start the next branch."""
    state = join.parent.state
    if isinstance(result, Succeeded):
        saved = "ok:" + draft.ref(result.output)
        draft.event(ev.BRANCH_SUCCEEDED, state, index=index)
    else:
        saved = "err:" + draft.ref({"error": result.error, "cause": result.cause})
        draft.event(ev.BRANCH_FAILED, state, index=index, error=result.error)
    join = joins.fold(replace(join, results={**join.results, index: saved}), index, draft.ref)
    draft.joins[join.id] = join
    if isinstance(result, Failed) and not join.tolerant:
        close_join(draft, join, (result,))
    elif join.finished == join.total:
        close_join(draft, join, joins.collected(join, draft.read))
    elif join.launched < join.total:
        launch(draft, join.id)


def close_join(draft: Draft, join: Join, results: tuple[Result, ...] | Failed) -> None:
    """End the fan-out: its state completes with the branches' results (or a failure)."""
    cancel_below(draft, join.id)
    del draft.joins[join.id]
    parent = join.parent
    failed = isinstance(results, Failed) or (
        not join.tolerant and any(isinstance(r, Failed) for r in results)
    )
    draft.event(ev.FAN_OUT_FAILED if failed else ev.FAN_OUT_SUCCEEDED, parent.state)
    visit = visit_of(draft.head, parent, draft.read, draft.machine)
    settled: Settled = complete(
        draft.machine, visit, results, runtime_for(draft.head, parent, draft.now)
    )
    draft.settle(parent, settled)


def cancel_below(draft: Draft, join_id: str) -> None:
    """Drop every token and join still running under `join_id` (a branch failed)."""
    for token in [t for t in draft.tokens.values() if t.join == join_id]:
        del draft.tokens[token.id]
        draft.event(ev.BRANCH_CANCELLED, token.state, index=token.branch)
    for inner in [j for j in draft.joins.values() if j.parent.join == join_id]:
        cancel_below(draft, inner.id)
        del draft.joins[inner.id]
