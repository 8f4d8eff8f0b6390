"""Validation: every problem at once, each with a code and a JSON pointer."""

from __future__ import annotations

import json

import pytest

from segue.asl import InvalidDefinitionError, diagnose, load
from tests.unit.helpers import machine

OK = {"Type": "Pass", "End": True}


GET_OBJECT = "arn:aws:states:::s3:getObject"


def distributed(fields: dict, ExecutionType: str | None = "STANDARD") -> dict:  # noqa: N803
    """A machine of one Distributed Map state A with `fields`."""
    config = {"Mode": "DISTRIBUTED"}
    if ExecutionType is not None:
        config["ExecutionType"] = ExecutionType
    processor = {"ProcessorConfig": config, **machine({"B": OK})}
    return machine({"A": {**OK, "Type": "Map", "ItemProcessor": processor, **fields}})


def test_a_whole_distributed_map_is_valid_in_both_languages():
    fields = {
        "ItemReader": {
            "Resource": GET_OBJECT,
            "ReaderConfig": {
                "InputType": "CSV",
                "CSVHeaderLocation": "GIVEN",
                "CSVHeaders": ["a"],
                "CSVDelimiter": "TAB",
                "MaxItemsPath": "$.most",
            },
            "Parameters": {"Bucket.$": "$.bucket", "Key": "k"},
        },
        "ItemSelector": {"v.$": "$$.Map.Item.Value"},
        "ItemBatcher": {
            "MaxItemsPerBatchPath": "$.n",
            "MaxInputBytesPerBatch": 1024,
            "BatchInput": {"x.$": "$.x"},
        },
        "ResultWriter": {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "b", "Prefix": "p"},
        },
        "MaxConcurrency": 20,
        "ToleratedFailurePercentage": 5,
        "Label": "Each",
    }
    assert diagnose(distributed(fields))[1] == []
    jsonata = {
        "ItemReader": {
            "Resource": GET_OBJECT,
            "ReaderConfig": {"InputType": "JSONL", "MaxItems": "{% $states.input.most %}"},
            "Arguments": {"Bucket": "{% $states.input.bucket %}", "Key": "k"},
        },
        "ItemBatcher": {"MaxItemsPerBatch": "{% $states.input.n %}"},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Arguments": {"Bucket": "b"}},
    }
    definition = {"QueryLanguage": "JSONata", **distributed(jsonata)}
    assert diagnose(definition)[1] == []


def problems(definition) -> set[tuple[str, str]]:
    return {(d.path, d.code) for d in diagnose(definition)[1]}


