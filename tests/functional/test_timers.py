"""Wait states past the work queue's 15-minute delay: a schedule wakes them, a little early."""

from __future__ import annotations

from datetime import timedelta

import pytest

from segue.engine.visits import instant
from segue.store.queue import WorkMessage
from segue.store.timers import wake_name
from tests.functional.harness import make_harness
from tests.unit.helpers import machine

LONG = machine(
    {
        "Sleep": {"Type": "Wait", "Seconds": 7200, "Next": "After"},
        "After": {"Type": "Pass", "End": True},
    }
)


def schedules(harness) -> list[dict]:
    scheduler = harness.services.effects.timers.scheduler
    group = harness.stack.refs["Schedules"]
    names = [s["Name"] for s in scheduler.list_schedules(GroupName=group)["Schedules"]]
    return [scheduler.get_schedule(GroupName=group, Name=n) for n in names]


def test_a_long_wait_is_woken_by_a_schedule_and_ends_on_its_second(harness):
    execution_id = harness.start("long", LONG, {}, name="two-hours")
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "WAITING"
    due = instant(document["waits"][0]["dueAt"])
    (schedule,) = schedules(harness)
    early = due - timedelta(seconds=300)  # Scheduler fires within the minute: wake early
    assert schedule["ScheduleExpression"] == f"at({early.strftime('%Y-%m-%dT%H:%M:%S')})"
    assert schedule["ActionAfterCompletion"] == "DELETE"

    harness.clock.advance(7200 - 310)
    assert harness.scheduler.fire_due() == 0
    harness.clock.advance(310)
    assert harness.scheduler.fire_due() == 1
    assert schedules(harness) == []  # deleted once fired
    harness.drain()
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED"
    exited = next(e for e in harness.history(execution_id) if e["type"] == "StateExited")
    assert timedelta(0) <= instant(exited["timestamp"]) - due < timedelta(seconds=1)


def test_a_wake_up_asked_twice_is_one_schedule(harness):
    now = harness.clock()
    message = WorkMessage(
        execution_id="x:y", token="t2", attempt=1, not_before=now + timedelta(hours=3)
    )
    harness.services.effects.send([message], now)
    harness.services.effects.send([message], now)
    (schedule,) = schedules(harness)
    assert schedule["Name"] == wake_name(message)


def test_a_wake_up_that_comes_early_waits_again(harness):
    """A message that arrives before its time (the schedule's lead) is delayed again."""
    execution_id = harness.start("long", LONG, {}, name="early")
    harness.drain()
    harness.clock.advance(7200 - 300)
    harness.scheduler.fire_due()  # hands over to a message delayed by the remaining 300 s
    sqs = harness.sqs
    attributes = sqs.get_queue_attributes(
        QueueUrl=harness.queue_url, AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert int(attributes["ApproximateNumberOfMessagesDelayed"]) == 1
    assert harness.describe(execution_id)["status"] == "WAITING"


@pytest.fixture
def scheduled(aws, monkeypatch):
    """Every wake-up through a schedule, so the tests move the clock instead of sleeping."""
    return make_harness(
        monkeypatch, SEGUE_MAX_QUEUE_DELAY_SECONDS="0", SEGUE_TIMER_LEAD_SECONDS="0"
    )


BOUNDED = machine({"Sleep": {"Type": "Wait", "Seconds": 3600, "End": True}}, TimeoutSeconds=60)


def tick(harness, seconds: float) -> None:
    harness.clock.advance(seconds)
    harness.scheduler.fire_due()
    harness.drain()


def test_an_execution_times_out_at_its_own_timeout_seconds(scheduled):
    execution_id = scheduled.start("bounded", BOUNDED, {}, name="one")
    scheduled.drain()
    document = scheduled.describe(execution_id)
    assert instant(document["timeoutAt"]) - instant(document["createdAt"]) == timedelta(minutes=1)
    tick(scheduled, 50)  # (real time passes too: leave it room)
    assert scheduled.describe(execution_id)["status"] == "WAITING"
    tick(scheduled, 11)
    document = scheduled.describe(execution_id)
    assert document["status"] == "TIMED_OUT" and document["error"] == "States.Timeout"
    assert [e["type"] for e in scheduled.history(execution_id)][-1] == "ExecutionTimedOut"
    tick(scheduled, 3600)  # the Wait's own wake-up finds nothing to do
    assert scheduled.describe(execution_id)["status"] == "TIMED_OUT"


def test_the_timeout_counts_while_paused(scheduled):
    execution_id = scheduled.start("bounded", BOUNDED, {}, name="paused")
    scheduled.drain()
    assert scheduled.operate("pause", execution_id)[1] == {"status": "PAUSED"}
    tick(scheduled, 61)
    document = scheduled.describe(execution_id)
    assert document["status"] == "TIMED_OUT" and document["pause"] is None
    names = [s["Name"] for s in schedules(scheduled)]
    assert not [n for n in names if n.startswith("resume-")]  # it went with the pause
    assert scheduled.operate("resume", execution_id)[0] == 409


def test_an_execution_that_ends_in_time_is_left_alone_by_its_deadline(scheduled):
    quick = machine({"A": {"Type": "Pass", "End": True}}, TimeoutSeconds=60)
    execution_id = scheduled.start("quick", quick, {}, name="one")
    scheduled.drain()
    tick(scheduled, 61)
    assert scheduled.describe(execution_id)["status"] == "SUCCEEDED"
