"""The inspection document of API.md, built from a head and its committed history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from segue.asl.machine import reachable
from segue.engine import events as ev
from segue.engine.head import Status, is_terminal
from segue.engine.waits import (
    START_EXECUTION,
    WaitKind,
    approval_id,
    base_resource,
    child_of,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from segue.asl import StateMachine
    from segue.engine.head import Head, Token
    from segue.store.dynamo import Page

MOST_CHILDREN = 100
"""Nested executions an inspection lists (the newest), each read for its status."""


def inspection_document(
    head: Head, machine: StateMachine, pages: list[Page], values: Callable[[str], Any]
) -> dict[str, Any]:
    """Current, completed and pending states, variables, waits and the latest checkpoint."""
    completed, entered, unfinished = _completed(pages, values)
    document: dict[str, Any] = {
        "executionId": head.execution_id,
        "stateMachine": head.state_machine,
        "revision": head.revision,
        "name": head.name,
        "status": str(head.status),
        "input": values(head.input),
        "currentStates": [_failures(c, unfinished) for c in current_states(head)],
        "completedStates": completed,
        "pendingStates": _pending(head, machine, entered),
        "failedStates": _failed(head, unfinished),
        "variables": values(head.vars),
        "pause": pause_document(head),
        "pauseBefore": list(head.pause_before),
        "waits": [_wait(head, t, values) for t in head.tokens.values() if t.then or t.wait],
        "checkpoint": {"version": head.version, "at": head.updated_at},
        "timeoutAt": head.deadline or None,
        "createdAt": head.created_at,
        "updatedAt": head.updated_at,
    }
    if head.trigger_rule:
        document["trigger"] = {"rule": head.trigger_rule, "eventId": head.trigger_event}
    if head.parent:
        document["parent"] = {"executionId": head.parent, "waits": bool(head.parent_token)}
    if head.output:
        document["output"] = values(head.output)
    if head.error is not None or head.cause is not None:
        document["error"], document["cause"] = head.error, head.cause
    return document


def children_started(pages: list[Page], values: Callable[[str], Any]) -> list[dict[str, str]]:
    """The nested executions the Tasks of the execution started, oldest first (the newest
    MOST_CHILDREN of them)."""
    resources: dict[str, str] = {}
    found: dict[str, str] = {}
    for page in pages:
        for event in page.events:
            state = event.state or ""
            if event.type == ev.TASK_SCHEDULED:
                resources[state] = str(event.details.get("resource", ""))
            elif (
                event.type in (ev.TASK_SUBMITTED, ev.TASK_SUCCEEDED)
                and "output" in event.details
                and base_resource(resources.get(state, "")) == START_EXECUTION
            ):
                child = child_of(values(event.details["output"]))
                if child:
                    found.pop(child, None)
                    found[child] = state
    return [{"executionId": c, "state": s} for c, s in list(found.items())[-MOST_CHILDREN:]]


def current_states(head: Head) -> list[dict[str, Any]]:
    """Each token's state, and each Parallel or Map waiting on its branches."""
    current = [_current(t) for t in head.tokens.values()]
    current += [_current(j.parent) | {"branches": _branches(j)} for j in head.joins.values()]
    return current


def pause_document(head: Head) -> dict[str, Any] | None:
    """Who asked for the pause, why and when; when it was taken and when it ends by itself."""
    pause = head.pause
    if pause is None:
        return None
    return {
        "id": pause.id,
        "requestedAt": pause.requested_at,
        "by": pause.by,
        "reason": pause.reason,
        "pausedAt": pause.paused_at or None,
        "autoResumeAt": pause.auto_resume_at or None,
    }


def _current(token: Token) -> dict[str, Any]:
    return {
        "name": token.state,
        "token": token.id,
        "status": str(token.status),
        "since": token.entered_at,
        "attempt": token.attempt,
    }


def _branches(join: Any) -> dict[str, int]:
    return {"total": join.total, "started": join.launched, "finished": join.finished}


def _wait(head: Head, token: Token, values: Callable[[str], Any]) -> dict[str, Any]:
    """What a token waits for: its time (a Wait state), or the outside until its deadline."""
    if token.then:
        return {"kind": "timer", "state": token.state, "dueAt": token.ready_at}
    found: dict[str, Any] = {"kind": token.wait, "state": token.state}
    found["dueAt"] = token.ready_at or None
    info = values(token.wait_info)
    if token.wait == WaitKind.EVENT:
        found |= {"name": info["name"], "key": info["key"]}
    elif token.wait == WaitKind.APPROVAL:
        found["key"] = approval_id(head.execution_id, token.id, token.attempt)
    return found


def _completed(
    pages: list[Page], values: Callable[[str], Any]
) -> tuple[list[dict[str, Any]], set[str], dict[str, dict[str, Any]]]:
    """The completed states, the states ever entered, and those entered but not left.

    A state left unfinished carries its last error, when a task of it failed.
    """
    entered_at: dict[str, str] = {}
    attempts: dict[str, int] = {}
    unfinished: dict[str, dict[str, Any]] = {}
    completed: list[dict[str, Any]] = []
    for page in pages:
        for event in page.events:
            state = event.state or ""
            if event.type == ev.STATE_ENTERED:
                entered_at[state] = event.timestamp
                attempts[state] = 0
                unfinished[state] = {"name": state, "enteredAt": event.timestamp}
            elif event.type == ev.TASK_STARTED:
                attempts[state] = attempts.get(state, 0) + 1
            elif event.type == ev.TASK_FAILED and state in unfinished:
                unfinished[state] |= {k: event.details.get(k) for k in ("error", "cause")}
            elif event.type == ev.BRANCH_FAILED and state in unfinished:
                failures = unfinished[state].get("branchesFailed", 0)
                unfinished[state]["branchesFailed"] = failures + 1
            elif event.type == ev.STATE_EXITED:
                unfinished.pop(state, None)
                completed.append(
                    {
                        "name": state,
                        "output": values(event.details["output"]),
                        "enteredAt": entered_at.get(state),
                        "exitedAt": event.timestamp,
                        "attempts": max(1, attempts.get(state, 0)),
                    }
                )
    return completed, set(entered_at), unfinished


def _failures(current: dict[str, Any], unfinished: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A Parallel or Map's branch counts with how many of its branches failed so far."""
    if "branches" not in current:
        return current
    failed = unfinished.get(current["name"], {}).get("branchesFailed", 0)
    return current | {"branches": current["branches"] | {"failed": failed}}


def _failed(head: Head, unfinished: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The states a FAILED or TIMED_OUT execution stopped in (none for any other status)."""
    if head.status not in (Status.FAILED, Status.TIMED_OUT):
        return []
    own = {"error": head.error, "cause": head.cause}  # for a state no task of which failed
    return [
        own | {k: v for k, v in found.items() if k != "branchesFailed"}
        for found in unfinished.values()
    ]


def _pending(head: Head, machine: StateMachine, entered: set[str]) -> list[str]:
    if is_terminal(head.status):
        return []
    active = {t.state for t in head.tokens.values()} | {j.parent.state for j in head.joins.values()}
    return sorted(reachable(machine, active) - entered - active)
