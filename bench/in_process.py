"""The stack of template.yaml on in-process moto, for benches that count calls or seed items."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import boto3
from moto import mock_aws

from tests.functional.harness import make_harness

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    import pytest

    from tests.functional.harness import Harness


@contextlib.contextmanager
def in_process_stack(
    patch: pytest.MonkeyPatch, hooks: Mapping[str, Callable[..., Any]] = {}
) -> Iterator[Harness]:
    """The harness of the functional tests; `hooks` (botocore event name to handler) are on
    the default session before any client is made, so every client has them."""
    for key, value in {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}.items():
        patch.setenv(key, value)
    patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    patch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        try:
            boto3.setup_default_session()
            assert boto3.DEFAULT_SESSION is not None
            for event, hook in hooks.items():
                boto3.DEFAULT_SESSION.events.register(event, hook)
            yield make_harness(patch)
        finally:
            patch.undo()
