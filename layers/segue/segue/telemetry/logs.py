"""Correlation fields on every log line: execution id, state, token and attempt.

Powertools keeps these keys in a context variable, so each thread (an API request, a
worker's lease renewal) sees only its own. The same keys annotate the current trace.
"""

from __future__ import annotations

import contextlib
import os
from functools import cache
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from segue.telemetry.traces import annotate

if TYPE_CHECKING:
    from collections.abc import Iterator

CORRELATION_KEYS = ("execution_id", "state", "token", "attempt")


@cache
def logger() -> Logger:
    """The functions' structured logger (segue's own `logging` loggers are its children)."""
    return Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "segue"))


@contextlib.contextmanager
def correlated(**keys: str | int | None) -> Iterator[None]:
    """Log lines (and the trace) inside carry `keys`; the keys outside come back after."""
    given = {k: v for k, v in keys.items() if v not in (None, "")}
    log = logger()
    before = dict(log.thread_safe_get_current_keys())
    log.thread_safe_append_keys(**given)
    annotate(given)
    try:
        yield
    finally:
        log.thread_safe_remove_keys(given)
        restored = {k: before[k] for k in given if k in before}
        if restored:
            log.thread_safe_append_keys(**restored)
