"""Documents by reference: inline in the head, in a table item, or in the S3 bucket.

The S3 part is the claim check: anything over `refs.ITEM_BYTES` is an object named by its
digest, so an execution's state can reach the 10 MB limit while heads stay small. Every
record that carries a client's document (a definition, an approval's data, a callback's
output, an event in the inbox) keeps a reference to it here, never the document itself,
so that no document is too big for its item.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from segue.asl.bounds import text_of
from segue.engine import refs
from segue.store import keys
from segue.store.errors import StoreError
from segue.store.retention import expiry_of_write
from segue.store.table import from_item, to_item

if TYPE_CHECKING:
    from datetime import datetime

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

    from segue.asl.outcomes import Json

CACHE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Owner:
    """Whose documents: the partition of their items, their objects' prefix, whether they expire.

    Where a method takes an owner, a plain string is an execution id.
    """

    partition: str
    prefix: str
    expires: bool = True

    @classmethod
    def execution(cls, execution_id: str) -> Owner:
        return cls(keys.head(execution_id)["pk"], f"executions/{execution_id}")

    @classmethod
    def state_machine(cls, name: str) -> Owner:
        """A definition's text: kept as long as its revision is."""
        return cls(keys.latest(name)["pk"], f"state-machines/{name}", expires=False)

    @classmethod
    def inbox(cls, name: str, key: str) -> Owner:
        """The payloads of events kept for (name, key), which may hold any character."""
        pair = keys.inbox(name, key, "")["pk"]
        return cls(pair, f"events/{hashlib.sha256(pair.encode()).hexdigest()[:32]}")


def _owner(owner: Owner | str) -> Owner:
    return owner if isinstance(owner, Owner) else Owner.execution(owner)


class DocumentStore:
    """Writes and reads content-addressed documents; a read is cached (they never change)."""

    def __init__(
        self,
        dynamodb: DynamoDBClient,
        table: str,
        s3: S3Client,
        bucket: str,
        retention: timedelta = timedelta(days=90),
    ) -> None:
        self.retention = retention
        self.dynamodb = dynamodb
        self.table = table
        self.s3 = s3
        self.bucket = bucket
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()

    def put_many(self, owner: Owner | str, documents: dict[str, Json], now: datetime) -> None:
        """Store every (reference, document) pair that is not inline."""
        owner = _owner(owner)
        expires = {"expires_at": expiry_of_write(now, self.retention)} if owner.expires else {}
        items = []
        for ref, value in documents.items():
            text = text_of(value)
            if refs.kind(ref) == refs.OBJECT:
                self._put_object(owner, refs.key(ref), text)
            elif refs.kind(ref) == refs.ITEM:
                items.append(
                    keys.document(owner.partition, refs.key(ref)) | {"data": text} | expires
                )
            self._remember(ref, value, len(text))
        for start in range(0, len(items), 25):
            self._write_batch(items[start : start + 25])

    def keep(self, owner: Owner | str, value: Json, now: datetime) -> str:
        """Store one document; the reference a record keeps instead of it."""
        ref = refs.ref_of(value)
        self.put_many(owner, {ref: value}, now)
        return ref

    def reader(self, owner: Owner | str) -> _Reader:
        """A `Values` lookup for one owner's documents."""
        return _Reader(self, _owner(owner))

    def get(self, owner: Owner | str, ref: str) -> Json:
        if refs.kind(ref) == refs.INLINE:
            return refs.inline_value(ref)
        with self._lock:
            cached = self._cache.get(ref)
            if cached is not None:
                self._cache.move_to_end(ref)
                return cached[0]
        owner = _owner(owner)
        text = (
            self._get_object(owner, refs.key(ref))
            if refs.kind(ref) == refs.OBJECT
            else self._get_item(owner, refs.key(ref))
        )
        value = json.loads(text)
        self._remember(ref, value, len(text))
        return value

    def _remember(self, ref: str, value: Json, size: int) -> None:
        with self._lock:  # threads share the cache (a worker's, the operator's cascades)
            if size > CACHE_BYTES // 4 or ref in self._cache:
                return
            self._cache[ref] = (value, size)
            self._cached_bytes += size
            while self._cached_bytes > CACHE_BYTES and self._cache:
                _, (_, old_size) = self._cache.popitem(last=False)
                self._cached_bytes -= old_size

    def _put_object(self, owner: Owner, digest: str, text: str) -> None:
        try:
            self.s3.put_object(
                Bucket=self.bucket,
                Key=f"{owner.prefix}/{digest}.json",
                Body=text.encode("utf-8"),
                ContentType="application/json",
            )
        except ClientError as error:
            raise StoreError(f"cannot write payload {digest}: {error}") from error

    def _get_object(self, owner: Owner, digest: str) -> str:
        try:
            answer = self.s3.get_object(Bucket=self.bucket, Key=f"{owner.prefix}/{digest}.json")
        except ClientError as error:
            raise StoreError(f"cannot read payload {digest}: {error}") from error
        return answer["Body"].read().decode("utf-8")

    def _get_item(self, owner: Owner, digest: str) -> str:
        answer = self.dynamodb.get_item(
            TableName=self.table, Key=to_item(keys.document(owner.partition, digest))
        )
        if "Item" not in answer:
            raise StoreError(f"document {digest} of {owner.partition} is missing")
        return str(from_item(answer["Item"])["data"])

    def _write_batch(self, items: list[dict[str, Any]]) -> None:
        requests: list[Any] = [{"PutRequest": {"Item": to_item(i)}} for i in items]
        while requests:
            answer = self.dynamodb.batch_write_item(RequestItems={self.table: requests})
            requests = answer.get("UnprocessedItems", {}).get(self.table, [])


class _Reader:
    def __init__(self, store: DocumentStore, owner: Owner) -> None:
        self.store = store
        self.owner = owner

    def __call__(self, ref: str) -> Any:
        return self.store.get(self.owner, ref)
