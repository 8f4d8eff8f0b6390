"""The local stack as a user runs it: `segue dev` in its own process, real worker processes."""

from __future__ import annotations

import pytest

from examples.tasks import FUNCTIONS
from tests.localstack import running_stack

TEST_FUNCTIONS = {
    name: f"tests.functional.lambdas:{name}" for name in ("echo", "add_one", "flaky", "boom", "pid")
}


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory):
    log = tmp_path_factory.mktemp("dev") / "segue-dev.log"
    with running_stack(FUNCTIONS | TEST_FUNCTIONS, log) as stack:
        yield stack
