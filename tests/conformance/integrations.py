"""Running ../shared/asl-conformance/integrations on a local stack: resources, workers, checks.

Each case names the AWS resources it needs (`setup`) with `${...}` placeholders. The
runner makes each one on the stack's moto server (state machines on segue itself), binds
the placeholders to fresh names and to what the services answered, answers task tokens
as the recorded worker did, and compares the ending with the recording, leaving out the
values that differ from run to run (`volatile_paths`).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.conformance.cases import Case
    from tests.localstack import LocalStack

ACCOUNT = "111111111111"
"""The account of the recordings: the local stack runs as it (moto and segue's own ARNs)."""
_PLACEHOLDER = re.compile(r"\$\{([a-z_0-9]+)\}")


@dataclass
class Binder:
    """Fresh names for a case's `${name}` placeholders, and the ARNs and URLs made for them."""

    tag: str
    values: dict[str, str] = field(default_factory=dict)

    def name(self, placeholder: str, fifo: bool = False) -> str:
        key = placeholder.strip("${}")
        if key not in self.values:
            self.values[key] = f"{key.replace('_', '-')}-{self.tag}" + (".fifo" if fifo else "")
        return self.values[key]

    def bind(self, placeholder: str, value: str) -> None:
        self.values[placeholder.strip("${}")] = value

    def fill(self, value: Any) -> Any:
        """`value` with every bound placeholder replaced, in every string at any depth."""
        if isinstance(value, str):
            return _PLACEHOLDER.sub(lambda m: self.values.get(m[1], m[0]), value)
        if isinstance(value, list):
            return [self.fill(item) for item in value]
        if isinstance(value, dict):
            return {self.fill(k): self.fill(v) for k, v in value.items()}
        return value


def provision(case: Case, stack: LocalStack, binder: Binder) -> list[TokenWorker]:
    """Make the case's resources in order; the task-token workers to start with it."""
    workers: list[TokenWorker] = []
    for entry in case.document["setup"]:
        ((kind, spec),) = entry.items()
        if kind == "lambda":
            continue  # the stand-ins are the stack's --functions
        if kind == "task_token_worker":
            workers.append(TokenWorker(stack, binder.fill(spec)))
            continue
        _MAKERS[kind](stack, spec, binder)
    return workers


def _dynamodb_table(stack: LocalStack, spec: dict[str, Any], binder: Binder) -> None:
    stack.aws("dynamodb").create_table(
        TableName=binder.name(spec["name"]),
        KeySchema=spec["key_schema"],
        AttributeDefinitions=spec["attributes"],
        BillingMode=spec.get("billing_mode") or "PAY_PER_REQUEST",
    )


def _sqs_queue(stack: LocalStack, spec: dict[str, Any], binder: Binder) -> None:
    sqs = stack.aws("sqs")
    attributes = {k: str(v) for k, v in (spec.get("attributes") or {}).items()}
    attributes.pop("Policy", None)  # moto does not check policies; the names would differ
    url = sqs.create_queue(QueueName=binder.name(spec["name"]), Attributes=attributes)["QueueUrl"]
    binder.bind(spec["url"], url)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    binder.bind(spec["arn"], arn["QueueArn"])


def _sns_topic(stack: LocalStack, spec: dict[str, Any], binder: Binder) -> None:
    sns = stack.aws("sns")
    attributes = {k: str(v) for k, v in (spec.get("attributes") or {}).items()}
    fifo = attributes.get("FifoTopic") == "true"
    name = binder.name(spec["name"], fifo=fifo)
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    binder.bind(spec["arn"], arn)
    if spec.get("delete_before_execution"):
        sns.delete_topic(TopicArn=arn)


def _sns_subscription(stack: LocalStack, spec: dict[str, Any], binder: Binder) -> None:
    stack.aws("sns").subscribe(
        TopicArn=binder.fill(spec["topic_arn"]),
        Protocol=spec["protocol"],
        Endpoint=binder.fill(spec["endpoint"]),
    )


def _s3_bucket(stack: LocalStack, spec: dict[str, Any], binder: Binder) -> None:
    s3, bucket = stack.aws("s3"), binder.name(spec["name"]).lower()
    s3.create_bucket(Bucket=bucket)
    # What every new bucket on AWS has had since 2023, and moto's have not: SSE-S3.
    default = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [default]})


def _s3_object(stack: LocalStack, spec: dict[str, Any], binder: Binder) -> None:
    stack.aws("s3").put_object(
        Bucket=binder.fill(spec["bucket"]), Key=spec["key"], Body=spec["body"].encode()
    )


def _events_rule(stack: LocalStack, spec: dict[str, Any], binder: Binder) -> None:
    answer = stack.aws("events").put_rule(
        Name=binder.name(spec["name"]),
        EventBusName=spec.get("event_bus") or "default",
        EventPattern=json.dumps(spec["event_pattern"]),
    )
    binder.bind(spec["arn"], answer["RuleArn"])


