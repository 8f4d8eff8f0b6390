"""The stack of template.yaml on in-process moto, with the real handlers and a queue drain."""

from __future__ import annotations

import importlib.util
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from segue.local.scheduler import LocalScheduler
from segue.local.sqs_source import poll_once
from segue.local.template import Stack, create_stack
from segue.service import wiring
from segue.service.executions import Executions
from segue.service.worker import wall_clock

REPO = Path(__file__).resolve().parents[2]

FUNCTIONS = {
    name: f"tests.functional.lambdas:{name}"
    for name in (
        "echo",
        "add_one",
        "flaky",
        "boom",
        "big",
        "sleepy",
        "hook",
        "fixable",
        "hand_over",
        "tally",
        "batch_tally",
    )
}


def load_function(name: str) -> Any:
    path = REPO / "functions" / name / "app.py"
    spec = importlib.util.spec_from_file_location(f"{name}_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Clock:
    """The real time plus an offset that tests move forward (instead of sleeping)."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return wall_clock() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class Harness:
    stack: Stack
    services: wiring.Services
    executions: Executions
    api: Any
    worker: Any
    sqs: Any
    clock: Clock
    scheduler: LocalScheduler
    events: Any = None

    @property
    def queue_url(self) -> str:
        return self.stack.refs["WorkQueue"]

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: dict | None = None,
        headers: dict | None = None,
    ):
        """Call the api handler with an API Gateway proxy event; (status, JSON body)."""
        event = {
            "httpMethod": method,
            "path": path,
            "resource": "/{proxy+}",
            "headers": {"Content-Type": "application/json", **(headers or {})},
            "queryStringParameters": query,
            "body": body if isinstance(body, str) or body is None else json.dumps(body),
            "isBase64Encoded": False,
            "requestContext": {"stage": "v1", "httpMethod": method, "path": path},
        }
        response = self.api.handler(event, None)
        return response["statusCode"], json.loads(response["body"])

    def operate(self, action: str, execution_id: str, body: Any = None, user: str = "ops"):
        """POST /executions/{id}/{action} as `user`; (status, JSON body)."""
        return self.request(
            "POST", f"/executions/{execution_id}/{action}", body, headers={"X-Segue-User": user}
        )

    def describe(self, execution_id: str) -> dict:
        return self.executions.describe(execution_id)

    def history(self, execution_id: str) -> list[dict]:
        return self.executions.history(execution_id, 1000, None)["events"]

    def step(self, timeout: float = 900.0) -> int:
        """One receive from the work queue, handed to the worker (whose invocation has
        `timeout` seconds, as the function's Timeout); how many messages came."""
        return poll_once(
            self.sqs,
            self.queue_url,
            self.worker.handler,
            function_name="worker",
            wait_seconds=0,
            timeout=timeout,
        )

    def step_queue(self, queue: str) -> int:
        """One receive from `queue`, handed to its function; how many messages came."""
        return poll_once(
            self.sqs,
            self.stack.refs[queue],
            self._handler(queue),
            function_name=queue,
            wait_seconds=0,
        )

    def _handler(self, queue: str) -> Any:
        return self.worker.handler if queue == "WorkQueue" else self.events.handler

    def drain(self, limit: float = 60.0, queue: str = "WorkQueue") -> int:
        """Run the queue's function until nothing is left on it (delayed messages too)."""
        url = self.stack.refs[queue]
        handled, deadline = 0, time.monotonic() + limit
        while time.monotonic() < deadline:
            count = self.step_queue(queue)
            handled += count
            if count == 0:
                attributes = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
                    "Attributes"
                ]
                pending = sum(  # a delayed message may turn visible between the two calls
                    int(attributes[f"ApproximateNumberOfMessages{kind}"])
                    for kind in ("", "Delayed", "NotVisible")
                )
                if pending == 0:
                    return handled
                time.sleep(0.1)
        raise AssertionError("the work queue did not drain in time")

    def start(self, machine: str, definition: dict, input: Any = None, **start: Any) -> str:
        """Register `definition` as `machine` and start it; the execution id."""
        status, answer = self.request(
            "POST", "/state-machines", {"name": machine, "definition": definition}
        )
        assert status in (200, 201), answer
        body = {"stateMachine": machine, "input": {} if input is None else input, **start}
        status, answer = self.request("POST", "/executions", body)
        assert status == 201, answer
        return str(answer["executionId"])

    def run(self, machine: str, definition: dict, input: Any = None, **start: Any) -> dict:
        execution_id = self.start(machine, definition, input, **start)
        self.drain()
        return self.executions.describe(execution_id)


def make_harness(monkeypatch, **environment: str) -> Harness:
    """The template's stack on in-process moto; `environment` overrides its settings."""

    def client(service: str) -> Any:
        return boto3.client(service, region_name="us-east-1")  # type: ignore[call-overload]

    stack = create_stack(REPO / "template.yaml", client)
    worker_function = next(f for f in stack.functions if f.logical_id == "WorkerFunction")
    for key, value in (worker_function.environment | environment).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SEGUE_FUNCTIONS", json.dumps(FUNCTIONS))
    clock = Clock()
    monkeypatch.setattr(wiring, "wall_clock", clock)
    wiring.services.cache_clear()
    wiring.client.cache_clear()
    wiring.task_client.cache_clear()
    services = wiring.services()
    api, worker, timer = load_function("api"), load_function("worker"), load_function("timer")
    handlers = {f.name: timer.handler for f in stack.functions if f.logical_id == "TimerFunction"}
    scheduler = LocalScheduler(
        client("scheduler"), stack.refs["Schedules"], handlers.__getitem__, clock
    )
    executions = Executions(services, clock)
    return Harness(
        stack,
        services,
        executions,
        api,
        worker,
        client("sqs"),
        clock,
        scheduler,
        load_function("events"),
    )
