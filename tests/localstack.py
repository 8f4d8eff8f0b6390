"""Starts `segue dev` in its own process, as a user does, for e2e and conformance tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

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

    def step_functions(self) -> Any:
        """boto3's own `stepfunctions` client, pointed at segue's endpoint."""
        return boto3.client(
            "stepfunctions",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="segue-local",
            aws_secret_access_key="segue-local",
        )

    def aws(self, service: str) -> Any:
        """A boto3 client of the stack's own moto server."""
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.aws_endpoint,
            region_name="us-east-1",
            aws_access_key_id="segue-local",
            aws_secret_access_key="segue-local",
        )

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

    def worker_pids(self) -> set[int]:
        """The worker processes `segue dev` runs (its children polling the work queue)."""
        found = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == self.process.pid and b"segue.local.poller" in command:
                if any(part.endswith(b"worker/app.py:handler") for part in command):
                    found.add(int(entry.name))
        return found

    def restart_workers(self) -> tuple[set[int], set[int]]:
        """SIGKILL every worker, wait for `segue dev` to start new ones; (old, new) pids."""
        old = self.worker_pids()
        assert old
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not (self.worker_pids() - old) or self.worker_pids() & old:
            assert time.monotonic() < deadline, "segue dev did not restart its workers"
            time.sleep(0.1)
        # A receive the dead workers left open on the moto server would take the next
        # message and hide it for the visibility timeout (as SQS does): let those run out.
        time.sleep(1.5)
        return old, self.worker_pids()

    def wait_for_status(self, execution_id: str, *statuses: str, timeout: float = 60) -> dict:
        """Poll the execution until it has one of `statuses`; its document."""
        deadline = time.monotonic() + timeout
        while True:
            document = self.client.call("GET", f"/executions/{execution_id}")
            if document["status"] in statuses:
                return dict(document)
            assert time.monotonic() < deadline, document
            time.sleep(0.05)


@contextlib.contextmanager
def running_stack(
    functions: Mapping[str, str],
    log: Path,
    workers: int = 2,
    environment: Mapping[str, str] = {},
    cron_seconds: float | None = None,
) -> Iterator[LocalStack]:
    """`segue dev` on free ports with `functions`; stopped with Ctrl-C (SIGINT) at the end."""
    port, aws_port = free_port(), free_port()
    command = [sys.executable, "-m", "segue.cli", "dev", "--port", str(port)]
    if cron_seconds is not None:
        command += ["--cron-seconds", str(cron_seconds)]
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
