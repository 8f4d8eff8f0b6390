"""segue's history as GetExecutionHistory gives it: AWS's event types, ids and details.

A pure translation of the committed events. Each segue event becomes the AWS events it
stands for (a StateEntered of a Pass state is a `PassStateEntered`, a TaskScheduled of a
Lambda ARN a `LambdaFunctionScheduled`, ...), numbered from 1 as AWS numbers them, with
`previousEventId` by AWS's rules. Events AWS has no word for (pauses, resumes, leases,
schedules, retries) are segue's own: they keep their type, follow the AWS event they
come after, and take ids of their own (`OWN_IDS` + their seq), so that the AWS events of
a run read the same whether or not anyone paused it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from segue.asl import errors
from segue.asl.distributed import MAP_RUN, resource_of
from segue.engine import events as ev
from segue.engine.numbering import MECHANICS, TASKS
from segue.engine.numbering import family as family_of
from segue.service.executions import shown_details

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from segue.asl import StateMachine
    from segue.engine.events import Event

OWN_IDS = 1_000_000_000
"""segue's own events have ids from here on (AWS histories end at 25,000 events)."""
FAN_OUTS = ("Map", "Parallel")
_SERVICE_PREFIX = "arn:aws:states:::"
_HIDDEN_ON_SUCCESS = frozenset({"MapStateSucceeded", "ParallelStateSucceeded"})
_EXECUTION = {
    ev.EXECUTION_STARTED: "ExecutionStarted",
    ev.EXECUTION_SUCCEEDED: "ExecutionSucceeded",
    ev.EXECUTION_FAILED: "ExecutionFailed",
    ev.EXECUTION_TIMED_OUT: "ExecutionTimedOut",
    ev.EXECUTION_CANCELLED: "ExecutionAborted",
    ev.EXECUTION_REDRIVEN: "ExecutionRedriven",
}
_ITERATION = {
    ev.BRANCH_STARTED: "MapIterationStarted",
    ev.BRANCH_SUCCEEDED: "MapIterationSucceeded",
    ev.BRANCH_FAILED: "MapIterationFailed",
    ev.BRANCH_CANCELLED: "MapIterationAborted",
}


def json_text(value: Any) -> str:
    """A JSON document as Step Functions writes it: compact, characters as they are."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def epoch(timestamp: str) -> float:
    """An ISO 8601 timestamp as the seconds AWS's JSON protocol carries."""
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


@dataclass
class _Entry:
    type: str
    timestamp: str
    details_key: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    own_seq: int | None = None


