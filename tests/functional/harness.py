"""The stack of template.yaml on in-process moto, with the real handlers and a queue drain."""

from __future__ import annotations

import importlib.util
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from segue.local.sqs_source import poll_once
from segue.local.template import Stack, create_stack
from segue.service import wiring
from segue.service.executions import Executions
from segue.service.worker import wall_clock

REPO = Path(__file__).resolve().parents[2]

FUNCTIONS = {
    name: f"tests.functional.lambdas:{name}"
    for name in ("echo", "add_one", "flaky", "boom", "big", "sleepy")
}


def load_function(name: str) -> Any:
    path = REPO / "functions" / name / "app.py"
    spec = importlib.util.spec_from_file_location(f"{name}_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Harness:
    stack: Stack
    services: wiring.Services
    executions: Executions
    api: Any
    worker: Any
    sqs: Any

    @property
    def queue_url(self) -> str:
        return self.stack.refs["WorkQueue"]

    def request(self, method: str, path: str, body: Any = None, query: dict | None = None):
        """Call the api handler with an API Gateway proxy event; (status, JSON body)."""
        event = {
            "httpMethod": method,
            "path": path,
            "resource": "/{proxy+}",
            "headers": {"Content-Type": "application/json"},
            "queryStringParameters": query,
            "body": body if isinstance(body, str) or body is None else json.dumps(body),
            "isBase64Encoded": False,
            "requestContext": {"stage": "v1", "httpMethod": method, "path": path},
        }
        response = self.api.handler(event, None)
        return response["statusCode"], json.loads(response["body"])

    def drain(self, limit: float = 60.0) -> int:
        """Run the worker on the work queue until nothing is left (delayed messages too)."""
        handled, deadline = 0, time.monotonic() + limit
        while time.monotonic() < deadline:
            count = poll_once(
                self.sqs,
                self.queue_url,
                self.worker.handler,
                function_name="worker",
                wait_seconds=0,
            )
            handled += count
            if count == 0:
                attributes = self.sqs.get_queue_attributes(
                    QueueUrl=self.queue_url, AttributeNames=["All"]
                )["Attributes"]
                pending = sum(  # a delayed message may turn visible between the two calls
                    int(attributes[f"ApproximateNumberOfMessages{kind}"])
                    for kind in ("", "Delayed", "NotVisible")
                )
                if pending == 0:
                    return handled
                time.sleep(0.1)
        raise AssertionError("the work queue did not drain in time")

    def run(self, name: str, definition: dict, input: Any = None, **start: Any) -> dict:
        status, answer = self.request(
            "POST", "/state-machines", {"name": name, "definition": definition}
        )
        assert status in (200, 201), answer
        body = {"stateMachine": name, "input": {} if input is None else input, **start}
        status, answer = self.request("POST", "/executions", body)
        assert status == 201, answer
        self.drain()
        return self.executions.describe(answer["executionId"])


def make_harness(monkeypatch) -> Harness:
    def client(service: str) -> Any:
        return boto3.client(service, region_name="us-east-1")  # type: ignore[call-overload]

    stack = create_stack(REPO / "template.yaml", client)
    worker_function = next(f for f in stack.functions if f.logical_id == "WorkerFunction")
    for key, value in worker_function.environment.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SEGUE_FUNCTIONS", json.dumps(FUNCTIONS))
    wiring.services.cache_clear()
    wiring.client.cache_clear()
    services = wiring.services()
    api, worker = load_function("api"), load_function("worker")
    return Harness(stack, services, Executions(services, wall_clock), api, worker, client("sqs"))
