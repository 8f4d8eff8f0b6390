"""Creates the resources `template.yaml` declares, on moto: one source of truth.

Only what the local stack needs is understood: tables, queues (with their redrive
policies), buckets, schedule groups, EventBridge rules and SAM functions with their SQS,
Api and rate schedule events.
Intrinsics (Ref, Fn::GetAtt, Fn::Sub, parameters at their defaults) are resolved to the
local physical names; IAM resources get an ARN and nothing else (moto checks no policy).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

PREFIX = "segue-local"
ACCOUNT = "000000000000"
REGION = "us-east-1"
PSEUDO = {
    "AWS::StackName": PREFIX,
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
_SUB = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class Function:
    """A SAM function: its handler (`path/to/app.py:handler`), SQS sources and rate."""

    logical_id: str
    name: str
    handler: str
    queues: tuple[tuple[str, int], ...]
    api: bool
    environment: dict[str, str]
    every: float | None = None
    """Seconds between runs, for a function on a `rate(...)` schedule."""
    timeout: float = 3.0
    """The function's Timeout: how long one invocation may run (SAM's default is 3 s)."""


@dataclass
class Stack:
    """The local stack's resources by logical id: names, queue URLs and ARNs."""

    root: Path
    refs: dict[str, str] = field(default_factory=lambda: dict(PSEUDO))
    arns: dict[str, str] = field(default_factory=dict)
    queue_names: dict[str, str] = field(default_factory=dict)
    functions: list[Function] = field(default_factory=list)
    parameters: set[str] = field(default_factory=lambda: set(PSEUDO))

    def resources(self) -> dict[str, str]:
        """Logical id to local name (or URL) of every resource the stack made."""
        return {k: v for k, v in self.refs.items() if k not in self.parameters}

    def resolve(self, value: Any) -> Any:
        """A template value with Ref and Fn::GetAtt made local."""
        if isinstance(value, dict) and len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.refs.get(argument, argument)
            if key == "Fn::GetAtt":
                logical, attribute = argument if isinstance(argument, list) else argument.split(".")
                if attribute == "Arn":
                    return self.arns[logical]
                if attribute == "QueueName":
                    return self.queue_names[logical]
                raise ValueError(f"the local stack cannot resolve {attribute} of {logical}")
            if key == "Fn::Sub" and isinstance(argument, str):
                return _SUB.sub(lambda m: self._substitute(m.group(1)), argument)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def _substitute(self, name: str) -> str:
        logical, _, attribute = name.partition(".")
        if attribute:
            return str(self.resolve({"Fn::GetAtt": [logical, attribute]}))
        return self.refs[logical]


def read_template(path: Path) -> dict[str, Any]:
    """The template as plain data (this project writes intrinsics in their long form)."""
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


def create_stack(path: Path, client: Callable[[str], Any]) -> Stack:
    """Create every table, queue and bucket of the template; describe its functions."""
    template = read_template(path)
    stack = Stack(root=path.parent)
    for name, parameter in template.get("Parameters", {}).items():
        stack.refs[name] = str(parameter.get("Default", ""))
        stack.parameters.add(name)
    resources: dict[str, Any] = template["Resources"]
    ordered = sorted(resources.items(), key=lambda item: _creation_order(item[1]))
    for logical_id, resource in ordered:
        creator = _CREATORS.get(resource["Type"])
        if creator is not None:
            creator(stack, logical_id, resource.get("Properties", {}), client)
    environment = template.get("Globals", {}).get("Function", {}).get("Environment", {})
    shared = {k: str(stack.resolve(v)) for k, v in environment.get("Variables", {}).items()}
    timeout = float(template.get("Globals", {}).get("Function", {}).get("Timeout", 3))
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Function":
            props = resource["Properties"]
            stack.functions.append(_function(stack, logical_id, props, shared, timeout))
    return stack


def _creation_order(resource: dict[str, Any]) -> int:
    """Queues that others redrive to first, so their ARNs can be resolved."""
    if resource["Type"] == "AWS::SQS::Queue":
        return 1 if "RedrivePolicy" in resource.get("Properties", {}) else 0
    return 2


def _table(stack: Stack, logical_id: str, props: dict[str, Any], client: Any) -> None:
    name = f"{PREFIX}-{logical_id}"
    dynamodb = client("dynamodb")
    request = {
        key: props[key]
        for key in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
        if key in props
    }
    if name not in dynamodb.list_tables().get("TableNames", []):
        dynamodb.create_table(TableName=name, **request)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    stack.refs[logical_id] = name
    stack.arns[logical_id] = f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"


