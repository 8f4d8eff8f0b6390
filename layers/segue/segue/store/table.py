"""Raw, typed access to the single DynamoDB table, shared by the stores built on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from segue.store.errors import ConflictError, StoreError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    """Plain values to DynamoDB's typed form."""
    return {k: _serialize(v) for k, v in data.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB's typed form to plain values (numbers come back as Decimal)."""
    return {k: _deserialize(v) for k, v in item.items()}


def failed_condition(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class Table:
    """Conditional reads and writes of one table; a failed condition is a ConflictError."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self.client = client
        self.table = table

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        answer = self._call(
            self.client.get_item,
            {"TableName": self.table, "Key": to_item(key), "ConsistentRead": True},
        )
        item = answer.get("Item")
        return None if item is None else from_item(item)

    def _batch_get(self, wanted: list[dict[str, str]]) -> list[dict[str, Any]]:
        """The items of `wanted`, in its order (missing ones left out)."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for start in range(0, len(wanted), 100):
            request: Any = {self.table: {"Keys": [to_item(k) for k in wanted[start : start + 100]]}}
            request[self.table]["ConsistentRead"] = True
            while request:
                answer = self._call(self.client.batch_get_item, {"RequestItems": request})
                for item in answer["Responses"].get(self.table, []):
                    plain = from_item(item)
                    found[(plain["pk"], plain["sk"])] = plain
                request = answer.get("UnprocessedKeys") or {}
        return [found[(k["pk"], k["sk"])] for k in wanted if (k["pk"], k["sk"]) in found]

    def _put(
        self,
        key: dict[str, str],
        attributes: dict[str, Any],
        condition: str | None = None,
        values: dict[str, Any] | None = None,
        return_old: bool = False,
    ) -> None:
        request: dict[str, Any] = {"TableName": self.table, "Item": to_item(key | attributes)}
        if condition:
            request["ConditionExpression"] = condition
        if values:
            request["ExpressionAttributeValues"] = to_item(values)
        if return_old:
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        self._call(self.client.put_item, request)

    def _update(
        self,
        key: dict[str, str],
        update: str,
        condition: str,
        values: dict[str, Any],
        names: dict[str, str] | None = None,
    ) -> None:
        """A conditional UpdateItem; ConflictError when the condition fails."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "Key": to_item(key),
            "UpdateExpression": update,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": to_item(values),
        }
        if names:
            request["ExpressionAttributeNames"] = names
        self._call(self.client.update_item, request)

    def _query(
        self,
        condition: str,
        values: dict[str, Any],
        index: str | None,
        forward: bool = True,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": to_item(values),
            "ScanIndexForward": forward,
            "ConsistentRead": index is None,
        }
        if index:
            request["IndexName"] = index
        if limit:
            request["Limit"] = limit
        items: list[dict[str, Any]] = []
        while True:
            answer = self._call(self.client.query, request)
            items.extend(from_item(i) for i in answer["Items"])
            last = answer.get("LastEvaluatedKey")
            if not last or (limit and len(items) >= limit):
                return items
            request["ExclusiveStartKey"] = last

    @staticmethod
    def _call(operation: Any, request: dict[str, Any]) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = operation(**request)
        except ClientError as error:
            if failed_condition(error):
                old: Any = error.response.get("Item")
                raise ConflictError("condition failed", from_item(old) if old else None) from error
            raise StoreError(str(error)) from error
        return answer

    def _keys(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item a query finds, in DynamoDB's typed form (for writing straight back)."""
        found: list[dict[str, Any]] = []
        while True:
            answer = self._call(self.client.query, request)
            found.extend(answer["Items"])
            last = answer.get("LastEvaluatedKey")
            if not last:
                return found
            request = {**request, "ExclusiveStartKey": last}
