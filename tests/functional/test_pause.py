"""Pause, inspect, resume, cancel and redrive on moto, through the real api and worker handlers.

An operator's call "while a task is in flight" is made from inside that task (the `hook`
function runs it), so the race is the real one and the test needs no sleeps.
"""

from __future__ import annotations

import json

import pytest

from segue.engine.visits import instant
from tests.functional import lambdas
from tests.functional.harness import load_function, make_harness
from tests.unit.helpers import machine

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


def task(function: str, key: str = "", **fields):
    parameters = {"n.$": "$.n", "key": key}
    return {"Type": "Task", "Resource": LAMBDA + function, "Parameters": parameters, **fields}


FOUR = machine(
    {
        "A": task("hook", "A", Next="B"),
        "B": task("hook", "B", Next="C"),
        "C": task("hook", "C", Next="D"),
        "D": task("hook", "D", End=True),
    }
)


@pytest.fixture(autouse=True)
def _clean_hooks():
    lambdas.DURING.clear()
    lambdas.ANSWERS.clear()
    lambdas.CALLS.clear()
    lambdas.FIXED.clear()


def ran(state_key: str) -> int:
    return sum(1 for name, e in lambdas.CALLS if name == "hook" and e.get("key") == state_key)


def types(harness, execution_id: str) -> list[str]:
    return [e["type"] for e in harness.history(execution_id)]


def pause_during(harness, key: str, execution_id: str, **body) -> None:
    lambdas.DURING[key] = lambda: harness.operate("pause", execution_id, body or None)


def test_basic_resumption_gives_the_output_of_an_uninterrupted_run(harness):
    uninterrupted = harness.run("straight", FOUR, {"n": 0})
    execution_id = "four:paused"
    pause_during(harness, "B", execution_id, reason="look inside")
    harness.start("four", FOUR, {"n": 0}, name="paused")
    harness.drain()

    paused = harness.describe(execution_id)
    assert paused["status"] == "PAUSED"
    assert paused["pause"]["reason"] == "look inside" and paused["pause"]["pausedAt"]
    assert [s["name"] for s in paused["currentStates"]] == ["C"]
    assert paused["currentStates"][0]["status"] == "PARKED"
    assert paused["checkpoint"]["version"] > 1
    checkpoints = harness.request("GET", f"/executions/{execution_id}/checkpoints")[1]["items"]
    assert checkpoints[0]["latest"] and checkpoints[0]["reason"] == "pause"

    status, answer = harness.operate("resume", execution_id)
    assert (status, answer) == (200, {"status": "RUNNING"})
    harness.drain()
    done = harness.describe(execution_id)
    assert done["status"] == "SUCCEEDED"
    assert done["output"] == uninterrupted["output"] == {"n": 4, "key": "D"}
    assert [ran(k) for k in "ABCD"] == [2, 2, 2, 2]  # once per run: nothing repeated


def test_graceful_pause_keeps_the_task_in_flight_and_starts_nothing_new(harness):
    execution_id = "graceful:one"
    pause_during(harness, "A", execution_id)
    harness.start("graceful", FOUR, {"n": 0}, name="one")
    harness.drain()

    assert lambdas.ANSWERS["A"] == (202, {"status": "PAUSING"})
    document = harness.describe(execution_id)
    assert document["status"] == "PAUSED"
    assert [(s["name"], s["output"]) for s in document["completedStates"]] == [
        ("A", {"n": 1, "key": "A"})
    ]
    assert ran("A") == 1 and ran("B") == 0
    events = types(harness, execution_id)
    assert events.count("TaskSucceeded") == 1
    assert events.index("PauseRequested") < events.index("ExecutionPaused")

    harness.operate("resume", execution_id)
    harness.drain()
    assert harness.describe(execution_id)["output"] == {"n": 4, "key": "D"}
    assert ran("A") == 1 and ran("B") == 1


