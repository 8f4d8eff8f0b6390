"""Executions run end to end on moto: API handler, work queue, worker handler, table."""

from __future__ import annotations

from tests.unit.helpers import machine

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


def test_pass_chain_succeeds_with_its_output(harness):
    definition = machine(
        {
            "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
            "B": {"Type": "Pass", "Result": 2, "ResultPath": "$.b", "End": True},
        }
    )
    document = harness.run("chain", definition, {"x": 0})
    assert document["status"] == "SUCCEEDED"
    assert document["output"] == {"x": 0, "a": 1, "b": 2}
    assert [s["name"] for s in document["completedStates"]] == ["A", "B"]


def task(function: str, **fields):
    return {"Type": "Task", "Resource": LAMBDA + function, **fields}


def test_lambda_tasks_run_in_order_and_count_attempts(harness):
    definition = machine(
        {
            "One": task("add_one", Next="Two"),
            "Two": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "add_one", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "End": True,
            },
        }
    )
    document = harness.run("tasks", definition, {"n": 1})
    assert document["status"] == "SUCCEEDED", document
    assert document["output"] == {"n": 3}
    assert [(s["name"], s["attempts"]) for s in document["completedStates"]] == [
        ("One", 1),
        ("Two", 1),
    ]


def test_retry_runs_the_task_again_until_it_succeeds(harness):
    definition = machine(
        {
            "Flaky": task(
                "flaky",
                Retry=[{"ErrorEquals": ["FlakyError"], "IntervalSeconds": 1, "MaxAttempts": 3}],
                End=True,
            )
        }
    )
    document = harness.run("retry", definition, {"key": "r1", "failures": 2})
    assert document["status"] == "SUCCEEDED", document
    assert document["output"] == {"ok": True, "attempts": 3}
    assert document["completedStates"][0]["attempts"] == 3


def test_catch_takes_an_uncaught_task_error_to_its_handler(harness):
    definition = machine(
        {
            "Boom": task(
                "boom",
                Catch=[{"ErrorEquals": ["ValueError"], "ResultPath": "$.error", "Next": "Handled"}],
                End=True,
            ),
            "Handled": {"Type": "Pass", "End": True},
        }
    )
    document = harness.run("catch", definition, {"x": 1})
    assert document["status"] == "SUCCEEDED"
    assert document["output"]["x"] == 1
    assert document["output"]["error"]["Error"] == "ValueError"


def test_an_uncaught_error_fails_the_execution_with_its_name(harness):
    document = harness.run("fails", machine({"Boom": task("boom", End=True)}))
    assert (document["status"], document["error"]) == ("FAILED", "ValueError")
    assert "boom" in document["cause"]


def test_parallel_branches_join_in_branch_order(harness):
    definition = machine(
        {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    machine({"L": task("add_one", End=True)}),
                    machine({"R": {"Type": "Pass", "Result": "right", "End": True}}),
                ],
                "Next": "After",
            },
            "After": {"Type": "Pass", "End": True},
        }
    )
    document = harness.run("parallel", definition, {"n": 1})
    assert document["status"] == "SUCCEEDED", document
    assert document["output"] == [{"n": 2}, "right"]


def test_map_runs_every_item_within_its_concurrency_and_keeps_order(harness):
    definition = machine(
        {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 2,
                "ItemProcessor": machine({"Inc": task("add_one", End=True)}),
                "End": True,
            }
        }
    )
    # Padded so the list of starts is stored apart from the head, not inline.
    items = [{"n": i, "pad": "x" * 100} for i in range(7)]
    document = harness.run("map", definition, {"items": items})
    assert document["status"] == "SUCCEEDED", document
    assert document["output"] == [{"n": i + 1, "pad": "x" * 100} for i in range(7)]


def test_a_failed_map_item_fails_the_map_and_its_catch_takes_over(harness):
    definition = machine(
        {
            "Each": {
                "Type": "Map",
                "ItemProcessor": machine(
                    {
                        "Pick": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "Bad"}],
                            "Default": "Good",
                        },
                        "Bad": {"Type": "Fail", "Error": "Three", "Cause": "no threes"},
                        "Good": {"Type": "Pass", "End": True},
                    }
                ),
                "Catch": [{"ErrorEquals": ["Three"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    document = harness.run("mapfail", definition, [1, 2, 3, 4])
    assert document["status"] == "SUCCEEDED", document
    assert document["output"] == {"Error": "Three", "Cause": "no threes"}
    assert document["currentStates"] == []


def test_a_short_wait_ends_and_the_execution_goes_on(harness):
    definition = machine(
        {
            "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
            "Done": {"Type": "Pass", "Result": "awake", "End": True},
        }
    )
    document = harness.run("wait", definition)
    assert (document["status"], document["output"]) == ("SUCCEEDED", "awake")


def test_variables_are_assigned_and_shown(harness):
    definition = machine(
        {
            "Set": {"Type": "Pass", "Assign": {"greeting": "hello"}, "Next": "Use"},
            "Use": {"Type": "Pass", "Parameters": {"said.$": "$greeting"}, "End": True},
        }
    )
    document = harness.run("vars", definition)
    assert document["output"] == {"said": "hello"}
    assert document["variables"] == {"greeting": "hello"}


def test_history_is_gap_free_and_pages_through_next_token(harness):
    definition = machine(
        {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(5)}
        | {"S5": {"Type": "Pass", "End": True}}
    )
    document = harness.run("history", definition, {"k": 1})
    execution_id = document["executionId"]
    events, token = [], None
    while True:
        query = {"limit": "4"} | ({"nextToken": token} if token else {})
        status, page = harness.request("GET", f"/executions/{execution_id}/history", query=query)
        assert status == 200
        assert len(page["events"]) <= 4
        events += page["events"]
        token = page["nextToken"]
        if token is None:
            break
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["type"] == "ExecutionStarted" and events[0]["details"]["input"] == {"k": 1}
    assert events[-1]["type"] == "ExecutionSucceeded"
    entered = [e["state"] for e in events if e["type"] == "StateEntered"]
    assert entered == [f"S{i}" for i in range(6)]


def test_a_nine_megabyte_document_goes_through_several_states(harness):
    size = 9 * 1024 * 1024
    definition = machine(
        {
            "Make": task("big", Parameters={"size.$": "$.size"}, ResultPath="$.made", Next="Keep"),
            "Keep": {"Type": "Pass", "Next": "Echo"},
            "Echo": task("echo", Next="Measure"),
            "Measure": {
                "Type": "Pass",
                "Parameters": {"length.$": "States.StringSplit($.made.blob, 'y')"},
                "End": True,
            },
        }
    )
    document = harness.run("big", definition, {"size": size})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert len(document["output"]["length"][0]) == size
    keep = next(s for s in document["completedStates"] if s["name"] == "Keep")
    assert len(keep["output"]["made"]["blob"]) == size


def test_a_document_over_ten_megabytes_is_a_catchable_data_limit_error(harness):
    definition = machine(
        {
            "Make": task(
                "big",
                Catch=[{"ErrorEquals": ["States.DataLimitExceeded"], "Next": "TooBig"}],
                End=True,
            ),
            "TooBig": {"Type": "Pass", "Result": "caught", "End": True},
        }
    )
    document = harness.run("toobig", definition, {"size": 10 * 1024 * 1024 + 1})
    assert (document["status"], document["output"]) == ("SUCCEEDED", "caught")
