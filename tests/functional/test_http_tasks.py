"""`arn:aws:states:::http:invoke` against a server on 127.0.0.1, with a moto connection."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from segue.tasks.http import ALLOW_LOOPBACK
from tests.unit.helpers import machine

HTTP = "arn:aws:states:::http:invoke"
SEEN: list[dict[str, Any]] = []


class _Endpoint(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        SEEN.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": self.rfile.read(length).decode(),
            }
        )
        status = 404 if self.path.startswith("/missing") else 200
        data = json.dumps({"path": self.path}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def endpoint(monkeypatch):
    monkeypatch.setenv(ALLOW_LOOPBACK, "1")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SEEN.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def connection() -> str:
    events = boto3.client("events", region_name="us-east-1")
    return str(
        events.create_connection(
            Name="api",
            AuthorizationType="API_KEY",
            AuthParameters={
                "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k"}
            },
        )["ConnectionArn"]
    )


def call(endpoint: str, arn: str, path: str, **fields: Any) -> dict[str, Any]:
    parameters = {
        "ApiEndpoint": endpoint + path,
        "Method": "POST",
        "Authentication": {"ConnectionArn": arn},
        "QueryParameters": {"page": 2},
        "RequestBody": {"order.$": "$.order"},
    }
    return {"Type": "Task", "Resource": HTTP, "Parameters": parameters, **fields}


def test_a_call_carries_the_connection_credentials_and_answers_as_aws(harness, endpoint):
    arn = connection()
    document = harness.run(
        "http", machine({"Call": call(endpoint, arn, "/orders", End=True)}), {"order": 7}
    )
    assert document["status"] == "SUCCEEDED", document.get("cause")
    output = document["output"]
    assert output["StatusCode"] == 200 and output["StatusText"] == "OK"
    assert output["ResponseBody"] == {"path": "/orders?page=2"}
    (seen,) = SEEN
    assert seen["headers"]["x-api-key"] == "k"
    assert json.loads(seen["body"]) == {"order": 7}


def test_a_status_outside_2xx_is_caught_by_its_code(harness, endpoint):
    arn = connection()
    catch = [{"ErrorEquals": ["States.Http.StatusCode.404"], "Next": "Gone"}]
    definition = machine(
        {
            "Call": call(endpoint, arn, "/missing", Catch=catch, End=True),
            "Gone": {"Type": "Succeed"},
        }
    )
    document = harness.run("http404", definition, {"order": 1})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert document["output"]["Error"] == "States.Http.StatusCode.404"
    assert json.loads(document["output"]["Cause"])["StatusCode"] == 404


def test_plain_http_is_refused_off_the_local_stack(harness, endpoint, monkeypatch):
    monkeypatch.delenv(ALLOW_LOOPBACK)
    document = harness.run(
        "plain", machine({"Call": call(endpoint, connection(), "/x", End=True)}), {"order": 1}
    )
    assert document["status"] == "FAILED"
    assert "HTTPS endpoints only" in document["cause"]
    assert SEEN == []