def test_partial_results_list_completed_and_pending_states_while_paused(harness):
    execution_id = "partial:one"
    pause_during(harness, "B", execution_id)
    harness.start("partial", FOUR, {"n": 10}, name="one")
    harness.drain()

    document = harness.describe(execution_id)
    assert [(s["name"], s["output"]["n"], s["attempts"]) for s in document["completedStates"]] == [
        ("A", 11, 1),
        ("B", 12, 1),
    ]
    assert document["pendingStates"] == ["D"]
    assert [s["name"] for s in document["currentStates"]] == ["C"]


def test_history_shows_one_pause_and_one_resume_in_order_with_who_and_why(harness):
    execution_id = "history:one"
    lambdas.DURING["A"] = lambda: harness.operate(
        "pause", execution_id, {"reason": "deploy freeze"}, user="alice"
    )
    harness.start("history", FOUR, {"n": 0}, name="one")
    harness.drain()
    harness.operate("resume", execution_id, {"reason": "freeze over"}, user="bob")
    harness.drain()

    events = harness.history(execution_id)
    control = [
        e for e in events if e["type"] in ("PauseRequested", "ExecutionPaused", "ExecutionResumed")
    ]
    assert [e["type"] for e in control] == ["PauseRequested", "ExecutionPaused", "ExecutionResumed"]
    assert control[0]["details"]["by"] == "alice"
    assert control[0]["details"]["reason"] == "deploy freeze"
    assert control[2]["details"]["by"] == "bob"
    assert control[2]["details"]["reason"] == "freeze over"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


def test_pause_and_resume_are_refused_in_the_wrong_status(harness):
    execution_id = "refused:one"
    harness.start("refused", FOUR, {"n": 0}, name="one", pauseBefore=["B"])
    harness.drain()
    assert harness.describe(execution_id)["status"] == "PAUSED"
    status, answer = harness.operate("pause", execution_id)
    assert status == 409 and "PAUSED" in answer["message"]
    assert harness.operate("resume", execution_id)[0] == 200
    harness.drain()
    status, answer = harness.operate("resume", execution_id)
    assert status == 409 and answer["error"] == "Conflict"
    assert harness.operate("pause", "refused:nobody")[0] == 404
    assert harness.operate("resume", execution_id, "{not json")[0] == 400
    assert harness.operate("resume", execution_id, {"data": [1]})[0] == 400


def test_resume_data_reaches_the_following_states(harness):
    definition = machine(
        {
            "A": task("hook", "A", Next="B"),
            "B": {"Type": "Pass", "Parameters": {"n.$": "$.n", "bonus.$": "$bonus"}, "End": True},
        }
    )
    execution_id = "data:one"
    harness.start("data", definition, {"n": 0}, name="one", pauseBefore=["B"])
    harness.drain()
    status, _ = harness.operate("resume", execution_id, {"data": {"bonus": 5}})
    assert status == 200
    harness.drain()
    document = harness.describe(execution_id)
    assert document["output"] == {"n": 1, "bonus": 5}
    assert document["variables"] == {"bonus": 5}
    resumed = next(e for e in harness.history(execution_id) if e["type"] == "ExecutionResumed")
    assert resumed["details"]["data"] == {"bonus": 5}


def test_three_resumption_points_in_one_run(harness):
    uninterrupted = harness.run("straight", FOUR, {"n": 0})
    execution_id = "points:one"
    harness.start("points", FOUR, {"n": 0}, name="one", pauseBefore=["B", "C", "D"])
    for state in "BCD":
        harness.drain()
        document = harness.describe(execution_id)
        assert document["status"] == "PAUSED"
        assert document["pause"]["reason"] == "breakpoint"
        assert [s["name"] for s in document["currentStates"]] == [state]
        assert harness.operate("resume", execution_id)[0] == 200
    harness.drain()
    assert harness.describe(execution_id)["output"] == uninterrupted["output"]
    assert types(harness, execution_id).count("ExecutionResumed") == 3


