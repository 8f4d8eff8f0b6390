"""The recorded cases' Lambda functions as real handlers, for the local stack (`--functions`)."""

from __future__ import annotations

import time
from typing import Any


def b_identity(event: Any, context: Any) -> Any:
    return event


def b_raise(event: Any, context: Any) -> Any:
    raise Exception("Some exception was raised.")


def b_echo(event: Any, context: Any) -> Any:
    return {"Return": "HelloWorld"}


def b_bytes(event: Any, context: Any) -> Any:
    return "HelloWorld!"


class CustomException(Exception):
    """An exception class of the function's own, raised without a message."""


def b_raise_custom(event: Any, context: Any) -> Any:
    raise CustomException()


def b_wait60(event: Any, context: Any) -> Any:
    time.sleep(60)
    return event


def lambda_func_u00001(event: Any, context: Any) -> Any:
    return "a" * (257 * 1024)


FUNCTIONS = {
    name: f"tests.conformance.handlers:{name}"
    for name in (
        "b_identity",
        "b_raise",
        "b_raise_custom",
        "b_echo",
        "b_bytes",
        "b_wait60",
        "lambda_func_u00001",
    )
}
