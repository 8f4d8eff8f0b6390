"""The decider: from a head and what one token came to, the next head, its events and values.

Pure: documents are read through a `Values` lookup (content-addressed, so it always
answers the same), time comes in as `now`, and chance from a generator seeded by the
execution, token and attempt, so re-deciding after a lost race gives the same answer.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from segue.asl import (
    Fail,
    Failed,
    FanOut,
    Invoke,
    Next,
    Retry,
    Runtime,
    Succeeded,
    WaitUntil,
    complete,
    enter,
    errors,
)
from segue.asl.context import ExecutionInfo, context_object
from segue.asl.errors import MAX_CAUSE_CHARS, MAX_ERROR_CHARS, clipped
from segue.asl.outcomes import End, Visit
from segue.asl.timestamps import format_timestamp, parse_timestamp, to_datetime
from segue.engine import events as ev
from segue.engine import joins
from segue.engine.events import Event
from segue.engine.head import (
    HEAD_BYTES,
    Head,
    Join,
    Pause,
    Status,
    Token,
    TokenStatus,
    is_terminal,
)
from segue.engine.numbering import numbered, unnumbered
from segue.engine.refs import EMPTY_OBJECT, INLINE, kind, ref_of
from segue.engine.waits import (
    Await,
    WaitKind,
    deadlines,
    expired,
    next_deadline,
    segue_wait,
    task_token,
    wait_kind,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from segue.asl import Result, Settled, StateMachine
    from segue.asl.outcomes import Json
    from segue.engine.refs import Values

ROOT_ARN = "arn:aws:states:local:000000000000"

SNAPSHOT_EVERY = timedelta(seconds=60)
"""A running execution's head is copied aside at least this often (and at every pause)."""
INTERVAL = "interval"
"""The reason of a snapshot taken because SNAPSHOT_EVERY passed (not a pause)."""


@dataclass(frozen=True)
class TaskReport:
    """What running a Task's resource did, for the history.

    `started_at` is None when the task started in an earlier commit (a wait that ended);
    `waiting` when the call was made and the task now waits for its result.
    """

    resource: str
    parameters: Json
    started_at: datetime | None
    ended_at: datetime
    result: Result
    waiting: bool = False
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None


@dataclass(frozen=True)
class AutoResume:
    """A one-time schedule that resumes `execution_id` if `pause_id` is still its pause."""

    execution_id: str
    pause_id: str
    at: str


@dataclass(frozen=True)
class Decision:
    """A new head, the events that lead to it, the documents it refers to and its effects."""

    head: Head
    events: tuple[Event, ...]
    values: dict[str, Json]
    dispatch: tuple[Token, ...]
    schedule: tuple[AutoResume, ...] = ()
    unschedule: tuple[AutoResume, ...] = ()
    snapshot: str = ""
    deadline: str = ""
    """When set, the execution's own timeout is (re)armed for this time."""

    @property
    def started_waits(self) -> tuple[Token, ...]:
        """Tokens that began to wait for the outside in this decision."""
        return _waits_only_in(self.head.tokens, self.old_tokens)

    @property
    def ended_waits(self) -> tuple[Token, ...]:
        """Tokens whose wait for the outside this decision ended (delivered, timed out, dropped)."""
        return _waits_only_in(self.old_tokens, self.head.tokens)

    old_tokens: dict[str, Token] = field(default_factory=dict)


def deadline_of(machine: StateMachine, now: datetime) -> str:
    """When an execution started (or redriven) at `now` times out ("" for never)."""
    seconds = machine.definition.timeout_seconds
    return format_timestamp(now + timedelta(seconds=seconds)) if seconds else ""


def _waits_only_in(tokens: dict[str, Token], others: dict[str, Token]) -> tuple[Token, ...]:
    """Tokens of `tokens` waiting for the outside that do not wait the same in `others`."""
    return tuple(t for t in tokens.values() if t.wait and not _same_wait(others.get(t.id), t))


def _same_wait(other: Token | None, token: Token) -> bool:
    return (
        other is not None
        and other.wait == token.wait
        and other.attempt == token.attempt
        and other.status is TokenStatus.WAITING
    )


Advance = Next | End | Fail | Retry | FanOut | WaitUntil | Await


def begin(
    machine: StateMachine,
    *,
    execution_id: str,
    name: str,
    state_machine: str,
    revision: int,
    input: Json,
    now: datetime,
    pause_before: tuple[str, ...] = (),
    auto_resume_seconds: int = 0,
    secret: str = "",
    trigger: tuple[str, str] = ("", ""),
) -> Decision:
    """A new execution at StartAt, its first token READY; `secret` signs its task tokens."""
    at = format_timestamp(now)
    input_ref = ref_of(input)
    start = machine.definition.start_at
    token = Token("t1", start, TokenStatus.READY, input_ref, EMPTY_OBJECT, 2, at)
    head = Head(
        execution_id=execution_id,
        name=name,
        state_machine=state_machine,
        revision=revision,
        status=Status.RUNNING,
        version=1,
        next_seq=3,
        next_token=2,
        created_at=at,
        updated_at=at,
        input=input_ref,
        vars=EMPTY_OBJECT,
        tokens={token.id: token},
        pause_before=pause_before,
        auto_resume_seconds=auto_resume_seconds,
        snapshot_at=at,
        secret=secret,
        trigger_rule=trigger[0],
        trigger_event=trigger[1],
        deadline=deadline_of(machine, now),
    )
    events = start_events(head, start)
    stored = _stored({input_ref: input})
    return Decision(head, events, stored, (token,), deadline=head.deadline)


