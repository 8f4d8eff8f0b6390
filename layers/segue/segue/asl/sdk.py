"""`arn:aws:states:::aws-sdk:<service>:<action>` resources: which AWS API call they name.

Step Functions names a service as the AWS SDK for Java names its client package (`sfn`,
`eventbridge`, `cloudwatchlogs`: the service id, lower case, without spaces) and an
action by its API operation in camel case. botocore's service models (data files that
ship with boto3) say which exist, so this stays pure: no call is made here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from botocore.exceptions import UnknownServiceError
from botocore.loaders import create_loader
from botocore.model import ServiceModel

PREFIX = "arn:aws:states:::aws-sdk:"


@dataclass(frozen=True)
class SdkAction:
    """One API operation: botocore's service name and operation, and AWS's error prefix."""

    service: str
    operation: str
    error_prefix: str
    model: ServiceModel


class UnknownSdkAction(ValueError):
    """The resource names a service or an action the AWS SDK does not have."""


def is_sdk_resource(resource: str) -> bool:
    """Whether `resource` is an aws-sdk integration (with or without a pattern suffix)."""
    return resource.startswith(PREFIX)


@lru_cache(maxsize=512)
def sdk_action(resource: str) -> SdkAction:
    """The operation `resource` calls; UnknownSdkAction naming what is not there."""
    service, _, action = resource.removeprefix(PREFIX).partition(":")
    action = action.split(".", 1)[0]
    if not service or not action:
        raise UnknownSdkAction(f"'{resource}' is not aws-sdk:<service>:<action>")
    name = _service_name(service.lower())
    if name is None:
        raise UnknownSdkAction(f"the AWS SDK has no service '{service}'")
    model = _model(name)
    operation = action[:1].upper() + action[1:]
    if operation not in model.operation_names:
        raise UnknownSdkAction(f"the AWS SDK service '{service}' has no action '{action}'")
    return SdkAction(name, operation, error_prefix(model.service_id), model)


def optimized(service: str, operation: str, error_prefix: str) -> SdkAction:
    """An optimized integration's operation, with the error prefix AWS gives it."""
    return SdkAction(service, operation, error_prefix, _model(service))


def error_prefix(service_id: str) -> str:
    """How Step Functions prefixes a service's errors: the Java SDK's client name.

    `DynamoDB` is `DynamoDb`, `SFN` is `Sfn`, `Secrets Manager` is `SecretsManager`.
    """
    words = re.split(r"[\s_-]+", str(service_id))
    return "".join(
        word.capitalize() if word.isupper() else re.sub(r"(?<=[a-z])([A-Z])([A-Z]+)$", _lower, word)
        for word in words
        if word
    )


def _lower(match: re.Match[str]) -> str:
    return match[1] + match[2].lower()


@cache
def _loader():  # type: ignore[no-untyped-def]
    return create_loader()


@cache
def _model(name: str) -> ServiceModel:
    return ServiceModel(_loader().load_service_model(name, "service-2"), name)


_ALIASES = {
    "sfn": "stepfunctions",
    "eventbridge": "events",
    "cloudwatchlogs": "logs",
    "elasticloadbalancingv2": "elbv2",
    "elasticloadbalancing": "elb",
}
"""The Java package names used most that botocore spells differently (the rest: `_services`)."""


def _service_name(package: str) -> str | None:
    available = _available()
    if package in available:
        return package
    if package in _ALIASES:
        return _ALIASES[package]
    return _services().get(package)


@cache
def _available() -> frozenset[str]:
    return frozenset(_loader().list_available_services("service-2"))


@cache
def _services() -> dict[str, str]:
    """AWS SDK for Java package name to botocore service name, for every known service.

    Found from the models' service ids, read once per process (seconds: only for a name
    that is neither botocore's own nor one of `_ALIASES`).
    """
    names: dict[str, str] = {}
    for name in _loader().list_available_services("service-2"):
        try:
            service_id = _model(name).service_id
        except UnknownServiceError:  # pragma: no cover - listed but not loadable
            continue
        names.setdefault(re.sub(r"[\s_-]", "", str(service_id)).lower(), name)
        names.setdefault(name, name)
    return names
