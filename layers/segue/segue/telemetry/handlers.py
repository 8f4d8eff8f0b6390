"""The wrapping every segue function's handler gets: context in the logs, a trace, metrics."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, TypeVar

from segue.telemetry.logs import logger
from segue.telemetry.metrics import metered
from segue.telemetry.traces import enabled, in_segment, tracer

if TYPE_CHECKING:
    from collections.abc import Callable

Answer = TypeVar("Answer")


def observed(handler: Callable[[Any, Any], Answer]) -> Callable[[Any, Any], Answer]:
    """`handler` with the Lambda request id on its log lines, a trace subsegment (responses
    are not copied into the trace) and its metrics published when it returns or raises."""
    traced = (
        tracer().capture_lambda_handler(handler, capture_response=False) if enabled() else handler
    )

    @functools.wraps(handler)
    def run(event: Any, context: Any) -> Answer:
        with in_segment(getattr(context, "function_name", "segue")), metered():
            answer: Answer = traced(event, context)
            return answer

    injected: Callable[[Any, Any], Answer] = logger().inject_lambda_context(run)

    @functools.wraps(handler)
    def entry(event: Any, context: Any) -> Answer:
        # a test (or a tool) may call a handler with no context: nothing to inject then
        return run(event, context) if context is None else injected(event, context)

    return entry
