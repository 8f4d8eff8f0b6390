"""The optimized integrations run through boto3 (here on moto) and map errors to ASL names."""

from __future__ import annotations

import boto3

from tests.unit.helpers import machine

STATES = "arn:aws:states:::"


def client(service):
    return boto3.client(service, region_name="us-east-1")


def make_table(name: str) -> None:
    """A table keyed by the string `id`, on moto (as Task states' tables are here)."""
    client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_sqs_sns_and_events_integrations_deliver_and_answer(harness):
    queue = client("sqs").create_queue(QueueName="orders")["QueueUrl"]
    topic = client("sns").create_topic(Name="news")["TopicArn"]
    definition = machine(
        {
            "Send": {
                "Type": "Task",
                "Resource": STATES + "sqs:sendMessage",
                "Parameters": {"QueueUrl": queue, "MessageBody": {"order.$": "$.order"}},
                "ResultPath": "$.sent",
                "Next": "Publish",
            },
            "Publish": {
                "Type": "Task",
                "Resource": STATES + "sns:publish",
                "Parameters": {"TopicArn": topic, "Message": "hello"},
                "ResultPath": "$.published",
                "Next": "Emit",
            },
            "Emit": {
                "Type": "Task",
                "Resource": STATES + "events:putEvents",
                "Parameters": {
                    "Entries": [{"Source": "segue.test", "DetailType": "t", "Detail": "{}"}]
                },
                "ResultPath": "$.emitted",
                "End": True,
            },
        }
    )
    document = harness.run("integrations", definition, {"order": 7})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    output = document["output"]
    assert output["sent"]["MessageId"] and output["published"]["MessageId"]
    assert output["emitted"]["FailedEntryCount"] == 0
    body = client("sqs").receive_message(QueueUrl=queue)["Messages"][0]["Body"]
    assert body == '{"order":7}'  # JSON text as Step Functions writes it: compact


def test_dynamodb_integrations_put_get_update_and_delete(harness):
    make_table("things")
    key = {"id": {"S.$": "$.id"}}
    definition = machine(
        {
            "Put": {
                "Type": "Task",
                "Resource": STATES + "dynamodb:putItem",
                "Parameters": {
                    "TableName": "things",
                    "Item": {"id": {"S.$": "$.id"}, "n": {"N": "1"}},
                },
                "ResultPath": None,
                "Next": "Update",
            },
            "Update": {
                "Type": "Task",
                "Resource": STATES + "dynamodb:updateItem",
                "Parameters": {
                    "TableName": "things",
                    "Key": key,
                    "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                },
                "ResultPath": None,
                "Next": "Get",
            },
            "Get": {
                "Type": "Task",
                "Resource": STATES + "dynamodb:getItem",
                "Parameters": {"TableName": "things", "Key": key},
                "ResultSelector": {"n.$": "$.Item.n.N"},
                "ResultPath": "$.got",
                "Next": "Delete",
            },
            "Delete": {
                "Type": "Task",
                "Resource": STATES + "dynamodb:deleteItem",
                "Parameters": {
                    "TableName": "things",
                    "Key": key,
                    "ConditionExpression": "attribute_exists(absent_field)",
                },
                "Catch": [
                    {
                        "ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                        "ResultPath": "$.refused",
                        "Next": "Done",
                    }
                ],
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        }
    )
    document = harness.run("things", definition, {"id": "a"})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert document["output"]["got"] == {"n": "2"}
    assert document["output"]["refused"]["Error"] == "DynamoDB.ConditionalCheckFailedException"


def test_an_unknown_lambda_function_is_a_lambda_error(harness):
    definition = machine(
        {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:not-there",
                "End": True,
            }
        }
    )
    document = harness.run("missing", definition)
    assert document["status"] == "FAILED"
    assert document["error"] == "Lambda.ResourceNotFoundException"


def test_a_task_past_its_timeout_fails_with_states_timeout(harness):
    definition = machine(
        {
            "Slow": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:sleepy",
                "TimeoutSeconds": 1,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Late"}],
                "End": True,
            },
            "Late": {"Type": "Pass", "Result": "timed out", "End": True},
        }
    )
    document = harness.run("slow", definition, {"seconds": 3})
    assert (document["status"], document["output"]) == ("SUCCEEDED", "timed out")
