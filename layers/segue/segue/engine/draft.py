"""A decision being built: tokens settled one by one, events drafted, the head made last."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from segue.asl import Fail, Failed, Next, Retry, Succeeded, WaitUntil, errors
from segue.asl.errors import MAX_CAUSE_CHARS, MAX_ERROR_CHARS, clipped
from segue.asl.outcomes import End
from segue.asl.timestamps import format_timestamp
from segue.engine import branches
from segue.engine import events as ev
from segue.engine.decision import AutoResume, Decision, wants_message
from segue.engine.events import Event
from segue.engine.head import HEAD_BYTES, Pause, Status, Token, TokenStatus, is_terminal
from segue.engine.numbering import aws_events, unnumbered
from segue.engine.refs import INLINE, kind, ref_of
from segue.engine.visits import instant
from segue.engine.waits import Await, deadlines, next_deadline

if TYPE_CHECKING:
    from datetime import datetime

    from segue.asl import Result, StateMachine
    from segue.asl.outcomes import Json
    from segue.engine.decision import Advance, TaskReport
    from segue.engine.head import Head
    from segue.engine.refs import Values

SNAPSHOT_EVERY = timedelta(seconds=60)
"""A running execution's head is copied aside at least this often (and at every pause)."""
INTERVAL = "interval"
"""The reason of a snapshot taken because SNAPSHOT_EVERY passed (not a pause)."""