@dataclass
class Translator:
    """Turns one execution's events, in order, into AWS's history events."""

    machine: StateMachine
    role_arn: str
    values: Callable[[Any], Any]
    """Resolves a document reference of an event's details to the document."""
    include_data: bool = True

    def translate(self, events: Iterable[tuple[int, Event]]) -> list[dict[str, Any]]:
        """Every AWS event (and segue's own) of `events`, numbered."""
        pending = list(events)
        entries: list[_Entry] = []
        for index, (seq, event) in enumerate(pending):
            following = pending[index + 1][1] if index + 1 < len(pending) else None
            if event.type in MECHANICS:
                continue
            made = self._entries(event, following)
            if made is None:
                entries.append(self._own(seq, event))
            else:
                entries += made
        return _numbered(entries)

    # One segue event -------------------------------------------------------------------------

    def _entries(self, event: Event, following: Event | None) -> list[_Entry] | None:
        """The AWS events of `event`: None when AWS has none (segue's own), [] to drop it."""
        kind = self._type_of(event.state)
        at = event.timestamp
        if event.type in _EXECUTION:
            return [self._execution(event)]
        if event.type == ev.STATE_ENTERED:
            body = {"name": event.state} | self._data("input", event.details.get("input"))
            return [_Entry(f"{kind}StateEntered", at, "stateEnteredEventDetails", body)]
        if event.type == ev.STATE_EXITED:
            return [self._exited(event, kind)]
        if event.type in _ITERATION:  # a Parallel's branches have no events of their own
            name = _ITERATION[event.type]
            return (
                [_Entry(name, at, _details_key(name), _iteration(event))] if kind == "Map" else []
            )
        if event.type == ev.FAN_OUT_STARTED:
            if kind == "Map":
                body = {"length": event.details["branches"]}
                return [_Entry("MapStateStarted", at, "mapStateStartedEventDetails", body)]
            return [_Entry(f"{kind}StateStarted", at)]
        if event.type in (ev.FAN_OUT_SUCCEEDED, ev.FAN_OUT_FAILED):
            failed = event.type == ev.FAN_OUT_FAILED
            if failed and following is not None and following.type == ev.RETRY_SCHEDULED:
                return []  # AWS gives a state's failure only when no retry follows
            return [_Entry(f"{kind}State{'Failed' if failed else 'Succeeded'}", at)]
        if event.type in TASKS:
            return self._task(event, following)
        return None

    def _execution(self, event: Event) -> _Entry:
        name, details = _EXECUTION[event.type], event.details
        body: dict[str, Any]
        if event.type == ev.EXECUTION_STARTED:
            body = self._data("input", details.get("input")) | {"roleArn": self.role_arn}
        elif event.type == ev.EXECUTION_SUCCEEDED:
            body = self._data("output", details.get("output"))
        elif event.type == ev.EXECUTION_REDRIVEN:
            body = {"redriveCount": details.get("redriveCount", 1)}
        else:
            body = _failure(details)
        return _Entry(name, event.timestamp, _details_key(name), body)

    def _exited(self, event: Event, kind: str) -> _Entry:
        body: dict[str, Any] = {"name": event.state}
        body |= self._data("output", event.details.get("output"))
        if "assigned" in event.details:
            assigned = self.values(event.details["assigned"])
            body["assignedVariables"] = {k: json_text(v) for k, v in assigned.items()}
            body["assignedVariablesDetails"] = {"truncated": False}
        return _Entry(f"{kind}StateExited", event.timestamp, "stateExitedEventDetails", body)

    def _task(self, event: Event, following: Event | None) -> list[_Entry]:
        state = self.machine.state(event.state or "")
        resource = resource_of(state) if state is not None else ""
        at, details = event.timestamp, event.details
        if event.type == ev.TASK_SCHEDULED and resource == MAP_RUN:
            body = {"length": 0}  # its items are read by the run, not counted here
            return [_Entry("MapStateStarted", at, "mapStateStartedEventDetails", body)]
        if event.type == ev.TASK_SCHEDULED:
            # the task's parameters and time limits, as evaluated, are kept on TaskStarted
            started = following.details if following and following.type == ev.TASK_STARTED else {}
            return [self._scheduled(resource, started, at)]
        family = family_of(resource)
        if family == "MapRun":
            return self._map_run(event, following)
        service = _service(resource) if family == "Task" else {}
        if event.type == ev.TASK_SUBMITTED and family != "Task":
            return []  # only an integration tells of a submission
        if event.type == ev.TASK_STARTED and family == "Activity":
            return []  # an activity starts when a worker takes it: ActivityStarted below
        if event.type == ev.ACTIVITY_STARTED:
            body = {"workerName": details.get("worker", "")}
            return [_Entry("ActivityStarted", at, "activityStartedEventDetails", body)]
        if event.type == ev.TASK_STARTED:
            name = f"{family}Started"
            return [_Entry(name, at, _details_key(name) if service else None, service)]
        if event.type in (ev.TASK_SUBMITTED, ev.TASK_SUCCEEDED):
            word = "Submitted" if event.type == ev.TASK_SUBMITTED else "Succeeded"
            body = service | self._data("output", details.get("output"))
            return [_Entry(f"{family}{word}", at, _details_key(f"{family}{word}"), body)]
        word = "TimedOut" if details.get("error") == errors.TIMEOUT else "Failed"
        body = service | _failure(details)
        return [_Entry(f"{family}{word}", at, _details_key(f"{family}{word}"), body)]

    def _map_run(self, event: Event, following: Event | None) -> list[_Entry]:
        """A Distributed Map's task as AWS tells it: its run started, then how it ended."""
        at, details = event.timestamp, event.details
        if event.type == ev.TASK_SUBMITTED:
            handed = self._value(details.get("output"))
            body = {"mapRunArn": handed.get("MapRunArn", "")} if isinstance(handed, dict) else {}
            return [_Entry("MapRunStarted", at, "mapRunStartedEventDetails", body)]
        if event.type == ev.TASK_SUCCEEDED:
            return [_Entry("MapRunSucceeded", at), _Entry("MapStateSucceeded", at)]
        if event.type == ev.TASK_FAILED:
            failed = [_Entry("MapRunFailed", at, "mapRunFailedEventDetails", _failure(details))]
            if following is None or following.type != ev.RETRY_SCHEDULED:
                failed.append(_Entry("MapStateFailed", at))
            return failed
        return []

    def _scheduled(self, resource: str, started: dict[str, Any], at: str) -> _Entry:
        parameters = started.get("parameters")
        timeouts = {
            aws: started[key]
            for key, aws in (
                ("timeoutSeconds", "timeoutInSeconds"),
                ("heartbeatSeconds", "heartbeatInSeconds"),
            )
            if key in started
        }
        family = family_of(resource)
        if family != "Task":
            body = {"resource": resource} | self._data("input", parameters) | timeouts
            name = f"{family}Scheduled"
            return _Entry(name, at, _details_key(name), body)
        region = resource.split(":")[3] if resource.startswith("arn:") else ""
        body = _service(resource) | {"region": region or "us-east-1"}
        if self.include_data:
            body["parameters"] = json_text(self._value(parameters))
        return _Entry("TaskScheduled", at, "taskScheduledEventDetails", body | timeouts)

    def _own(self, seq: int, event: Event) -> _Entry:
        details = shown_details(event.details, self.values)
        if event.state is not None:
            details = {"state": event.state} | details
        return _Entry(event.type, event.timestamp, "segueEventDetails", details, own_seq=seq)

    # Pieces --------------------------------------------------------------------------------

    def _type_of(self, state: str | None) -> str:
        if state is None or state not in self.machine.states:
            return ""
        return str(self.machine.state(state).type)

    def _data(self, key: str, ref: Any) -> dict[str, Any]:
        """`input` or `output` as JSON text with its `...Details`, unless data is left out."""
        if not self.include_data:
            return {f"{key}Details": {"truncated": False}}
        return {key: json_text(self._value(ref)), f"{key}Details": {"truncated": False}}

    def _value(self, ref: Any) -> Any:
        """The document a reference names (no reference: nothing was kept, `{}`)."""
        return {} if ref is None else self.values(ref)


