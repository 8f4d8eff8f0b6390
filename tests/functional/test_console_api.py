"""What the console reads beyond the first API: history filters, list detail, counts and
where a failed execution stopped."""

from __future__ import annotations

from tests.unit.helpers import machine

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
TWO = machine(
    {
        "A": {"Type": "Task", "Resource": LAMBDA + "add_one", "Next": "B"},
        "B": {"Type": "Task", "Resource": LAMBDA + "add_one", "End": True},
    }
)
FAILING = machine(
    {
        "A": {"Type": "Pass", "Next": "Fan"},
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "Bad",
                    "States": {"Bad": {"Type": "Task", "Resource": LAMBDA + "boom", "End": True}},
                },
            ],
            "End": True,
        },
    }
)


def test_history_filtered_by_type_and_state_pages_through_everything(harness):
    execution_id = harness.start("two", TWO, {"n": 0})
    harness.drain()
    path = f"/executions/{execution_id}/history"
    status, page = harness.request("GET", path, query={"type": "TaskStarted,StateExited"})
    assert status == 200
    assert [(e["type"], e["state"]) for e in page["events"]] == [
        ("TaskStarted", "A"),
        ("StateExited", "A"),
        ("TaskStarted", "B"),
        ("StateExited", "B"),
    ]
    _, only_b = harness.request("GET", path, query={"state": "B"})
    assert {e["state"] for e in only_b["events"]} == {"B"}
    assert only_b["events"][0]["type"] == "StateEntered"

    seen, token = [], None
    while True:  # one matching event a page: every page goes on after the last event read
        query = {"type": "TaskStarted", "limit": "1"} | ({"nextToken": token} if token else {})
        _, page = harness.request("GET", path, query=query)
        seen += [e["state"] for e in page["events"]]
        token = page["nextToken"]
        if token is None:
            break
    assert seen == ["A", "B"]


def test_history_filters_are_checked(harness):
    execution_id = harness.start("two", TWO, {"n": 0})
    path = f"/executions/{execution_id}/history"
    status, answer = harness.request("GET", path, query={"type": "TaskStarted,<b>"})
    assert status == 400 and "unknown type" in answer["message"]
    _, page = harness.request("GET", path, query={"type": "TaskStarted"})
    token = page["nextToken"]
    status, _ = harness.request("GET", path, query={"type": "StateEntered", "nextToken": token})
    assert status == 400 or token is None  # a token belongs to its own filter


def test_the_list_with_detail_counts_and_a_search(harness):
    for name in ("alpha-1", "alpha-2", "beta-1"):
        harness.request("POST", "/state-machines", {"name": "two", "definition": TWO})
        harness.request("POST", "/executions", {"stateMachine": "two", "name": name, "input": {}})

    status, answer = harness.request(
        "GET", "/executions", query={"detail": "true", "counts": "true", "q": "alpha"}
    )
    assert status == 200
    assert sorted(i["name"] for i in answer["items"]) == ["alpha-1", "alpha-2"]
    for item in answer["items"]:
        assert item["currentStates"] == [{"name": "A", "status": "READY"}]
        assert item["updatedAt"] >= item["createdAt"]
    assert answer["counts"]["RUNNING"] == 3 and sum(answer["counts"].values()) == 3
    assert answer["countsCapped"] is False

    harness.drain()
    _, answer = harness.request(
        "GET", "/executions", query={"stateMachine": "two", "counts": "true", "detail": "true"}
    )
    assert answer["counts"]["SUCCEEDED"] == 3
    assert all(i["currentStates"] == [] for i in answer["items"])


def test_a_search_pages_with_its_own_token(harness):
    harness.request("POST", "/state-machines", {"name": "two", "definition": TWO})
    for index in range(5):
        harness.request(
            "POST", "/executions", {"stateMachine": "two", "name": f"find-{index}", "input": {}}
        )
        harness.request(
            "POST", "/executions", {"stateMachine": "two", "name": f"other-{index}", "input": {}}
        )
    found, token = [], None
    while True:
        query = {"q": "find", "limit": "2"} | ({"nextToken": token} if token else {})
        status, page = harness.request("GET", "/executions", query=query)
        assert status == 200 and len(page["items"]) <= 2
        found += [i["name"] for i in page["items"]]
        token = page["nextToken"]
        if token is None:
            break
    assert sorted(found) == [f"find-{i}" for i in range(5)]


def test_list_query_values_are_checked(harness):
    for query in ({"detail": "yes"}, {"counts": "1"}, {"q": "x" * 81}):
        status, answer = harness.request("GET", "/executions", query=query)
        assert (status, answer["error"]) == (400, "BadRequest"), query


def test_a_failed_execution_names_the_states_it_stopped_in(harness):
    document = harness.run("failing", FAILING, {})
    assert document["status"] == "FAILED"
    failed = {f["name"]: f for f in document["failedStates"]}
    assert set(failed) == {"Bad", "Fan"}
    assert failed["Bad"]["error"] == "ValueError"
    assert failed["Fan"]["error"] == document["error"]
    assert [s["name"] for s in document["completedStates"]][:1] == ["A"]


TOLERANT = machine(
    {
        "Each": {
            "Type": "Map",
            "ToleratedFailurePercentage": 100,
            "ItemProcessor": {
                "StartAt": "Which",
                "States": {
                    "Which": {
                        "Type": "Choice",
                        "Choices": [
                            {"Variable": "$", "NumericEquals": 1, "Next": "Bad"},
                            {"Variable": "$", "NumericEquals": 2, "Next": "Hold"},
                        ],
                        "Default": "Ok",
                    },
                    "Bad": {"Type": "Task", "Resource": LAMBDA + "boom", "End": True},
                    "Hold": {"Type": "Wait", "Seconds": 3600, "End": True},
                    "Ok": {"Type": "Pass", "End": True},
                },
            },
            "End": True,
        }
    }
)


def test_a_running_map_counts_its_iterations_done_running_and_failed(harness):
    execution_id = harness.start("tolerant", TOLERANT, [1, 2, 3])
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "WAITING"
    (each,) = [c for c in document["currentStates"] if c["name"] == "Each"]
    assert each["branches"] == {"total": 3, "started": 3, "finished": 2, "failed": 1}
    assert document["failedStates"] == []


LOOP = machine(
    {
        "Count": {
            "Type": "Pass",
            "Parameters": {"i.$": "States.MathAdd($.i, 1)"},
            "Next": "More",
        },
        "More": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.i", "NumericLessThan": 70, "Next": "Count"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
    start="Count",
)


def test_a_long_history_reads_whole_and_in_pages_alike(harness):
    execution_id = harness.start("loop", LOOP, {"i": 0})
    harness.drain()
    path = f"/executions/{execution_id}/history"
    _, whole = harness.request("GET", path, query={"limit": "1000"})
    seqs = [e["seq"] for e in whole["events"]]
    assert len(seqs) > 280 and seqs == list(range(1, len(seqs) + 1))
    assert whole["nextToken"] is None

    paged, token = [], None
    while True:
        query = {"limit": "100"} | ({"nextToken": token} if token else {})
        _, page = harness.request("GET", path, query=query)
        paged += page["events"]
        token = page["nextToken"]
        if token is None:
            break
    assert paged == whole["events"]
    _, exits = harness.request("GET", path, query={"type": "StateExited", "state": "Count"})
    assert len(exits["events"]) == 70
