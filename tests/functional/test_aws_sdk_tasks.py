"""`arn:aws:states:::aws-sdk:<service>:<action>` Tasks on moto: calls, shapes and errors."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from segue.asl import diagnose
from tests.functional.test_integrations import make_table
from tests.unit.helpers import machine

SDK = "arn:aws:states:::aws-sdk:"


def client(service: str) -> Any:
    return boto3.client(service, region_name="us-east-1")  # type: ignore[call-overload]


def task(resource: str, parameters: Any, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": SDK + resource, "Parameters": parameters, **fields}


def caught(error: str) -> list[dict[str, Any]]:
    """A Catch that takes `error` to the state Done, the error output at $.error."""
    return [{"ErrorEquals": [error], "ResultPath": "$.error", "Next": "Done"}]


def one_task(resource: str, parameters: Any, **fields: Any) -> dict[str, Any]:
    return machine({"T": task(resource, parameters, End=True, **fields)})


def test_s3_put_and_get_object_give_the_body_back_as_text(harness):
    client("s3").create_bucket(Bucket="docs")
    definition = machine(
        {
            "Put": task(
                "s3:putObject",
                {"Bucket": "docs", "Key": "k.json", "Body.$": "$.doc"},
                ResultPath="$.put",
                Next="Get",
            ),
            "Get": task("s3:getObject", {"Bucket": "docs", "Key": "k.json"}, End=True),
        }
    )
    document = harness.run("s3", definition, {"doc": {"a": [1, 2]}})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    output = document["output"]
    assert output["Body"] == '{"a":[1,2]}'  # a JSON value where the API wants text: its text
    assert output["ContentLength"] == len('{"a":[1,2]}')
    assert output["ETag"].startswith('"')
    assert output["LastModified"].endswith("Z")  # timestamps as ISO 8601 text


def test_a_missing_key_is_s3_no_such_key_exception_and_catch_takes_it(harness):
    client("s3").create_bucket(Bucket="docs")
    definition = machine(
        {
            "Get": task(
                "s3:getObject",
                {"Bucket": "docs", "Key": "nope"},
                Catch=[{"ErrorEquals": ["S3.NoSuchKeyException"], "Next": "Missing"}],
                End=True,
            ),
            "Missing": {"Type": "Pass", "End": True},
        }
    )
    document = harness.run("nokey", definition, {})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert document["output"]["Error"] == "S3.NoSuchKeyException"
    assert "(Service: S3, Status Code: 404" in document["output"]["Cause"]


def test_dynamodb_calls_and_errors_are_named_dynamo_db_as_the_sdk_names_them(harness):
    make_table("things")
    item = {"id": {"S": "a"}, "n": {"N": "1"}}
    definition = machine(
        {
            "Put": task(
                "dynamodb:putItem",
                {"TableName": "things", "Item": item},
                Next="Query",
                ResultPath=None,
            ),
            "Query": task(
                "dynamodb:query",
                {
                    "TableName": "things",
                    "KeyConditionExpression": "id = :id",
                    "ExpressionAttributeValues": {":id": {"S": "a"}},
                },
                ResultPath="$.found",
                Next="Missing",
            ),
            "Missing": task(
                "dynamodb:getItem",
                {"TableName": "no-such-table", "Key": {"id": {"S": "a"}}},
                Retry=[
                    {
                        "ErrorEquals": ["DynamoDb.ResourceNotFoundException"],
                        "MaxAttempts": 1,
                        "IntervalSeconds": 1,
                    }
                ],
                Catch=caught("DynamoDb.ResourceNotFoundException"),
                End=True,
            ),
            "Done": {"Type": "Succeed"},
        }
    )
    document = harness.run("dynamo", definition, {})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    output = document["output"]
    assert output["found"]["Items"] == [item] and output["found"]["Count"] == 1
    assert output["error"]["Error"] == "DynamoDb.ResourceNotFoundException"
    retried = [e for e in harness.history(document["executionId"]) if e["type"] == "RetryScheduled"]
    assert len(retried) == 1


def test_sqs_sns_and_eventbridge_by_their_api_names(harness):
    queue = client("sqs").create_queue(QueueName="q")["QueueUrl"]
    topic = client("sns").create_topic(Name="t")["TopicArn"]
    definition = machine(
        {
            "Send": task(
                "sqs:sendMessage",
                {"QueueUrl": queue, "MessageBody.$": "$"},
                ResultPath="$.sent",
                Next="Publish",
            ),
            "Publish": task(
                "sns:publish",
                {"TopicArn": topic, "Message": "hi"},
                ResultPath="$.published",
                Next="Emit",
            ),
            "Emit": task(
                "eventbridge:putEvents",
                {"Entries": [{"Source": "segue.test", "DetailType": "t", "Detail": {"n": 1}}]},
                ResultPath="$.emitted",
                End=True,
            ),
        }
    )
    document = harness.run("messages", definition, {"n": 1})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    output = document["output"]
    assert output["sent"]["MessageId"] and output["published"]["MessageId"]
    assert output["emitted"]["FailedEntryCount"] == 0
    body = client("sqs").receive_message(QueueUrl=queue)["Messages"][0]["Body"]
    assert json.loads(body) == {"n": 1}


def test_a_secret_is_created_and_read_and_a_duplicate_is_caught_by_name(harness):
    definition = machine(
        {
            "Create": task(
                "secretsmanager:createSecret",
                {"Name": "db", "SecretString": "s3cret"},
                ResultPath=None,
                Next="Read",
            ),
            "Read": task(
                "secretsmanager:getSecretValue",
                {"SecretId": "db"},
                ResultPath="$.secret",
                Next="Again",
            ),
            "Again": task(
                "secretsmanager:createSecret",
                {"Name": "db", "SecretString": "x"},
                Catch=caught("SecretsManager.ResourceExistsException"),
                End=True,
            ),
            "Done": {"Type": "Succeed"},
        }
    )
    document = harness.run("secrets", definition, {})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert document["output"]["secret"]["SecretString"] == "s3cret"
    assert document["output"]["error"]["Error"] == "SecretsManager.ResourceExistsException"


def test_lambda_is_called_through_the_sdk_too(harness):
    document = harness.run(
        "fn",
        one_task(
            "lambda:listFunctions", {}, ResultSelector={"n.$": "States.ArrayLength($.Functions)"}
        ),
        {},
    )
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert document["output"] == {"n": 0}


def test_an_unmodelled_failure_is_the_services_generic_exception(harness):
    # a parameter the API does not have: the service would refuse the request
    document = harness.run("generic", one_task("sqs:listQueues", {"NoSuchParameter": 1}), {})
    assert document["status"] == "FAILED"
    assert document["error"] == "Sqs.SqsException"


def test_sfn_calls_reach_segues_own_executions(harness):
    child = machine({"P": {"Type": "Pass", "Result": {"done": True}, "End": True}})
    harness.request("POST", "/state-machines", {"name": "child", "definition": child})
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:child"
    definition = machine(
        {
            "Start": task(
                "sfn:startExecution",
                {"StateMachineArn": arn, "Input": {"k": "v"}},
                ResultPath="$.started",
                Next="Nope",
            ),
            "Nope": task(
                "sfn:sendTaskSuccess",
                {"TaskToken": "not a token", "Output": "{}"},
                Catch=caught("Sfn.InvalidTokenException"),
                End=True,
            ),
            "Done": {"Type": "Succeed"},
        }
    )
    document = harness.run("parent", definition, {})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    started = document["output"]["started"]
    assert started["ExecutionArn"].startswith(
        "arn:aws:states:us-east-1:123456789012:execution:child:"
    )
    assert started["StartDate"].endswith("Z")
    assert document["output"]["error"]["Error"] == "Sfn.InvalidTokenException"
    harness.drain()
    child_id = started["ExecutionArn"].split(":execution:")[1]
    assert harness.describe(child_id)["status"] == "SUCCEEDED"


@pytest.mark.parametrize(
    ("resource", "says"),
    [
        (SDK + "nosuchservice:doThing", "no service 'nosuchservice'"),
        (SDK + "s3:noSuchAction", "no action 'noSuchAction'"),
        (SDK + "s3:getObject.sync", "pattern .sync"),
        ("arn:aws:states:::apigateway:invoke", "apigateway:invoke"),
        ("arn:aws:states:::lambda:invoke.sync", "lambda:invoke.sync"),
        ("arn:aws:states:::batch:submitJob", "batch:submitJob"),
    ],
)
def test_what_cannot_run_is_refused_at_validation_naming_the_resource(resource, says):
    _, found = diagnose(machine({"T": {"Type": "Task", "Resource": resource, "End": True}}))
    assert [d.path for d in found] == ["/States/T/Resource"]
    assert says in found[0].message
