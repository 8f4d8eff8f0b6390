"""Callbacks, approvals and external events: what ends a Task that waits for the outside.

A delivery is one commit through `service.changes.change` (`engine.deliveries` decides), so of
two deliveries to one wait one takes effect and the other gets a 409. The records of
`store.waits` bridge the moments when the wait is not committed yet: a callback that
comes while its task is still handing the token over, an event that comes before any
wait for it. Each side writes first and reads the other second, so none is lost.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from segue.asl import Failed, Succeeded
from segue.asl.timestamps import format_timestamp
from segue.engine import deliveries, refs
from segue.engine.control import NotAllowed
from segue.engine.measures import count
from segue.engine.waits import WaitKind, approval_id, read_task_token, signed_by
from segue.service.changes import change
from segue.service.errors import ConflictingRequestError, NotFoundError
from segue.service.limits import check_document
from segue.service.names import is_execution_id
from segue.store.retention import expiry_of_write
from segue.store.values import Owner
from segue.store.waits import APPROVAL_STATUSES, KeptEvent, Waiter
from segue.telemetry import metrics

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from segue.asl import Result, StateMachine
    from segue.asl.outcomes import Json
    from segue.engine.decision import Decision
    from segue.engine.head import Head, Token
    from segue.engine.refs import Values
    from segue.engine.waits import TaskToken
    from segue.service.wiring import Services
    from segue.store.waits import WaitStore

log = logging.getLogger("segue.waits")

APPROVAL_REJECTED = "Segue.ApprovalRejected"


@dataclass
class Waits:
    """Deliveries to waiting tasks, and the effects of waits starting and ending."""

    services: Services
    clock: Callable[[], datetime]

    @property
    def store(self) -> WaitStore:
        return self.services.waits

    def deliver(
        self, execution_id: str, token: str, attempt: int, kind: WaitKind, result: Result
    ) -> Head | None:
        """End the wait with `result`; None while a callback task is still handing over.

        ConflictingRequestError (409) once the wait is closed.
        """
        try:
            return change(
                self.services,
                execution_id,
                lambda machine, head, values, now: deliveries.deliver(
                    machine,
                    head,
                    token_id=token,
                    attempt=attempt,
                    kind=kind,
                    result=result,
                    now=now,
                    values=values,
                ),
                self.clock,
            )
        except deliveries.HandingOver:
            return None

    # Callbacks (task tokens) ------------------------------------------------------------------

    def task_succeeded(self, task_token: str, output: Json) -> None:
        """POST /tasks/success."""
        check_document(output, "the output")
        self.answer(task_token, {"output": output})

    def task_failed(self, task_token: str, error: str | None, cause: str | None) -> None:
        """POST /tasks/failure (an error or cause not given stays null, as on AWS)."""
        self.answer(task_token, {"error": error, "cause": cause})

    def heartbeat(self, task_token: str, worker: str | None = None) -> None:
        """POST /tasks/heartbeat: the task's heartbeat deadline starts again.

        `worker` names the activity worker that has just taken the task (recorded).
        """
        named, _ = self._verified(task_token)

        def decide(machine: StateMachine, head: Head, values: Values, now: datetime) -> Decision:
            decision = deliveries.heartbeat(
                machine,
                head,
                token_id=named.token,
                attempt=named.attempt,
                now=now,
                values=values,
                worker=worker,
            )
            if decision is None:
                raise _NoChange
            return decision

        try:
            change(self.services, named.execution_id, decide, self.clock)
        except (_NoChange, deliveries.HandingOver):
            pass

    def answer(self, task_token: str, outcome: dict[str, Json]) -> None:
        """End a callback wait with `outcome`: {"output"} or {"error", "cause"}."""
        named, head = self._verified(task_token)
        try:
            deliveries.waiting_token(head, named.token, named.attempt, WaitKind.CALLBACK)
        except deliveries.HandingOver:
            pass  # the result is kept below; the task's worker takes it once it waits
        except NotAllowed as closed:
            raise ConflictingRequestError(f"the task token is closed: {closed}") from closed
        now = self.clock()
        expires = expiry_of_write(now, self.services.store.retention)
        ref = self.services.documents.keep(named.execution_id, outcome, now)
        if not self.store.put_outcome(named.execution_id, named.token, named.attempt, ref, expires):
            raise ConflictingRequestError("the task token was already used")
        result = _result(outcome)
        self.deliver(named.execution_id, named.token, named.attempt, WaitKind.CALLBACK, result)

    def _verified(self, task_token: str) -> tuple[TaskToken, Head]:
        """The token's name and its execution's head; 404 for a token segue did not make."""
        read = read_task_token(task_token)
        if read is not None and not is_execution_id(read[0].execution_id):
            read = None
        head = None if read is None else self.services.store.get_head(read[0].execution_id)
        if read is None or head is None or not signed_by(head, read[1]):
            raise NotFoundError("unknown task token")
        return read[0], head

    # Approvals ---------------------------------------------------------------------------------

    def approvals(self, status: str | None, limit: int) -> dict[str, Any]:
        """GET /approvals: newest first, of one status or of every status."""
        statuses = APPROVAL_STATUSES if status is None else (status,)
        items = [r for s in statuses for r in self.store.approvals(s, limit)]
        items.sort(key=lambda r: r["created_at"], reverse=True)
        return {"items": [_approval_document(r) for r in items[:limit]]}

    def decide(
        self, approval: str, approved: bool, by: str, comment: str, data: Json
    ) -> dict[str, Any]:
        """Approve or reject; the first decision wins, a later one is a 409."""
        check_document(data, "the approval's data")
        record = self.store.get_approval(approval)
        if record is None:
            raise NotFoundError(f"no approval {approval!r}")
        status = "APPROVED" if approved else "REJECTED"
        now = self.clock()
        fields = {"decided_by": by, "comment": comment, "decided_at": format_timestamp(now)}
        fields["data_ref"] = self.services.documents.keep(record["execution_id"], data, now)
        if not self.store.close_approval(approval, status, fields):
            self._apply_decision(self.store.get_approval(approval) or record)  # heal a lost one
            raise ConflictingRequestError(
                f"approval {approval!r} is already {record['approval_status']}"
            )
        decided = record | fields | {"approval_status": status}
        metrics.record([count("ApprovalsDecided")])
        try:
            self._apply_decision(decided, strict=True)
        except ConflictingRequestError as closed:
            raise ConflictingRequestError(
                f"approval {approval!r} was recorded, but its execution no longer waits: {closed}"
            ) from closed
        return _approval_document(decided)

    def _apply_decision(self, record: dict[str, Any], strict: bool = False) -> None:
        if record["approval_status"] not in ("APPROVED", "REJECTED"):
            return
        data = self.services.documents.get(record["execution_id"], refs.kept_in(record, "data"))
        by, comment = record.get("decided_by", ""), record.get("comment", "")
        result: Result = (
            Succeeded({"approved": True, "by": by, "comment": comment, "data": data})
            if record["approval_status"] == "APPROVED"
            else Failed(APPROVAL_REJECTED, json.dumps({"by": by, "comment": comment}))
        )
        try:
            self.deliver(
                record["execution_id"],
                record["token"],
                int(record["attempt"]),
                WaitKind.APPROVAL,
                result,
            )
        except (ConflictingRequestError, NotFoundError):
            if strict:
                raise

    # External events ----------------------------------------------------------------------------

    def publish(self, name: str, key: str, payload: Json, event_id: str) -> int:
        """Deliver an event to every wait for (name, key), or keep it for the first to come."""
        check_document(payload, "the event's payload")
        now = self.clock()
        expires = int((now + timedelta(seconds=self.services.settings.inbox_seconds)).timestamp())
        ref = self.services.documents.keep(Owner.inbox(name, key), payload, now)
        self.store.keep_event(name, key, KeptEvent(event_id, format_timestamp(now), ref), expires)
        delivered = 0
        for waiter in self.store.waiters(name, key):
            if self._give(name, key, waiter, payload):
                delivered += 1
        if delivered:
            self.store.take_event(name, key, event_id, "waiters")
        metrics.record([count("EventsDelivered" if delivered else "EventsBuffered")])
        return delivered

    def _give(self, name: str, key: str, waiter: Waiter, payload: Json) -> bool:
        try:
            head = self.deliver(
                waiter.execution_id,
                waiter.token,
                waiter.attempt,
                WaitKind.EVENT,
                Succeeded(payload),
            )
        except (ConflictingRequestError, NotFoundError):
            head = None  # that wait ended another way: its record goes
        self.store.delete_waiter(name, key, waiter)
        return head is not None

    # Effects of waits starting and ending (called after the commit) -------------------------

    def started(self, head: Head, token: Token) -> None:
        """Register a wait that was just committed, and take what came for it early."""
        info = self.services.documents.reader(head.execution_id)(token.wait_info)
        if token.wait == WaitKind.APPROVAL:
            self.store.put_approval(
                approval_id(head.execution_id, token.id, token.attempt),
                {
                    "execution_id": head.execution_id,
                    "state": token.state,
                    "token": token.id,
                    "attempt": token.attempt,
                    "message": info.get("message", ""),
                    "approvers": info.get("approvers", []),
                    "created_at": head.updated_at,
                    "expires_at": expiry_of_write(self.clock(), self.services.store.retention),
                },
            )
            metrics.record([count("ApprovalsOpened")])
        elif token.wait == WaitKind.EVENT:
            self._register(head, token, info["name"], info["key"])
        elif token.wait == WaitKind.CALLBACK:
            early = self.store.get_outcome(head.execution_id, token.id, token.attempt)
            if early is not None:
                outcome = self.services.documents.get(head.execution_id, early)
                self._quietly(head.execution_id, token, _result(outcome))

    def ended(self, head: Head, token: Token) -> None:
        """Close the records of a wait that ended some other way (timeout, cancel, failure)."""
        if token.wait == WaitKind.APPROVAL:
            timed_out = bool(token.ready_at) and token.ready_at <= head.updated_at
            status = "TIMED_OUT" if timed_out else "CANCELLED"
            fields = {"decided_at": head.updated_at}
            self.store.close_approval(
                approval_id(head.execution_id, token.id, token.attempt), status, fields
            )
        elif token.wait == WaitKind.EVENT:
            info = self.services.documents.reader(head.execution_id)(token.wait_info)
            waiter = Waiter(head.execution_id, token.id, token.attempt)
            self.store.delete_waiter(info["name"], info["key"], waiter)

    def _register(self, head: Head, token: Token, name: str, key: str) -> None:
        waiter = Waiter(head.execution_id, token.id, token.attempt)
        expires = expiry_of_write(self.clock(), self.services.store.retention)
        self.store.put_waiter(name, key, waiter, expires)
        taker = f"{head.execution_id}#{token.id}#{token.attempt}"
        now = int(self.clock().timestamp())
        for event in self.store.kept_events(name, key, now, taker):
            if not self.store.take_event(name, key, event.event_id, taker):
                continue
            payload = self.services.documents.get(Owner.inbox(name, key), event.payload_ref)
            if not self._quietly(head.execution_id, token, Succeeded(payload)):
                # an event delivered meanwhile ended the wait: this one stays for the next
                self.store.release_event(name, key, event.event_id, taker)
            self.store.delete_waiter(name, key, waiter)
            return

    def _quietly(self, execution_id: str, token: Token, result: Result) -> bool:
        """A delivery from an effect; False if the wait closed meanwhile (which is fine)."""
        try:
            self.deliver(execution_id, token.id, token.attempt, WaitKind(token.wait), result)
        except (ConflictingRequestError, NotFoundError) as closed:
            log.info("delivery to %s/%s not needed: %s", execution_id, token.id, closed)
            return False
        return True


class _NoChange(Exception):
    """A heartbeat for a task without HeartbeatSeconds: nothing to commit."""


def _result(outcome: dict[str, Json]) -> Result:
    if "output" in outcome:
        return Succeeded(outcome["output"])
    error, cause = outcome.get("error"), outcome.get("cause")
    return Failed(None if error is None else str(error), None if cause is None else str(cause))


def _approval_document(record: dict[str, Any]) -> dict[str, Any]:
    document = {
        "approvalId": record["approval_id"],
        "executionId": record["execution_id"],
        "state": record["state"],
        "message": record.get("message", ""),
        "approvers": list(record.get("approvers", [])),
        "createdAt": record["created_at"],
        "status": record["approval_status"],
    }
    if record.get("decided_at"):
        document["decidedAt"] = record["decided_at"]
    if record.get("decided_by"):
        document["by"] = record["decided_by"]
        document["comment"] = record.get("comment", "")
    return document