@dataclass
class Draft:
    """A decision being built (by `decider.advance` and the operations of `control`)."""

    machine: StateMachine
    head: Head
    now: datetime
    values: Values

    def __post_init__(self) -> None:
        self.at = format_timestamp(self.now)
        self.tokens = dict(self.head.tokens)
        self.joins = dict(self.head.joins)
        self.events: list[Event] = []
        self._unnumbered = 0  # of events[:self._numbered_upto], each with its follower known
        self._numbered_upto = 0
        self.stored: dict[str, Json] = {}
        self.next_token = self.head.next_token
        self.status = self.head.status
        self.root_vars = self.head.vars
        self.output = self.head.output
        self.error: tuple[str | None, str | None] = (self.head.error, self.head.cause)
        self.pause = self.head.pause
        self.pauses = self.head.pauses
        self.redrive = self.head.redrive
        self.snapshot = ""
        self.schedule: list[AutoResume] = []
        self.unschedule: list[AutoResume] = []
        self.redispatch: set[str] = set()

    # Building blocks ---------------------------------------------------------------------

    def ref(self, value: Json) -> str:
        reference = ref_of(value)
        if kind(reference) != INLINE:
            self.stored[reference] = value
        return reference

    def read(self, reference: str) -> Json:
        """A document: one this decision made (not stored yet), or a stored one."""
        if reference in self.stored:
            return self.stored[reference]
        return self.values(reference)

    def event(self, type: str, state: str | None = None, **details: Json) -> None:
        self.events.append(Event(type, self.at, state, _clipped(details)))

    def new_token(self, state: str, input: Json, vars: str, join: str, branch: int) -> Token:
        token_id = f"t{self.next_token}"
        self.next_token += 1
        input_ref = self.ref(input)
        entered = self.head.next_seq + len(self.events) - self.unnumbered()
        self.event(ev.STATE_ENTERED, state, input=input_ref)
        token = Token(token_id, state, TokenStatus.READY, input_ref, vars, entered, self.at)
        token = replace(token, join=join, branch=branch)
        self.tokens[token_id] = token
        if state in self.head.pause_before and self.pause is None:
            self.request_pause("segue", "breakpoint", self.head.auto_resume_seconds, state)
        return token

    def unnumbered(self) -> int:
        """Events so far, committed and drafted, that AWS's history does not number.

        Counted as the draft grows (a Map's thousand items would otherwise count its
        events a thousand times); the last event's follower is not known yet.
        """
        events, upto = self.events, self._numbered_upto
        for index in range(upto, len(events) - 1):
            self._unnumbered += 1 - aws_events(events[index], events[index + 1], self.machine)
        self._numbered_upto = max(upto, len(events) - 1)
        last = unnumbered(events[self._numbered_upto :], self.machine)
        return self.head.unnumbered + self._unnumbered + last

    def request_pause(
        self, by: str, reason: str, auto_resume_seconds: int, state: str = ""
    ) -> None:
        """Ask for a pause; `decision()` parks what is ready and takes it once nothing runs."""
        self.pauses += 1
        self.pause = Pause(f"p{self.pauses}", self.at, by, reason, auto_resume_seconds)
        details: dict[str, Json] = {"pauseId": self.pause.id, "by": by, "reason": reason}
        self.event(ev.PAUSE_REQUESTED, state or None, **details)

    def with_assigned(self, vars: str, assigned: dict[str, Json]) -> str:
        return self.ref({**self.read(vars), **assigned}) if assigned else vars

    def task_events(self, token: Token, task: TaskReport) -> None:
        ended = format_timestamp(task.ended_at)
        details: dict[str, Json]
        if task.started_at is not None:
            started = format_timestamp(task.started_at)
            details = {"resource": task.resource}
            self.events.append(Event(ev.TASK_SCHEDULED, started, token.state, details))
            details = {"attempt": token.attempt, "parameters": self.ref(task.parameters)}
            if task.timeout_seconds is not None:
                details["timeoutSeconds"] = task.timeout_seconds
            if task.heartbeat_seconds is not None:
                details["heartbeatSeconds"] = task.heartbeat_seconds
            self.events.append(Event(ev.TASK_STARTED, started, token.state, details))
        if task.waiting:
            details = (
                {"output": self.ref(task.result.output)}
                if isinstance(task.result, Succeeded)
                else {}
            )
            self.events.append(Event(ev.TASK_SUBMITTED, ended, token.state, details))
        elif isinstance(task.result, Succeeded):
            details = {"output": self.ref(task.result.output)}
            self.events.append(Event(ev.TASK_SUCCEEDED, ended, token.state, details))
        else:
            details = {"error": task.result.error, "cause": task.result.cause}
            self.events.append(Event(ev.TASK_FAILED, ended, token.state, _clipped(details)))

    # Settling one token ------------------------------------------------------------------

    def settle(self, token: Token, outcome: Advance) -> None:
        self.tokens.pop(token.id, None)
        if isinstance(outcome, Next):
            vars = self.with_assigned(token.vars, dict(outcome.assigned))
            self.exited(token.state, outcome.input, dict(outcome.assigned))
            self.new_token(outcome.state, outcome.input, vars, token.join, token.branch)
            self.track_root_vars(token, vars)
        elif isinstance(outcome, End):
            vars = self.with_assigned(token.vars, dict(outcome.assigned))
            self.exited(token.state, outcome.output, dict(outcome.assigned))
            self.track_root_vars(token, vars)
            self.finish(token, Succeeded(outcome.output))
        elif isinstance(outcome, Fail):
            self.finish(token, Failed(outcome.error, outcome.cause))
        elif isinstance(outcome, Retry):
            self.retry(token, outcome)
        elif isinstance(outcome, WaitUntil):
            self.wait(token, outcome)
        elif isinstance(outcome, Await):
            self.await_outside(token, outcome)
        else:
            branches.fan_out(self, token, outcome)

    def exited(self, state: str, output: Json, assigned: dict[str, Json]) -> None:
        """StateExited, with the variables the state assigned (as AWS's history shows them)."""
        details = {"output": self.ref(output)}
        if assigned:
            details["assigned"] = self.ref(assigned)
        self.event(ev.STATE_EXITED, state, **details)

    def track_root_vars(self, token: Token, vars: str) -> None:
        if not token.join:
            self.root_vars = vars

    def retry(self, token: Token, retry: Retry) -> None:
        ready_at = self.now + timedelta(seconds=retry.delay_seconds)
        self.event(
            ev.RETRY_SCHEDULED,
            token.state,
            error=retry.error,
            cause=retry.cause,
            delaySeconds=retry.delay_seconds,
            attempt=token.attempt + 1,
        )
        self.tokens[token.id] = replace(
            token,
            status=TokenStatus.READY,
            attempt=token.attempt + 1,
            retries=retry.retries,
            owner="",
            lease_until="",
            ready_at=format_timestamp(ready_at),
            wait="",
            wait_info="",
        )

    def wait(self, token: Token, wait: WaitUntil) -> None:
        if wait.until <= self.now:
            self.settle(token, wait.then)
            return
        then: Json = (
            {"next": wait.then.state, "input": wait.then.input}
            if isinstance(wait.then, Next)
            else {"end": wait.then.output}
        )
        then["assigned"] = dict(wait.then.assigned)
        due = format_timestamp(wait.until)
        self.waiting(token, due, {"dueAt": due}, then=self.ref(then))

    def await_outside(self, token: Token, awaited: Await) -> None:
        info = deadlines(awaited, self.now)
        due = next_deadline(info)
        details: dict[str, Json] = {"kind": str(awaited.kind)}
        if due:
            details["dueAt"] = due
        self.waiting(token, due, details, wait=str(awaited.kind), wait_info=self.ref(info))

    def waiting(self, token: Token, due: str, details: dict[str, Json], **fields: Json) -> None:
        """The token waits (woken at `due`, if any); its WaitStarted event says for what."""
        self.event(ev.WAIT_STARTED, token.state, **details)
        self.tokens[token.id] = replace(
            token, status=TokenStatus.WAITING, owner="", lease_until="", ready_at=due, **fields
        )

    def finish(self, token: Token, result: Result) -> None:
        if token.join:
            branches.branch_done(self, self.joins[token.join], token.branch, result)
        elif isinstance(result, Succeeded):
            self.status = Status.SUCCEEDED
            self.output = self.ref(result.output)
            self.event(ev.EXECUTION_SUCCEEDED, None, output=self.output)
            self.drop_all()
        else:
            self.fail_execution(result.error, result.cause)

    def fail_execution(self, error: str | None, cause: str | None) -> None:
        self.status = Status.FAILED
        error, cause = clipped(error, MAX_ERROR_CHARS), clipped(cause, MAX_CAUSE_CHARS)
        self.error = (error, cause or None)  # as AWS: no cause, not ""
        self.event(ev.EXECUTION_FAILED, None, error=error, cause=cause)
        self.redrive = self.ref(redrive_point(self.head))
        self.drop_all()

    def drop_all(self) -> None:
        self.tokens.clear()
        self.joins.clear()

    # The result --------------------------------------------------------------------------

    def take_pause(self) -> None:
        """Park what is ready; once no task is in flight the pause is taken (PAUSED)."""
        assert self.pause is not None
        for token in self.tokens.values():
            if token.status is TokenStatus.READY:
                self.tokens[token.id] = replace(token, status=TokenStatus.PARKED)
        if self.pause.paused_at or any(
            t.status is TokenStatus.LEASED for t in self.tokens.values()
        ):
            return
        seconds = self.pause.auto_resume_seconds
        resume_at = format_timestamp(self.now + timedelta(seconds=seconds)) if seconds else ""
        self.pause = replace(self.pause, paused_at=self.at, auto_resume_at=resume_at)
        pause_id = self.pause.id
        self.event(ev.EXECUTION_PAUSED, None, pauseId=pause_id, reason=self.pause.reason)
        if resume_at:
            timer = AutoResume(self.head.execution_id, pause_id, resume_at)
            self.schedule.append(timer)
            self.event(
                ev.SCHEDULE_CREATED, None, purpose="autoResume", pauseId=pause_id, at=resume_at
            )
        self.snapshot = "pause"

    def end_pause(self) -> None:
        """Forget the pause; its auto-resume schedule, if any, is deleted."""
        if self.pause is not None and self.pause.auto_resume_at:
            self.unschedule.append(
                AutoResume(self.head.execution_id, self.pause.id, self.pause.auto_resume_at)
            )
        self.pause = None

    def decision(self) -> Decision:
        """The decision; a head or history page too big to write fails the execution instead
        (a Parallel of thousands of branches at once), which a retry could never change."""
        decision = self._decision()
        size = _written_bytes(decision)
        if size <= HEAD_BYTES:
            return decision
        failing = Draft(self.machine, self.head, self.now, self.values)
        failing.fail_execution(
            errors.DATA_LIMIT_EXCEEDED,
            f"The execution's checkpoint would take {size} bytes ({len(decision.head.tokens)} "
            f"states running at once), over the {HEAD_BYTES} byte limit of one checkpoint.",
        )
        return failing._decision()

    def _decision(self) -> Decision:
        if is_terminal(self.status):
            self.end_pause()
            status = self.status
        elif self.pause is not None:
            self.take_pause()
            status = Status.PAUSED if self.pause.paused_at else Status.PAUSING
        else:
            status = _live_status(self.tokens)
        snapshot_at = self.head.snapshot_at
        due = not snapshot_at or self.now - instant(snapshot_at) >= SNAPSHOT_EVERY
        if self.snapshot or (due and not is_terminal(status)):
            self.snapshot = self.snapshot or INTERVAL
            snapshot_at = self.at
        head = replace(
            self.head,
            status=status,
            version=self.head.version + 1,
            next_seq=self.head.next_seq + len(self.events),
            unnumbered=self.unnumbered(),
            next_token=self.next_token,
            updated_at=self.at,
            vars=self.root_vars,
            tokens=self.tokens,
            joins=self.joins,
            output=self.output,
            error=self.error[0],
            cause=self.error[1],
            pause=self.pause,
            pauses=self.pauses,
            snapshot_at=snapshot_at,
            redrive=self.redrive,
        )
        dispatch = tuple(
            token
            for token in self.tokens.values()
            if wants_message(token)
            and (self.head.tokens.get(token.id) != token or token.id in self.redispatch)
        )
        return Decision(
            head,
            tuple(self.events),
            self.stored,
            dispatch,
            tuple(self.schedule),
            tuple(self.unschedule),
            self.snapshot,
            old_tokens=dict(self.head.tokens),
        )


