"""The local stack as a user runs it: `segue dev` in its own process, real worker processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from examples.tasks import FUNCTIONS
from segue.local.stack import wait_for

REPO = Path(__file__).resolve().parents[2]
TEST_FUNCTIONS = {
    name: f"tests.functional.lambdas:{name}" for name in ("echo", "add_one", "flaky", "boom")
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LocalStack:
    endpoint: str
    aws_endpoint: str
    process: subprocess.Popen

    def segue(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        """Run the CLI against this stack."""
        env = os.environ | {"SEGUE_ENDPOINT": self.endpoint}
        return subprocess.run(
            [sys.executable, "-m", "segue.cli", *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
            timeout=120,
            check=check,
        )


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory):
    port, aws_port = free_port(), free_port()
    functions = [f"{k}={v}" for k, v in (FUNCTIONS | TEST_FUNCTIONS).items()]
    command = [sys.executable, "-m", "segue.cli", "dev", "--port", str(port)]
    command += ["--aws-port", str(aws_port), "--workers", "2", "--functions", *functions]
    log = tmp_path_factory.mktemp("dev") / "segue-dev.log"
    with log.open("w") as sink:
        process = subprocess.Popen(command, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for(endpoint + "/health", timeout=60)
        yield LocalStack(endpoint, f"http://127.0.0.1:{aws_port}", process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        output = log.read_text()
        assert "segue dev: stopped" in output, output
