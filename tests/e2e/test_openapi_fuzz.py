"""A property-based fuzz of the local API from its own OpenAPI document (schemathesis).

Every operation gets requests made from its schema, valid and not: no answer is a 5xx,
every answer's status, content type and body are as documented, invalid requests are
refused, and a refused request changes nothing stored (a seeded execution, its history
and the list of state machines are the same before and after, unless a request that
was taken named them).
"""

from __future__ import annotations

import json
import threading

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

from tests.localstack import REPO

EXAMPLES = 20
"""Examples per operation: bounded, so the fuzz takes seconds, not minutes."""
SEEDED = "fuzz-seed:kept"
LEFT_OUT = {("POST", "/")}
"""The Step Functions API speaks AWS JSON 1.0; its own contract tests cover it."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

pytestmark = pytest.mark.xdist_group("fuzz")

_lock = threading.Lock()
TAKEN: list[str] = []
"""Paths of requests answered 2xx (those may change what is stored)."""
RUN: list[int] = []
"""The status of every answer."""


DOCUMENT = json.loads((REPO / "docs" / "openapi.json").read_text())
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = {
    f"{o.method.upper()} {o.path}": o
    for o in (r.ok() for r in SCHEMA.get_all_operations() if isinstance(r, Ok))
    if (o.method.upper(), o.path) not in LEFT_OUT
}
DESCRIBED = sum(len(methods) for methods in DOCUMENT["paths"].values())
assert len(OPERATIONS) == DESCRIBED - len(LEFT_OUT)  # every operation loaded


@pytest.fixture(scope="module")
def seeded(local_stack):
    """An execution the fuzz may not change; checked when every operation has run."""
    stack = local_stack
    hold = {"Hold": {"Type": "Wait", "Seconds": 3600, "End": True}}
    definition = {"StartAt": "Hold", "States": hold}
    stack.client.call("POST", "/state-machines", {"name": "fuzz-seed", "definition": definition})
    stack.client.call("POST", "/executions", {"stateMachine": "fuzz-seed", "name": "kept"})
    stack.wait_for_status(SEEDED, "WAITING")
    before = _stored(stack)
    yield stack
    if not [path for path in TAKEN if "fuzz-seed" in path]:
        assert _stored(stack) == before, "a refused request changed what was stored"
    counts = {s: RUN.count(s) for s in sorted(set(RUN))}
    print(f"\nOpenAPI fuzz: {len(RUN)} requests over {len(OPERATIONS)} operations: {counts}")


def _stored(stack) -> dict:
    document = stack.client.call("GET", f"/executions/{SEEDED}")
    history = stack.client.call("GET", f"/executions/{SEEDED}/history")
    return {"execution": document, "history": history["events"]}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_the_api_answers_as_its_document_says(seeded, name, record_property):
    @given(case=OPERATIONS[name].as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def call(case):
        response = case.call_and_validate(base_url=seeded.endpoint, checks=CHECKS)
        with _lock:
            if response.status_code < 300:
                TAKEN.append(case.formatted_path)
            RUN.append(response.status_code)

    ran = len(RUN)
    call()
    record_property("fuzz", len(RUN) - ran)  # the suite's summary line counts them
