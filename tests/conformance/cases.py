"""Reading the recorded cases in ../shared/asl-conformance (never copied into this repo)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segue.asl import load
from segue.asl.simulator import Execution, Simulator
from tests.conformance.lambdas import run_task

AWS_PAYLOAD_LIMIT = 256 * 1024


def cases_dir(kind: str = "cases") -> Path:
    """Where the cases of `kind` (cases, jsonata, integrations) are: under
    $SEGUE_CONFORMANCE_DIR, else ../shared/asl-conformance beside the repository."""
    configured = os.environ.get("SEGUE_CONFORMANCE_DIR")
    if configured:
        return Path(configured) / kind
    return Path(__file__).resolve().parents[3] / "shared" / "asl-conformance" / kind


@dataclass(frozen=True)
class Case:
    name: str
    document: dict[str, Any]

    @property
    def in_scope(self) -> bool:
        return bool(self.document["in_scope"])

    @property
    def expects_aws_payload_limit(self) -> bool:
        """Recorded against AWS's 256 KiB limit, which segue lifts to 10 MB."""
        expected = self.document["expected"]
        return "States.DataLimitExceeded" in json.dumps(expected)


JSONATA = "jsonata/"
"""The name prefix of a case from ../jsonata (the JSONPath cases have none)."""


def load_cases(kind: str = "cases") -> list[Case]:
    """The recorded executions of `kind`; a JSONata case's name starts with `jsonata/`."""
    prefix = "" if kind == "cases" else f"{kind}/"
    return [
        Case(prefix + path.stem, json.loads(path.read_text()))
        for path in sorted(cases_dir(kind).glob("test_*.json"))
    ]


def invalid_definitions(kind: str) -> list[dict[str, Any]]:
    """The recorded refusals of `kind` (`invalid.json`), each with the error AWS gave."""
    path = cases_dir(kind) / "invalid.json"
    return list(json.loads(path.read_text())) if path.exists() else []


def run_case(case: Case, payload_limit: int | None = None) -> Execution:
    """Validate the case's definition and run it on simulated time."""
    machine = load(case.document["definition"])
    simulator = Simulator(machine, tasks=run_task)
    if payload_limit is not None:
        simulator.max_payload_bytes = payload_limit
    return simulator.run(case.document["input"], name=case.name[:80])


def mismatches(case: Case, execution: Execution) -> list[str]:
    """What differs from the recording; only the keys the recording has are compared."""
    expected = case.document["expected"]
    actual = {
        "status": execution.status,
        "output": execution.output,
        "error": execution.error,
        "cause": execution.cause,
    }
    return [
        f"{key}: expected {expected[key]!r}, got {actual[key]!r}"
        for key in expected
        if actual[key] != expected[key]
    ]
