"""Every in-scope recorded service-integration execution, on one local stack (moto plays AWS).

The stack runs as the recordings' account, so that the ARNs of the definitions (Lambda
functions, queues, state machines) are this stack's own.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import pytest

from tests.conformance.cases import Case, load_cases
from tests.conformance.handlers import FUNCTIONS
from tests.conformance.integrations import ACCOUNT, Binder, differences, provision
from tests.localstack import LocalStack, running_stack

pytestmark = pytest.mark.xdist_group("integrations-stack")  # one stack, on one worker

CASES = [case for case in load_cases("integrations") if case.in_scope]
FINISHED = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
DEADLINE_SECONDS = 300


def _without_key(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return {k: _without_key(v, key) for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [_without_key(v, key) for v in value]
    return value


def _unasked_capacity(ending: dict[str, Any]) -> dict[str, Any]:
    output = _without_key(json.loads(ending["output"]), "ConsumedCapacity")
    return {**ending, "output": json.dumps(output)}


def _checksum_type(ending: dict[str, Any]) -> dict[str, Any]:
    output = {**json.loads(ending["output"]), "ChecksumType": "FULL_OBJECT"}
    return {**ending, "output": json.dumps(output)}


MOTO_ADDS_CONSUMED_CAPACITY = (
    "moto answers UpdateItem with a ConsumedCapacity nobody asked for (AWS does not)",
    _unasked_capacity,
)
MOTO_HAS_NO_CHECKSUM_TYPE = (
    "moto answers PutObject without ChecksumType (AWS: FULL_OBJECT)",
    _checksum_type,
)
KNOWN: dict[str, tuple[str, Any]] = {
    "test_aws_sdk_task_service__test_dynamodb_put_update_get_item": MOTO_ADDS_CONSUMED_CAPACITY,
    "test_dynamodb_task_service__test_base_integrations[DYNAMODB_PUT_UPDATE_GET_ITEM]": (
        MOTO_ADDS_CONSUMED_CAPACITY
    ),
    **{
        f"test_aws_sdk_task_service__test_s3_put_object[{kind}]": MOTO_HAS_NO_CHECKSUM_TYPE
        for kind in ("bool", "list", "num", "str")
    },
}
"""Where moto's answer differs from AWS's and the rest of the case still holds."""
DIFFERS: dict[str, tuple[str, Any]] = {
    "test_aws_sdk__test_invalid_secret_name": (
        "moto accepts the secret name 'Invalid Name' (AWS refuses it), so the Catch is not taken",
        lambda ending: ending["status"] == "SUCCEEDED" and "ARN" in json.loads(ending["output"]),
    ),
    "test_events_task_service__test_put_events_malformed_detail": (
        "moto answers a Detail that is not a JSON object with HTTP 500 "
        "(AWS: a MalformedDetail entry)",
        lambda ending: ending["error"] == "EventBridge.AmazonEventBridgeException",
    ),
    "test_events_task_service__test_put_events_mixed_malformed_detail": (
        "moto answers a Detail that is not a JSON object with HTTP 500 "
        "(AWS: a MalformedDetail entry)",
        lambda ending: ending["error"] == "EventBridge.AmazonEventBridgeException",
    ),
    "test_task_service_sqs__test_send_message_no_such_queue_no_catch": (
        "moto answers for any queue URL (AWS's client could not resolve the host): "
        "SQS.QueueDoesNotExistException, not SQS.SdkClientException",
        lambda ending: ending["error"] == "SQS.QueueDoesNotExistException",
    ),
}
"""Where the local stack cannot end as AWS did: each asserts the documented difference."""


def test_the_recorded_integration_cases_are_there() -> None:
    assert len(load_cases("integrations")) == 96
    assert len(CASES) == 78


@pytest.fixture(scope="module")
def endings(tmp_path_factory) -> dict[str, Any]:
    """Each case's binder and ending (DescribeExecution), or why it has none."""
    log = tmp_path_factory.mktemp("integrations") / "segue-dev.log"
    environment = {"MOTO_ACCOUNT_ID": ACCOUNT, "SEGUE_ACCOUNT": ACCOUNT}
    results: dict[str, Any] = {}
    with running_stack(FUNCTIONS, log, environment=environment) as stack:
        for wave in (
            [c for c in CASES if "moto_note" not in c.document],
            [c for c in CASES if "moto_note" in c.document],  # one leaves a secret behind
        ):
            results |= _run(stack, wave)
    return results


def _run(stack: LocalStack, cases: list[Case]) -> dict[str, Any]:
    """Make each case's resources, start them all, and wait for their endings."""
    sfn = stack.step_functions()
    results: dict[str, Any] = {}
    started: dict[str, tuple[Binder, str]] = {}
    workers = []
    for case in cases:
        binder = Binder(hashlib.sha256(case.name.encode()).hexdigest()[:10])
        try:
            workers += provision(case, stack, binder)
            arn = sfn.create_state_machine(
                name=binder.name("main"),
                definition=json.dumps(binder.fill(case.document["definition"])),
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/segue-conformance",
            )["stateMachineArn"]
            input = json.dumps(binder.fill(case.document["input"]))
            execution = sfn.start_execution(stateMachineArn=arn, input=input)["executionArn"]
            started[case.name] = (binder, execution)
        except Exception as refused:  # the refusal is the case's result
            results[case.name] = (binder, refused)
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + DEADLINE_SECONDS
    while started and time.monotonic() < deadline:
        for name, (binder, execution) in list(started.items()):
            ending = sfn.describe_execution(executionArn=execution)
            if ending["status"] in FINISHED:
                results[name] = (binder, ending)
                del started[name]
        time.sleep(1)
    for name, (binder, _) in started.items():
        results[name] = (binder, TimeoutError(f"still running after {DEADLINE_SECONDS} s"))
    for worker in workers:
        worker.done.set()
    return results


def _recorded(case: Case) -> str:
    return case.name.removeprefix("integrations/").removesuffix("__get_execution_history")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_integration_case_matches_aws_on_the_local_stack(
    endings, case: Case, record_property
) -> None:
    binder, ending = endings[case.name]
    if _recorded(case) in DIFFERS:
        reason, holds = DIFFERS[_recorded(case)]
        record_property("integration", "differs")
        assert holds(ending), f"{reason}; got {ending!r}"
        return
    assert isinstance(ending, dict), f"no execution: {ending!r}"
    record_property("integration", "moto" if _recorded(case) in KNOWN else "exact")
    if _recorded(case) in KNOWN:
        ending = KNOWN[_recorded(case)][1](ending)
    problems = differences(case, binder, ending)
    assert not problems, "\n".join(problems)
