"""Metrics in EMF, correlation fields on log lines, and the handler wrapping that sets both."""

from __future__ import annotations

import io
import json
import logging

from hypothesis import given
from hypothesis import strategies as st

from segue.engine.measures import COUNT, MILLISECONDS, Measure, count
from segue.service.batches import handle_batch
from segue.telemetry import metrics, traces
from segue.telemetry.handlers import observed
from segue.telemetry.logs import correlated, logger
from segue.telemetry.metrics import MAX_VALUES, Meter, metered

UNITS = {"Transitions": COUNT, "Pauses": COUNT, "StateDuration": MILLISECONDS}
UNITS["TaskDuration"] = MILLISECONDS
measures = st.builds(
    lambda name, value, resource: Measure(name, value, UNITS[name], resource),
    name=st.sampled_from(sorted(UNITS)),  # a metric has one unit, as in engine.measures
    value=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    resource=st.sampled_from(["", "arn:aws:states:::lambda:invoke", "segue:approval"]),
)


@given(st.lists(measures, max_size=400))
def test_documents_carry_every_value_within_emf_bounds(given_measures):
    meter = Meter()
    for measure in given_measures:
        meter.add(measure)
    seen: dict[tuple[str, str, str], list[float]] = {}
    for document in meter.documents():
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        resource = document.get("Resource", "")
        assert len(directive["Metrics"]) <= 100
        for metric in directive["Metrics"]:
            values = document[metric["Name"]]
            assert 1 <= len(values) <= MAX_VALUES
            seen.setdefault((resource, metric["Name"], metric["Unit"]), []).extend(values)
    for (resource, name, unit), values in seen.items():
        chosen = [
            m for m in given_measures if (m.resource, m.name, m.unit) == (resource, name, unit)
        ]
        if unit == COUNT:
            assert values == [sum(m.value for m in chosen)]  # counts are summed
        else:
            assert sorted(values) == sorted(m.value for m in chosen)  # durations kept
    expected = {(m.resource, m.name, m.unit) for m in given_measures}
    assert set(seen) == expected


def test_outside_any_invocation_nothing_is_recorded_and_nothing_fails():
    metrics.record([count("Transitions")])  # no meter: a unit test, a tool


def test_an_invocation_publishes_its_metrics_to_the_metrics_file(tmp_path, monkeypatch):
    path = tmp_path / "metrics.jsonl"
    monkeypatch.setenv(metrics.METRICS_FILE, str(path))
    monkeypatch.setenv("SEGUE_STACK_NAME", "prod")
    with metered():
        metrics.record([count("Transitions"), count("Transitions", 2)])
    (document,) = [json.loads(line) for line in path.read_text().splitlines()]
    assert document["Transitions"] == [3.0]
    assert document["stack"] == "prod"
    assert document["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "segue"


def test_on_lambda_the_metrics_are_printed(monkeypatch, capsys):
    monkeypatch.delenv(metrics.METRICS_FILE, raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "segue-worker")
    with metered():
        metrics.record([Measure("TaskDuration", 12.0, MILLISECONDS, "segue:approval")])
    (line,) = capsys.readouterr().out.splitlines()
    document = json.loads(line)
    assert document["Resource"] == "segue:approval"
    assert document["TaskDuration"] == [12.0]


def _sqs_event(receives: int) -> dict:
    record = {
        "messageId": "m-1",
        "receiptHandle": "r",
        "body": "{}",
        "attributes": {"ApproximateReceiveCount": str(receives)},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:work",
        "awsRegion": "us-east-1",
    }
    return {"Records": [record, record | {"messageId": "m-2"}]}


def _fails(record) -> None:
    if record.message_id == "m-1":
        raise ValueError("poison")


def test_a_record_failing_its_last_receive_is_counted_as_dead_lettered():
    with metered() as meter:
        answer = handle_batch(_sqs_event(4), None, _fails)
        assert meter.counts == {}
        assert answer["batchItemFailures"] == [{"itemIdentifier": "m-1"}]
        handle_batch(_sqs_event(5), None, _fails)
    assert meter.counts == {("", "MessagesDeadLettered"): 1}


def test_correlation_fields_nest_and_the_outer_ones_come_back(caplog):
    log = logger()
    with correlated(execution_id="m:e1"):
        with correlated(state="A", token="t1", attempt=2, execution_id="m:e2"):
            assert log.thread_safe_get_current_keys() == {
                "execution_id": "m:e2",
                "state": "A",
                "token": "t1",
                "attempt": 2,
            }
        assert log.thread_safe_get_current_keys() == {"execution_id": "m:e1"}
    assert log.thread_safe_get_current_keys() == {}


def test_a_segue_log_line_inside_carries_the_fields():
    formatter = logger().registered_formatter  # segue's own loggers are its children
    written = io.StringIO()
    sink = logging.StreamHandler(written)
    sink.setFormatter(formatter)
    logging.getLogger("segue").addHandler(sink)
    try:
        with correlated(execution_id="m:e1", state="A"):
            logging.getLogger("segue.worker").info("task ran", extra={"ms": 3})
    finally:
        logging.getLogger("segue").removeHandler(sink)
    line = json.loads(written.getvalue())
    assert (line["execution_id"], line["state"], line["ms"]) == ("m:e1", "A", 3)
    assert line["message"] == "task ran" and line["service"] == "segue"


def test_an_observed_handler_publishes_even_when_it_raises(tmp_path, monkeypatch):
    path = tmp_path / "metrics.jsonl"
    monkeypatch.setenv(metrics.METRICS_FILE, str(path))

    @observed
    def handler(event, context):
        metrics.record([count("Pauses")])
        raise RuntimeError("boom")

    try:
        handler({}, None)
    except RuntimeError:
        pass
    assert json.loads(path.read_text())["Pauses"] == [1.0]


def test_tracing_is_on_in_lambda_and_where_asked(monkeypatch):
    for name in ("SEGUE_TRACE", "POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL", "LAMBDA_TASK_ROOT"):
        monkeypatch.delenv(name, raising=False)
    assert not traces.enabled()
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    assert traces.enabled()
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    assert not traces.enabled()
    monkeypatch.setenv("SEGUE_TRACE", "1")
    assert traces.enabled()


def test_with_tracing_off_no_tracer_is_made(monkeypatch):
    """A Tracer imports the X-Ray SDK: over half a second of every cold start."""
    for name in ("SEGUE_TRACE", "LAMBDA_TASK_ROOT"):
        monkeypatch.delenv(name, raising=False)
    traces.tracer.cache_clear()

    @observed
    def handler(event, context):
        with correlated(execution_id="m:e1"):
            return "done"

    assert handler({}, None) == "done"
    assert traces.tracer.cache_info().currsize == 0