def _details_key(event_type: str) -> str:
    """`MapIterationStarted` → `mapIterationStartedEventDetails` (as AWS names them)."""
    return event_type[0].lower() + event_type[1:] + "EventDetails"


def _iteration(event: Event) -> dict[str, Any]:
    return {"index": event.details["index"], "name": event.state}


def _failure(details: dict[str, Any]) -> dict[str, Any]:
    """`error` and `cause` as AWS gives them: left out when there is none."""
    return {k: details[k] for k in ("error", "cause") if details.get(k)}


def _service(resource: str) -> dict[str, str]:
    """`resourceType` and `resource` of an integration (`arn:aws:states:::sqs:sendMessage`)."""
    if resource.startswith(_SERVICE_PREFIX):
        kind, _, action = resource[len(_SERVICE_PREFIX) :].partition(":")
        return {"resourceType": kind, "resource": action}
    kind, _, action = resource.partition(":")
    return {"resourceType": kind, "resource": action or resource}


def _numbered(entries: list[_Entry]) -> list[dict[str, Any]]:
    """Ids and previousEventIds as AWS gives them (see the module's docstring)."""
    out: list[dict[str, Any]] = []
    last = 0  # the id of the last AWS event
    before_last = 0
    aws_types: list[str] = []
    for entry in entries:
        event: dict[str, Any] = {"timestamp": epoch(entry.timestamp), "type": entry.type}
        if entry.own_seq is not None:
            event |= {"id": OWN_IDS + entry.own_seq, "previousEventId": last}
        else:
            number = len(aws_types) + 1
            event |= {
                "id": number,
                "previousEventId": _previous(entry.type, aws_types, last, before_last),
            }
            before_last, last = _link_target(entry.type, aws_types, last, before_last, number)
            aws_types.append(entry.type)
        if entry.details_key:
            event[entry.details_key] = entry.details
        out.append(event)
    return out


def _previous(kind: str, seen: list[str], last: int, before_last: int) -> int:
    if len(seen) == 1 and seen[0] == "ExecutionStarted":
        return 0  # the first state's entry names no previous event
    if not seen:
        return 0
    if kind == "MapIterationStarted" and seen[-1] == "MapIterationSucceeded":
        return before_last
    if kind == "MapStateSucceeded" and seen[-1] == "MapRunSucceeded":
        return len(seen)  # the run's end, which the state's exit then links past
    return last


def _link_target(
    kind: str, seen: list[str], last: int, before_last: int, number: int
) -> tuple[int, int]:
    """(before_last, last) after the event `number` of type `kind`.

    AWS links past a finished iteration's failure, a fan-out's success and a map run's:
    the next event names the one before them.
    """
    linked_past = ("MapIterationFailed", "MapIterationAborted", "MapRunSucceeded")
    if kind in _HIDDEN_ON_SUCCESS or kind in linked_past:
        return before_last, last
    return last, number
