"""Crash recovery on moto: leases, fencing and the sweeper, through the real handlers.

A crash is a `Crash` raised at one point of the step protocol (`crashes`); the message
the dying worker held is gone with it, as when a process is killed and SQS hides the
message for its visibility timeout.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from segue.engine.recovery import WORKER_LOST
from segue.service.sweeper import Sweeper
from segue.store import keys
from segue.store.queue import WorkMessage
from tests.functional import lambdas
from tests.functional.crashes import POINTS, Crash, handle_and_die
from tests.functional.harness import load_function, make_harness
from tests.unit.helpers import machine

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
RETRY = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3}]
LEASE = 60


@pytest.fixture(autouse=True)
def _clean_calls():
    lambdas.CALLS.clear()
    lambdas.DURING.clear()


def task(key: str, **fields):
    parameters = {"n.$": "$.n", "key": key}
    return {"Type": "Task", "Resource": LAMBDA + "hook", "Parameters": parameters, **fields}


TWO = machine({"A": task("A", Next="B"), "B": task("B", End=True)})
TWO_RETRIED = machine(
    {"A": task("A", Next="B", Retry=RETRY), "B": task("B", End=True, Retry=RETRY)}
)


def ran(key: str) -> int:
    return sum(1 for name, e in lambdas.CALLS if name == "hook" and e.get("key") == key)


def types(harness, execution_id: str) -> list[str]:
    return [e["type"] for e in harness.history(execution_id)]


def take(harness) -> WorkMessage:
    """Receive the next work message and delete it: the worker that got it will die."""
    answer = harness.sqs.receive_message(QueueUrl=harness.queue_url, MaxNumberOfMessages=1)
    (message,) = answer["Messages"]
    harness.sqs.delete_message(QueueUrl=harness.queue_url, ReceiptHandle=message["ReceiptHandle"])
    return WorkMessage.model_validate_json(message["Body"])


def die_running(harness, *, where: str = "mid-task") -> None:
    """Take the next message and die while handling it, at `where`."""
    with pytest.raises(Crash):
        handle_and_die(harness.services.worker, take(harness), where)


def sweep(harness, **options) -> dict[str, int]:
    return Sweeper(harness.services, **options).sweep()


def test_a_worker_that_dies_mid_task_is_retried_as_a_new_attempt(harness, monkeypatch):
    clean = harness.run("clean", TWO_RETRIED, {"n": 0})
    lambdas.CALLS.clear()
    execution_id = harness.start("crash", TWO_RETRIED, {"n": 0})
    die_running(harness)
    assert harness.describe(execution_id)["status"] == "RUNNING"

    assert sweep(harness) == {"due": 0}  # the lease has not run out yet
    harness.clock.advance(LEASE + 1)
    assert sweep(harness)["recovered"] == 1
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED" and document["output"] == clean["output"]
    events = harness.history(execution_id)
    lost = next(e for e in events if e["type"] == "LeaseExpired")
    assert lost["state"] == "A" and lost["details"]["attempt"] == 1
    retry = next(e for e in events if e["type"] == "RetryScheduled")
    assert retry["details"]["error"] == WORKER_LOST and retry["details"]["attempt"] == 2
    assert ran("A") == 2 and ran("B") == 1  # the lost attempt ran; its result was never kept
    succeeded = [e["state"] for e in events if e["type"] == "TaskSucceeded"]
    assert succeeded == ["A", "B"]


def test_with_retries_spent_the_execution_fails_clearly_and_a_redrive_goes_on(harness, monkeypatch):
    execution_id = harness.start("spent", TWO, {"n": 0})
    die_running(harness)
    harness.clock.advance(LEASE + 1)
    sweep(harness)
    document = harness.describe(execution_id)
    assert document["status"] == "FAILED"
    assert document["error"] == WORKER_LOST and "stopped renewing its lease" in document["cause"]

    assert harness.operate("redrive", execution_id)[0] == 200
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED" and document["output"] == {"n": 2, "key": "B"}


@pytest.mark.parametrize("where", POINTS)
def test_every_crash_point_ends_with_the_output_of_a_clean_run(harness, monkeypatch, where):
    clean = harness.run("clean", TWO_RETRIED, {"n": 0})
    execution_id = harness.start("crash", TWO_RETRIED, {"n": 0})
    die_running(harness, where=where)
    harness.clock.advance(LEASE + 1)
    assert sweep(harness).get("recovered") == 1
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED" and document["output"] == clean["output"]
    committed = Counter(
        (e["state"], e["type"]) for e in harness.history(execution_id) if "Task" in e["type"]
    )
    assert committed[("B", "TaskSucceeded")] == 1 and committed[("A", "TaskSucceeded")] == 1


def test_a_lost_dispatch_is_sent_again_and_recorded(harness, monkeypatch):
    monkeypatch.setattr(harness.services.worker, "inline_seconds", 0)  # B is not run inline
    execution_id = harness.start("lost", TWO_RETRIED, {"n": 0})
    die_running(harness, where="after commit")  # A committed, B never sent...
    harness.drain()  # ... so nothing happens
    assert harness.describe(execution_id)["status"] == "RUNNING"
    harness.clock.advance(LEASE + 1)
    assert sweep(harness)["recovered"] == 1
    harness.drain()
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"
    assert "WorkRedispatched" in types(harness, execution_id)
    assert "LeaseExpired" not in types(harness, execution_id)


PASSES = machine(
    {
        "P": {"Type": "Pass", "Result": {"n": 41}, "Next": "Q"},
        "Q": task("Q", End=True),
    }
)


def test_a_state_with_no_outside_effect_is_simply_run_again(harness, monkeypatch):
    # a breakpoint keeps the start from deciding P itself: the worker does, and dies
    execution_id = harness.start("pass", PASSES, {}, pauseBefore=["Q"])
    die_running(harness, where="after claim")
    harness.clock.advance(LEASE + 1)
    sweep(harness)
    harness.drain()
    assert harness.describe(execution_id)["status"] == "PAUSED"
    assert harness.operate("resume", execution_id)[0] == 200
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED" and document["output"] == {"n": 42, "key": "Q"}
    assert "RetryScheduled" not in types(harness, execution_id)


def test_a_worker_whose_lease_ran_out_cannot_commit(harness, monkeypatch):
    execution_id = harness.start("fenced", TWO_RETRIED, {"n": 0})
    # while A runs, the worker stalls past its lease (and nobody has swept yet)
    lambdas.DURING["A"] = lambda: harness.clock.advance(LEASE + 1)
    harness.step()
    assert "TaskSucceeded" not in types(harness, execution_id)
    assert harness.describe(execution_id)["status"] == "RUNNING"
    sweep(harness)
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED" and document["output"] == {"n": 2, "key": "B"}
    assert [e["state"] for e in harness.history(execution_id) if e["type"] == "TaskSucceeded"] == [
        "A",
        "B",
    ]


def test_a_long_task_renews_its_lease_and_commits(aws, monkeypatch):
    harness = make_harness(monkeypatch, SEGUE_LEASE_SECONDS="3")
    slow = machine(
        {
            "Slow": {
                "Type": "Task",
                "Resource": LAMBDA + "sleepy",
                "Parameters": {"seconds": 4.5},
                "End": True,
            }
        }
    )
    execution_id = harness.start("slow", slow, {})
    renewals: list[int] = []
    store = harness.services.store
    original = store.renew

    def counted(*args, **kwargs):
        held = original(*args, **kwargs)
        renewals.append(held)
        return held

    monkeypatch.setattr(store, "renew", counted)
    harness.step()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED", document
    assert len(renewals) >= 3 and all(renewals)  # every second, for a 3 s lease
    assert "LeaseExpired" not in types(harness, execution_id)


def test_a_paused_execution_whose_task_died_becomes_paused(harness, monkeypatch):
    execution_id = harness.start("pausing", TWO_RETRIED, {"n": 0})
    message = take(harness)
    worker = harness.services.worker

    def pause_then_die(invoke, budget=None):
        harness.operate("pause", execution_id)
        raise Crash("mid-task")

    monkeypatch.setattr(worker.resources, "run", pause_then_die)
    with pytest.raises(Crash):
        worker.handle(message)
    monkeypatch.undo()
    assert harness.describe(execution_id)["status"] == "PAUSING"
    harness.clock.advance(LEASE + 1)
    sweep(harness)
    document = harness.describe(execution_id)
    assert document["status"] == "PAUSED"
    assert harness.operate("resume", execution_id)[0] == 200
    harness.clock.advance(2)  # the retry's back-off
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED" and document["output"] == {"n": 2, "key": "B"}


SLEEP = machine(
    {
        "Before": task("W", Next="Nap"),
        "Nap": {"Type": "Wait", "Seconds": 30, "Next": "After"},
        "After": task("X", End=True),
    }
)


def test_a_timer_that_never_fired_is_sent_again(harness, monkeypatch):
    execution_id = harness.start("nap", SLEEP, {"n": 0})
    die_running(harness, where="after commit")  # Before's commit: the wake-up was never sent
    harness.clock.advance(30 + 60 + 1)  # its time, and the timer's grace
    assert sweep(harness)["recovered"] == 1
    harness.drain()
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"
    assert types(harness, execution_id).count("WorkRedispatched") == 1


def test_a_rested_execution_has_its_effects_carried_out_again(harness, monkeypatch):
    approval = machine(
        {"Ask": {"Type": "Task", "Resource": "segue:approval", "Parameters": {}, "End": True}}
    )
    execution_id = harness.start("ask", approval, {})
    die_running(harness, where="after commit")  # no approval record was made
    assert harness.request("GET", "/approvals", query={"status": "PENDING"})[1]["items"] == []
    harness.clock.advance(LEASE + 1)
    assert sweep(harness) == {"due": 1, "healed": 1}
    (item,) = harness.request("GET", "/approvals", query={"status": "PENDING"})[1]["items"]
    assert item["executionId"] == execution_id
    assert sweep(harness) == {"due": 0}  # looked at once; an approval without timeout rests
    harness.request("POST", f"/approvals/{item['approvalId']}/approve", {})
    harness.drain()
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"


def test_a_missed_execution_timeout_and_auto_resume_are_carried_out(harness, monkeypatch):
    timed = machine({"A": task("A", End=True)}) | {"TimeoutSeconds": 5}
    execution_id = harness.start("timed", timed, {"n": 0}, pauseBefore=["A"])
    assert harness.describe(execution_id)["status"] == "PAUSED"
    harness.sqs.purge_queue(QueueUrl=harness.queue_url)  # the deadline message is lost
    harness.clock.advance(5 + 60 + 1)
    assert sweep(harness)["recovered"] == 1
    document = harness.describe(execution_id)
    assert document["status"] == "TIMED_OUT" and document["error"] == "States.Timeout"

    execution_id = harness.start("later", TWO, {"n": 0}, pauseBefore=["B"], autoResumeSeconds=100)
    harness.drain()
    assert harness.describe(execution_id)["status"] == "PAUSED"
    harness.clock.advance(100 + 60 + 1)  # its schedule never fired
    assert sweep(harness)["recovered"] == 1
    harness.drain()
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"
    resumed = next(e for e in harness.history(execution_id) if e["type"] == "ExecutionResumed")
    assert "sweeper" in resumed["details"]["reason"]


def test_two_sweeps_at_once_recover_once(harness, monkeypatch):
    ids = [harness.start("twice", TWO_RETRIED, {"n": i}, name=f"e{i}") for i in range(4)]
    for _ in ids:
        die_running(harness)
    harness.clock.advance(LEASE + 1)
    reports: list[dict[str, int]] = []
    sweepers = [threading.Thread(target=lambda: reports.append(sweep(harness))) for _ in "ab"]
    for thread in sweepers:
        thread.start()
    for thread in sweepers:
        thread.join()
    assert sum(r.get("recovered", 0) for r in reports) == len(ids)
    harness.drain()
    for execution_id in ids:
        assert types(harness, execution_id).count("LeaseExpired") == 1
        assert harness.describe(execution_id)["status"] == "SUCCEEDED"


def test_a_sweep_does_bounded_work_and_the_rest_waits_for_the_next(harness, monkeypatch):
    ids = [harness.start("many", TWO_RETRIED, {"n": i}, name=f"e{i}") for i in range(5)]
    for _ in ids:
        die_running(harness)
    harness.clock.advance(LEASE + 1)
    assert sweep(harness, limit=2) == {"due": 2, "recovered": 2}
    assert sweep(harness, limit=2) == {"due": 2, "recovered": 2}
    assert sweep(harness, limit=2) == {"due": 1, "recovered": 1}
    harness.drain()
    assert all(harness.describe(i)["status"] == "SUCCEEDED" for i in ids)


def test_the_index_holds_only_executions_the_sweeper_may_need(harness):
    execution_id = harness.start("done", TWO, {"n": 0})
    table = harness.services.store
    head = table._get(keys.head(execution_id))
    assert head is not None and head["due_shard"].startswith("due#") and head["due_at"]
    harness.drain()
    head = table._get(keys.head(execution_id))
    assert "due_at" not in head and "due_shard" not in head
    harness.clock.advance(10 * LEASE)
    assert sweep(harness) == {"due": 0}


def test_the_sweeper_function_answers_what_it_did(harness, monkeypatch):
    execution_id = harness.start("fn", TWO_RETRIED, {"n": 0})
    die_running(harness)
    harness.clock.advance(LEASE + 1)
    answer = load_function("sweeper").handler({}, _context())
    assert answer == {"due": 1, "recovered": 1}
    harness.drain()
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"


def _context():
    from segue.tasks.functions import LambdaContext

    return LambdaContext("sweeper", 0.0)


def test_commits_keep_the_check_time_that_still_serves(harness, monkeypatch):
    """A chain of tasks moves its check time (an index write) once, not at every commit."""
    store = harness.services.store
    written: list[str] = []
    put = store._put

    def recording(key, attributes, *args, **kwargs):
        if key["sk"] == "HEAD":
            written.append(attributes.get("due_at", ""))
        return put(key, attributes, *args, **kwargs)

    monkeypatch.setattr(store, "_put", recording)
    chain = machine(
        {
            f"S{n}": task(f"S{n}", **({"Next": f"S{n + 1}"} if n < 9 else {"End": True}))
            for n in range(10)
        }
    )
    execution_id = harness.start("chain", chain, {"n": 0})
    harness.drain()
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"
    assert len(written) == 10  # a commit per task (the start's head is put by `create`)
    assert len(set(written[:-1])) == 1 and written[-1] == ""  # one check time, then none
