"""Tasks that wait for the outside world: callbacks, approvals and external events. Pure.

A waiting token is WAITING with `wait` naming the kind and `ready_at` its next deadline
(the timeout, or the heartbeat when that comes first); `wait_info` refers to what the
wait needs later (its deadlines, the approval's message, the event's name and key).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from segue.asl import Failed, errors
from segue.asl.distributed import MAP_RUN
from segue.asl.timestamps import format_timestamp

if TYPE_CHECKING:
    from datetime import datetime

    from segue.asl import Invoke, Result
    from segue.asl.outcomes import Json
    from segue.engine.head import Head, Token
    from segue.engine.refs import Values

CALLBACK_SUFFIX = ".waitForTaskToken"
START_EXECUTION = "arn:aws:states:::states:startExecution"
SYNC_SUFFIXES = {".sync": 1, ".sync:2": 2}
"""A nested execution the Task waits for: 1 gives its output as JSON text, 2 as JSON."""
_EXECUTION_ARN = re.compile(
    r"arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:(?P<id>[^:]+:[^:]+)"
)
_ACTIVITY = re.compile(r"arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:(?P<name>[^:]+)")
APPROVAL = "segue:approval"
WAIT_FOR_EVENT = "segue:waitForEvent"
MAX_KEY_LENGTH = 256


class WaitKind(StrEnum):
    """What a waiting Task waits for (the inspection document's `waits[].kind`)."""

    CALLBACK = "callback"
    APPROVAL = "approval"
    EVENT = "event"


@dataclass(frozen=True)
class Await:
    """A Task that waits: for a callback, a decision or an event, until its deadlines."""

    kind: WaitKind
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None
    details: dict[str, Json] = field(default_factory=dict)


def wait_kind(resource: str) -> WaitKind | None:
    """The kind of wait a Task resource makes, or None for a task that simply runs."""
    if (
        resource.endswith(CALLBACK_SUFFIX)
        or activity_name(resource)
        or sync_mode(resource)
        or resource == MAP_RUN
    ):
        # an activity's worker answers with the task token too, a nested execution's end
        # answers its parent's (`$$.Task.Token` may be answered first by anyone), and a
        # map run's end answers its Distributed Map's
        return WaitKind.CALLBACK
    if resource == APPROVAL:
        return WaitKind.APPROVAL
    if resource == WAIT_FOR_EVENT:
        return WaitKind.EVENT
    return None


def activity_name(resource: str) -> str | None:
    """The activity a Task resource names (`arn:aws:states:<region>:<account>:activity:<n>`)."""
    found = _ACTIVITY.fullmatch(resource)
    return found["name"] if found else None


def base_resource(resource: str) -> str:
    """The resource a waiting task calls (without `.waitForTaskToken`, `.sync`, `.sync:2`)."""
    if sync_mode(resource):
        return START_EXECUTION
    return resource.removesuffix(CALLBACK_SUFFIX)


def sync_mode(resource: str) -> int:
    """1 for `states:startExecution.sync`, 2 for `.sync:2`, else 0."""
    base, dot, pattern = resource.partition(".")
    return SYNC_SUFFIXES.get(dot + pattern, 0) if base == START_EXECUTION else 0


def child_of(started: Json) -> str:
    """The execution id a StartExecution answer names ("" for none)."""
    arn = started.get("ExecutionArn") if isinstance(started, dict) else None
    return execution_of(arn) if isinstance(arn, str) else ""


def waited_for(resource: str, handed_over: Json) -> dict[str, Json]:
    """What a task that waits after handing over names: the child or the map run it started."""
    if sync_mode(resource):
        child = child_of(handed_over)
        return {"child": child} if child else {}
    if resource == MAP_RUN and isinstance(handed_over, dict) and "mapRun" in handed_over:
        return {"mapRun": handed_over["mapRun"]}
    return {}


def execution_of(arn: str) -> str:
    """The execution id of an execution ARN of any region and account ("" for none)."""
    found = _EXECUTION_ARN.fullmatch(arn)
    return found["id"] if found else ""


def segue_wait(invoke: Invoke) -> Await | Failed:
    """What `segue:approval` or `segue:waitForEvent` waits for, from its Parameters."""
    parameters = invoke.parameters if isinstance(invoke.parameters, dict) else {}
    timeout = parameters.get("TimeoutSeconds", invoke.timeout_seconds)
    if timeout is not None and (
        not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0
    ):
        return _bad(invoke.resource, "TimeoutSeconds must be a positive integer")
    if invoke.resource == APPROVAL:
        message = parameters.get("Message", "")
        approvers = parameters.get("Approvers", [])
        if not isinstance(message, str):
            return _bad(invoke.resource, "Message must be a string")
        if not isinstance(approvers, list) or not all(isinstance(a, str) for a in approvers):
            return _bad(invoke.resource, "Approvers must be a list of strings")
        details: dict[str, Json] = {"message": message, "approvers": approvers}
        return Await(WaitKind.APPROVAL, timeout, None, details)
    name, key = parameters.get("EventName"), parameters.get("CorrelationKey")
    for label, value in (("EventName", name), ("CorrelationKey", key)):
        if not isinstance(value, str) or not 0 < len(value) <= MAX_KEY_LENGTH:
            return _bad(invoke.resource, f"{label} must be a string of 1 to {MAX_KEY_LENGTH}")
    return Await(WaitKind.EVENT, timeout, None, {"name": name, "key": key})


def _bad(resource: str, problem: str) -> Failed:
    return Failed(errors.TASK_FAILED, f"{resource}: {problem}")


def deadlines(wait: Await, now: datetime) -> dict[str, Json]:
    """The wait's deadlines as timestamps (an absent one never comes)."""
    found: dict[str, Json] = {"kind": str(wait.kind), **wait.details}
    if wait.timeout_seconds:
        found["timeoutAt"] = format_timestamp(now + timedelta(seconds=wait.timeout_seconds))
    if wait.heartbeat_seconds:
        found["heartbeatSeconds"] = wait.heartbeat_seconds
        found["heartbeatAt"] = format_timestamp(now + timedelta(seconds=wait.heartbeat_seconds))
    return found


def next_deadline(info: dict[str, Json]) -> str:
    """The earliest of the wait's deadlines ("" when it waits for ever)."""
    due = [info[k] for k in ("timeoutAt", "heartbeatAt") if info.get(k)]
    return str(min(due)) if due else ""


def expired(info: dict[str, Json], now_text: str) -> Result:
    """The failure a wait whose deadline came ends with."""
    timeout = info.get("timeoutAt")
    if timeout and str(timeout) <= now_text:
        return Failed(errors.TIMEOUT, "")
    return Failed(errors.HEARTBEAT_TIMEOUT, "")


# Task tokens -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskToken:
    """What a task token names: one attempt of one token of one execution."""

    execution_id: str
    token: str
    attempt: int


def task_token(head: Head, token: Token) -> str:
    """The token handed to the outside: its name, signed with the execution's own secret."""
    named = json.dumps([head.execution_id, token.id, token.attempt], separators=(",", ":"))
    body = base64.urlsafe_b64encode(named.encode("utf-8")).decode("ascii").rstrip("=")
    return f"{body}.{_signature(head.secret, body)}"


def read_task_token(text: str) -> tuple[TaskToken, str] | None:
    """The name and signature in a task token; None when it is not one segue made."""
    body, dot, signature = text.partition(".")
    if not dot or not body or len(text) > 1024 or not text.isascii():
        return None
    try:
        named = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not (
        isinstance(named, list)
        and len(named) == 3
        and isinstance(named[0], str)
        and isinstance(named[1], str)
        and type(named[2]) is int
        and 1 <= named[2] < 2**31
    ):
        return None
    return TaskToken(named[0], named[1], named[2]), f"{body}.{signature}"


def signed_by(head: Head, text: str) -> bool:
    """True if `text` was signed with this execution's secret (constant-time compare)."""
    body, _, signature = text.partition(".")
    return bool(head.secret) and hmac.compare_digest(signature, _signature(head.secret, body))


def _signature(secret: str, body: str) -> str:
    return hmac.new(secret.encode("ascii"), body.encode("ascii"), hashlib.sha256).hexdigest()[:40]


def approval_id(execution_id: str, token: str, attempt: int) -> str:
    """Deterministic, so a repeated effect writes the same approval record."""
    digest = hashlib.sha256(f"{execution_id}/{token}/{attempt}".encode()).hexdigest()
    return f"ap-{digest[:32]}"


def child_waited(token: Token, values: Values) -> str:
    """The nested execution a `.sync` task's token waits for ("" for none)."""
    return _waited(token, values, "child")


def map_run_waited(token: Token, values: Values) -> str:
    """The map run a Distributed Map's token waits for ("" for none)."""
    return _waited(token, values, "mapRun")


def _waited(token: Token, values: Values, key: str) -> str:
    """What a callback wait names under `key` (`waited_for` put it there)."""
    if token.wait != WaitKind.CALLBACK or not token.wait_info:
        return ""
    info = values(token.wait_info)
    found = info.get(key) if isinstance(info, dict) else None
    return found if isinstance(found, str) else ""


def children_waited(head: Head, values: Values) -> tuple[str, ...]:
    """The nested executions the head's `.sync` tasks wait for."""
    found = (child_waited(t, values) for t in head.tokens.values())
    return tuple(child for child in found if child)
