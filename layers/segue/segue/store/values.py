"""Documents by reference: inline in the head, in a table item, or in the S3 bucket.

The S3 part is the claim check: anything over `refs.ITEM_BYTES` is an object named by its
digest, so an execution's state can reach the 10 MB limit while heads stay small.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

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

    def put_many(self, execution_id: str, documents: dict[str, Json], now: datetime) -> None:
        """Store every (reference, document) pair that is not inline."""
        expires = {"expires_at": expiry_of_write(now, self.retention)}
        items = []
        for ref, value in documents.items():
            text = refs.encode(value)
            if refs.kind(ref) == refs.OBJECT:
                self._put_object(execution_id, refs.key(ref), text)
            elif refs.kind(ref) == refs.ITEM:
                items.append(keys.document(execution_id, refs.key(ref)) | {"data": text} | expires)
            self._remember(ref, value, len(text))
        for start in range(0, len(items), 25):
            self._write_batch(items[start : start + 25])

    def reader(self, execution_id: str) -> _Reader:
        """A `Values` lookup for one execution."""
        return _Reader(self, execution_id)

    def get(self, execution_id: str, ref: str) -> Json:
        if refs.kind(ref) == refs.INLINE:
            return refs.inline_value(ref)
        if ref in self._cache:
            self._cache.move_to_end(ref)
            return self._cache[ref][0]
        text = (
            self._get_object(execution_id, refs.key(ref))
            if refs.kind(ref) == refs.OBJECT
            else self._get_item(execution_id, refs.key(ref))
        )
        value = json.loads(text)
        self._remember(ref, value, len(text))
        return value

    def _remember(self, ref: str, value: Json, size: int) -> None:
        if size > CACHE_BYTES // 4 or ref in self._cache:
            return
        self._cache[ref] = (value, size)
        self._cached_bytes += size
        while self._cached_bytes > CACHE_BYTES and self._cache:
            _, (_, old_size) = self._cache.popitem(last=False)
            self._cached_bytes -= old_size

    def _put_object(self, execution_id: str, digest: str, text: str) -> None:
        try:
            self.s3.put_object(
                Bucket=self.bucket,
                Key=_object_key(execution_id, digest),
                Body=text.encode("utf-8"),
                ContentType="application/json",
            )
        except ClientError as error:
            raise StoreError(f"cannot write payload {digest}: {error}") from error

    def _get_object(self, execution_id: str, digest: str) -> str:
        try:
            answer = self.s3.get_object(Bucket=self.bucket, Key=_object_key(execution_id, digest))
        except ClientError as error:
            raise StoreError(f"cannot read payload {digest}: {error}") from error
        return answer["Body"].read().decode("utf-8")

    def _get_item(self, execution_id: str, digest: str) -> str:
        answer = self.dynamodb.get_item(
            TableName=self.table, Key=to_item(keys.document(execution_id, digest))
        )
        if "Item" not in answer:
            raise StoreError(f"document {digest} of {execution_id} is missing")
        return str(from_item(answer["Item"])["data"])

    def _write_batch(self, items: list[dict[str, Any]]) -> None:
        requests: list[Any] = [{"PutRequest": {"Item": to_item(i)}} for i in items]
        while requests:
            answer = self.dynamodb.batch_write_item(RequestItems={self.table: requests})
            requests = answer.get("UnprocessedItems", {}).get(self.table, [])


def _object_key(execution_id: str, digest: str) -> str:
    return f"executions/{execution_id}/{digest}.json"


class _Reader:
    def __init__(self, store: DocumentStore, execution_id: str) -> None:
        self.store = store
        self.execution_id = execution_id

    def __call__(self, ref: str) -> Any:
        return self.store.get(self.execution_id, ref)
