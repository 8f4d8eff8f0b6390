"""Metrics in CloudWatch's embedded metric format, through Powertools, one flush a call.

Each function invocation (or API request) gets its own meter, held in a context
variable, so the API's request threads and a worker's renewal thread never mix their
counts. On Lambda the EMF documents are printed (CloudWatch turns the log lines into
metrics); anywhere else they go to the JSON Lines file `SEGUE_METRICS_FILE` names, if any.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import threading
from collections import defaultdict
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from segue.engine.measures import COUNT, Measure

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

NAMESPACE = "segue"
METRICS_FILE = "SEGUE_METRICS_FILE"
MAX_VALUES = 100
"""EMF takes at most 100 values of one metric in one document."""

_current: ContextVar[Meter | None] = ContextVar("segue_meter", default=None)
_file_lock = threading.Lock()


class Meter:
    """The metrics of one invocation: counts summed, durations kept one by one."""

    def __init__(self) -> None:
        self.counts: defaultdict[tuple[str, str], float] = defaultdict(float)
        self.durations: defaultdict[tuple[str, str], list[float]] = defaultdict(list)

    def add(self, measure: Measure) -> None:
        key = (measure.resource, measure.name)
        if measure.unit == COUNT:
            self.counts[key] += measure.value
        else:
            self.durations[key].append(measure.value)

    def documents(self) -> list[dict[str, Any]]:
        """The EMF documents: one per resource dimension, each within EMF's bounds."""
        resources = {r for r, _ in self.counts} | {r for r, _ in self.durations}
        found: list[dict[str, Any]] = []
        for resource in sorted(resources):
            counts = {n: v for (r, n), v in self.counts.items() if r == resource}
            timings = {n: v for (r, n), v in self.durations.items() if r == resource}
            longest = max((len(v) for v in timings.values()), default=0)
            for start in range(0, max(longest, 1), MAX_VALUES):
                chosen = {n: v[start : start + MAX_VALUES] for n, v in timings.items()}
                chosen = {n: v for n, v in chosen.items() if v}
                if chosen or (counts and start == 0):
                    found.append(_document(resource, counts if start == 0 else {}, chosen))
        return found


def _document(resource: str, counts: dict[str, float], timings: dict[str, list[float]]) -> Any:
    emf = EphemeralMetrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE))
    emf.add_dimension("stack", os.environ.get("SEGUE_STACK_NAME", "segue"))
    if resource:
        emf.add_dimension("Resource", resource[:1024])
    for name, value in sorted(counts.items()):
        emf.add_metric(name=name, unit=MetricUnit.Count, value=value)
    for name, values in sorted(timings.items()):
        for value in values:
            emf.add_metric(name=name, unit=MetricUnit.Milliseconds, value=value)
    return emf.serialize_metric_set()


def record(measures: Iterable[Measure]) -> None:
    """Add `measures` to this invocation's meter (nothing when there is none)."""
    meter = _current.get()
    if meter is not None:
        for measure in measures:
            meter.add(measure)


@contextlib.contextmanager
def metered() -> Iterator[Meter]:
    """A meter for the code inside; its metrics are published when it ends."""
    meter = Meter()
    reset = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(reset)
        try:
            publish(meter.documents())
        except Exception:  # a metric lost is not worth an invocation failed
            logging.getLogger("segue.metrics").exception("metrics not published")


def publish(documents: list[dict[str, Any]]) -> None:
    """EMF documents to the metrics file, or to stdout on Lambda."""
    if not documents:
        return
    lines = "".join(json.dumps(d, separators=(",", ":")) + "\n" for d in documents)
    path = os.environ.get(METRICS_FILE)
    if path:
        with _file_lock, open(path, "a", encoding="utf-8") as sink:
            sink.write(lines)  # one write in append mode: whole lines from every process
    elif os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        sys.stdout.write(lines)
        sys.stdout.flush()