def test_a_breakpoint_on_the_first_state_pauses_before_anything_runs(harness):
    execution_id = "first:one"
    harness.start("first", FOUR, {"n": 0}, name="one", pauseBefore=["A"])
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "PAUSED" and ran("A") == 0
    # stepping: resume with a breakpoint on every state runs one state at a time
    for expected in ("B", "C", "D"):
        harness.operate("resume", execution_id, {"pauseBefore": ["A", "B", "C", "D"]})
        harness.drain()
        document = harness.describe(execution_id)
        assert [s["name"] for s in document["currentStates"]] == [expected]
    harness.operate("resume", execution_id, {"pauseBefore": []})
    harness.drain()
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"
    status, answer = harness.request(
        "POST", "/executions", {"stateMachine": "first", "pauseBefore": ["Nope"]}
    )
    assert status == 400 and "Nope" in answer["message"]


def test_pausing_a_map_waits_for_every_task_in_flight_and_parks_the_rest(harness):
    definition = machine(
        {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 2,
                "ItemSelector": {
                    "n.$": "$$.Map.Item.Value",
                    "key.$": "States.Format('i{}', $$.Map.Item.Value)",
                },
                "ItemProcessor": machine(
                    {"Inc": {"Type": "Task", "Resource": LAMBDA + "hook", "End": True}}
                ),
                "End": True,
            }
        }
    )
    uninterrupted = harness.run("map-straight", definition, [1, 2, 3, 4, 5])
    lambdas.CALLS.clear()
    execution_id = "map:one"
    pause_during(harness, "i1", execution_id)  # i2 is queued, i3 to come
    harness.start("map", definition, [1, 2, 3, 4, 5], name="one")
    harness.drain()
    assert lambdas.ANSWERS["i1"] == (202, {"status": "PAUSING"})
    paused = harness.describe(execution_id)
    assert paused["status"] == "PAUSED"
    assert sorted(s["status"] for s in paused["currentStates"]) == ["PARKED", "PARKED", "WAITING"]
    harness.operate("resume", execution_id)
    harness.drain()
    document = harness.describe(execution_id)
    assert document["output"] == uninterrupted["output"]
    assert sorted(e["key"] for name, e in lambdas.CALLS if name == "hook") == [
        "i1",
        "i2",
        "i3",
        "i4",
        "i5",
    ]


def test_cancel_ends_a_paused_execution_and_a_task_in_flight_starts_nothing(harness):
    paused_id = "cancel:paused"
    harness.start("cancel", FOUR, {"n": 0}, name="paused", pauseBefore=["B"])
    harness.drain()
    assert harness.operate("cancel", paused_id, {"reason": "wrong input"})[1] == {
        "status": "CANCELLED"
    }
    assert harness.describe(paused_id)["pause"] is None

    flight_id = "cancel:flight"
    lambdas.DURING["A"] = lambda: harness.operate("cancel", flight_id)
    harness.start("cancel", FOUR, {"n": 0}, name="flight")
    harness.drain()
    assert lambdas.ANSWERS["A"] == (200, {"status": "CANCELLED"})
    document = harness.describe(flight_id)
    assert document["status"] == "CANCELLED" and document["currentStates"] == []
    assert ran("B") == 0
    assert types(harness, flight_id).count("ExecutionCancelled") == 1
    assert harness.operate("cancel", flight_id)[0] == 409


