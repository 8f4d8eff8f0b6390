"""The HTTP API's contract (API.md): answers, and a clear error for every bad input."""

from __future__ import annotations

import json

from segue.local.sqs_source import poll_once
from tests.functional.test_execution import task
from tests.unit.helpers import machine

PASS = machine({"A": {"Type": "Pass", "End": True}})
ECHO = machine({"A": task("echo", End=True)})


def register(harness, name="sm", definition=PASS):
    return harness.request("POST", "/state-machines", {"name": name, "definition": definition})


def test_registering_the_same_definition_twice_keeps_one_revision(harness):
    assert register(harness) == (201, {"name": "sm", "revision": 1})
    assert register(harness)[1]["revision"] == 1
    changed = machine({"B": {"Type": "Succeed"}})
    assert register(harness, definition=json.dumps(changed))[1]["revision"] == 2
    status, answer = harness.request("GET", "/state-machines/sm")
    assert (status, answer["revision"], answer["definition"]) == (200, 2, changed)
    status, listing = harness.request("GET", "/state-machines")
    assert [(i["name"], i["revision"]) for i in listing["items"]] == [("sm", 2)]


def test_an_invalid_definition_is_a_400_with_diagnostics(harness):
    bad = machine({"A": {"Type": "Pass", "Next": "Nowhere"}})
    status, answer = register(harness, definition=bad)
    assert status == 400 and answer["error"] == "InvalidDefinition"
    assert {"code": "MISSING_TRANSITION_TARGET", "path": "/States/A/Next"}.items() <= (
        answer["diagnostics"][-1].items()
    )
    assert harness.request("GET", "/state-machines/sm")[0] == 404


def test_malformed_bodies_are_400s_with_a_message(harness):
    for body in ("{not json", "[1, 2]", "", json.dumps({"name": "x"})):
        status, answer = harness.request("POST", "/state-machines", body)
        assert status == 400, body
        assert answer["error"] == "BadRequest" and answer["message"]
    status, answer = harness.request("POST", "/executions", {"stateMachine": "sm", "extra": 1})
    assert status == 400 and "extra" in answer["message"]


def test_body_fields_take_their_own_type_only(harness):
    register(harness)
    for body in (
        {"stateMachine": "sm", "autoResumeSeconds": "10"},
        {"stateMachine": "sm", "autoResumeSeconds": True},
        {"stateMachine": "sm", "pauseBefore": "A"},
        {"stateMachine": 7},
    ):
        status, answer = harness.request("POST", "/executions", body)
        assert (status, answer["error"]) == (400, "BadRequest"), body


def test_a_refused_registration_leaves_the_stored_revision_as_it_was(harness):
    register(harness)
    before = harness.request("GET", "/state-machines/sm")
    broken = machine({"W": {"Type": "Wait", "Seconds": "10", "End": True}})
    assert register(harness, definition=broken)[0] == 400
    too_big = {**machine({"B": {"Type": "Succeed"}}), "Comment": "x" * (1024 * 1024)}
    assert register(harness, definition=too_big)[0] == 413
    assert harness.request("GET", "/state-machines/sm") == before


def test_bad_names_are_refused(harness):
    for name in ("", "has space", "a/b", "x" * 81, "semi;colon"):
        assert register(harness, name=name)[0] == 400, name
    register(harness)
    status, answer = harness.request("POST", "/executions", {"stateMachine": "sm", "name": "a:b"})
    assert status == 400 and "name" in answer["message"]


def test_starting_an_unknown_state_machine_is_a_404(harness):
    status, answer = harness.request("POST", "/executions", {"stateMachine": "ghost"})
    assert (status, answer["error"]) == (404, "NotFound")


def test_an_unknown_execution_is_a_404_everywhere(harness):
    for path in ("/executions/sm:nope", "/executions/sm:nope/history"):
        status, answer = harness.request("GET", path)
        assert (status, answer["error"]) == (404, "NotFound"), path


def test_an_oversized_input_is_a_413_and_nothing_is_stored(harness):
    register(harness)
    body = {"stateMachine": "sm", "name": "huge", "input": "x" * (10 * 1024 * 1024 + 1)}
    status, answer = harness.request("POST", "/executions", body)
    assert (status, answer["error"]) == (413, "PayloadTooLarge")
    assert harness.request("GET", "/executions/sm:huge")[0] == 404


def test_a_name_starts_one_execution_and_a_different_input_is_a_conflict(harness):
    register(harness, definition=ECHO)
    first = harness.request("POST", "/executions", {"stateMachine": "sm", "name": "once"})
    again = harness.request("POST", "/executions", {"stateMachine": "sm", "name": "once"})
    assert first[0] == 201
    assert first[1] == {"executionId": "sm:once", "status": "RUNNING"} | {
        "createdAt": first[1]["createdAt"]
    }
    assert again[0] == 200 and again[1]["executionId"] == "sm:once"
    other = harness.request(
        "POST", "/executions", {"stateMachine": "sm", "name": "once", "input": {"x": 1}}
    )
    assert other[0] == 409
    assert harness.drain() == 1  # one execution, one work message


def test_listing_pages_through_an_index_by_state_machine_and_status(harness):
    register(harness)
    register(harness, "other")
    for n in range(5):
        harness.request("POST", "/executions", {"stateMachine": "sm", "name": f"e{n}"})
    harness.request("POST", "/executions", {"stateMachine": "other", "name": "o"})
    harness.drain()
    seen, token = [], None
    while True:
        query = {"stateMachine": "sm", "limit": "2"} | ({"nextToken": token} if token else {})
        status, page = harness.request("GET", "/executions", query=query)
        assert status == 200 and len(page["items"]) <= 2
        seen += [i["executionId"] for i in page["items"]]
        token = page["nextToken"]
        if not token:
            break
    assert sorted(seen) == [f"sm:e{n}" for n in range(5)]
    status, page = harness.request("GET", "/executions", query={"status": "SUCCEEDED"})
    assert len(page["items"]) == 6
    assert harness.request("GET", "/executions", query={"status": "BOGUS"})[0] == 400
    assert harness.request("GET", "/executions", query={"nextToken": "%%%"})[0] == 400
    assert harness.request("GET", "/executions", query={"limit": "0"})[0] == 400


def test_the_inspection_document_shows_current_pending_and_waiting_states(harness):
    definition = machine(
        {
            "A": task("echo", Next="B"),
            "B": {"Type": "Wait", "Seconds": 600, "Next": "C"},
            "C": {"Type": "Pass", "End": True},
        }
    )
    register(harness, definition=definition)
    _, started = harness.request("POST", "/executions", {"stateMachine": "sm", "input": {"k": 1}})
    path = f"/executions/{started['executionId']}"
    status, document = harness.request("GET", path)
    assert status == 200
    assert set(document) >= {
        "executionId", "stateMachine", "revision", "name", "status", "input",
        "currentStates", "completedStates", "pendingStates", "variables", "pause",
        "waits", "checkpoint", "createdAt", "updatedAt",
    }  # fmt: skip
    assert (document["status"], document["pendingStates"]) == ("RUNNING", ["B", "C"])
    assert [s["name"] for s in document["currentStates"]] == ["A"]

    poll_once(harness.sqs, harness.queue_url, harness.worker.handler, function_name="worker")
    _, document = harness.request("GET", path)
    assert document["status"] == "WAITING"
    assert [s["name"] for s in document["completedStates"]] == ["A"]
    assert document["currentStates"][0]["status"] == "WAITING"
    assert document["waits"][0]["kind"] == "timer" and document["waits"][0]["state"] == "B"
    assert document["pendingStates"] == ["C"]
