"""Suite-wide hooks: the conformance score, counted from test reports (works under xdist)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _pytest.reports import TestReport
    from _pytest.terminal import TerminalReporter

_CASE_TEST = "test_conformance.py::test_case_matches_aws["
_STACK_TEST = "test_local_stack.py::test_case_matches_aws_through_the_local_stack["
_HISTORY_TEST = "test_local_stack.py::test_history_matches_aws_event_for_event["
_JSONATA_TESTS = {
    "test_conformance.py::test_jsonata_case_matches_aws[": "through the interpreter",
    "test_local_stack.py::test_jsonata_case_matches_aws_through_the_local_stack[": (
        "through the local stack"
    ),
}
_passed: dict[str, bool] = {}
_stack_passed: dict[str, bool] = {}
_INTEGRATION_TEST = (
    "test_integrations_local.py::test_integration_case_matches_aws_on_the_local_stack["
)
_integrations: dict[str, str] = {}
"""Each service-integration case: `exact`, `moto` (but for a documented moto difference),
`differs` (the documented other ending), or `failed`."""
_jsonata: dict[str, dict[str, bool]] = {}
"""Per JSONata test (interpreter, local stack): each in-scope case's pass or fail."""
_histories: dict[str, str] = {}
_FUZZ_TEST = "test_openapi_fuzz.py::test_the_api_answers_as_its_document_says["
_fuzz: dict[str, tuple[int, bool]] = {}
"""Each operation the OpenAPI fuzz ran: requests made, and whether all answered as documented."""
"""Each recorded history's comparison: `exact`, `kept:<kinds>`, or `failed`."""


def pytest_runtest_logreport(report: TestReport) -> None:
    if report.when != "call":
        return
    for marker, results in ((_CASE_TEST, _passed), (_STACK_TEST, _stack_passed)):
        if marker in report.nodeid:
            results[report.nodeid.split(marker, 1)[1][:-1]] = report.passed
    for marker, where in _JSONATA_TESTS.items():
        if marker in report.nodeid:
            case = report.nodeid.split(marker, 1)[1][:-1]
            _jsonata.setdefault(where, {})[case] = report.passed
    if _INTEGRATION_TEST in report.nodeid:
        kind = dict(report.user_properties).get("integration", "")
        _integrations[report.nodeid] = str(kind) if report.passed else "failed"
    if _FUZZ_TEST in report.nodeid:
        made = dict(report.user_properties).get("fuzz", 0)
        _fuzz[report.nodeid] = (int(str(made)), report.passed)
    if _HISTORY_TEST in report.nodeid:
        found = dict(report.user_properties).get("history", "")
        _histories[report.nodeid] = str(found) if report.passed else "failed"


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """Print matched/total for the in-scope cases, when the conformance cases ran."""
    if _stack_passed:
        matched = sum(_stack_passed.values())
        terminalreporter.write_line(
            f"ASL conformance through the local stack: {matched}/{len(_stack_passed)} "
            "in-scope cases matched (the 3 recorded at AWS's 256 KiB limit run above only)"
        )
    if _histories:
        _history_summary(terminalreporter)
    if _integrations:
        kinds = list(_integrations.values())
        terminalreporter.write_line(
            f"service integrations on the local stack: {kinds.count('exact')}/{len(kinds)} "
            f"in-scope cases end as recorded; {kinds.count('moto')} more but for a documented "
            f"moto difference; {kinds.count('differs')} end as documented otherwise; "
            f"{kinds.count('failed')} failed"
        )
    if _fuzz:
        requests = sum(made for made, _ in _fuzz.values())
        failed = sum(1 for _, passed in _fuzz.values() if not passed)
        terminalreporter.write_line(
            f"OpenAPI fuzz of the local API: {requests} requests over {len(_fuzz)} operations, "
            f"{failed} operations with an answer not as documented"
        )
    for where, results in sorted(_jsonata.items()):
        terminalreporter.write_line(
            f"JSONata conformance {where}: {sum(results.values())}/{len(results)} "
            "in-scope cases matched"
        )
    if not _passed:
        return
    from tests.conformance.cases import load_cases

    in_scope = {case.name for case in load_cases() if case.in_scope}
    matched = sum(1 for name, passed in _passed.items() if passed and name in in_scope)
    extra = sum(1 for name, passed in _passed.items() if passed and name not in in_scope)
    terminalreporter.write_line(
        f"ASL conformance: {matched}/{len(in_scope)} in-scope cases matched "
        f"(and {extra} of {len(_passed) - len([n for n in _passed if n in in_scope])} "
        "out-of-scope cases, run at AWS's 256 KiB limit)"
    )


def _history_summary(terminalreporter: TerminalReporter) -> None:
    """How many recorded histories GetExecutionHistory matched, and what the others kept."""
    from collections import Counter

    outcomes = list(_histories.values())
    exact = outcomes.count("exact")
    kept = Counter(k for o in outcomes if o.startswith("kept:") for k in o[5:].split(","))
    terminalreporter.write_line(
        f"histories through the Step Functions API: {exact}/{len(outcomes)} in-scope recorded "
        f"cases match event for event; {sum(o.startswith('kept:') for o in outcomes)} differ "
        "only as kept (" + ", ".join(f"{k}: {n}" for k, n in sorted(kept.items())) + ")"
    )
    from tests.conformance.histories import area

    areas = Counter(area(node.split(_HISTORY_TEST, 1)[1]) for node in _histories)
    matched = Counter(
        area(node.split(_HISTORY_TEST, 1)[1]) for node, o in _histories.items() if o == "exact"
    )
    terminalreporter.write_line(
        "  by area: " + ", ".join(f"{a} {matched[a]}/{n}" for a, n in sorted(areas.items()))
    )


def _hypothesis_profiles() -> None:
    import os

    from hypothesis import HealthCheck, settings

    settings.register_profile("default", max_examples=150, deadline=None)
    settings.register_profile(
        "soak", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


_hypothesis_profiles()