def test_a_valid_definition_has_no_diagnostics():
    assert diagnose(machine({"A": OK}))[1] == []


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ("{not json", ("", "INVALID_JSON_DESCRIPTION")),
        ("[]", ("", "MISSING_DESCRIPTION")),
        ({"States": {"A": OK}}, ("/StartAt", "SCHEMA_VALIDATION_FAILED")),
        ({"StartAt": "B", "States": {"A": OK}}, ("/StartAt", "MISSING_TRANSITION_TARGET")),
        (machine({"A": {**OK, "Bogus": 1}}), ("/States/A/Bogus", "SCHEMA_VALIDATION_FAILED")),
        (
            machine({"A": {"Type": "Succeed", "ResultPath": "$"}}),
            ("/States/A/ResultPath", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine({"A": {"Type": "Magic", "End": True}}),
            ("/States/A/Type", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine({"A": {"Type": "Pass", "Next": "Z"}}),
            ("/States/A/Next", "MISSING_TRANSITION_TARGET"),
        ),
        (machine({"A": {"Type": "Pass"}}), ("/States/A", "SCHEMA_VALIDATION_FAILED")),
        (machine({"A": {**OK, "Next": "A"}}), ("/States/A", "SCHEMA_VALIDATION_FAILED")),
        (machine({"A": OK, "B": OK}), ("/States/B", "UNREACHABLE_STATE")),
        (
            machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}),
            ("/States/A", "MISSING_END_STATE"),
        ),
        (machine({"A": {**OK, "InputPath": "$.a["}}), ("/States/A/InputPath", "INVALID_JSON_PATH")),
        (
            machine({"A": {**OK, "ResultPath": "$.a[*]"}}),
            ("/States/A/ResultPath", "INVALID_REFERENCE_PATH"),
        ),
        (
            machine({"A": {**OK, "Parameters": {"x.$": "not a path"}}}),
            ("/States/A/Parameters/x.$", "INVALID_JSON_PATH"),
        ),
        (
            machine({"A": {**OK, "Parameters": {"x.$": 5}}}),
            ("/States/A/Parameters/x.$", "INVALID_JSON_PATH"),
        ),
        (
            machine({"A": {**OK, "Parameters": {"x": {"y.$": "States.Nope()"}}}}),
            ("/States/A/Parameters/x/y.$", "INVALID_INTRINSIC_FUNCTION"),
        ),
        (
            machine({"A": {**OK, "Assign": {"1bad": 1}}}),
            ("/States/A/Assign/1bad", "INVALID_VARIABLE_NAME"),
        ),
        (
            machine({"A": {"Type": "Task", "Resource": "lambda", "End": True}}),
            ("/States/A/Resource", "INVALID_RESOURCE"),
        ),
        (machine({"A": {"Type": "Wait", "End": True}}), ("/States/A", "SCHEMA_VALIDATION_FAILED")),
        (
            machine({"A": {"Type": "Wait", "Seconds": 1, "Timestamp": "x", "End": True}}),
            ("/States/A/Timestamp", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine({"A": {"Type": "Wait", "Seconds": -1, "End": True}}),
            ("/States/A/Seconds", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine({"A": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}}),
            ("/States/A/ErrorPath", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine({"A": {"Type": "Choice", "Choices": []}}),
            ("/States/A/Choices", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine(
                {
                    "A": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$.a", "StringEquals": "x"}],
                        "Default": "B",
                    },
                    "B": OK,
                }
            ),
            ("/States/A/Choices/0", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine(
                {
                    "A": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$.a", "NumericEquals": "1", "Next": "B"}],
                    },
                    "B": OK,
                }
            ),
            ("/States/A/Choices/0/NumericEquals", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine(
                {
                    "A": {
                        "Type": "Choice",
                        "Choices": [
                            {"And": [{"Variable": "$.a", "IsNull": True, "Next": "B"}], "Next": "B"}
                        ],
                    },
                    "B": OK,
                }
            ),
            ("/States/A/Choices/0/And/0/Next", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine(
                {"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "Next": "B"}]}, "B": OK}
            ),
            ("/States/A/Choices/0", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine(
                {
                    "A": {
                        **OK,
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Retry": [{"ErrorEquals": ["States.ALL", "X"]}],
                    }
                }
            ),
            ("/States/A/Retry/0/ErrorEquals", "INVALID_ERROR_EQUALS"),
        ),
        (
            machine(
                {
                    "A": {
                        **OK,
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Catch": [
                            {"ErrorEquals": ["States.ALL"], "Next": "A"},
                            {"ErrorEquals": ["X"], "Next": "A"},
                        ],
                    }
                }
            ),
            ("/States/A/Catch/0/ErrorEquals", "INVALID_ERROR_EQUALS"),
        ),
        (
            machine(
                {
                    "A": {
                        **OK,
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}],
                    }
                }
            ),
            ("/States/A/Retry/0/BackoffRate", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine(
                {
                    "A": {
                        **OK,
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "TimeoutSeconds": 5,
                        "HeartbeatSeconds": 5,
                    }
                }
            ),
            ("/States/A/HeartbeatSeconds", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            machine(
                {
                    "A": {
                        **OK,
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Credentials": {"RoleArn": "arn:aws:iam::111111111111:role/r"},
                    }
                }
            ),
            ("/States/A/Credentials", "UNSUPPORTED_FEATURE"),
        ),
        (
            machine(
                {"A": {**OK, "Type": "Map", "ItemReader": {}, "ItemProcessor": machine({"B": OK})}}
            ),
            ("/States/A/ItemReader", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            distributed({}, ExecutionType=None),
            ("/States/A/ItemProcessor/ProcessorConfig", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            distributed({}, ExecutionType="EXPRESS"),
            ("/States/A/ItemProcessor/ProcessorConfig/ExecutionType", "UNSUPPORTED_FEATURE"),
        ),
        (
            distributed({"ItemReader": {"Resource": "arn:aws:states:::s3:putObject"}}),
            ("/States/A/ItemReader/Resource", "UNSUPPORTED_FEATURE"),
        ),
        (
            distributed({"ItemReader": {"Resource": GET_OBJECT, "Parameters": {}}}),
            ("/States/A/ItemReader/ReaderConfig", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            distributed(
                {
                    "ItemReader": {
                        "Resource": GET_OBJECT,
                        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN"},
                    }
                }
            ),
            ("/States/A/ItemReader/ReaderConfig", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            distributed(
                {
                    "ItemReader": {
                        "Resource": GET_OBJECT,
                        "ReaderConfig": {"InputType": "JSON", "CSVDelimiter": "PIPE"},
                    }
                }
            ),
            ("/States/A/ItemReader/ReaderConfig/CSVDelimiter", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            distributed(
                {
                    "ItemReader": {
                        "Resource": "arn:aws:states:::s3:listObjectsV2",
                        "ReaderConfig": {"InputType": "JSON"},
                    }
                }
            ),
            ("/States/A/ItemReader/ReaderConfig/InputType", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            distributed(
                {
                    "ItemReader": {
                        "Resource": GET_OBJECT,
                        "ReaderConfig": {"InputType": "JSONL"},
                        "Arguments": {},
                    }
                }
            ),
            ("/States/A/ItemReader", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            distributed({"ItemBatcher": {"BatchInput": {}}}),
            ("/States/A/ItemBatcher", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            distributed({"ItemBatcher": {"MaxItemsPerBatch": 2, "MaxItemsPerBatchPath": "$.n"}}),
            ("/States/A/ItemBatcher/MaxItemsPerBatchPath", "SCHEMA_VALIDATION_FAILED"),
        ),
        (
            distributed({"ItemBatcher": {"MaxItemsPerBatchPath": "$$$"}}),
            ("/States/A/ItemBatcher/MaxItemsPerBatchPath", "INVALID_JSON_PATH"),
        ),
        (
            distributed({"ResultWriter": {"Resource": GET_OBJECT, "Parameters": {}}}),
            ("/States/A/ResultWriter/Resource", "UNSUPPORTED_FEATURE"),
        ),
        (distributed({"Label": "x" * 41}), ("/States/A/Label", "SCHEMA_VALIDATION_FAILED")),
        (machine({"A": {**OK, "Type": "Map"}}), ("/States/A", "SCHEMA_VALIDATION_FAILED")),
        (
            machine({"A": {**OK, "Type": "Parallel", "Branches": [machine({"A": OK})]}}),
            ("/States/A/Branches/0/States/A", "DUPLICATE_STATE_NAME"),
        ),
        (
            machine({"A": {**OK, "Type": "Parallel", "Branches": [machine({"B": OK, "C": OK})]}}),
            ("/States/A/Branches/0/States/C", "UNREACHABLE_STATE"),
        ),
        (machine({"x" * 81: OK}), ("/States/" + "x" * 81, "INVALID_STATE_NAME")),
        (
            machine({"a/b~c": {"Type": "Pass", "Next": "Z"}}),
            ("/States/a~1b~0c/Next", "MISSING_TRANSITION_TARGET"),
        ),
    ],
)
def test_each_problem_is_reported_where_it_is(definition, expected):
    assert expected in problems(definition)


def test_every_problem_is_reported_at_once():
    definition = machine(
        {
            "A": {"Type": "Pass", "Next": "Nowhere", "Extra": 1},
            "B": {"Type": "Task", "Resource": "bad", "End": True, "InputPath": "$["},
        }
    )
    assert {code for _, code in problems(definition)} >= {
        "MISSING_TRANSITION_TARGET",
        "SCHEMA_VALIDATION_FAILED",
        "INVALID_RESOURCE",
        "INVALID_JSON_PATH",
        "UNREACHABLE_STATE",
    }


def test_load_raises_with_all_diagnostics_and_accepts_json_text():
    assert load(json.dumps(machine({"A": OK}))).state("A").type == "Pass"
    with pytest.raises(InvalidDefinitionError) as caught:
        load(machine({"A": {"Type": "Pass", "Next": "B"}}))
    assert [d.code for d in caught.value.diagnostics] == [
        "MISSING_END_STATE",
        "MISSING_TRANSITION_TARGET",
    ]


def test_diagnostics_have_the_api_shape():
    diagnostic = diagnose(machine({"A": {**OK, "Next": "Z"}}))[1][0]
    assert set(diagnostic.to_dict()) == {"code", "message", "path"}


def test_legacy_iterator_and_parameters_are_accepted_for_map():
    definition = machine(
        {
            "M": {
                "Type": "Map",
                "Iterator": machine({"I": OK}),
                "Parameters": {"v.$": "$$.Map.Item.Value"},
                "End": True,
            }
        }
    )
    assert problems(definition) == set()


def test_integrations_the_engine_cannot_run_are_refused_at_validation():
    from segue.asl.validate import SERVICE_ACTIONS
    from segue.tasks.resources import RUNNABLE_ACTIONS

    assert SERVICE_ACTIONS == RUNNABLE_ACTIONS  # one list, two places that must agree
    for resource in (
        "arn:aws:states:::dynamodb:putItem.waitForTaskToken",
        "arn:aws:states:::ecs:runTask.sync",
        "arn:aws:states:::sqs:sendMessage.sync",
    ):
        definition = {
            "StartAt": "T",
            "States": {"T": {"Type": "Task", "Resource": resource, "End": True}},
        }
        codes = [d.code for d in diagnose(definition)[1]]
        assert codes == ["UNSUPPORTED_FEATURE"], resource


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::sns:publish.waitForTaskToken",
        "segue:approval",
        "segue:waitForEvent",
    ],
)
def test_tasks_that_wait_for_the_outside_are_accepted(resource):
    definition = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": resource, "End": True}},
    }
    assert diagnose(definition)[1] == []


def wait(**fields):
    return machine({"W": {"Type": "Wait", "End": True, **fields}})


def task(**fields):
    resource = "arn:aws:lambda:us-east-1:123456789012:function:f"
    return machine({"T": {"Type": "Task", "Resource": resource, "End": True, **fields}})


@pytest.mark.parametrize(
    ("definition", "pointer"),
    [
        (wait(Seconds="10"), "/States/W/Seconds"),
        (wait(Seconds=10.5), "/States/W/Seconds"),
        (wait(Seconds=True), "/States/W/Seconds"),
        (wait(Seconds=100_000_000), "/States/W/Seconds"),
        (machine({"P": {"Type": "Pass", "End": "true"}}), "/States/P/End"),
        (machine({"P": {"Type": "Pass", "End": 1}}), "/States/P/End"),
        ({**wait(Seconds=1), "TimeoutSeconds": 10**15}, "/TimeoutSeconds"),
        (task(TimeoutSeconds=0), "/States/T/TimeoutSeconds"),
        (task(HeartbeatSeconds=10**9), "/States/T/HeartbeatSeconds"),
        (
            task(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 10**8}]),
            "/States/T/Retry/0/MaxAttempts",
        ),
        (
            task(Retry=[{"ErrorEquals": ["E"], "IntervalSeconds": "5"}]),
            "/States/T/Retry/0/IntervalSeconds",
        ),
        (task(Retry=[{"ErrorEquals": ["E"], "BackoffRate": "2"}]), "/States/T/Retry/0/BackoffRate"),
        (
            task(Retry=[{"ErrorEquals": ["E"], "MaxDelaySeconds": 31_622_402}]),
            "/States/T/Retry/0/MaxDelaySeconds",
        ),
    ],
)
def test_numbers_and_flags_are_read_as_aws_reads_them(definition, pointer):
    assert (pointer, "SCHEMA_VALIDATION_FAILED") in problems(definition)


def test_the_largest_values_aws_takes_are_taken():
    definition = task(
        TimeoutSeconds=99_999_999,
        HeartbeatSeconds=99_999_998,
        Retry=[
            {
                "ErrorEquals": ["E"],
                "IntervalSeconds": 99_999_999,
                "MaxAttempts": 99_999_999,
                "BackoffRate": 2,
                "MaxDelaySeconds": 31_622_401,
            }
        ],
    )
    assert problems({**definition, "TimeoutSeconds": 99_999_999}) == set()
    assert problems(wait(Seconds=99_999_999)) == set()
