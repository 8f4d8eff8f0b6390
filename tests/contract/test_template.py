"""The deployed stack as CloudFormation gets it (the SAM translator's output): observable,
locked down, and every metric segue emits on its dashboard."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from functools import cache
from typing import Any

import pytest
import yaml

from segue.engine.measures import NAMES
from tests.localstack import REPO

SAM_CLI = "aws-sam-cli==1.170.0"  # the Makefile's
ALARMS = {
    "WorkDeadLetterAlarm",
    "EventsDeadLetterAlarm",
    "OldestWorkAlarm",
    "WorkerErrorsAlarm",
    "ApiErrorsAlarm",
    "ThrottlesAlarm",
    "RecoveriesAlarm",
    "FailedExecutionsAlarm",
}


@cache
def transformed() -> dict[str, Any]:
    uv = shlex.split(os.environ.get("SEGUE_UV", "")) or ["python3", "-m", "uv"]  # the Makefile's
    answer = subprocess.run(
        [*uv, "tool", "run", "--from", SAM_CLI, "python"]
        + [str(REPO / "tests" / "sam_transform.py"), str(REPO / "template.yaml")],
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ | {"SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1"},
    )
    assert answer.returncode == 0, answer.stderr[-3000:]
    document: dict[str, Any] = json.loads(answer.stdout)
    return document


def of_type(kind: str) -> dict[str, Any]:
    return {k: r for k, r in transformed()["Resources"].items() if r["Type"] == kind}


def test_the_alarms_the_dashboard_and_the_log_groups_are_deployed():
    assert set(of_type("AWS::CloudWatch::Alarm")) == ALARMS
    assert set(of_type("AWS::CloudWatch::Dashboard")) == {"Dashboard"}
    assert set(of_type("AWS::Logs::LogGroup")) == {"FunctionLogs", "ApiAccessLogs"}


def test_every_alarm_notifies_the_topic_when_one_is_given():
    for name, alarm in of_type("AWS::CloudWatch::Alarm").items():
        (action,) = alarm["Properties"]["AlarmActions"]
        assert action["Fn::If"][0] == "HasAlarmTopic", name
        assert alarm["Properties"]["OKActions"] == alarm["Properties"]["AlarmActions"]


def test_the_dashboard_shows_every_metric_segue_emits():
    body = of_type("AWS::CloudWatch::Dashboard")["Dashboard"]["Properties"]["DashboardBody"]
    widgets = json.loads(body["Fn::Sub"])["widgets"]
    shown = {
        metric[1]
        for widget in widgets
        for metric in widget["properties"]["metrics"]
        if metric[0] == "segue"
    }
    searched = set(re.findall(r'MetricName="(\w+)"', json.dumps(widgets).replace('\\"', '"')))
    assert shown | searched == NAMES


def test_every_function_traces_and_logs_json_to_the_stack_log_group():
    for name, function in of_type("AWS::Lambda::Function").items():
        properties = function["Properties"]
        assert properties["TracingConfig"] == {"Mode": "Active"}, name
        assert properties["LoggingConfig"]["LogFormat"] == "JSON", name
        assert properties["LoggingConfig"]["LogGroup"] == {"Ref": "FunctionLogs"}, name


def _statements() -> list[tuple[str, dict[str, Any]]]:
    """Every IAM statement this template writes itself (AWS's managed policies aside)."""
    found = []
    for name, resource in transformed()["Resources"].items():
        properties = resource.get("Properties", {})
        documents = []
        if resource["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::S3::BucketPolicy"):
            documents.append(properties["PolicyDocument"])
        if resource["Type"] == "AWS::SQS::QueuePolicy":
            documents.append(properties["PolicyDocument"])
        if resource["Type"] == "AWS::IAM::Role":
            documents += [p["PolicyDocument"] for p in properties.get("Policies", [])]
        for document in documents:
            found += [(name, statement) for statement in document["Statement"]]
    return found


def test_no_statement_grants_a_wildcard_action_or_every_resource():
    statements = _statements()
    assert len(statements) > 10
    for name, statement in statements:
        actions = statement["Action"]
        actions = actions if isinstance(actions, list) else [actions]
        resources = statement.get("Resource", [])
        resources = resources if isinstance(resources, list) else [resources]
        if statement["Effect"] == "Deny":
            continue  # the bucket's TLS-only rule denies everything over plain HTTP
        assert all(isinstance(a, dict) or not a.endswith("*") for a in actions), (name, statement)
        assert "*" not in resources, (name, statement)


def test_the_data_is_encrypted_kept_and_reachable_only_over_tls():
    for name, queue in of_type("AWS::SQS::Queue").items():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True, name
    table = of_type("AWS::DynamoDB::Table")["Table"]["Properties"]
    assert table["SSESpecification"] == {"SSEEnabled": True}
    assert table["DeletionProtectionEnabled"] == {"Ref": "TableDeletionProtection"}
    recovery = table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    assert recovery == {"Ref": "TablePointInTimeRecovery"}
    (policy,) = of_type("AWS::S3::BucketPolicy").values()
    (deny,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    rules = of_type("AWS::S3::Bucket")["PayloadBucket"]["Properties"]["LifecycleConfiguration"]
    assert {r["ExpirationInDays"]["Ref"] for r in rules["Rules"]} == {"RetentionDays"}


def test_the_api_is_throttled_logged_and_traced():
    (stage,) = of_type("AWS::ApiGateway::Stage").values()
    properties = stage["Properties"]
    assert properties["TracingEnabled"] is True
    assert properties["AccessLogSetting"]["DestinationArn"] == {
        "Fn::GetAtt": ["ApiAccessLogs", "Arn"]
    }
    (setting,) = properties["MethodSettings"]
    assert setting["ThrottlingRateLimit"] == {"Ref": "ApiRateLimit"}
    assert setting["ThrottlingBurstLimit"] == {"Ref": "ApiBurstLimit"}


@pytest.mark.parametrize("kind", ["checkov"])
def test_every_suppression_gives_its_reason(kind):
    template = yaml.safe_load((REPO / "template.yaml").read_text())
    skips = [
        (name, skip)
        for name, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get(kind, {}).get("skip", [])
    ]
    assert skips
    for name, skip in skips:
        assert re.fullmatch(r"CKV_AWS_\d+", skip["id"]), name
        assert len(skip.get("comment", "")) > 30, (name, skip["id"])


def test_the_rollout_flag_lives_in_appconfig_and_each_first_rule_set_is_valid():
    from aws_lambda_powertools.utilities.feature_flags import SchemaValidator

    kinds = {r["Type"] for r in transformed()["Resources"].values()}
    assert {
        "AWS::AppConfig::Application",
        "AWS::AppConfig::Environment",
        "AWS::AppConfig::ConfigurationProfile",
        "AWS::AppConfig::HostedConfigurationVersion",
        "AWS::AppConfig::Deployment",
    } <= kinds
    mappings = transformed()["Mappings"]["Rollout"]
    assert set(mappings) == {"all", "simple", "none"}
    for rollout in mappings.values():
        SchemaValidator(schema=json.loads(rollout["Flags"])).validate()
    for name, function in of_type("AWS::Lambda::Function").items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["SEGUE_FLAGS_PROFILE"] == {"Ref": "FlagsProfile"}, name
    granted = [s for _, s in _statements() if s.get("Sid") == "RolloutFlag"]
    assert [s["Action"] for s in granted] == [
        ["appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"]
    ]
