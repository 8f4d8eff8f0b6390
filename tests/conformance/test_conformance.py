"""Every recorded AWS Step Functions case, driven through the pure interpreter."""

from __future__ import annotations

import pytest

from tests.conformance.cases import AWS_PAYLOAD_LIMIT, Case, load_cases, mismatches, run_case

CASES = load_cases()
JSONATA_CASES = load_cases("jsonata")
JSONATA_IN_SCOPE = [case for case in JSONATA_CASES if case.in_scope]


def test_the_recorded_cases_are_there() -> None:
    assert len(CASES) == 728, "../shared/asl-conformance/cases should hold 728 cases"
    assert len(JSONATA_CASES) == 199, "../shared/asl-conformance/jsonata should hold 199 cases"
    assert len(JSONATA_IN_SCOPE) == 112


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case_matches_aws(case: Case) -> None:
    # Cases recorded against AWS's 256 KiB payload limit run at that limit: segue's own
    # default is 10 MB (tests/unit/test_limits.py shows the same definitions succeed).
    limit = AWS_PAYLOAD_LIMIT if case.expects_aws_payload_limit else None
    problems = mismatches(case, run_case(case, limit))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", JSONATA_IN_SCOPE, ids=[case.name for case in JSONATA_IN_SCOPE])
def test_jsonata_case_matches_aws(case: Case) -> None:
    problems = mismatches(case, run_case(case))
    assert not problems, "\n".join(problems)
