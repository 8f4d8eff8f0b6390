"""Every recorded case again, end to end: HTTP API, work queue, worker processes, DynamoDB.

All cases start at once on one `segue dev`; each is then compared with its recording,
as the pure interpreter's run is (tests/conformance/test_conformance.py).
"""

from __future__ import annotations

import hashlib
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from segue.asl.simulator import Execution
from segue.client import ApiError, Client
from tests.conformance.cases import Case, load_cases, mismatches
from tests.conformance.handlers import FUNCTIONS
from tests.conformance.histories import KEPT, differences
from tests.localstack import running_stack

pytestmark = pytest.mark.xdist_group("conformance-stack")  # one stack, on one worker

CASES = load_cases()
JSONATA_CASES = [case for case in load_cases("jsonata") if case.in_scope]
BY_NAME = {case.name: case for case in CASES + JSONATA_CASES}
HISTORIES: dict[str, list[dict[str, Any]]] = {}
"""Each recorded case's history as segue's Step Functions API gives it (filled by `outcomes`)."""
FINISHED = {"SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED"}
DEADLINE_SECONDS = 600


def machine_name(case: Case) -> str:
    """A valid state machine name (1-80 characters) that is unique per case."""
    digest = hashlib.sha256(case.name.encode()).hexdigest()[:8]
    return re.sub(r"[^A-Za-z0-9_.-]", "_", case.name[:70]) + "-" + digest


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, Any]:
    """Each case's execution as the local stack ended it (or the API's refusal)."""
    log = tmp_path_factory.mktemp("conformance") / "segue-dev.log"
    results: dict[str, Any] = {}
    with running_stack(FUNCTIONS, log) as stack:
        client = stack.client
        begun = time.monotonic()
        runnable = [case for case in CASES if not case.expects_aws_payload_limit]
        runnable += JSONATA_CASES
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = dict(
                zip(
                    [c.name for c in runnable],
                    pool.map(lambda c: _start(client, c), runnable),
                    strict=True,
                )
            )
        started = {name: answer for name, answer in answers.items() if isinstance(answer, str)}
        results.update(
            {name: answer for name, answer in answers.items() if not isinstance(answer, str)}
        )
        print(f"\nstarted {len(started)} executions in {time.monotonic() - begun:.0f} s")
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline and any(
            client.call("GET", "/executions", query={"status": status, "limit": 1})["items"]
            for status in ("RUNNING", "WAITING")
        ):
            time.sleep(1)
        print(f"all finished after {time.monotonic() - begun:.0f} s")
        with ThreadPoolExecutor(max_workers=8) as pool:
            documents = pool.map(lambda i: client.call("GET", f"/executions/{i}"), started.values())
            for case_name, document in zip(started, documents, strict=True):
                finished = document["status"] in FINISHED
                results[case_name] = document if finished else TimeoutError(f"{case_name} is stuck")
            sfn = stack.step_functions()
            recorded = [n for n in started if "history" in BY_NAME[n].document]
            histories = pool.map(lambda n: _history(sfn, started[n]), recorded)
            HISTORIES.update(zip(recorded, histories, strict=True))
    matched = sum(
        1 for case in CASES if case.in_scope and _problems(case, results.get(case.name)) == []
    )
    in_scope = sum(1 for case in CASES if case.in_scope and not case.expects_aws_payload_limit)
    print(f"\nASL conformance through the local stack: {matched}/{in_scope} in-scope cases matched")
    return results


def _history(sfn: Any, execution_id: str) -> list[dict[str, Any]]:
    """The execution's whole history through the Step Functions API, as boto3 reads it."""
    arn = f"arn:aws:states:us-east-1:123456789012:execution:{execution_id}"
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
    return [event for page in pages for event in page["events"]]


def _start(client: Client, case: Case) -> str | ApiError:
    """Register the case's definition and start it; the execution id, or the refusal."""
    name = machine_name(case)
    definition, input = case.document["definition"], case.document["input"]
    try:
        client.call("POST", "/state-machines", {"name": name, "definition": definition})
        body = {"stateMachine": name, "name": "run", "input": input}
        return str(client.call("POST", "/executions", body)["executionId"])
    except ApiError as error:
        return error


def _problems(case: Case, outcome: Any) -> list[str]:
    if not isinstance(outcome, dict):
        return [f"no execution: {outcome!r}"]
    execution = Execution(
        status=outcome["status"],
        output=outcome.get("output"),
        error=outcome.get("error"),
        cause=outcome.get("cause"),
    )
    return mismatches(case, execution)


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if not c.expects_aws_payload_limit],
    ids=[c.name for c in CASES if not c.expects_aws_payload_limit],
)
def test_case_matches_aws_through_the_local_stack(outcomes, case: Case) -> None:
    problems = _problems(case, outcomes.get(case.name))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", JSONATA_CASES, ids=[c.name for c in JSONATA_CASES])
def test_jsonata_case_matches_aws_through_the_local_stack(outcomes, case: Case) -> None:
    problems = _problems(case, outcomes.get(case.name))
    assert not problems, "\n".join(problems)


HISTORY_CASES = [
    c for c in CASES if c.in_scope and "history" in c.document and not c.expects_aws_payload_limit
]


@pytest.mark.parametrize("case", HISTORY_CASES, ids=[c.name for c in HISTORY_CASES])
def test_history_matches_aws_event_for_event(outcomes, case: Case, record_property) -> None:
    """The recorded history, compared; only differences of a kind segue keeps may remain."""
    found = differences(case.document["history"], HISTORIES.get(case.name, []))
    kinds = sorted({f.split(":")[0] for f in found})
    record_property("history", "exact" if not found else "kept:" + ",".join(kinds))
    assert set(kinds) <= set(KEPT), "\n".join(found[:5])
