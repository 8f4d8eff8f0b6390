"""Wait states past the work queue's 15-minute delay: a schedule wakes them, a little early."""

from __future__ import annotations

from datetime import timedelta

from segue.engine.decider import instant
from segue.store.queue import WorkMessage
from segue.store.timers import wake_name
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