def test_redrive_goes_on_from_the_failed_state_without_rerunning_what_succeeded(harness):
    definition = machine(
        {
            "A": task("hook", "A", Next="B"),
            "B": {
                "Type": "Task",
                "Resource": LAMBDA + "fixable",
                "Parameters": {"n.$": "$.n", "key": "B"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                "Next": "C",
            },
            "C": task("hook", "C", End=True),
        }
    )
    execution_id = "redrive:one"
    harness.start("redrive", definition, {"n": 0}, name="one")
    harness.drain()
    failed = harness.describe(execution_id)
    assert failed["status"] == "FAILED" and failed["error"] == "FlakyError"
    assert harness.operate("resume", execution_id)[0] == 409

    lambdas.FIXED.add("B")
    status, answer = harness.operate("redrive", execution_id)
    assert (status, answer) == (200, {"status": "RUNNING"})
    harness.drain()
    done = harness.describe(execution_id)
    assert done["status"] == "SUCCEEDED"
    assert done["output"] == {"n": 2, "key": "C"}
    assert ran("A") == 1 and ran("C") == 1
    assert "error" not in done
    assert harness.operate("redrive", execution_id)[0] == 409


def test_checkpoints_are_found_by_version_and_cleanup_keeps_the_newest(aws, monkeypatch):
    harness = make_harness(monkeypatch, SEGUE_KEEP_CHECKPOINTS="3")
    execution_id = "steps:one"
    every = ["A", "B", "C", "D"]
    harness.start("steps", FOUR, {"n": 0}, name="one", pauseBefore=every)
    versions = []
    for _ in range(4):
        harness.drain()
        versions.append(harness.describe(execution_id)["checkpoint"]["version"])
        harness.operate("resume", execution_id, {"pauseBefore": every})
    harness.drain()

    items = harness.request("GET", f"/executions/{execution_id}/checkpoints")[1]["items"]
    assert items[0]["latest"] and items[0]["status"] == "SUCCEEDED"
    kept = [i["version"] for i in items[1:]]
    assert kept == sorted(versions, reverse=True)[:3]  # the oldest pause snapshot is gone

    status, found = harness.request("GET", f"/executions/{execution_id}/checkpoints/{versions[2]}")
    assert status == 200
    assert found["status"] == "PAUSED" and found["reason"] == "pause"
    assert [s["name"] for s in found["currentStates"]] == ["C"]
    assert harness.request("GET", f"/executions/{execution_id}/checkpoints/{versions[0]}")[0] == 404

    head = harness.services.store.get_head(execution_id)
    assert head is not None
    assert harness.services.effects.checkpoint(head, "manual") == 1  # 4 kept, 1 too many


def expiries(harness, execution_id: str) -> tuple[int, list[int]]:
    """The head's expiry and every other item's (epoch seconds)."""
    items = harness.services.store.client.query(
        TableName=harness.stack.refs["Table"],
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"EX#{execution_id}"}},
    )["Items"]
    head = next(int(i["expires_at"]["N"]) for i in items if i["sk"]["S"] == "HEAD")
    return head, [int(i["expires_at"]["N"]) for i in items if i["sk"]["S"] != "HEAD"]


def test_a_finished_execution_expires_with_everything_it_wrote(harness):
    document = harness.run("expiring", FOUR, {"n": 0})
    head, others = expiries(harness, document["executionId"])
    finished = instant(document["updatedAt"]).timestamp()
    assert head - finished == pytest.approx(90 * 86400, abs=1)
    assert len(others) > 4
    assert all(head <= other <= head + 86400 for other in others)  # written with a day's grace


def test_a_long_execution_is_re_marked_when_it_ends(harness):
    execution_id = "long:one"
    harness.start("long", FOUR, {"n": 0}, name="one", pauseBefore=["C"])
    harness.drain()
    harness.clock.advance(3 * 86400)  # paused for three days
    harness.operate("resume", execution_id)
    harness.drain()
    head, others = expiries(harness, execution_id)
    assert set(others) == {head}


def test_auto_resume_fires_after_the_configured_time(harness):
    execution_id = "auto:one"
    harness.start("auto", FOUR, {"n": 0}, name="one", pauseBefore=["C"], autoResumeSeconds=600)
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "PAUSED" and document["pause"]["autoResumeAt"]

    harness.clock.advance(590)
    assert harness.scheduler.fire_due() == 0
    harness.clock.advance(20)
    assert harness.scheduler.fire_due() == 1
    harness.drain()
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"
    events = harness.history(execution_id)
    resumed = next(e for e in events if e["type"] == "ExecutionResumed")
    assert resumed["details"]["reason"] == "auto-resume"
    assert [e["type"] for e in events].count("ScheduleFired") == 1


