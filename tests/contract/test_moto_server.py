"""The local stack's moto server keeps DynamoDB's promise: a conditional write is atomic."""

from __future__ import annotations

import threading

import boto3
import pytest
from botocore.exceptions import ClientError

from segue.local.moto_server import AtomicMotoServer
from tests.localstack import free_port


@pytest.fixture(scope="module")
def dynamodb():
    port = free_port()
    server = AtomicMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    client = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    client.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield client
    server.stop()


def test_concurrent_compare_and_set_never_loses_a_write(dynamodb):
    dynamodb.put_item(TableName="t", Item={"pk": {"S": "k"}, "version": {"N": "0"}})
    wins: list[int] = []

    def bump() -> None:
        for _ in range(40):
            item = dynamodb.get_item(TableName="t", Key={"pk": {"S": "k"}}, ConsistentRead=True)
            version = int(item["Item"]["version"]["N"])
            try:
                dynamodb.put_item(
                    TableName="t",
                    Item={"pk": {"S": "k"}, "version": {"N": str(version + 1)}},
                    ConditionExpression="version = :v",
                    ExpressionAttributeValues={":v": {"N": str(version)}},
                )
                wins.append(version)
            except ClientError as error:
                assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"

    threads = [threading.Thread(target=bump) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = dynamodb.get_item(TableName="t", Key={"pk": {"S": "k"}})["Item"]["version"]["N"]
    assert sorted(wins) == list(range(len(wins)))  # each version won exactly once
    assert int(final) == len(wins)


@pytest.fixture(scope="module")
def paged(dynamodb):
    """A table keyed as segue's (pk, sk), with a GSI, and items in many partitions."""
    dynamodb.create_table(
        TableName="pages",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "kind")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByKind",
                "KeySchema": [
                    {"AttributeName": "kind", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for p in range(30):
        for s in range(12):
            item = {"pk": {"S": f"EX#{p:02}"}, "sk": {"S": f"PAGE#{s:03}"}, "kind": {"S": "page"}}
            dynamodb.put_item(TableName="pages", Item=item)
    return dynamodb


def _sks(dynamodb, **query):
    found, request = [], {"TableName": "pages"} | query
    while True:
        answer = dynamodb.query(**request)
        found += [i["sk"]["S"] for i in answer["Items"]]
        if "LastEvaluatedKey" not in answer:
            return found
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("limit", [None, 1, 5])
def test_a_table_query_reads_its_partition_as_dynamodb_does(paged, forward, limit):
    from moto.dynamodb.models.table import Table

    assert hasattr(Table.query, "__wrapped__")  # one partition looked at, not the table
    pages = [f"PAGE#{s:03}" for s in range(12)]
    order = (lambda x: x) if forward else (lambda x: x[::-1])
    extra = {"ScanIndexForward": forward} | ({"Limit": limit} if limit else {})
    between = {
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
        "ExpressionAttributeValues": {
            ":p": {"S": "EX#07"},
            ":a": {"S": "PAGE#003"},
            ":b": {"S": "PAGE#008"},
        },
    }
    assert _sks(paged, **between, **extra) == order(pages[3:9])
    whole = {
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "EX#29"}},
    }
    assert _sks(paged, **whole, **extra) == order(pages)
    none = {
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "EX#99"}},
    }
    assert _sks(paged, **none, **extra) == []
    index = {
        "IndexName": "ByKind",
        "KeyConditionExpression": "kind = :k AND sk = :s",
        "ExpressionAttributeValues": {":k": {"S": "page"}, ":s": {"S": "PAGE#004"}},
    }
    assert len(_sks(paged, **index, **extra)) == 30  # an index query still sees them all