def start_events(head: Head, start_at: str) -> tuple[Event, ...]:
    """The first page (seq 1 and 2): derived from the head alone, so anyone can rewrite it."""
    return (
        Event(ev.EXECUTION_STARTED, head.created_at, None, {"input": head.input}),
        Event(ev.STATE_ENTERED, head.created_at, start_at, {"input": head.input}),
    )


def instant(text: str) -> datetime:
    """A timestamp this module wrote, read back."""
    parsed = parse_timestamp(text)
    if parsed is None:
        raise ValueError(f"not a timestamp: {text!r}")
    return to_datetime(parsed)


def execution_info(head: Head, values: Values) -> ExecutionInfo:
    """The execution part of the context object (`$$.Execution`, `$$.StateMachine`)."""
    return ExecutionInfo(
        id=f"{ROOT_ARN}:execution:{head.state_machine}:{head.name}",
        name=head.name,
        input=values(head.input),
        start_time=instant(head.created_at),
        state_machine_id=f"{ROOT_ARN}:stateMachine:{head.state_machine}",
        state_machine_name=head.state_machine,
        trigger=trigger_of(head),
    )


def trigger_of(head: Head) -> dict[str, str] | None:
    """The EventBridge rule and event that started the execution, if one did."""
    if not head.trigger_rule:
        return None
    return {"Rule": head.trigger_rule, "EventId": head.trigger_event}


def visit_of(head: Head, token: Token, values: Values, machine: StateMachine) -> Visit:
    """The pure interpreter's view of one token (with `$$.Task.Token` for a callback task)."""
    state = machine.state(token.state)
    resource = getattr(state, "resource", "")
    context = context_object(
        execution_info(head, values),
        token.state,
        instant(token.entered_at),
        token.attempt - 1 if hasattr(state, "retry") else None,
        task_token(head, token) if wait_kind(resource) is WaitKind.CALLBACK else None,
    )
    return Visit(
        token.state,
        values(token.input),
        context,
        values(token.vars),
        token.retries,
        token.entered,
    )


def runtime_for(head: Head, token: Token, now: datetime) -> Runtime:
    """Time and a generator seeded by (execution, token, attempt): the same on every re-decide."""
    return Runtime(now, random.Random(f"{head.execution_id}/{token.id}/{token.attempt}"))


def lease(head: Head, token_id: str, owner: str, until: datetime) -> Head:
    """The head with `token_id` leased to `owner` (as the store's claim does, conditionally)."""
    token = head.tokens[token_id]
    leased = replace(
        token,
        status=TokenStatus.LEASED,
        fence=token.fence + 1,
        owner=owner,
        lease_until=format_timestamp(until),
    )
    return replace(head, tokens={**head.tokens, token_id: leased})


def work(
    machine: StateMachine,
    head: Head,
    token: Token,
    values: Values,
    clock: Callable[[], datetime],
    run_task: Callable[[Invoke], Result],
) -> tuple[Advance, TaskReport | None]:
    """What the token's state comes to; `run_task` is the one step with outside effects."""
    if token.then:
        return resume_wait(token, values), None
    visit = visit_of(head, token, values, machine)
    if token.wait:  # the claim found the wait's deadline passed
        now = clock()
        failed = expired(values(token.wait_info), format_timestamp(now))
        resource = getattr(machine.state(token.state), "resource", "")
        report = TaskReport(resource, None, None, now, failed)
        return complete(machine, visit, failed, runtime_for(head, token, now)), report
    entered = enter(machine, visit, runtime_for(head, token, clock()))
    if not isinstance(entered, Invoke):
        return entered, None
    started = clock()
    limits = (entered.timeout_seconds, entered.heartbeat_seconds)
    kind_of_wait = wait_kind(entered.resource)
    if kind_of_wait in (WaitKind.APPROVAL, WaitKind.EVENT):
        awaited = segue_wait(entered)
        if isinstance(awaited, Await):
            report = TaskReport(
                entered.resource, entered.parameters, started, started, Succeeded(None), True
            )
            return awaited, report
        result: Result = awaited
    else:
        result = run_task(entered)
    ended = clock()
    if kind_of_wait is WaitKind.CALLBACK and isinstance(result, Succeeded):
        awaited = Await(WaitKind.CALLBACK, entered.timeout_seconds, entered.heartbeat_seconds)
        return awaited, TaskReport(
            entered.resource, entered.parameters, started, ended, result, True, *limits
        )
    report = TaskReport(
        entered.resource, entered.parameters, started, ended, result, False, *limits
    )
    return complete(machine, visit, result, runtime_for(head, token, ended)), report


