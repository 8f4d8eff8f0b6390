"""Starts `segue dev` in its own process, as a user does, for e2e and conformance tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from segue.client import Client
from segue.local.stack import wait_for

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LocalStack:
    endpoint: str
    aws_endpoint: str
    process: subprocess.Popen
    log: Path

    @property
    def client(self) -> Client:
        return Client(self.endpoint)

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


@contextlib.contextmanager
def running_stack(
    functions: Mapping[str, str], log: Path, workers: int = 2, environment: Mapping[str, str] = {}
) -> Iterator[LocalStack]:
    """`segue dev` on free ports with `functions`; stopped with Ctrl-C (SIGINT) at the end."""
    port, aws_port = free_port(), free_port()
    command = [sys.executable, "-m", "segue.cli", "dev", "--port", str(port)]
    command += ["--aws-port", str(aws_port), "--workers", str(workers), "--functions"]
    command += [f"{name}={spec}" for name, spec in functions.items()]
    with log.open("w") as sink:
        process = subprocess.Popen(
            command, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT, env=os.environ | environment
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for(endpoint + "/health", timeout=60)
        yield LocalStack(endpoint, f"http://127.0.0.1:{aws_port}", process, log)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    output = log.read_text()
    assert "segue dev: stopped" in output, output[-3000:]
