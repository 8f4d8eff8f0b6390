"""Suite-wide hooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _pytest.terminal import TerminalReporter


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """Print the conformance score when the conformance cases ran."""
    from tests.conformance import test_conformance

    if not test_conformance.OUTCOMES:
        return
    in_scope = sum(case.in_scope for case in test_conformance.CASES)
    matched = sum(test_conformance.OUTCOMES.values())
    terminalreporter.write_line(f"ASL conformance: {matched}/{in_scope} in-scope cases matched")