def _queue(stack: Stack, logical_id: str, props: dict[str, Any], client: Any) -> None:
    name = f"{PREFIX}-{logical_id}"
    attributes: dict[str, str] = {
        key: str(props[key])
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds")
        if key in props
    }
    if "RedrivePolicy" in props:
        attributes["RedrivePolicy"] = json.dumps(stack.resolve(props["RedrivePolicy"]))
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    stack.refs[logical_id] = url
    stack.queue_names[logical_id] = name
    stack.arns[logical_id] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]


def _bucket(stack: Stack, logical_id: str, props: dict[str, Any], client: Any) -> None:
    name = f"{PREFIX}-{logical_id}".lower()
    client("s3").create_bucket(Bucket=name)
    stack.refs[logical_id] = name
    stack.arns[logical_id] = f"arn:aws:s3:::{name}"


def _schedule_group(stack: Stack, logical_id: str, props: dict[str, Any], client: Any) -> None:
    name = f"{PREFIX}-{logical_id}"
    scheduler = client("scheduler")
    groups = scheduler.list_schedule_groups().get("ScheduleGroups", [])
    if name not in {g["Name"] for g in groups}:
        scheduler.create_schedule_group(Name=name)
    stack.refs[logical_id] = name
    stack.arns[logical_id] = f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/{name}"


def _rule(stack: Stack, logical_id: str, props: dict[str, Any], client: Any) -> None:
    """An EventBridge rule with its targets (moto delivers to SQS targets, transformed)."""
    name = str(stack.resolve(props.get("Name", f"{PREFIX}-{logical_id}")))
    events = client("events")
    arn = events.put_rule(
        Name=name, EventPattern=json.dumps(props["EventPattern"]), State="ENABLED"
    )["RuleArn"]
    targets = [stack.resolve(target) for target in props.get("Targets", [])]
    if targets:
        events.put_targets(Rule=name, Targets=targets)
    stack.refs[logical_id] = name
    stack.arns[logical_id] = arn


def _role(stack: Stack, logical_id: str, props: dict[str, Any], client: Any) -> None:
    name = f"{PREFIX}-{logical_id}"
    stack.refs[logical_id] = name
    stack.arns[logical_id] = f"arn:aws:iam::{ACCOUNT}:role/{name}"


def _managed_policy(stack: Stack, logical_id: str, props: dict[str, Any], client: Any) -> None:
    stack.refs[logical_id] = f"arn:aws:iam::{ACCOUNT}:policy/{PREFIX}-{logical_id}"


def _appconfig(stack: Stack, logical_id: str, props: dict[str, Any], client: Any) -> None:
    """Nothing: moto has no AppConfig data plane, so the local stack reads the rollout
    flag from a file (`segue dev --flags FILE`) and names no AppConfig resource."""
    stack.refs[logical_id] = ""


def _function(
    stack: Stack, logical_id: str, props: dict[str, Any], shared: dict[str, str], timeout: float
) -> Function:
    module, _, attribute = props["Handler"].rpartition(".")
    path = stack.root / props["CodeUri"] / (module.replace(".", "/") + ".py")
    queues: list[tuple[str, int]] = []
    api = False
    every: float | None = None
    for event in props.get("Events", {}).values():
        if event["Type"] == "SQS":
            arn = stack.resolve(event["Properties"]["Queue"])
            logical = next(k for k, v in stack.arns.items() if v == arn)
            queues.append((stack.refs[logical], int(event["Properties"].get("BatchSize", 10))))
        api = api or event["Type"] == "Api"
        if event["Type"] in ("Schedule", "ScheduleV2"):
            every = rate_seconds(str(stack.resolve(event["Properties"]["ScheduleExpression"])))
    own = props.get("Environment", {}).get("Variables", {})
    environment = shared | {k: str(stack.resolve(v)) for k, v in own.items()}
    name = str(stack.resolve(props.get("FunctionName", logical_id)))
    handler = f"{path}:{attribute}"
    timeout = float(props.get("Timeout", timeout))
    return Function(logical_id, name, handler, tuple(queues), api, environment, every, timeout)


_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> float:
    """Seconds between runs of a `rate(N unit)` schedule expression."""
    match = _RATE.fullmatch(expression.strip())
    if match is None:
        raise ValueError(f"the local stack runs rate(...) schedules only, not {expression!r}")
    return int(match[1]) * _UNIT_SECONDS[match[2].rstrip("s")]


_CREATORS: dict[str, Callable[[Stack, str, dict[str, Any], Any], None]] = {
    "AWS::DynamoDB::Table": _table,
    "AWS::SQS::Queue": _queue,
    "AWS::S3::Bucket": _bucket,
    "AWS::Scheduler::ScheduleGroup": _schedule_group,
    "AWS::Events::Rule": _rule,
    "AWS::IAM::Role": _role,
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::AppConfig::Application": _appconfig,
    "AWS::AppConfig::Environment": _appconfig,
    "AWS::AppConfig::ConfigurationProfile": _appconfig,
}