def _written_bytes(decision: Decision) -> int:
    """The larger of the head's and the history page's size as stored (about)."""
    page = json.dumps([event.to_dict(0) for event in decision.events], separators=(",", ":"))
    return max(len(json.dumps(decision.head.to_dict(), separators=(",", ":"))), len(page))


def _clipped(details: dict[str, Json]) -> dict[str, Json]:
    """Event details with the error and cause cut to what history keeps."""
    for key, limit in (("error", MAX_ERROR_CHARS), ("cause", MAX_CAUSE_CHARS)):
        if isinstance(details.get(key), str):
            details[key] = clipped(details[key], limit)
    return details


def _live_status(tokens: dict[str, Token]) -> Status:
    if tokens and all(t.status is TokenStatus.WAITING for t in tokens.values()):
        return Status.WAITING
    return Status.RUNNING


def redrive_point(head: Head) -> Json:
    """Where a redrive picks up: the frontier before the failure, what was running to re-run.

    A task that was running, or waiting for the outside, runs again as a new attempt (with
    a new task token: the old one is closed).
    """
    tokens = {
        token.id: (
            replace(
                token,
                status=TokenStatus.READY,
                attempt=token.attempt + 1,
                retries=(),
                owner="",
                lease_until="",
                ready_at="",
                wait="",
                wait_info="",
            )
            if token.status is TokenStatus.LEASED or token.wait
            else token
        ).to_dict()
        for token in head.tokens.values()
    }
    joins = {k: j.to_dict() for k, j in head.joins.items()}
    return {"tokens": tokens, "joins": joins, "vars": head.vars}
