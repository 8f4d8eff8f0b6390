"""A stateful property test of the engine on the real store (moto): try to break DESIGN.md.

Hypothesis drives a few executions of mixed workflows through every trouble a worker
fleet meets: messages delivered twice or out of order, workers that die after claim,
mid-task or after commit (their message lost or delivered again), workers that stall
past their lease, leases running out, sweeps, timers firing, pauses, resumes (twice at
once), cancels and external events before and after their wait. After every step the
invariants of DESIGN.md are checked; at the end every execution is driven to its end
and must give the output of a clean run.

Work messages are taken off the queue into `inbox`, so the model chooses which one a
worker gets. Delays all go through schedules (no SQS delay), so the test's clock rules.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from segue.engine.head import TERMINAL, Status
from segue.service.sweeper import Sweeper
from segue.store.queue import WorkMessage
from tests.functional import lambdas
from tests.functional.crashes import POINTS, Crash, handle_and_die
from tests.functional.harness import Harness, make_harness
from tests.unit.helpers import machine

TOTALS: Counter[str] = Counter()
"""What the examples did, over the whole run (printed at the end, for the record)."""
EXAMPLES = int(os.environ.get("SEGUE_MODEL_EXAMPLES", "25"))
STEPS = int(os.environ.get("SEGUE_MODEL_STEPS", "40"))
LEASE = 60
TALLY = "arn:aws:lambda:us-east-1:123456789012:function:tally"
RETRY = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 1, "MaxAttempts": 99}]


def tally(name: str, step: int = 1, **fields: Any) -> dict[str, Any]:
    parameters = {"n.$": "$.n", "step": step, "execution.$": "$$.Execution.Name"}
    return {"Type": "Task", "Resource": TALLY, "Parameters": parameters, "Retry": RETRY, **fields}


WORKFLOWS: dict[str, dict[str, Any]] = {
    "steps": machine({"A": tally("A", Next="B"), "B": tally("B", 10, End=True)}),
    "fork": machine(
        {
            "Fork": {
                "Type": "Parallel",
                "Branches": [
                    machine({"X": tally("X", End=True)}),
                    machine(
                        {
                            "Nap": {"Type": "Wait", "Seconds": 3, "Next": "Y"},
                            "Y": tally("Y", 100, End=True),
                        }
                    ),
                ],
                "ResultSelector": {"n.$": "States.MathAdd($[0].n, $[1].n)"},
                "Next": "Z",
            },
            "Z": tally("Z", 1000, End=True),
        }
    ),
    "each": machine(
        {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 2,
                "ItemSelector": {"n.$": "$$.Map.Item.Value"},
                "ItemProcessor": machine({"T": tally("T", 5, End=True)}),
                "End": True,
            },
        }
    ),
    "await": machine(
        {
            "Hear": {
                "Type": "Task",
                "Resource": "segue:waitForEvent",
                "Parameters": {"EventName": "go", "CorrelationKey.$": "$.key"},
                "ResultPath": "$.heard",
                "Next": "Use",
            },
            "Use": {
                "Type": "Task",
                "Resource": TALLY,
                "Parameters": {"n.$": "$.heard.n", "execution.$": "$$.Execution.Name"},
                "Retry": RETRY,
                "End": True,
            },
        }
    ),
}
INPUTS: dict[str, Any] = {
    "steps": {"n": 0},
    "fork": {"n": 1},
    "each": {"n": 0, "items": [1, 2, 3]},
    "await": {"n": 0},
}


@dataclass
class Tracked:
    """One execution the model started, and what the model knows about it."""

    execution_id: str
    workflow: str
    key: str
    cancelled: bool = False
    event_sent: bool = False
    version: int = 0
    seen: list[dict[str, Any]] = field(default_factory=list)


class EngineModel(RuleBasedStateMachine):
    """The engine under trouble; `harness` and `clean` are set by the test."""

    harness: Harness
    clean: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[Tracked] = []
        self.inbox: list[WorkMessage] = []
        self.violations: list[str] = []
        lambdas.ON_TALLY[:] = [self._no_task_while_stopped]

    # What tasks see ---------------------------------------------------------------------

    def _no_task_while_stopped(self, event: dict[str, Any]) -> None:
        """Invariant 3: no task starts in a PAUSED (or ended) execution."""
        for run in self.runs:
            if run.execution_id.endswith(":" + event.get("execution", "")):
                head = self.harness.services.store.get_head(run.execution_id)
                status = head.status if head else None
                if status is Status.PAUSED or status in TERMINAL:
                    self.violations.append(f"a task started in {run.execution_id} ({status})")

    # Rules ------------------------------------------------------------------------------

    @initialize(workflows=st.lists(st.sampled_from(sorted(WORKFLOWS)), min_size=1, max_size=3))
    def begin(self, workflows: list[str]) -> None:
        self._clear()
        for workflow in workflows:
            self.start(workflow)

    def _clear(self) -> None:
        """Each example starts on an empty table and queue (moto's queries scan the table)."""
        self._pull()
        self.inbox.clear()
        client, table = self.harness.services.store.client, self.harness.services.store.table
        for page in client.get_paginator("scan").paginate(
            TableName=table, ProjectionExpression="pk, sk"
        ):
            for item in page["Items"]:
                client.delete_item(TableName=table, Key=item)

    @precondition(lambda self: len(self.runs) < 4)
    @rule(workflow=st.sampled_from(sorted(WORKFLOWS)))
    def start(self, workflow: str) -> None:
        key = f"k{len(self.runs)}-{os.urandom(4).hex()}"
        input = {**INPUTS[workflow], "key": key}
        execution_id = self.harness.start(workflow, WORKFLOWS[workflow], input, name=key)
        self.runs.append(Tracked(execution_id, workflow, key))

    @rule(pick=st.integers(0, 50), keep=st.booleans())
    def deliver(self, pick: int, keep: bool) -> None:
        """A worker runs a message; `keep`: it is delivered again later (a duplicate)."""
        message = self._pick(pick, keep)
        if message is not None:
            self._count("duplicate delivery" if keep else "delivery")
            self.harness.services.worker.handle(message)

    @rule(
        seed=st.integers(0, 2**32),
        dies=st.none() | st.tuples(st.integers(0, 6), st.sampled_from(POINTS)),
        redelivered=st.booleans(),
    )
    def deliver_all(self, seed: int, dies: tuple[int, str] | None, redelivered: bool) -> None:
        """Workers run every message there is, in an order of the model's choosing; with
        `dies`, the worker of the n-th one dies at a point (its message lost or kept)."""
        self._pull()
        messages, self.inbox = self.inbox, []
        random.Random(seed).shuffle(messages)
        for index, message in enumerate(messages):
            if dies is not None and index == dies[0]:
                if redelivered:
                    self.inbox.append(message)
                self._die(message, dies[1], redelivered)
            else:
                self._count("delivery")
                self.harness.services.worker.handle(message)

    @rule(
        pick=st.integers(0, 50),
        point=st.sampled_from(POINTS),
        redelivered=st.booleans(),
    )
    def crash(self, pick: int, point: str, redelivered: bool) -> None:
        """A worker dies at `point`; its message is lost, or delivered again later."""
        message = self._pick(pick, redelivered)
        if message is not None:
            self._die(message, point, redelivered)

    def _die(self, message: WorkMessage, point: str, redelivered: bool) -> None:
        try:
            handle_and_die(self.harness.services.worker, message, point)
        except Crash:
            self._count(f"crash {point}" + (", redelivered" if redelivered else ", message lost"))

    @rule(pick=st.integers(0, 50))
    def stall(self, pick: int) -> None:
        """A worker stalls past its lease mid-task; it must not commit (invariant 8)."""
        message = self._pick(pick, False)
        if message is None:
            return
        before = {r.execution_id: self._committed_tasks(r) for r in self.runs}
        stalled = [False]

        def stall_once(event: dict[str, Any]) -> None:
            if not stalled[0]:
                stalled[0] = True
                self.harness.clock.advance(LEASE + 1)

        lambdas.ON_TALLY.append(stall_once)
        try:
            self.harness.services.worker.handle(message)
        finally:
            lambdas.ON_TALLY.remove(stall_once)
        if stalled[0]:
            self._count("stall past the lease")
            after = {r.execution_id: self._committed_tasks(r) for r in self.runs}
            assert after == before, "a worker whose lease ran out committed"

    @rule(seconds=st.sampled_from([1, 2, 5, 30]))
    def advance(self, seconds: int) -> None:
        self.harness.clock.advance(seconds)

    @rule()
    def expire_leases(self) -> None:
        self.harness.clock.advance(LEASE + 1)

    @rule()
    def sweep(self) -> None:
        report = Sweeper(self.harness.services).sweep()
        for outcome in ("recovered", "healed"):
            if report.get(outcome):
                self._count(f"sweep {outcome}", report[outcome])

    @rule()
    def fire_timers(self) -> None:
        self.harness.scheduler.fire_due()

    @rule(pick=st.integers(0, 10))
    def pause(self, pick: int) -> None:
        if self.runs:
            self.harness.operate("pause", self.runs[pick % len(self.runs)].execution_id)

    @rule(pick=st.integers(0, 10), twice=st.booleans())
    def resume(self, pick: int, twice: bool) -> None:
        """Resume (twice: one must win, one get a 409; invariant 5)."""
        if not self.runs:
            return
        execution_id = self.runs[pick % len(self.runs)].execution_id
        answers = [self.harness.operate("resume", execution_id)[0] for _ in range(1 + twice)]
        if twice and answers[0] == 200:
            assert answers[1] == 409, answers

    @precondition(lambda self: not any(r.cancelled for r in self.runs))  # one per example
    @rule(pick=st.integers(0, 10))
    def cancel(self, pick: int) -> None:
        if self.runs:
            run = self.runs[pick % len(self.runs)]
            status, _ = self.harness.operate("cancel", run.execution_id)
            run.cancelled = run.cancelled or status == 200

    @rule(pick=st.integers(0, 10))
    def send_event(self, pick: int) -> None:
        """The event for an `await` execution, before or after it waits (invariant 6)."""
        waiting = [r for r in self.runs if r.workflow == "await" and not r.event_sent]
        if waiting:
            self._send(waiting[pick % len(waiting)])

    # Invariants -------------------------------------------------------------------------

    @invariant()
    def history_is_append_only_gap_free_and_matches_the_head(self) -> None:
        """Invariants 1, 5 and 7, and 3 as the tasks saw it."""
        assert not self.violations, self.violations
        store = self.harness.services.store
        for run in self.runs:
            head = store.get_head(run.execution_id)
            assert head is not None
            if head.version == run.version:
                continue
            run.version = head.version
            events = [
                event.to_dict(page.seq + offset)
                for page in store.pages(run.execution_id, head.next_seq)
                for offset, event in enumerate(page.events)
            ]
            assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
            assert head.next_seq == len(events) + 1
            assert events[: len(run.seen)] == run.seen, "history changed"
            run.seen = events
            kinds = Counter(e["type"] for e in events)
            entered = Counter(e.get("state") for e in events if e["type"] == "StateEntered")
            for state, count in Counter(
                e.get("state") for e in events if e["type"] == "TaskSucceeded"
            ).items():
                assert count <= entered[state], f"{state} succeeded more often than entered"
            assert kinds["ExecutionResumed"] <= kinds["ExecutionPaused"]
            pauses = [e["details"]["pauseId"] for e in events if e["type"] == "ExecutionResumed"]
            assert len(pauses) == len(set(pauses)), "one pause resumed twice"
            assert _status_from(events) == _status_class(head.status), (head.status, events[-3:])

    # The end: every execution finishes, with the output of a clean run --------------------

    def teardown(self) -> None:
        try:
            self._drive_to_the_end()
        finally:
            lambdas.ON_TALLY.clear()

    def _drive_to_the_end(self) -> None:
        harness = self.harness
        for _ in range(40):
            open_runs = [r for r in self.runs if self._status(r) not in TERMINAL]
            if not open_runs:
                break
            for run in open_runs:
                if self._status(run) is Status.PAUSED:
                    harness.operate("resume", run.execution_id)
                if run.workflow == "await" and not run.event_sent:
                    self._send(run)
            self._pull()
            while self.inbox:
                harness.services.worker.handle(self.inbox.pop(0))
                self._pull()
            harness.clock.advance(2)
            harness.scheduler.fire_due()
            TOTALS["sweep recovered"] += Sweeper(harness.services).sweep().get("recovered", 0)
            self._pull()
            if not self.inbox:
                harness.clock.advance(LEASE)  # only a sweep after a lease can move it on
        self.history_is_append_only_gap_free_and_matches_the_head()
        for run in self.runs:
            document = harness.describe(run.execution_id)
            TOTALS[f"ended {document['status']}"] += 1
            if run.cancelled:
                assert document["status"] == "CANCELLED", document
                continue
            assert document["status"] == "SUCCEEDED", (document, run.seen[-5:])
            assert document["output"] == self.clean[run.workflow], run.seen

    # Helpers ----------------------------------------------------------------------------

    @staticmethod
    def _count(what: str, times: int = 1) -> None:
        event(what)
        TOTALS[what] += times

    def _status(self, run: Tracked) -> Status:
        head = self.harness.services.store.get_head(run.execution_id)
        assert head is not None
        return head.status

    def _pull(self) -> None:
        """Take every visible work message off the queue into the inbox."""
        sqs, url = self.harness.sqs, self.harness.queue_url
        while True:
            answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
            messages = answer.get("Messages", [])
            if not messages:
                return
            for message in messages:
                self.inbox.append(WorkMessage.model_validate_json(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def _pick(self, pick: int, keep: bool) -> WorkMessage | None:
        self._pull()
        if not self.inbox:
            return None
        index = pick % len(self.inbox)
        return self.inbox[index] if keep else self.inbox.pop(index)

    def _send(self, run: Tracked) -> None:
        body = {"name": "go", "key": run.key, "payload": {"n": 7}, "id": f"go-{run.key}"}
        status, answer = self.harness.request("POST", "/events", body)
        assert status == 202, answer
        run.event_sent = True

    def _committed_tasks(self, run: Tracked) -> int:
        store = self.harness.services.store
        head = store.get_head(run.execution_id)
        assert head is not None
        pages = store.pages(run.execution_id, head.next_seq)
        return sum(1 for p in pages for e in p.events if e.type == "TaskSucceeded")


def _status_class(status: Status) -> str:
    if status in TERMINAL:
        return str(status)
    return "PAUSED" if status is Status.PAUSED else "LIVE"


_ENDS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionCancelled": "CANCELLED",
    "ExecutionTimedOut": "TIMED_OUT",
}


def _status_from(events: list[dict[str, Any]]) -> str:
    """What the history says the status is: ended, paused or live (invariant 7)."""
    status = "LIVE"
    for entry in events:
        if entry["type"] in _ENDS:
            status = _ENDS[entry["type"]]
        elif entry["type"] == "ExecutionPaused":
            status = "PAUSED"
        elif entry["type"] in ("ExecutionResumed", "ExecutionRedriven"):
            status = "LIVE"
    return status


@pytest.fixture
def model_harness(aws, monkeypatch) -> Harness:
    return make_harness(
        monkeypatch,
        SEGUE_MAX_QUEUE_DELAY_SECONDS="0",
        SEGUE_TIMER_LEAD_SECONDS="0",
        SEGUE_SWEEP_SHARDS="2",
    )


def test_no_trouble_loses_or_repeats_work(model_harness):
    clean: dict[str, Any] = {}
    for workflow, definition in WORKFLOWS.items():
        input = {**INPUTS[workflow], "key": "clean"}
        execution_id = model_harness.start(f"clean-{workflow}", definition, input)
        if workflow == "await":
            model_harness.request(
                "POST", "/events", {"name": "go", "key": "clean", "payload": {"n": 7}}
            )
        clean[workflow] = _clean_output(model_harness, execution_id, workflow)
    EngineModel.harness, EngineModel.clean = model_harness, clean
    TOTALS.clear()
    run_state_machine_as_test(
        EngineModel,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    print(f"\nrecovery model: {EXAMPLES} examples (up to {STEPS} steps):", dict(TOTALS))


def _clean_output(harness: Harness, execution_id: str, workflow: str) -> Any:
    for _ in range(50):
        harness.drain()
        document = harness.describe(execution_id)
        if document["status"] == "SUCCEEDED":
            return document["output"]
        harness.clock.advance(5)
        harness.scheduler.fire_due()
    raise AssertionError(f"the clean run of {workflow} did not end: {document}")
