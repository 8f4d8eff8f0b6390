"""The commit protocol's edges: a page left by a committer that died, and a stale head."""

from __future__ import annotations

from dataclasses import replace

import pytest

from segue.asl.timestamps import format_timestamp
from segue.engine import refs
from segue.engine.decision import Decision
from segue.engine.events import Event
from segue.local.sqs_source import poll_once
from segue.service.worker import wall_clock
from segue.store import keys
from segue.store.dynamo import _page_attributes
from segue.store.errors import ConflictError
from tests.functional.test_execution import task
from tests.unit.helpers import machine

DEFINITION = machine({"A": task("echo", Next="B"), "B": {"Type": "Pass", "End": True}})


def start(harness) -> str:
    harness.request("POST", "/state-machines", {"name": "sm", "definition": DEFINITION})
    return harness.request("POST", "/executions", {"stateMachine": "sm", "name": "x"})[1][
        "executionId"
    ]


def leave_page(harness, execution_id: str, seq: int, until: str) -> None:
    """A page a committer wrote at `seq` before dying (its head write never happened)."""
    store = harness.services.store
    page = _page_attributes((Event("Ghost", until),), seq, "ghost.1", until)
    store._put(keys.page(execution_id, seq), page)


def test_a_page_left_by_a_dead_committer_is_taken_over_once_its_hold_ends(harness):
    execution_id = start(harness)
    head = harness.services.store.get_head(execution_id)
    leave_page(harness, execution_id, head.next_seq, "2000-01-01T00:00:00.000Z")
    harness.drain()
    document = harness.executions.describe(execution_id)
    assert document["status"] == "SUCCEEDED"
    events = harness.executions.history(execution_id, 1000, None)["events"]
    assert "Ghost" not in [e["type"] for e in events]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


def test_a_page_still_held_by_a_live_committer_is_not_taken(harness):
    execution_id = start(harness)
    store = harness.services.store
    head = store.get_head(execution_id)
    until = format_timestamp(wall_clock().replace(year=2999))
    leave_page(harness, execution_id, head.next_seq, until)
    claimed = store.claim(execution_id, "t1", 1, "me", until, format_timestamp(wall_clock()))
    decision_head = replace(claimed, version=claimed.version + 1, next_seq=claimed.next_seq + 1)
    decision = Decision(decision_head, (Event("Mine", until),), {}, ())
    with pytest.raises(ConflictError):
        store.commit(claimed, decision, "t1.1", wall_clock())
    assert store.get_head(execution_id) == claimed  # nothing committed


def test_a_commit_from_a_stale_head_is_refused_and_its_page_released(harness):
    execution_id = start(harness)
    store = harness.services.store
    now = format_timestamp(wall_clock())
    claimed = store.claim(execution_id, "t1", 1, "me", "2999-01-01T00:00:00.000Z", now)
    stale = replace(claimed, version=claimed.version - 1)
    decision_head = replace(claimed, version=claimed.version + 1, next_seq=claimed.next_seq + 1)
    decision = Decision(decision_head, (Event("Late", now),), {}, ())
    with pytest.raises(ConflictError):
        store.commit(stale, decision, "t1.1", wall_clock())
    assert store.pages(execution_id, claimed.next_seq + 1, claimed.next_seq) == []
    poll_once(harness.sqs, harness.queue_url, harness.worker.handler, function_name="worker")
    assert store.get_head(execution_id) == claimed  # the message found the token leased


def test_registering_again_after_a_lost_answer_keeps_one_revision(harness):
    store = harness.services.store
    ref = refs.ref_of({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    # a registration that stored revision 1 and died before moving the latest pointer
    store._put(keys.revision("again", 1), {"definition_ref": ref, "created_at": "t"})
    assert store.put_definition("again", ref, "t") == 1
    assert store.put_definition("again", ref, "t") == 1
    assert store.get_definition("again") == (1, ref)
    other = refs.ref_of({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    store._put(keys.revision("again", 2), {"definition_ref": "i:{}", "created_at": "t"})
    assert store.put_definition("again", other, "t") == 3  # 2 was taken: the next is free
    assert store.get_definition("again") == (3, other)


def test_a_revision_stored_before_references_still_loads(harness):
    store = harness.services.store
    text = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'
    store._put(keys.revision("old", 1), {"definition": text, "created_at": "t"})
    store._put(keys.latest("old"), {"kind": "STATE_MACHINE", "revision": 1})
    machine = harness.services.machines.get("old", 1)
    assert machine.definition.start_at == "A"
