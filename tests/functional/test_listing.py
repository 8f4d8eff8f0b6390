"""Execution listings over sharded index partitions (`store.listing`), on the template's
four shards: spread, listed once each, counted, and readable from before sharding."""

from __future__ import annotations

import json

from segue.store import keys
from segue.store.listing import shard_of
from tests.functional.test_execution import task
from tests.unit.helpers import machine

PASS = machine({"A": {"Type": "Pass", "End": True}})
ECHO = machine({"A": task("echo", End=True)})


def listed(harness, **query: str) -> list[str]:
    """Every execution id of a listing, page by page (3 a page)."""
    ids: list[str] = []
    token = None
    while True:
        page = {"limit": "3"} | query | ({"nextToken": token} if token else {})
        status, answer = harness.request("GET", "/executions", query=page)
        assert status == 200, answer
        ids += [i["executionId"] for i in answer["items"]]
        token = answer["nextToken"]
        if not token:
            return ids


def started(harness, machine_name: str, count: int) -> list[str]:
    ids = []
    for n in range(count):
        body = {"stateMachine": machine_name, "name": f"e{n}"}
        ids.append(harness.request("POST", "/executions", body)[1]["executionId"])
    return ids


def test_executions_spread_over_the_shards_and_are_listed_once_newest_first(harness):
    harness.request("POST", "/state-machines", {"name": "done", "definition": PASS})
    harness.request("POST", "/state-machines", {"name": "busy", "definition": ECHO})
    done, busy = started(harness, "done", 12), started(harness, "busy", 6)
    store = harness.services.store
    stored = {store._get(keys.head(i))["status"] for i in done}
    assert len(stored) > 1 and {s.partition("#")[0] for s in stored} == {"SUCCEEDED"}
    assert listed(harness, status="SUCCEEDED") == done[::-1]
    assert listed(harness, status="RUNNING") == busy[::-1]
    assert listed(harness) == (done + busy)[::-1]
    assert listed(harness, stateMachine="busy") == busy[::-1]
    _, answer = harness.request("GET", "/executions", query={"counts": "true"})
    assert (answer["counts"]["SUCCEEDED"], answer["counts"]["RUNNING"]) == (12, 6)
    assert harness.describe(done[0])["status"] == "SUCCEEDED"


def test_an_execution_stored_before_sharding_is_listed_and_runs_on(harness):
    harness.request("POST", "/state-machines", {"name": "busy", "definition": ECHO})
    ids = started(harness, "busy", 8)
    old = next(i for i in ids if shard_of(i, 4) != 0)
    store = harness.services.store
    item = store._get(keys.head(old))
    item |= {"status": "RUNNING", "state_machine": "busy", "kind": keys.EXECUTION}
    store._put(keys.head(old), {k: v for k, v in item.items() if k not in ("pk", "sk")})
    assert old in listed(harness, status="RUNNING") and old in listed(harness)
    assert harness.drain() == 8  # its claim reads the status it was stored with
    assert harness.describe(old)["status"] == "SUCCEEDED"
    assert store._get(keys.head(old))["status"] == f"SUCCEEDED#{shard_of(old, 4)}"
    assert sorted(listed(harness, status="SUCCEEDED")) == sorted(ids)


def test_a_listing_token_from_before_sharding_is_refused_with_a_400(harness):
    listing = json.dumps(["executions", None, None, None, []])
    token = harness.services.cursors.issue(listing, {"pk": "EX#sm:x", "sk": "HEAD"})
    status, answer = harness.request("GET", "/executions", query={"nextToken": token})
    assert status == 400 and "list again" in answer["message"]
