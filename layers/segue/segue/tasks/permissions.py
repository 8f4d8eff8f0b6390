"""The IAM actions a definition's Task states need of the worker: what to grant it.

The template's `TaskActions` and `TaskResourceArns` parameters grant them; `segue
permissions FILE` lists them for one definition, so that an operator grants exactly those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from segue.asl.models import Map, Task
from segue.asl.sdk import UnknownSdkAction, is_sdk_resource, sdk_action
from segue.engine.waits import activity_name, base_resource

if TYPE_CHECKING:
    from segue.asl import StateMachine

_OPTIMIZED = {
    "lambda:invoke": ("lambda:InvokeFunction",),
    "sqs:sendMessage": ("sqs:SendMessage",),
    "sns:publish": ("sns:Publish",),
    "dynamodb:putItem": ("dynamodb:PutItem",),
    "dynamodb:getItem": ("dynamodb:GetItem",),
    "dynamodb:updateItem": ("dynamodb:UpdateItem",),
    "dynamodb:deleteItem": ("dynamodb:DeleteItem",),
    "events:putEvents": ("events:PutEvents",),
    "http:invoke": ("events:DescribeConnection", "secretsmanager:GetSecretValue"),
    "states:startExecution": (),  # segue's own executions: called in-process, no IAM
}


_S3 = {
    "arn:aws:states:::s3:getObject": ("s3:GetObject",),
    "arn:aws:states:::s3:listObjectsV2": ("s3:ListBucket",),
    "arn:aws:states:::s3:putObject": ("s3:PutObject",),
}
"""What a Distributed Map's ItemReader and ResultWriter do to the workflow's buckets."""


def task_actions(machine: StateMachine) -> dict[str, tuple[str, ...]]:
    """Each Task resource of the machine (and each S3 call of a Distributed Map) and the
    IAM actions the worker needs for it."""
    needed: dict[str, tuple[str, ...]] = {}
    for state in machine.states.values():
        if isinstance(state, Task) and state.resource not in needed:
            needed[state.resource] = actions_of(state.resource)
        if isinstance(state, Map):
            for part in (state.item_reader, state.result_writer):
                if part is not None:
                    needed[part.resource] = _S3.get(part.resource, ())
    return needed


def actions_of(resource: str) -> tuple[str, ...]:
    """The IAM actions one Task resource needs (none for segue's own and for activities)."""
    base = base_resource(resource)
    if base.startswith("arn:aws:lambda:"):
        return ("lambda:InvokeFunction",)
    if is_sdk_resource(base):
        try:
            action = sdk_action(base)
        except UnknownSdkAction:
            return ()
        if action.service == "stepfunctions":
            return ()
        prefix = action.model.signing_name or action.model.endpoint_prefix
        return (f"{prefix}:{action.operation}",)
    if activity_name(resource) is not None:
        return ()
    return _OPTIMIZED.get(base.removeprefix("arn:aws:states:::"), ())