def _events_target(stack: LocalStack, spec: dict[str, Any], binder: Binder) -> None:
    stack.aws("events").put_targets(
        Rule=binder.fill(spec["rule"]),
        Targets=[{"Id": spec["id"], "Arn": binder.fill(spec["arn"])}],
    )


def _state_machine(stack: LocalStack, spec: dict[str, Any], binder: Binder) -> None:
    sfn = stack.step_functions()
    answer = sfn.create_state_machine(
        name=binder.name(spec["name"]),
        definition=json.dumps(binder.fill(spec["definition"])),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/segue-conformance",
        type=spec.get("type") or "STANDARD",
    )
    binder.bind(spec["arn"], answer["stateMachineArn"])
    if spec.get("delete_before_execution"):
        sfn.delete_state_machine(stateMachineArn=answer["stateMachineArn"])


_MAKERS = {
    "dynamodb_table": _dynamodb_table,
    "sqs_queue": _sqs_queue,
    "sns_topic": _sns_topic,
    "sns_subscription": _sns_subscription,
    "s3_bucket": _s3_bucket,
    "s3_object": _s3_object,
    "events_rule": _events_rule,
    "events_target": _events_target,
    "state_machine": _state_machine,
}


class TokenWorker(threading.Thread):
    """Answers task tokens from a queue as the recorded worker did (README: task_token_worker)."""

    def __init__(self, stack: LocalStack, spec: dict[str, Any], rounds: int = 300) -> None:
        super().__init__(daemon=True)
        self.stack, self.spec, self.rounds = stack, spec, rounds
        self.done = threading.Event()

    def run(self) -> None:
        sqs, sfn = self.stack.aws("sqs"), self.stack.step_functions()
        for _ in range(self.rounds):
            if self.done.is_set():
                return
            answer = sqs.receive_message(QueueUrl=self.spec["queue_url"], WaitTimeSeconds=1)
            for message in answer.get("Messages", []):
                self._answer(sfn, message["Body"])
                sqs.delete_message(
                    QueueUrl=self.spec["queue_url"], ReceiptHandle=message["ReceiptHandle"]
                )

    def _answer(self, sfn: Any, text: str) -> None:
        body = json.loads(text)
        if self.spec["message_format"] == "sns_notification":
            body = json.loads(body["Message"])
        token = body[self.spec["token_field"]]
        if self.spec.get("wait_before_heartbeat_seconds"):
            time.sleep(self.spec["wait_before_heartbeat_seconds"])
        for _ in range(self.spec.get("heartbeats") or 0):
            sfn.send_task_heartbeat(taskToken=token)
        if self.spec["send"] == "SendTaskFailure":
            failure = {"error": self.spec.get("error"), "cause": self.spec.get("cause")}
            sfn.send_task_failure(taskToken=token, **{k: v for k, v in failure.items() if v})
            return
        output = self.spec["output"]
        if "json_of_body_field" in output:
            sent = json.dumps(body[output["json_of_body_field"]])
        elif output.get("body_text"):
            sent = text
        else:
            sent = output["text"]
        sfn.send_task_success(taskToken=token, output=sent)


# Comparing ---------------------------------------------------------------------------------


def without(document: Any, path: str) -> Any:
    """`document` without the value at the JSONPath `path` ($.a.b, $.a["x-y"], $.a[0])."""
    steps = [p for p in re.findall(r"\.([^.\[]+)|\[\"([^\"]+)\"\]|\[(\d+)\]", path[1:])]
    keys: list[Any] = [a or b or int(c) for a, b, c in steps]
    return _drop(document, keys)


def _drop(value: Any, keys: list[Any]) -> Any:
    if not keys:
        return value
    head, rest = keys[0], keys[1:]
    if isinstance(value, dict) and head in value:
        if not rest:
            return {k: v for k, v in value.items() if k != head}
        return {**value, head: _drop(value[head], rest)}
    if isinstance(value, list) and isinstance(head, int) and head < len(value):
        return [*value[:head], _drop(value[head], rest), *value[head + 1 :]]
    return value


def parsed(text: Any) -> Any:
    """A JSON text the recording keeps parsed (outputs, and causes that are JSON objects)."""
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def differences(case: Case, binder: Binder, ending: dict[str, Any]) -> list[str]:
    """What differs from the recording, its volatile values left out (lenient: absent is fine)."""
    expected = binder.fill(case.document["expected"])
    actual = {key: parsed(ending.get(key)) for key in expected}
    for path in case.document.get("volatile_paths", []):
        expected, actual = without(expected, path), without(actual, path)
    return [
        f"{key}: expected {expected[key]!r}, got {actual.get(key)!r}"
        for key in expected
        if actual.get(key) != expected[key]
    ]
