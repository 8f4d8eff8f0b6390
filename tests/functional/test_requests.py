"""Whatever a client sends the api function, the answer is below 500, of the error shape when
it is refused, and nothing stored changes for a refused request (hypothesis, on moto)."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segue.sfn.protocol import OPERATIONS
from tests.unit.helpers import machine

if TYPE_CHECKING:
    from tests.functional.harness import Harness

ROUTES = [
    ("GET", "/health"),
    ("POST", "/state-machines"),
    ("GET", "/state-machines"),
    ("GET", "/state-machines/{}"),
    ("POST", "/executions"),
    ("GET", "/executions"),
    ("GET", "/executions/{}"),
    ("GET", "/executions/{}/history"),
    ("GET", "/executions/{}/checkpoints"),
    ("GET", "/executions/{}/checkpoints/{}"),
    ("POST", "/executions/{}/pause"),
    ("POST", "/executions/{}/resume"),
    ("POST", "/executions/{}/cancel"),
    ("POST", "/executions/{}/redrive"),
    ("POST", "/tasks/success"),
    ("POST", "/tasks/failure"),
    ("POST", "/tasks/heartbeat"),
    ("GET", "/approvals"),
    ("POST", "/approvals/{}/approve"),
    ("POST", "/approvals/{}/reject"),
    ("POST", "/events"),
    ("GET", "/dead-letters/{}"),
    ("POST", "/dead-letters/{}/redrive"),
    ("POST", "/"),  # the Step Functions API, with a target drawn below
]
FIELDS = [
    "name", "definition", "stateMachine", "input", "pauseBefore", "reason", "data", "taskToken",
    "output", "error", "cause", "by", "comment", "payload", "key", "id", "messageIds",
    "autoResumeSeconds", "stateMachineArn", "executionArn", "roleArn", "maxResults",
    "statusFilter", "reverseOrder", "includeExecutionData", "taskToken",
]  # fmt: skip
TARGETS = [*OPERATIONS, "TestState", "Nonsense", ""]
QUERY = ["limit", "nextToken", "status", "stateMachine", "after"]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
identifiers = st.one_of(
    st.text(max_size=30),
    st.just("sentinel:missing"),
    st.sampled_from(["x" * 300, "ap-" + "0" * 32, "work", "events", "%ff", "a/b", ".."]),
)


@st.composite
def requests(draw: Any) -> dict[str, Any]:
    method, template = draw(st.sampled_from(ROUTES))
    if draw(st.integers(0, 9)) == 0:
        method = draw(
            st.sampled_from(["HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE", "BREW"])
        )
    path = template
    while "{}" in path:
        path = path.replace("{}", quote(draw(identifiers), safe=":"), 1)
    if draw(st.integers(0, 19)) == 0:
        path = "/" + draw(st.text(max_size=20))
    query = draw(st.dictionaries(st.sampled_from(QUERY), st.text(max_size=30), max_size=3))
    kind = draw(st.sampled_from(["none", "object", "json", "text", "bytes", "deep"]))
    body: str | None
    encoded = False
    if kind == "object":
        body = json.dumps(draw(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4)))
    elif kind == "json":
        body = json.dumps(draw(json_values))
    elif kind == "text":
        body = draw(st.text(max_size=50))
    elif kind == "bytes":
        body, encoded = base64.b64encode(draw(st.binary(max_size=50))).decode(), True
    elif kind == "deep":
        depth = draw(st.integers(100, 3000))
        body = '{"input":' + "[" * depth + "]" * depth + "}"
    else:
        body = None
    headers = {"Content-Type": "application/json"}
    if template == "/":
        headers["X-Amz-Target"] = "AWSStepFunctions." + draw(st.sampled_from(TARGETS))
    return {
        "httpMethod": method,
        "path": path,
        "resource": "/{proxy+}",
        "headers": headers,
        "queryStringParameters": query or None,
        "body": body,
        "isBase64Encoded": encoded,
        "requestContext": {"stage": "v1", "httpMethod": method, "path": path},
    }


def stored(harness: Harness) -> list[dict[str, Any]]:
    """Every item of the table, sorted (moto in-process: a scan is cheap)."""
    dynamodb = harness.services.store.client
    items = dynamodb.scan(TableName=harness.services.store.table)["Items"]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def test_any_request_is_answered_below_500_and_a_refused_one_changes_nothing(harness):
    harness.request("POST", "/state-machines", {"name": "sentinel", "definition": SENTINEL})
    harness.start("sentinel", SENTINEL, {"n": 1}, name="held")
    harness.drain()
    assert harness.operate("pause", "sentinel:held")[0] == 202
    before = stored(harness)

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(requests())
    def answered(event: dict[str, Any]) -> None:
        response = harness.api.handler(event, None)
        status = response["statusCode"]
        assert status < 500, (event, response)
        if event["httpMethod"] == "HEAD":
            assert response["body"] == ""
        elif status >= 400:
            document = json.loads(response["body"])
            aws = event["path"] == "/" and event["httpMethod"] == "POST"  # Step Functions
            code = "__type" if aws else "error"
            assert set(document) >= {code, "message"} and isinstance(document["message"], str)
            assert len(response["body"]) < 200_000  # an error never echoes a whole body

    answered()
    # nothing a random request could do on its own changed the paused sentinel or its
    # definition (random ids never name it, random bodies are never its definition)
    after = stored(harness)
    kept = [i for i in before if i["pk"]["S"] in ("SM#sentinel", "EX#sentinel:held")]
    assert [i for i in after if i["pk"]["S"] in ("SM#sentinel", "EX#sentinel:held")] == kept


SENTINEL = machine(
    {
        "A": {"Type": "Wait", "Seconds": 3600, "Next": "B"},
        "B": {"Type": "Pass", "End": True},
    }
)
