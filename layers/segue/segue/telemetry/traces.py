"""X-Ray traces through Powertools' Tracer: on in Lambda, off elsewhere unless asked.

The Tracer patches botocore, so every AWS call is a subsegment. Locally, `SEGUE_TRACE=1`
sends segments to an X-Ray daemon (`AWS_XRAY_DAEMON_ADDRESS`, 127.0.0.1:2000 by default).
Making a Tracer imports the X-Ray SDK (over half a second), so none is made while
tracing is off.
"""

from __future__ import annotations

import contextlib
import os
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

TRACE_LOCALLY = "SEGUE_TRACE"
_TRUE = {"1", "true", "yes", "on"}


def enabled() -> bool:
    """Tracing is on in Lambda (unless POWERTOOLS_TRACE_DISABLED says otherwise, or SAM
    emulates Lambda), and anywhere `SEGUE_TRACE=1` asks for it: Powertools' own rule."""
    env = os.environ
    if env.get(TRACE_LOCALLY) == "1":
        return True
    if env.get("POWERTOOLS_TRACE_DISABLED", "").lower() in _TRUE or env.get("AWS_SAM_LOCAL"):
        return False
    return bool(env.get("LAMBDA_TASK_ROOT"))


@cache
def tracer() -> Tracer:
    """The process's tracer (only asked for while tracing is on)."""
    from aws_lambda_powertools import Tracer

    return Tracer(disabled=False)


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