def advance(
    machine: StateMachine,
    head: Head,
    token_id: str,
    outcome: Advance,
    now: datetime,
    values: Values,
    task: TaskReport | None = None,
) -> Decision:
    """Apply what the token's state came to: move on, end, fail, retry, wait or fan out."""
    draft = Draft(machine, head, now, values)
    token = head.tokens[token_id]
    if task is not None:
        draft.task_events(token, task)
    draft.settle(token, outcome)
    return draft.decision()


@dataclass
class Draft:
    """A decision being built (by `advance` here and the operations of `engine.control`)."""

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
            self._unnumbered += not numbered(events[index], events[index + 1], self.machine)
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
            self.fan_out(token, outcome)

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

    def fan_out(self, token: Token, fan_out: FanOut) -> None:
        inputs = [start.input for start in fan_out.starts]
        starts: Json = [[start.state, start.input] for start in fan_out.starts]
        if inputs and all(input is inputs[0] for input in inputs):  # a Parallel's, kept once
            starts = {"input": self.ref(inputs[0]), "states": [s.state for s in fan_out.starts]}
        tolerant = (
            fan_out.tolerated_failure_count is not None
            or fan_out.tolerated_failure_percentage is not None
        )
        parent = replace(token, status=TokenStatus.WAITING, owner="", lease_until="")
        total = len(fan_out.starts)
        join = Join(parent, total, self.ref(starts), 0, fan_out.max_concurrency, tolerant)
        self.event(ev.FAN_OUT_STARTED, token.state, branches=total)
        first = min(join.max_concurrency or total, total)
        self.joins[join.id] = join
        for _ in range(first):
            self.launch(join.id)

    def launch(self, join_id: str) -> None:
        join = self.joins[join_id]
        starts = self.read(join.starts)
        if isinstance(starts, dict):
            state, input = starts["states"][join.launched], self.read(starts["input"])
        else:
            state, input = starts[join.launched]
        self.event(ev.BRANCH_STARTED, join.parent.state, index=join.launched)
        self.new_token(state, input, join.parent.vars, join_id, join.launched)
        self.joins[join_id] = replace(join, launched=join.launched + 1)

    # Ends of branches and of the execution -----------------------------------------------

    def finish(self, token: Token, result: Result) -> None:
        if token.join:
            self.branch_done(self.joins[token.join], token.branch, result)
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

    def branch_done(self, join: Join, index: int, result: Result) -> None:
        state = join.parent.state
        if isinstance(result, Succeeded):
            saved = "ok:" + self.ref(result.output)
            self.event(ev.BRANCH_SUCCEEDED, state, index=index)
        else:
            saved = "err:" + self.ref({"error": result.error, "cause": result.cause})
            self.event(ev.BRANCH_FAILED, state, index=index, error=result.error)
        join = joins.fold(replace(join, results={**join.results, index: saved}), index, self.ref)
        self.joins[join.id] = join
        if isinstance(result, Failed) and not join.tolerant:
            self.close_join(join, (result,))
        elif join.finished == join.total:
            self.close_join(join, joins.collected(join, self.read))
        elif join.launched < join.total:
            self.launch(join.id)

    def close_join(self, join: Join, results: tuple[Result, ...] | Failed) -> None:
        self.cancel_below(join.id)
        del self.joins[join.id]
        parent = join.parent
        failed = isinstance(results, Failed) or (
            not join.tolerant and any(isinstance(r, Failed) for r in results)
        )
        self.event(ev.FAN_OUT_FAILED if failed else ev.FAN_OUT_SUCCEEDED, parent.state)
        visit = visit_of(self.head, parent, self.read, self.machine)
        settled: Settled = complete(
            self.machine, visit, results, runtime_for(self.head, parent, self.now)
        )
        self.settle(parent, settled)

    def cancel_below(self, join_id: str) -> None:
        """Drop every token and join still running under `join_id` (a branch failed)."""
        for token in [t for t in self.tokens.values() if t.join == join_id]:
            del self.tokens[token.id]
            self.event(ev.BRANCH_CANCELLED, token.state, index=token.branch)
        for inner in [j for j in self.joins.values() if j.parent.join == join_id]:
            self.cancel_below(inner.id)
            del self.joins[inner.id]

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


def wants_message(token: Token) -> bool:
    """READY tokens need a worker; a waiting token with a deadline, a wake-up at its time."""
    return token.status is TokenStatus.READY or (
        token.status is TokenStatus.WAITING and bool(token.ready_at)
    )


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


def _stored(values: dict[str, Json]) -> dict[str, Json]:
    return {ref: value for ref, value in values.items() if kind(ref) != INLINE}


def resume_wait(token: Token, values: Values) -> Next | End:
    """What a Wait state goes on to once its time has come."""
    then = values(token.then)
    if "next" in then:
        return Next(then["next"], then["input"], then["assigned"])
    return End(then["end"], then["assigned"])
