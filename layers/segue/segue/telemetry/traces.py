"""X-Ray traces through Powertools' Tracer: on in Lambda, off elsewhere unless asked.

The Tracer patches botocore, so every AWS call is a subsegment. Locally, `SEGUE_TRACE=1`
sends segments to an X-Ray daemon (`AWS_XRAY_DAEMON_ADDRESS`, 127.0.0.1:2000 by default).
"""

from __future__ import annotations

import contextlib
import os
from functools import cache
from typing import Any

from aws_lambda_powertools import Tracer

TRACE_LOCALLY = "SEGUE_TRACE"


@cache
def tracer() -> Tracer:
    """The process's tracer (Powertools turns it off outside Lambda)."""
    if os.environ.get(TRACE_LOCALLY) == "1":
        return Tracer(disabled=False)
    return Tracer()


def enabled() -> bool:
    return not tracer().disabled


def annotate(keys: dict[str, Any]) -> None:
    """Index the current trace by `keys` (X-Ray annotations), when tracing is on."""
    if not enabled():
        return
    for name, value in keys.items():
        try:
            tracer().put_annotation(name, value)
        except Exception:  # outside any subsegment: nothing to annotate
            continue


def in_segment(name: str) -> Any:
    """A segment for one invocation outside Lambda (where Lambda makes none itself)."""
    if not enabled() or os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return contextlib.nullcontext()
    # the provider is X-Ray's recorder, whose segments Powertools' own type does not show
    recorder: Any = tracer().provider
    return recorder.in_segment(name)
