"""The execution store on one DynamoDB table: definitions, heads, history pages, documents.

Every head change is a conditional write, and the head's write is the commit point. A
commit first writes its history page at the head's next sequence number (only if the
slot is free or already ours), then the head (only if its version is the one we
decided from). Pages at or past the head's sequence are invisible to readers, so a
worker that loses the race never shows, and never overwrites, a committed event.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from segue.asl.timestamps import format_timestamp
from segue.engine import refs
from segue.engine.events import Event
from segue.engine.head import Head, is_terminal
from segue.engine.recovery import Patience, check_at, index_time
from segue.engine.visits import instant
from segue.store import keys
from segue.store.errors import ConflictError, StoreError
from segue.store.listing import (
    END,
    Position,
    ShardPage,
    finished,
    merge,
    shard_of,
    sharded,
    unsharded,
)
from segue.store.retention import expiry_of_write
from segue.store.table import Table, failed_condition, from_item, to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from segue.engine.decision import Decision

PACKED_PAGE_BYTES = 1000
"""A history page longer than this is stored compressed (a run of states decided together)."""
PAGE_HOLD = timedelta(seconds=10)
"""How long a written but uncommitted page keeps its slot before others may take it."""


@dataclass(frozen=True)
class Page:
    """A run of history events from `seq` on."""

    seq: int
    events: tuple[Event, ...]


class ExecutionStore(Table):
    """Heads, pages and definitions in one table; documents through `segue.store.values`."""

    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        retention_days: int = 90,
        patience: Patience | None = None,
        shards: int = 16,
        list_shards: int = 4,
    ) -> None:
        super().__init__(client, table)
        self.retention = timedelta(days=retention_days)
        self.patience = patience or Patience()
        self.shards = shards
        self.list_shards = list_shards
        """Partitions of each listing (`store.listing`); it may grow, never shrink."""
        self._revisions: dict[tuple[str, int], str] = {}
        """Definition references of revisions read: a stored revision never changes."""

    # Definitions ---------------------------------------------------------------------------

    def put_definition(self, name: str, definition: str, now: str) -> int:
        """Store a new immutable revision (or answer the latest if it is the same definition).

        `definition` is the reference of the definition's document (`store.values`).
        Safe to call again after a timeout and from several callers at once: a revision
        number is taken only if it is free (or holds this very definition), and the
        latest pointer only ever moves forward.
        """
        latest = self.get_definition(name)
        if latest is not None and latest[1] == definition:
            return latest[0]
        revision = 1 if latest is None else latest[0] + 1
        for _ in range(20):
            try:
                self._put(
                    keys.revision(name, revision),
                    {"definition_ref": definition, "created_at": now},
                    "attribute_not_exists(sk)",
                )
            except ConflictError:
                if refs.kept_in(self._get(keys.revision(name, revision)) or {}, "definition") != (
                    definition
                ):
                    revision += 1  # another registration took this number
                    continue
            pointer: dict[str, Any] = {"kind": keys.STATE_MACHINE, "list_key": name}
            pointer |= {"sm_name": name, "revision": revision, "sm_updated_at": now}
            with contextlib.suppress(ConflictError):  # a later revision is already the latest
                self._put(
                    keys.latest(name),
                    pointer,
                    "attribute_not_exists(sk) OR revision < :revision",
                    {":revision": revision},
                )
            return revision
        raise ConflictError(f"state machine {name!r} is being registered too often at once")

    def get_definition(self, name: str, revision: int | None = None) -> tuple[int, str] | None:
        """(revision, reference of its document) of a revision, the latest when none is given."""
        if revision is None:
            pointer = self._get(keys.latest(name))
            if pointer is None:
                return None
            revision = int(pointer["revision"])
        if (name, revision) not in self._revisions:
            item = self._get(keys.revision(name, revision))
            if item is None:
                return None
            self._revisions[name, revision] = refs.kept_in(item, "definition")
        return revision, self._revisions[name, revision]

    def latest_pointer(self, name: str) -> dict[str, Any] | None:
        """The state machine's latest-revision item: it exists while the state machine does."""
        return self._get(keys.latest(name))

    def get_state_machine(self, name: str) -> dict[str, Any] | None:
        """The attributes kept by `put_state_machine`, if any (they go before the state
        machine does, so attributes mean it exists)."""
        item = self._get(keys.attributes(name))
        return None if item is None else dict(item["attributes"])

    def put_state_machine(self, name: str, attributes: dict[str, Any]) -> None:
        self._put(keys.attributes(name), {"attributes": attributes})

    def delete_state_machine(self, name: str) -> None:
        """Forget the state machine; its revisions stay for the executions that run them."""
        for key in (keys.attributes(name), keys.latest(name)):  # attributes first: see above
            self._call(self.client.delete_item, {"TableName": self.table, "Key": to_item(key)})

    def publish_revision(self, name: str, revision: int, description: str) -> None:
        """Mark a revision as a published version (revisions never change otherwise)."""
        self._update(
            keys.revision(name, revision),
            "SET published = :yes, description = :description",
            "attribute_exists(sk)",
            {":yes": True, ":description": description},
        )

    def unpublish_revision(self, name: str, revision: int) -> None:
        """A published version no longer (the revision stays for its executions)."""
        with contextlib.suppress(ConflictError):  # no such revision: nothing to unpublish
            key = keys.revision(name, revision)
            self._update(key, "REMOVE published", "sk = :sk", {":sk": key["sk"]})

    def revisions(self, name: str) -> list[dict[str, Any]]:
        """Every revision of the state machine: `revision`, `created_at`, `published`."""
        items = self._query(
            "pk = :pk AND begins_with(sk, :rev)", {":pk": f"SM#{name}", ":rev": "REV#"}, None
        )
        return [
            {
                "revision": int(i["sk"].removeprefix("REV#")),
                "created_at": i["created_at"],
                "published": bool(i.get("published")),
            }
            for i in items
        ]

    def list_state_machines(self) -> list[dict[str, Any]]:
        """Every state machine's latest revision, by name."""
        items, _ = self.query_index("ByKind", "kind", keys.STATE_MACHINE, 1000, None)
        return [
            {"name": i["sm_name"], "revision": int(i["revision"]), "updatedAt": i["sm_updated_at"]}
            for i in items
        ]

    # Heads -----------------------------------------------------------------------------------

    def create(self, decision: Decision, first_page: tuple[Event, ...]) -> Head | None:
        """Write a new head; the existing head instead when the execution id is taken."""
        head = self._placed(decision.head, instant(decision.head.updated_at))
        item = keys.head(head.execution_id) | self._head_attributes(head)
        try:
            self.client.put_item(
                TableName=self.table,
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(sk)",  # one execution per id
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not failed_condition(error):
                raise StoreError(str(error)) from error
            old: Any = error.response.get("Item")
            return _head_of(from_item(old)) if old else self.get_head(head.execution_id)
        self.write_first_page(head, first_page)
        return None

    def write_first_page(self, head: Head, events: tuple[Event, ...]) -> None:
        """Page 1 is derived from the head, so writing it again is harmless."""
        attributes = _page_attributes(events, 1, "start", "")
        attributes["expires_at"] = expiry_of_write(instant(head.created_at), self.retention)
        self._put(keys.page(head.execution_id, 1), attributes)

    def get_head(self, execution_id: str) -> Head | None:
        """The committed head, read consistently."""
        item = self._get(keys.head(execution_id))
        return None if item is None else _head_of(item)

    def get_heads(self, execution_ids: list[str]) -> dict[str, Head]:
        """The committed heads of those that exist, by id (a batch read per hundred)."""
        items = self._batch_get([keys.head(i) for i in execution_ids])
        return {head.execution_id: head for head in map(_head_of, items)}

    def claim(
        self, execution_id: str, token: str, attempt: int, owner: str, until: str, now: str
    ) -> Head | None:
        """Lease a READY token (or a waiting one whose time came) to `owner`; None if stale.

        The head's check time becomes the lease's end unless the stored one comes no
        later (then the index is not written); this may put off a check due earlier for
        another token by up to one lease: never more.
        """
        try:
            answer = self.client.update_item(
                TableName=self.table,
                Key=to_item(keys.head(execution_id)),
                UpdateExpression=(
                    "SET #tk.#t.#st = :leased, #tk.#t.fence = #tk.#t.fence + :one, "
                    "#tk.#t.#owner = :owner, #tk.#t.lease_until = :until, version = version + :one"
                ),
                ConditionExpression=(
                    # not paused, cancelled or finished (in whichever listing shard)
                    "(begins_with(#status, :running) OR begins_with(#status, :waiting))"
                    " AND #tk.#t.attempt = :attempt"  # the message is for this attempt
                    " AND (#tk.#t.#st = :ready"  # nobody holds it, or it waits with ...
                    " OR (#tk.#t.#st = :waiting AND attribute_exists(#tk.#t.ready_at)))"  # a time
                    " AND (attribute_not_exists(#tk.#t.ready_at) OR #tk.#t.ready_at <= :now)"
                ),
                ExpressionAttributeNames={
                    "#tk": "tokens",
                    "#t": token,
                    "#st": "status",
                    "#status": "status",
                    "#owner": "owner",
                },
                ExpressionAttributeValues=to_item(
                    {
                        ":leased": "LEASED",
                        ":ready": "READY",
                        ":waiting": "WAITING",
                        ":running": "RUNNING",
                        ":one": 1,
                        ":owner": owner,
                        ":until": until,
                        ":attempt": attempt,
                        ":now": now,
                    }
                ),
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not failed_condition(error):
                raise StoreError(str(error)) from error
            found: Any = error.response.get("Item")
            held = _head_of(from_item(found)) if found else None
            mine = held.tokens.get(token) if held else None
            if mine and (mine.owner, mine.lease_until, mine.attempt) == (owner, until, attempt):
                return held  # our own claim, its answer lost and the call retried
            return None
        head = _head_of(from_item(answer["Attributes"]))
        if index_time(head.due_at, instant(until), instant(now)) != head.due_at:
            # looked at when the lease runs out, not later: a worker that dies now is
            # noticed within one lease and one sweep (a commit since then times it anew)
            self.check_again(head, instant(until))
            head = replace(head, due_at=until)
        return head

    def renew(
        self, execution_id: str, token: str, owner: str, fence: int, until: str, now: str
    ) -> bool:
        """Extend `owner`'s unexpired lease of `token` to `until`; False if it is not ours."""
        try:
            self._update(
                keys.head(execution_id),
                "SET #tk.#t.lease_until = :until, version = version + :one",
                "#tk.#t.#st = :leased AND #tk.#t.#owner = :owner AND #tk.#t.fence = :fence"
                " AND #tk.#t.lease_until > :now",
                {
                    ":until": until,
                    ":one": 1,
                    ":leased": "LEASED",
                    ":owner": owner,
                    ":fence": fence,
                    ":now": now,
                },
                {"#tk": "tokens", "#t": token, "#st": "status", "#owner": "owner"},
            )
        except ConflictError:
            return False
        return True

    def commit(self, old: Head, decision: Decision, writer: str, now: datetime) -> Head:
        """Write the decision's page, then its head; ConflictError if `old` is stale."""
        expected = old.version
        if decision.events:
            expected = self._take_page(old, decision.events, writer, now)
        head = self._placed(decision.head, now)
        if expected != old.version:
            head = replace(head, version=expected + 1)
        try:
            self._put(
                keys.head(head.execution_id),
                self._head_attributes(head),
                "version = :expected",  # nobody committed since we read the head
                {":expected": expected},
            )
        except ConflictError:
            if self.get_head(head.execution_id) == head:
                return head  # ours: the write took effect, its answer was lost and retried
            if decision.events:
                self._release_page(old.execution_id, old.next_seq, writer)
            raise
        return head

    def _take_page(self, old: Head, events: tuple[Event, ...], writer: str, now: datetime) -> int:
        """Write the page at the head's next seq; the head version to expect afterwards."""
        key = keys.page(old.execution_id, old.next_seq)
        attributes = _page_attributes(
            events, old.next_seq, writer, format_timestamp(now + PAGE_HOLD)
        )
        attributes["expires_at"] = expiry_of_write(now, self.retention)
        try:
            self._put(
                key,
                attributes,
                "attribute_not_exists(sk) OR writer = :writer",
                {":writer": writer},
                return_old=True,
            )
            return old.version
        except ConflictError as conflict:
            holder = conflict.item or {}
        if str(holder.get("until", "")) > format_timestamp(now):
            raise ConflictError("another commit holds the next history page")
        # The holder never committed in time: fence it out by moving the head's version,
        # then take its slot only if it is still the holder's.
        self._bump(old)
        self._put(key, attributes, "writer = :holder", {":holder": holder.get("writer", "")})
        return old.version + 1

    def _bump(self, old: Head) -> None:
        self._update(
            keys.head(old.execution_id),
            "SET version = version + :one",
            "version = :expected",
            {":one": 1, ":expected": old.version},
        )

    def _release_page(self, execution_id: str, seq: int, writer: str) -> None:
        try:
            self.client.delete_item(
                TableName=self.table,
                Key=to_item(keys.page(execution_id, seq)),
                ConditionExpression="writer = :writer",  # only our own, uncommitted page
                ExpressionAttributeValues=to_item({":writer": writer}),
            )
        except ClientError as error:
            if not failed_condition(error):
                raise StoreError(str(error)) from error

    def _head_attributes(self, head: Head) -> dict[str, Any]:
        data = head.to_dict()
        shard = shard_of(head.execution_id, self.list_shards)
        data["kind"] = sharded(keys.EXECUTION, shard)
        data["status"] = sharded(data["status"], shard)
        data["state_machine"] = sharded(data["state_machine"], shard)
        data["list_key"] = f"{head.created_at}#{head.execution_id}"
        if is_terminal(head.status):
            data["expires_at"] = self.expiry(head)
        if head.due_at:  # sparse: only heads the sweeper may need to look at
            data["due_shard"] = self.shard_of(head.execution_id)
        return data

    def _placed(self, head: Head, now: datetime) -> Head:
        """The head with the check time to store (the one stored, if it still serves)."""
        return replace(head, due_at=index_time(head.due_at, check_at(head, self.patience), now))

    def secret(self, name: str) -> str:
        """A random value kept under `name`: made by the first caller, the same ever after."""
        found = self._get(keys.secret(name))
        if found is None:
            with contextlib.suppress(ConflictError):  # another caller made it first
                self._put(
                    keys.secret(name), {"value": secrets.token_hex(32)}, "attribute_not_exists(sk)"
                )
            found = self._get(keys.secret(name)) or {}
        return str(found["value"])

    # The sweeper's index ---------------------------------------------------------------------

    def shard_of(self, execution_id: str) -> str:
        """The index partition an execution's check time lives in (spread, and stable)."""
        return f"due#{shard_of(execution_id, self.shards)}"

    def due(self, shard: int, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(execution id, check time) of heads in `shard` due by `now`, the earliest first."""
        answer = self._call(
            self.client.query,
            {
                "TableName": self.table,
                "IndexName": "ByDue",
                "KeyConditionExpression": "due_shard = :shard AND due_at <= :now",
                "ExpressionAttributeValues": to_item(
                    {":shard": f"due#{shard}", ":now": format_timestamp(now)}
                ),
                "Limit": limit,
            },
        )
        return [(i["execution_id"]["S"], i["due_at"]["S"]) for i in answer["Items"]]

    def check_again(self, head: Head, at: datetime | None) -> bool:
        """Move the check time of an unchanged `head` (off the index when None)."""
        if at is None:
            expression, values = "REMOVE due_at, due_shard", {}
        else:
            expression = "SET due_at = :at, due_shard = :shard"
            values = {":at": format_timestamp(at), ":shard": self.shard_of(head.execution_id)}
        try:
            self._update(
                keys.head(head.execution_id),
                expression,
                "version = :expected",  # the check time is the head's: no commit came since
                values | {":expected": head.version},
            )
        except ConflictError:
            return False
        return True

    def expiry(self, head: Head) -> int:
        """When a finished execution's items go (DynamoDB TTL: epoch seconds)."""
        return int((instant(head.updated_at) + self.retention).timestamp())

    # Checkpoints -----------------------------------------------------------------------------

    def put_snapshot(self, head: Head, reason: str) -> None:
        """Keep a copy of the committed head aside (attributes no index reads)."""
        text = json.dumps(head.to_dict(), separators=(",", ":"))
        attributes: dict[str, Any] = {"head": text, "reason": reason, "at": head.updated_at}
        attributes |= {"version": head.version, "checkpoint_status": str(head.status)}
        attributes["expires_at"] = expiry_of_write(instant(head.updated_at), self.retention)
        self._put(keys.snapshot(head.execution_id, head.version), attributes)

    def snapshots(self, execution_id: str) -> list[dict[str, Any]]:
        """The kept checkpoints, newest first: version, at, status, reason and the head."""
        items = self._query(
            "pk = :pk AND begins_with(sk, :s)",
            {":pk": keys.head(execution_id)["pk"], ":s": "S#"},
            index=None,
            forward=False,
        )
        return [
            {
                "version": int(i["version"]),
                "at": i["at"],
                "status": i["checkpoint_status"],
                "reason": i["reason"],
                "head": Head.from_dict(json.loads(i["head"])),
            }
            for i in items
        ]

    def prune_snapshots(self, execution_id: str, keep: int) -> int:
        """Delete all but the newest `keep` snapshots; how many were deleted."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :s)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.head(execution_id)["pk"], ":s": "S#"}
            ),
            "ProjectionExpression": "pk, sk",
            "ScanIndexForward": False,
        }
        old = self._keys(request)[keep:]
        for key in old:
            self._call(self.client.delete_item, {"TableName": self.table, "Key": key})
        return len(old)

    def expire(self, head: Head) -> int:
        """Give every item of a finished execution the head's expiry; how many were marked.

        Only needed for an execution that ran longer than `retention.GRACE`: the items of
        a shorter one already expire within a day of its head.
        """
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.head(head.execution_id)["pk"]}),
            "ProjectionExpression": "pk, sk, expires_at",
        }
        at = self.expiry(head)
        marked = 0
        for item in self._keys(request):
            if int(item.get("expires_at", {}).get("N", 0)) == at:
                continue
            self._call(
                self.client.update_item,
                {
                    "TableName": self.table,
                    "Key": {"pk": item["pk"], "sk": item["sk"]},
                    "UpdateExpression": "SET expires_at = :at",
                    "ExpressionAttributeValues": to_item({":at": at}),
                },
            )
            marked += 1
        return marked

    # History ---------------------------------------------------------------------------------

    def pages(
        self, execution_id: str, before_seq: int, after_seq: int = 0, most: int | None = None
    ) -> list[Page]:
        """Committed pages (those below the head's `before_seq`) from `after_seq` on; the
        first `most` of them when given."""
        condition = "pk = :pk AND sk BETWEEN :low AND :high"
        values = {
            ":pk": keys.head(execution_id)["pk"],
            ":low": keys.page(execution_id, max(after_seq, 1))["sk"],
            ":high": keys.page(execution_id, before_seq - 1)["sk"],
        }
        pages: list[Page] = []
        for item in self._query(condition, values, index=None, limit=most)[:most]:
            seq = int(item["seq"])
            events = _page_events(item)
            pages.append(Page(seq, events))
        return pages

    def page_start(self, execution_id: str, seq: int) -> int:
        """The first seq of the page holding `seq` (pages hold several events)."""
        items = self._query(
            "pk = :pk AND sk BETWEEN :low AND :high",
            {
                ":pk": keys.head(execution_id)["pk"],
                ":low": keys.page(execution_id, 1)["sk"],
                ":high": keys.page(execution_id, seq)["sk"],
            },
            index=None,
            forward=False,
            limit=1,
        )
        return int(items[0]["seq"]) if items else 1

    # Listing -----------------------------------------------------------------------------------

    def query_index(
        self,
        index: str,
        key: str,
        value: str,
        limit: int,
        start: dict[str, Any] | None,
        name_contains: str | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of an index, newest first, and where the next page starts.

        With `name_contains`, only items whose name holds that text; `limit` then bounds
        the items looked at, not the items found.
        """
        request = self._index_query(index, key, value) | {"ScanIndexForward": False, "Limit": limit}
        if name_contains:
            request["FilterExpression"] = "contains(#n, :q)"
            request["ExpressionAttributeNames"]["#n"] = "name"
            request["ExpressionAttributeValues"] |= to_item({":q": name_contains})
        if start:
            request["ExclusiveStartKey"] = to_item(start)
        answer = self._call(self.client.query, request)
        last = answer.get("LastEvaluatedKey")
        return [from_item(i) for i in answer["Items"]], (from_item(last) if last else None)

    def _index_query(self, index: str, key: str, value: str) -> dict[str, Any]:
        """A Query of `index` for the items whose `key` is `value`."""
        return {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": "#k = :v",
            "ExpressionAttributeNames": {"#k": key},
            "ExpressionAttributeValues": to_item({":v": value}),
        }

    def list_index(
        self,
        index: str,
        key: str,
        value: str,
        wanted: int,
        position: Position | None,
        name_contains: str | None = None,
        asked: int | None = None,
    ) -> tuple[list[dict[str, Any]], Position | None]:
        """Up to `wanted` executions under `value` (in every listing shard), newest first,
        and the position to go on from (None at the end).

        Each shard still to read is asked for `asked` items (`wanted` by default); with
        `name_contains`, that bounds the items looked at, not those found.
        """
        values = self._listed_values(value)
        position = position or {}
        pages = {
            shard: ShardPage(
                *self.query_index(index, key, shard, asked or wanted, start, name_contains)
            )
            for shard in values
            if (start := position.get(shard)) != END
        }
        items, position = merge(pages, position, wanted, key)
        return [_listed(item) for item in items], None if finished(position, values) else position

    def tally_index(
        self, index: str, key: str, value: str, attribute: str, most: int
    ) -> tuple[dict[str, int], bool]:
        """How many executions under `value` (in every listing shard) have each value of
        `attribute`, looking at about `most` items at most; and whether it stopped early."""
        tally: dict[str, int] = {}
        seen = 0
        values = self._listed_values(value)
        for n, shard in enumerate(values):
            request = self._index_query(index, key, shard) | {"ProjectionExpression": "#a"}
            request["ExpressionAttributeNames"]["#a"] = attribute
            while True:
                answer = self._call(self.client.query, request)
                for item in answer["Items"]:
                    found = unsharded(str(from_item(item).get(attribute)))
                    tally[found] = tally.get(found, 0) + 1
                seen += len(answer["Items"])
                last = answer.get("LastEvaluatedKey")
                if seen >= most:
                    return tally, bool(last) or n < len(values) - 1
                if not last:
                    break
                request["ExclusiveStartKey"] = last
        return tally, False

    def _listed_values(self, value: str) -> list[str]:
        return [sharded(value, shard) for shard in range(self.list_shards)]


def _head_of(item: dict[str, Any]) -> Head:
    """A head from its item, its listing shard taken off the indexed values."""
    return Head.from_dict(_listed(item))


def _listed(item: dict[str, Any]) -> dict[str, Any]:
    """An execution's item with the values its listing shard is part of as they are."""
    return item | {k: unsharded(item[k]) for k in ("status", "state_machine", "kind") if k in item}


def _page_attributes(
    events: tuple[Event, ...], seq: int, writer: str, until: str
) -> dict[str, Any]:
    text = json.dumps([e.to_dict(seq + i) for i, e in enumerate(events)], separators=(",", ":"))
    body: dict[str, Any] = {"events": text}
    if len(text) > PACKED_PAGE_BYTES:  # write units are per KB: a long page goes compressed
        body = {"events_z": zlib.compress(text.encode(), 6)}
    return body | {"seq": seq, "count": len(events), "writer": writer, "until": until}


def _page_events(item: dict[str, Any]) -> tuple[Event, ...]:
    packed = item.get("events_z")
    text = item["events"] if packed is None else zlib.decompress(bytes(packed)).decode()
    return tuple(Event.from_dict(e) for e in json.loads(text))
