"""What waits for the outside keeps in the table: callback results, approvals, events.

Each record is written with a condition that makes it happen once: a callback result
per task attempt, a decision per approval, a taking per inbox event. Waits and events
meet through two partitions per (name, key): the waits registered for the pair and
the events kept for it. Each side writes itself first, then reads the other, so
whichever comes second finds the first: no wake-up is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from segue.engine import refs
from segue.store import keys
from segue.store.errors import ConflictError
from segue.store.table import Table, to_item

APPROVAL_STATUSES = ("PENDING", "APPROVED", "REJECTED", "TIMED_OUT", "CANCELLED")


@dataclass(frozen=True)
class Waiter:
    """One attempt of one token waiting for an event."""

    execution_id: str
    token: str
    attempt: int


@dataclass(frozen=True)
class KeptEvent:
    """An event in the inbox; its payload is a document of the inbox's (`store.values`)."""

    event_id: str
    received_at: str
    payload_ref: str


class WaitStore(Table):
    """Callback results, approval records, event waits and the event inbox."""

    # Callback results -----------------------------------------------------------------------

    def put_outcome(
        self, execution_id: str, token: str, attempt: int, outcome_ref: str, expires_at: int
    ) -> bool:
        """Keep a callback's result (a reference to the execution's document of it); False if
        this attempt already has another (the token is used).

        The same result again is a success: it is a retry of a write whose answer was lost
        (or the same answer sent twice), which is safe to deliver again.
        """
        attributes = {"outcome_ref": outcome_ref, "expires_at": expires_at}
        key = keys.outcome(execution_id, token, attempt)
        try:
            self._put(key, attributes, "attribute_not_exists(sk)", return_old=True)
        except ConflictError as taken:
            return (taken.item or {}).get("outcome_ref") == outcome_ref
        return True

    def get_outcome(self, execution_id: str, token: str, attempt: int) -> str | None:
        """The reference of an attempt's callback result, if one came."""
        item = self._get(keys.outcome(execution_id, token, attempt))
        if item is None:
            return None
        return refs.kept_in(item, "outcome")

    # Approvals ------------------------------------------------------------------------------

    def put_approval(self, approval_id: str, record: dict[str, Any]) -> None:
        """Create a PENDING approval; one already there (a repeated effect) is left as it is."""
        attributes = record | _listed(approval_id, "PENDING", record["created_at"])
        try:
            self._put(keys.approval(approval_id), attributes, "attribute_not_exists(sk)")
        except ConflictError:
            pass

    def get_approval(self, approval_id: str) -> dict[str, Any] | None:
        return self._get(keys.approval(approval_id))

    def close_approval(self, approval_id: str, status: str, fields: dict[str, Any]) -> bool:
        """Move a PENDING approval to `status` with `fields`; False if it was not PENDING.

        Finding it closed with these very fields is a success: the retry of a write whose
        answer was lost.
        """
        record = self.get_approval(approval_id)
        if record is None or record["approval_status"] != "PENDING":
            return False
        updated = record | fields | _listed(approval_id, status, record["created_at"])
        try:
            self._put(
                keys.approval(approval_id),
                {k: v for k, v in updated.items() if k not in ("pk", "sk")},
                "approval_status = :pending",  # decided once: the first decision wins
                {":pending": "PENDING"},
                return_old=True,
            )
        except ConflictError as taken:
            stored = taken.item or {}
            closed = {**fields, "approval_status": status}
            return all(stored.get(name) == value for name, value in closed.items())
        return True

    def approvals(self, status: str, limit: int) -> list[dict[str, Any]]:
        """The approvals in `status`, newest first."""
        found = self._query(
            "kind = :kind",
            {":kind": f"{keys.APPROVAL}#{status}"},
            index="ByKind",
            forward=False,
            limit=limit,
        )
        return self._batch_get([{"pk": i["pk"], "sk": i["sk"]} for i in found[:limit]])

    # Event waits and the inbox ----------------------------------------------------------------

    def put_waiter(self, name: str, key: str, waiter: Waiter, expires_at: int) -> None:
        item_key = keys.waiter(name, key, waiter.execution_id, waiter.token, waiter.attempt)
        attributes = {
            "execution_id": waiter.execution_id,
            "token": waiter.token,
            "attempt": waiter.attempt,
            "expires_at": expires_at,
        }
        self._put(item_key, attributes)

    def waiters(self, name: str, key: str) -> list[Waiter]:
        pk = keys.waiter(name, key, "", "", 0)["pk"]
        return [
            Waiter(i["execution_id"], i["token"], int(i["attempt"]))
            for i in self._query("pk = :pk", {":pk": pk}, index=None)
        ]

    def delete_waiter(self, name: str, key: str, waiter: Waiter) -> None:
        item_key = keys.waiter(name, key, waiter.execution_id, waiter.token, waiter.attempt)
        self._call(self.client.delete_item, {"TableName": self.table, "Key": to_item(item_key)})

    def keep_event(self, name: str, key: str, event: KeptEvent, expires_at: int) -> None:
        """Put an event in the inbox (the same event id twice is one event)."""
        attributes = {
            "received_at": event.received_at,
            "payload_ref": event.payload_ref,
            "expires_at": expires_at,
        }
        try:
            self._put(keys.inbox(name, key, event.event_id), attributes, "attribute_not_exists(sk)")
        except ConflictError:
            pass

    def kept_events(self, name: str, key: str, now_epoch: int, taker: str = "") -> list[KeptEvent]:
        """Events no wait has taken (or `taker` took and may not have used: it crashed, or
        the answer to its taking was lost) whose time in the inbox has not run out."""
        pk = keys.inbox(name, key, "")["pk"]
        events = {":pk": pk, ":events": keys.inbox(name, key, "")["sk"]}  # not its documents
        items = [
            i
            for i in self._query("pk = :pk AND begins_with(sk, :events)", events, index=None)
            if i.get("taken_by", taker) == taker and int(i["expires_at"]) > now_epoch
        ]
        items.sort(key=lambda i: (i["received_at"], i["sk"]))
        return [KeptEvent(i["sk"][2:], i["received_at"], refs.kept_in(i, "payload")) for i in items]

    def take_event(self, name: str, key: str, event_id: str, taker: str) -> bool:
        """Mark an inbox event taken; False if another wait (or delivery) took it first.

        Taking it again as the same taker is a success: that is a retry of a call whose
        answer was lost, and the event is still that taker's to use.
        """
        try:
            self._update(
                keys.inbox(name, key, event_id),
                "SET taken_by = :taker",
                "attribute_exists(sk) AND (attribute_not_exists(taken_by) OR taken_by = :taker)",
                {":taker": taker},
            )
        except ConflictError:
            return False
        return True

    def release_event(self, name: str, key: str, event_id: str, taker: str) -> None:
        """Give back an event `taker` took but could not use."""
        try:
            self._update(
                keys.inbox(name, key, event_id),
                "REMOVE taken_by",
                "taken_by = :taker",
                {":taker": taker},
            )
        except ConflictError:
            pass


def _listed(approval_id: str, status: str, created_at: str) -> dict[str, Any]:
    """What the ByKind index lists approvals by (status in the key: one query per status).

    Not `status`: that attribute is the ByStatus index's key, which lists executions.
    """
    return {
        "approval_id": approval_id,
        "approval_status": status,
        "kind": f"{keys.APPROVAL}#{status}",
        "list_key": f"{created_at}#{approval_id}",
    }
