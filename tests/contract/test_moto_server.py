"""The local stack's moto server keeps DynamoDB's promise: a conditional write is atomic."""

from __future__ import annotations

import threading

import boto3
import pytest
from botocore.exceptions import ClientError

from segue.local.moto_server import AtomicMotoServer
from tests.localstack import free_port


@pytest.fixture
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