def test_auto_resumes_due_at_once_are_fired_together_each_once(harness):
    names = [f"n{i}" for i in range(12)]
    for name in names:
        harness.start("many", FOUR, {"n": 0}, name=name, pauseBefore=["C"], autoResumeSeconds=60)
    harness.drain()
    harness.clock.advance(61)
    assert harness.scheduler.workers > 1
    assert harness.scheduler.fire_due() == len(names)  # by several threads at once
    assert harness.scheduler.fire_due() == 0  # each schedule is deleted once it fired
    harness.drain()
    for name in names:
        events = [e["type"] for e in harness.history(f"many:{name}")]
        assert harness.describe(f"many:{name}")["status"] == "SUCCEEDED"
        assert events.count("ExecutionResumed") == events.count("ScheduleFired") == 1


def test_a_stale_auto_resume_schedule_does_nothing(harness):
    scheduler = harness.services.effects.timers.scheduler
    group = harness.stack.refs["Schedules"]
    execution_id = "stale:one"
    harness.start("stale", FOUR, {"n": 0}, name="one", pauseBefore=["B", "C"])
    harness.drain()
    (first,) = scheduler.list_schedules(GroupName=group)["Schedules"]
    stale_input = scheduler.get_schedule(GroupName=group, Name=first["Name"])["Target"]["Input"]

    harness.operate("resume", execution_id, {"reason": "by hand"})
    assert scheduler.list_schedules(GroupName=group)["Schedules"] == []  # deleted on resume
    harness.drain()
    assert harness.describe(execution_id)["pause"]["id"] == "p2"

    answer = load_function("timer").handler(json.loads(stale_input), _context())
    assert answer == {"executionId": execution_id, "resumed": False}
    assert harness.describe(execution_id)["status"] == "PAUSED"


def test_auto_resume_can_be_turned_off(harness):
    scheduler = harness.services.effects.timers.scheduler
    harness.start("off", FOUR, {"n": 0}, name="one", pauseBefore=["B"], autoResumeSeconds=0)
    harness.drain()
    document = harness.describe("off:one")
    assert document["status"] == "PAUSED" and document["pause"]["autoResumeAt"] is None
    group = harness.stack.refs["Schedules"]
    assert scheduler.list_schedules(GroupName=group)["Schedules"] == []


WAIT = machine(
    {"Sleep": {"Type": "Wait", "Seconds": 2, "Next": "After"}, "After": task("hook", "X", End=True)}
)


def test_a_wait_that_ends_while_paused_goes_on_at_resume(harness):
    execution_id = "wait:ended"
    harness.start("wait", WAIT, {"n": 0}, name="ended")
    harness.step()  # Sleep starts waiting
    assert harness.describe(execution_id)["status"] == "WAITING"
    assert harness.operate("pause", execution_id)[1] == {"status": "PAUSED"}  # nothing in flight
    harness.clock.advance(30)  # the Wait's time passes while paused
    harness.operate("resume", execution_id)
    harness.step()
    assert harness.describe(execution_id)["status"] == "SUCCEEDED" and ran("X") == 1
    harness.drain()  # the first wake-up, now stale, is dropped
    assert ran("X") == 1


def test_a_wait_still_running_at_resume_ends_at_its_own_time(harness):
    execution_id = "wait:running"
    harness.start("wait", WAIT, {"n": 0}, name="running")
    harness.step()
    due = harness.describe(execution_id)["waits"][0]["dueAt"]
    harness.operate("pause", execution_id)
    harness.operate("resume", execution_id)
    harness.drain()
    events = harness.history(execution_id)
    after = next(e for e in events if e["type"] == "StateEntered" and e["state"] == "After")
    assert after["timestamp"] >= due
    assert ran("X") == 1


def _context():
    from segue.tasks.functions import LambdaContext

    return LambdaContext("timer", 1e12)
