from __future__ import annotations

import pytest
from moto import mock_aws

from tests.functional.harness import Harness, make_harness


@pytest.fixture
def aws(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


@pytest.fixture
def harness(aws, monkeypatch) -> Harness:
    return make_harness(monkeypatch)
