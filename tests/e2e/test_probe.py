"""The probe: legal and hostile input from several threads at once against a `segue dev` stack.

It asserts what a client is promised: no 5xx, every answer of the documented shape, no
request that hangs, the executions running meanwhile finishing with the right output,
nothing stored changed by a refused request, exactly one effect of concurrent operations,
and every hostile execution ending (or waiting) within its own bound.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from tests.e2e.probe import (
    LAMBDA,
    MB,
    Answer,
    Case,
    Raw,
    callback,
    deep,
    forged,
    get,
    misshapen,
    one_state,
    post,
    spliced,
)

if TYPE_CHECKING:
    from tests.localstack import LocalStack

WAIT: dict[str, Any] = {
    "StartAt": "W",
    "States": {
        "W": {"Type": "Wait", "Seconds": 3600, "Next": "P"},
        "P": {"Type": "Pass", "End": True},
    },
}
APPROVAL = one_state({"Type": "Task", "Resource": "segue:approval", "Parameters": {"Message": "?"}})
EVENT = one_state(
    {
        "Type": "Task",
        "Resource": "segue:waitForEvent",
        "Parameters": {"EventName": "probe", "CorrelationKey.$": "$.key"},
    }
)
BYSTANDER = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Task", "Resource": LAMBDA + "add_one", "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 1, "Next": "B"},
        "B": {"Type": "Task", "Resource": LAMBDA + "add_one", "End": True},
    },
}
MACHINES = {
    "probe-held": WAIT,
    "probe-approve": APPROVAL,
    "probe-callback": callback(),
    "probe-event": EVENT,
    "probe-bystander": BYSTANDER,
    "probe-timing-out": callback(TimeoutSeconds=2),
}
ENDLESS_RETRY = {
    "ErrorEquals": ["States.ALL"],
    "IntervalSeconds": 99_999_999,
    "MaxAttempts": 99_999_999,
    "BackoffRate": 2,
}
BACKTRACKING = {"Variable": "$.s", "StringMatches": "*a" * 20 + "*b", "Next": "Y"}
HOSTILE: dict[str, tuple[dict, Any, tuple[str, str | None] | None]] = {
    "probe-retry": (
        one_state({"Type": "Task", "Resource": LAMBDA + "boom", "Retry": [ENDLESS_RETRY]}),
        {},
        None,  # its retry waits three years: scheduled, never stuck
    ),
    "probe-timeout": (
        one_state({"Type": "Task", "Resource": LAMBDA + "echo", "TimeoutSecondsPath": "$.t"}),
        {"t": 10**15},
        ("FAILED", "States.Runtime"),
    ),
    "probe-range": (
        one_state({"Type": "Pass", "Parameters": {"r.$": "States.ArrayRange(0, 1000000000, 1)"}}),
        {},
        ("FAILED", "States.IntrinsicFailure"),
    ),
    "probe-to-json": (
        one_state({"Type": "Pass", "Parameters": {"v.$": "States.StringToJson($.s)"}}),
        {"s": deep(5000)},
        ("FAILED", "States.IntrinsicFailure"),
    ),
    "probe-matches": (
        {
            "StartAt": "C",
            "States": {
                "C": {"Type": "Choice", "Choices": [BACKTRACKING], "Default": "N"},
                "Y": {"Type": "Pass", "Result": "yes", "End": True},
                "N": {"Type": "Pass", "Result": "no", "End": True},
            },
        },
        {"s": "a" * MB},
        ("SUCCEEDED", None),
    ),
}


def refused(token: str, approval: str, list_token: str) -> list[Case]:
    """Requests that must be refused; many aimed at the sentinels, which must not change."""
    held = "/executions/probe-held:held"

    def held_as(definition: Any) -> dict[str, Any]:
        return {"name": "probe-held", "definition": definition}

    start, callback_token = {"stateMachine": "probe-held"}, {"taskToken": token}
    rule = '{"Next": "D", "Not": ' + '{"Not": ' * 1999 + '{"Variable": "$.x", "IsPresent": true}'
    choices = rule + "}" * 2000  # written by hand: no JSON encoder nests 2,000 deep
    choice = '{"StartAt": "C", "States": {"C": {"Type": "Choice", "Default": "D", "Choices": ['
    choice += choices + ']}, "D": {"Type": "Succeed"}}}'
    seconds_as_text = {
        **WAIT,
        "States": {**WAIT["States"], "W": {"Type": "Wait", "Seconds": "10", "Next": "P"}},
    }
    nested_calls = "States.Format(" * 600 + "'x'" + ")" * 600
    parentheses = "$.items[?(" + "(" * 10_000 + "@.x" + ")" * 10_000 + ")]"
    ten_mb = "x" * (10 * MB)
    return [
        post("Wait Seconds as a string", "/state-machines", held_as(seconds_as_text), 400),
        post("TimeoutSeconds 10^15", "/state-machines", held_as({**WAIT, "TimeoutSeconds": 10**15}), 400),
        post("a definition over 1 MB", "/state-machines", held_as({**WAIT, "Comment": "x" * MB}), 413),
        post("a definition 10,000 deep", "/state-machines", spliced({"name": "probe-held"}, "definition", deep(10_000)), 400),
        post("a definition text 10,000 deep", "/state-machines", held_as(deep(10_000)), 400),
        post("Choice Not 2,000 deep", "/state-machines", spliced({"name": "probe-held"}, "definition", choice), 400),
        post("intrinsics 600 deep", "/state-machines", held_as(one_state({"Type": "Pass", "Parameters": {"x.$": nested_calls}})), 400),
        post("a filter of 10,000 parentheses", "/state-machines", held_as(one_state({"Type": "Pass", "Parameters": {"x.$": parentheses}})), 400),
        post("an input 10,000 deep", "/executions", spliced(start, "input", deep(10_000)), 400),
        post("an integer of 5,000 digits", "/executions", spliced(start, "input", "9" * 5000), 400),
        post("NaN", "/executions", spliced(start, "input", "NaN"), 400),
        post("1e400", "/executions", spliced(start, "input", "[1e400]"), 400),
        post("a lone surrogate", "/executions", spliced(start, "input", '"\\ud800"'), 400),
        post("a body that is not UTF-8", "/executions", b'{"stateMachine": "\xff"}', 400),
        post("an input over 10 MB", "/executions", {**start, "input": ten_mb}, 413),
        post("a body over the limit", "/executions", b"x" * (11 * MB), 413),
        post("a body far over the limit", "/executions", b"x" * (20 * MB), 413),
        post("a name with a slash", "/executions", {**start, "name": "a/b"}, 400),
        post("resume data over 10 MB", held + "/resume", {"data": {"x": ten_mb}}, 413),
        post("resume data 10,000 deep", held + "/resume", spliced({}, "data", deep(10_000)), 400),
        post("resume data NaN", held + "/resume", spliced({}, "data", '{"x": NaN}'), 400),
        post("a reason of 10 KB", held + "/pause", {"reason": "r" * 10_000}, 400),
        post("a reason that is an object", held + "/cancel", {"reason": {"a": 1}}, 400),
        post("an output 10,000 deep", "/tasks/success", spliced(callback_token, "output", deep(10_000)), 400),
        post("an output over 10 MB", "/tasks/success", {**callback_token, "output": ten_mb}, 413),
        post("an output of 1e400", "/tasks/success", spliced(callback_token, "output", "1e400"), 400),
        post("a token signed in non-ASCII", "/tasks/success", {"taskToken": token.rsplit(".", 1)[0] + ".é€ø", "output": 1}, 404),
        post("a token of another signature", "/tasks/failure", {"taskToken": token[:-4] + "0000"}, 404),
        post("approval data 10,000 deep", f"/approvals/{approval}/approve", spliced({}, "data", deep(10_000)), 400),
        post("approval data over 10 MB", f"/approvals/{approval}/approve", {"data": ten_mb}, 413),
        post("an event 10,000 deep", "/events", spliced({"name": "probe", "key": "k"}, "payload", deep(10_000)), 400),
        post("an event over 10 MB", "/events", {"name": "probe", "key": "k", "payload": ten_mb}, 413),
        get("limit in a Unicode digit", "/executions?limit=%C2%B2", 400),
        get("limit of 5,000 digits", "/executions?limit=" + "9" * 5000, 400),
        get("limit of zero", "/executions?limit=0", 400),
        get("history limit -1", held + "/history?limit=-1", 400),
        get("history after a word", held + "/history?after=abc", 400),
        get("a listing's token on history", held + "/history?nextToken=" + list_token, 400),
        get("a token of another filter", "/executions?status=FAILED&nextToken=" + list_token, 400),
        get("approvals of no status", "/approvals?status=NOPE", 400),
        get("an id no execution can have", "/executions/" + "a" * 5000, 404),
        get("a request line over 64 KB", "/executions/" + "a" * 70_000, 414),
        get("an unknown path", "/nope", 404),
        get("TRACE", "/executions", 405, method="TRACE"),
        get("DELETE an execution", held, 405, method="DELETE"),
        get("PUT a state machine", "/state-machines", 405, method="PUT"),
        get("an unknown method", "/health", 405, method="BREW"),
        get("HEAD of health", "/health", 200, method="HEAD"),
        get("HEAD of an execution", held, 200, method="HEAD"),
        get("OPTIONS of executions", "/executions", 204, method="OPTIONS"),
    ] + [
        get(f"forged token {i}", "/executions?limit=1&nextToken=" + bad, 400)
        for i, bad in enumerate(forged(list_token))
    ]  # fmt: skip


HEAD = b"POST /executions HTTP/1.1\r\nHost: probe\r\nContent-Type: application/json\r\n"
MALFORMED = [
    ("Content-Length -1", HEAD + b"Content-Length: -1\r\n\r\n{}", 400),
    ("Content-Length of a word", HEAD + b"Content-Length: ten\r\n\r\n{}", 400),
    ("a body shorter than it says", HEAD + b"Content-Length: 100\r\n\r\n{}", 400),
    ("chunked", HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 411),
    ("a header over 64 KB", b"GET /health HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431),
]
"""Requests no client library sends: answered in JSON, never a hang."""


class Probe:
    """The stack, what was set up on it, and every answer the probe got."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.raw = Raw(stack.endpoint)
        self.answers: list[tuple[str, str, Answer]] = []
        self.hung: list[str] = []

    def call(self, method: str, path: str, document: Any = None, **query: str) -> Any:
        return self.stack.client.call(method, path, document, query)

    def start(self, machine: str, name: str, input: Any = None) -> str:
        document = {"stateMachine": machine, "name": name, "input": input or {}}
        return str(self.call("POST", "/executions", document)["executionId"])

    def history(self, execution_id: str) -> list[dict]:
        return list(self.call("GET", f"/executions/{execution_id}/history", limit="1000")["events"])

    def seen(self, execution_id: str, kind: str) -> dict:
        """The first event of `kind` in the execution's history, waiting for it to come."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for event in self.history(execution_id):
                if event["type"] == kind:
                    return dict(event["details"])
            time.sleep(0.1)
        raise AssertionError(f"{execution_id} has no {kind} event")

    def task_token(self, execution_id: str) -> str:
        return str(self.seen(execution_id, "TaskStarted")["parameters"]["Payload"]["token"])

    def approval(self, execution_id: str) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for item in self.call("GET", "/approvals", status="PENDING")["items"]:
                if item["executionId"] == execution_id:
                    return str(item["approvalId"])
            time.sleep(0.1)
        raise AssertionError(f"{execution_id} never asked for an approval")

    def run(self, case: Case) -> Answer:
        started = time.monotonic()
        try:
            answer = self.raw.send(case.method, case.path, case.body)
        except OSError as exc:  # a reset, a refused connection, or no answer in a minute
            self.hung.append(f"{case.label}: {exc!r}")
            return Answer(0, {}, b"")
        if time.monotonic() - started > 30:
            self.hung.append(f"{case.label}: {time.monotonic() - started:.0f} s")
        self.answers.append((case.label, case.method, answer))
        return answer

    def burst(self, execution_id: str, actions: list[str]) -> list[int]:
        """`actions` on one execution, all at once; their statuses."""
        cases = [post(a, f"/executions/{execution_id}/{a}", {}) for a in actions]
        with ThreadPoolExecutor(len(cases)) as pool:
            return [answer.status for answer in pool.map(self.run, cases)]

    def count(self, execution_id: str, kind: str) -> int:
        return [e["type"] for e in self.history(execution_id)].count(kind)


def stored(stack: LocalStack, partitions: list[str]) -> dict[str, list[dict]]:
    """Every item of the given partitions, read from the stack's own moto server.

    Without the sweeper's own bookkeeping (`due_at`, `due_shard`): it looks once at an
    execution that rests and takes it off its index, which changes nothing of its state.
    """
    dynamodb = stack.aws("dynamodb")
    table = next(t for t in dynamodb.list_tables()["TableNames"] if t.endswith("-Table"))
    found = {}
    for pk in partitions:
        items = dynamodb.query(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ConsistentRead=True,
        )["Items"]
        found[pk] = sorted(
            ({k: v for k, v in item.items() if k not in ("due_at", "due_shard")} for item in items),
            key=lambda item: item["sk"]["S"],
        )
    return found


def send_event_message(stack: LocalStack, event: dict[str, Any]) -> None:
    sqs = stack.aws("sqs")
    queue = next(u for u in sqs.list_queues()["QueueUrls"] if u.endswith("-EventsQueue"))
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(event))


def test_every_input_gets_a_right_answer_and_nothing_is_lost(local_stack):
    probe = Probe(local_stack)
    for name, definition in MACHINES.items():
        probe.call("POST", "/state-machines", {"name": name, "definition": definition})
    # sentinels: what refused requests aim at, and must leave as they were
    held = probe.start("probe-held", "held")
    probe.call("POST", f"/executions/{held}/pause", {})
    local_stack.wait_for_status(held, "PAUSED")
    approval = probe.approval(probe.start("probe-approve", "held"))
    token = probe.task_token(probe.start("probe-callback", "held"))
    gone = probe.start("probe-held", "gone")
    probe.call("POST", f"/executions/{gone}/cancel", {})
    list_token = probe.call("GET", "/executions", limit="1")["nextToken"]
    sentinels = ["SM#probe-held", f"EX#{held}", f"AP#{approval}"]
    sentinels += ["EX#probe-approve:held", "EX#probe-callback:held"]
    before = stored(local_stack, sentinels)

    # executions that must finish right while the probe runs, and some made to never end
    bystanders = {probe.start("probe-bystander", f"b-{n}", {"n": n}): n for n in range(6)}
    hostile = {}
    for name, (definition, input, _) in HOSTILE.items():
        probe.call("POST", "/state-machines", {"name": name, "definition": definition})
        hostile[probe.start(name, "h", input)] = name

    # legal inputs up to the limits, through every route
    big_callback = probe.start("probe-callback", "big")
    big_approval = probe.start("probe-approve", "big")
    by_http = probe.start("probe-event", "http", {"key": "http-1"})
    by_queue = probe.start("probe-event", "queue", {"key": "queue-1"})
    megabyte = {"blob": "é" * (MB // 2)}
    utf8_event = "é" * (125 * 1024)  # 250 KB of UTF-8
    states: dict[str, dict[str, Any]] = {
        f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(9_999)
    }
    states["S9999"] = {"Type": "Pass", "End": True}
    legal = [
        post("1 MB task output", "/tasks/success", {"taskToken": probe.task_token(big_callback), "output": megabyte}, 200),
        post("1 MB approval data", f"/approvals/{probe.approval(big_approval)}/approve", {"data": megabyte}, 200),
        post("a 250 KB UTF-8 event", "/events", {"name": "probe", "key": "http-1", "payload": utf8_event}, 202),
        post("a 500 KB definition", "/state-machines", {"name": "probe-big-definition", "definition": {**WAIT, "Comment": "é" * (250 * 1024)}}, 201),
        post("10,000 states", "/state-machines", {"name": "probe-many-states", "definition": {"StartAt": "S0", "States": states}}, 201),
        post("a 9 MB input", "/executions", {"stateMachine": "probe-held", "name": "nine", "input": {"blob": "x" * (9 * MB)}}, 201),
    ]  # fmt: skip
    queue_event = {"name": "probe", "key": "queue-1", "payload": ""}
    queue_event["payload"] = "x" * (256 * 1024 - len(json.dumps(queue_event)))  # SQS's own limit
    send_event_message(local_stack, queue_event)

    cases = refused(token, approval, list_token) + legal
    with ThreadPoolExecutor(8) as pool:
        slow = [pool.submit(probe.raw.bytes, data) for _, data, _ in MALFORMED]
        for case, answer in zip(cases, pool.map(probe.run, cases), strict=True):
            assert answer.status in case.allowed, (case.label, answer.status, answer.body[:300])
        for (label, _, status), future in zip(MALFORMED, slow, strict=True):
            answer = future.result(timeout=60)  # one of them waits out a body that never comes
            probe.answers.append((label, "POST", answer))
            assert answer.status == status, (label, answer.status, answer.body[:300])
    with ThreadPoolExecutor(20) as crowd:  # twenty connections at once: none is reset
        statuses = list(crowd.map(lambda _: probe.raw.send("GET", "/health").status, range(20)))
    assert statuses == [200] * 20
    assert probe.hung == []
    shapes = [(label, misshapen(answer, method)) for label, method, answer in probe.answers]
    assert [shape for shape in shapes if shape[1]] == []

    # concurrent operations: every answer 2xx or 409, and each effect exactly once
    paused = probe.start("probe-held", "c1")
    assert sorted(probe.burst(paused, ["pause"] * 20)) == [202] + [409] * 19
    local_stack.wait_for_status(paused, "PAUSED")
    assert sorted(probe.burst(paused, ["resume"] * 20)) == [200] + [409] * 19
    assert (probe.count(paused, "PauseRequested"), probe.count(paused, "ExecutionResumed")) == (
        1,
        1,
    )
    cancelled = probe.start("probe-held", "c2")
    mixed = probe.burst(cancelled, ["pause", "cancel"] * 10)
    assert set(mixed) <= {200, 202, 409} and mixed.count(200) == 1 and mixed.count(202) <= 1
    local_stack.wait_for_status(cancelled, "CANCELLED")
    assert probe.count(cancelled, "PauseRequested") == mixed.count(202)
    assert probe.count(cancelled, "ExecutionCancelled") == 1
    timed_out = probe.start("probe-timing-out", "r")
    local_stack.wait_for_status(timed_out, "FAILED")
    assert sorted(probe.burst(timed_out, ["redrive"] * 20)) == [200] + [409] * 19
    assert probe.count(timed_out, "ExecutionRedriven") == 1
    assert set(probe.burst(gone, ["pause", "resume", "cancel", "redrive"] * 5)) == {409}

    # what the legal inputs carried arrived whole
    assert local_stack.wait_for_status(big_callback, "SUCCEEDED")["output"] == megabyte
    assert local_stack.wait_for_status(big_approval, "SUCCEEDED")["output"]["data"] == megabyte
    assert local_stack.wait_for_status(by_http, "SUCCEEDED")["output"] == utf8_event
    assert local_stack.wait_for_status(by_queue, "SUCCEEDED")["output"] == queue_event["payload"]
    # every hostile execution ended (or waits) within its own bound, with the error it should
    for execution_id, name in hostile.items():
        ending = HOSTILE[name][2]
        if ending is None:
            assert probe.seen(execution_id, "RetryScheduled")["delaySeconds"] == 99_999_999
            continue
        done = local_stack.wait_for_status(execution_id, "SUCCEEDED", "FAILED", timeout=60)
        assert (done["status"], done.get("error")) == ending, (name, done.get("cause"))
    # the bystanders finished as if nothing had happened; refused requests changed nothing
    for execution_id, n in bystanders.items():
        done = local_stack.wait_for_status(execution_id, "SUCCEEDED", "FAILED", timeout=90)
        assert done["output"] == {"n": n + 2}, (execution_id, done)
    assert stored(local_stack, sentinels) == before
