"""The Distributed Map on moto S3: each reader, the batcher, tolerated failures, the
ResultWriter's files, pause, resume, cancel and redrive of a run in the middle."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from segue.service.map_runs import child_name
from tests.conformance.cases import load_cases
from tests.conformance.histories import differences
from tests.functional import lambdas
from tests.functional.sfn_client import step_functions_client
from tests.unit.helpers import distributed_map, object_reader

if TYPE_CHECKING:
    from segue.engine.head import Head

BUCKET = "items"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
ROLE = "arn:aws:iam::123456789012:role/segue"
ECHO = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def dmap(processor: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A machine of one Distributed Map state."""
    return distributed_map(processor or ECHO, **fields)


@pytest.fixture
def s3(harness):
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


def put(s3, key: str, body: str | bytes) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)


def reader(key: str, **config: Any) -> dict[str, Any]:
    return object_reader(BUCKET, key, **config)


def test_items_from_the_input_each_run_as_a_child_execution(harness):
    document = harness.run("m", dmap(ItemsPath="$.xs"), {"xs": [1, 2, 3]})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert document["output"] == [1, 2, 3]


def test_json_lines_in_batches(harness, s3):
    put(s3, "in.jsonl", "\n".join(json.dumps({"n": n}) for n in range(7)))
    definition = dmap(
        ItemReader=reader("in.jsonl", InputType="JSONL"),
        ItemBatcher={"MaxItemsPerBatch": 3, "BatchInput": {"b.$": "$.tag"}},
    )
    document = harness.run("m", definition, {"tag": "t"})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert [len(b["Items"]) for b in document["output"]] == [3, 3, 1]
    assert document["output"][0] == {
        "BatchInput": {"b": "t"},
        "Items": [{"n": 0}, {"n": 1}, {"n": 2}],
    }


def processor_machine(definition_name: str = "m") -> str:
    return f"{definition_name}.Each"


def runs(harness, execution_id: str) -> list[Any]:
    return harness.services.effects.children.map_runs.store.of_execution(execution_id)


def children(harness, execution_id: str, status: str | None = None) -> list[Head]:
    """The heads of the children a run has started, of `status` (any, by default)."""
    (run,) = runs(harness, execution_id)
    found = harness.services.store.get_heads(
        [f"{run.machine}:{child_name(run, i)}" for i in range(run.children)]
    )
    heads = list(found.values())
    return [h for h in heads if status is None or str(h.status) == status]


def test_csv_with_its_first_row_as_headers_and_max_items(harness, s3):
    put(s3, "in.csv", "id,name\n1,ann\n2,bob\n3,cy\n")
    definition = dmap(ItemReader=reader("in.csv", InputType="CSV", MaxItems=2))
    document = harness.run("m", definition, {})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert document["output"] == [{"id": "1", "name": "ann"}, {"id": "2", "name": "bob"}]


def test_csv_with_given_headers_and_another_delimiter(harness, s3):
    put(s3, "in.csv", "1|ann\n2|bob\n")
    config = {
        "InputType": "CSV",
        "CSVHeaderLocation": "GIVEN",
        "CSVHeaders": ["id", "who"],
        "CSVDelimiter": "PIPE",
    }
    document = harness.run("m", dmap(ItemReader=reader("in.csv", **config)), {})
    assert document["output"] == [{"id": "1", "who": "ann"}, {"id": "2", "who": "bob"}]


def test_a_json_array_through_an_item_selector(harness, s3):
    put(s3, "in.json", json.dumps([{"v": 1}, {"v": 2}]))
    definition = dmap(
        ItemReader=reader("in.json", InputType="JSON"),
        ItemSelector={
            "value.$": "$$.Map.Item.Value.v",
            "index.$": "$$.Map.Item.Index",
            "k.$": "$.k",
        },
    )
    document = harness.run("m", definition, {"k": "K"})
    assert document["output"] == [
        {"value": 1, "index": 0, "k": "K"},
        {"value": 2, "index": 1, "k": "K"},
    ]


def test_an_s3_listing_gives_one_item_per_object(harness, s3):
    for key in ("logs/a", "logs/b", "other/c"):
        put(s3, key, "x" * 3)
    definition = dmap(
        ItemReader={
            "Resource": "arn:aws:states:::s3:listObjectsV2",
            "Parameters": {"Bucket": BUCKET, "Prefix": "logs/"},
        }
    )
    document = harness.run("m", definition, {})
    assert [item["Key"] for item in document["output"]] == ["logs/a", "logs/b"]
    assert {item["Size"] for item in document["output"]} == {3}
    assert set(document["output"][0]) == {"Etag", "Key", "LastModified", "Size", "StorageClass"}


def test_an_s3_inventory_manifest_reads_its_csv_files(harness, s3):
    import gzip

    put(s3, "inv/data/1.csv.gz", gzip.compress(b'"items","a.txt","10"\n"items","b.txt","20"\n'))
    manifest = {
        "sourceBucket": BUCKET,
        "destinationBucket": f"arn:aws:s3:::{BUCKET}",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size",
        "files": [{"key": "inv/data/1.csv.gz", "size": 1, "MD5checksum": "x"}],
    }
    put(s3, "inv/manifest.json", json.dumps(manifest))
    definition = dmap(ItemReader=reader("inv/manifest.json", InputType="MANIFEST"))
    document = harness.run("m", definition, {})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert document["output"] == [
        {"Bucket": "items", "Key": "a.txt", "Size": "10"},
        {"Bucket": "items", "Key": "b.txt", "Size": "20"},
    ]


def test_a_missing_object_fails_the_map_with_item_reader_failed(harness, s3):
    definition = dmap(
        ItemReader=reader("nope.json", InputType="JSON"),
        Catch=[{"ErrorEquals": ["States.ItemReaderFailed"], "Next": "Caught"}],
    )
    definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    document = harness.run("m", definition, {})
    assert document["status"] == "SUCCEEDED"
    assert document["output"]["Error"] == "States.ItemReaderFailed"
    assert runs(harness, document["executionId"]) == []


FAILS_ODD = {
    "StartAt": "Odd?",
    "States": {
        "Odd?": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Variable": "$.odd", "BooleanEquals": True},
                        {"Variable": "$$.Execution.RedriveCount", "NumericEquals": 0},
                    ],
                    "Next": "Broke",
                }
            ],
            "Default": "Fine",
        },
        "Broke": {"Type": "Fail", "Error": "Item.Broke", "Cause": "odd"},
        "Fine": {"Type": "Pass", "End": True},
    },
}
ODD_ITEMS = {"xs": [{"n": n, "odd": n % 2 == 1} for n in range(6)]}


def test_failures_within_the_tolerance_are_kept_in_the_output(harness):
    definition = dmap(FAILS_ODD, ItemsPath="$.xs", ToleratedFailurePercentage=50)
    document = harness.run("m", definition, ODD_ITEMS)
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert document["output"][1] == {"Error": "Item.Broke", "Cause": "odd"}
    assert document["output"][0] == {"n": 0, "odd": False}
    (run,) = runs(harness, document["executionId"])
    assert run.counts == {"succeeded": 3, "failed": 3, "aborted": 0}


def test_failures_over_the_tolerance_fail_the_map(harness):
    definition = dmap(FAILS_ODD, ItemsPath="$.xs", ToleratedFailureCount=2, MaxConcurrency=1)
    document = harness.run("m", definition, ODD_ITEMS)
    assert document["status"] == "FAILED"
    assert document["error"] == "States.ExceedToleratedFailureThreshold"
    (run,) = runs(harness, document["executionId"])
    assert run.status == "FAILED" and run.counts["failed"] == 3
    assert run.cursor == 6 and run.counts["succeeded"] == 3


def test_a_redrive_runs_only_the_failed_items_again(harness):
    lambdas.CALLS.clear()
    flaky = {
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": LAMBDA + "flaky", "End": True}},
    }
    items = [{"key": f"k{n}", "failures": n % 2} for n in range(6)]
    definition = dmap(flaky, ItemsPath="$.xs", MaxConcurrency=2)
    document = harness.run("m", definition, {"xs": items})
    assert document["status"] == "FAILED"
    assert document["error"] == "States.ExceedToleratedFailureThreshold"
    execution_id = document["executionId"]
    redrives = 0
    while document["status"] == "FAILED" and redrives < 6:  # each round meets new odd items
        status, answer = harness.operate("redrive", execution_id)
        assert status in (200, 202), answer
        harness.drain()
        document = harness.describe(execution_id)
        redrives += 1
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert 1 <= redrives <= 3
    assert [o["attempts"] for o in document["output"]] == [1, 2, 1, 2, 1, 2]
    calls = [event["key"] for name, event in lambdas.CALLS if name == "flaky"]
    assert sorted(calls) == sorted(f"k{n}" for n in range(6) for _ in range(1 + n % 2))
    (run,) = runs(harness, execution_id)
    assert run.redrives == redrives
    assert run.counts == {"succeeded": 6, "failed": 0, "aborted": 0}


def test_the_result_writer_writes_its_manifest_and_results(harness, s3):
    definition = dmap(
        FAILS_ODD,
        ItemsPath="$.xs",
        ToleratedFailureCount=10,
        ResultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": BUCKET, "Prefix": "out"},
        },
    )
    document = harness.run("m", definition, ODD_ITEMS)
    assert document["status"] == "SUCCEEDED", document.get("cause")
    details = document["output"]["ResultWriterDetails"]
    assert details["Bucket"] == BUCKET and details["Key"].startswith("out/")
    assert document["output"]["MapRunArn"].startswith(
        "arn:aws:states:us-east-1:123456789012:mapRun:m/Each:"
    )
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=details["Key"])["Body"].read())
    assert manifest["MapRunArn"] == document["output"]["MapRunArn"]
    files = manifest["ResultFiles"]
    assert files["PENDING"] == [] and len(files["SUCCEEDED"]) == len(files["FAILED"]) == 1
    succeeded = json.loads(
        s3.get_object(Bucket=BUCKET, Key=files["SUCCEEDED"][0]["Key"])["Body"].read()
    )
    assert [json.loads(e["Output"])["n"] for e in succeeded] == [0, 2, 4]
    failed = json.loads(s3.get_object(Bucket=BUCKET, Key=files["FAILED"][0]["Key"])["Body"].read())
    assert {e["Error"] for e in failed} == {"Item.Broke"} and len(failed) == 3


ASK = {  # waits for an approval: running until someone decides
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "segue:approval",
            "Parameters": {"Message": "go?"},
            "End": True,
        }
    },
}


def approve_all(harness) -> int:
    harness.drain()  # children started meanwhile reach their approvals
    answer = harness.request("GET", "/approvals", query={"status": "PENDING", "limit": "100"})
    pending = answer[1]["items"]
    for approval in pending:
        status, answer = harness.request("POST", f"/approvals/{approval['approvalId']}/approve", {})
        assert status == 200, answer
    harness.drain()
    return len(pending)


def test_max_concurrency_bounds_the_children_running_at_once(harness):
    execution_id = harness.start(
        "m", dmap(ASK, ItemsPath="$.xs", MaxConcurrency=2), {"xs": list(range(5))}
    )
    harness.drain()
    rounds = []
    while running := children(harness, execution_id, "WAITING"):
        rounds.append(len(running))
        approve_all(harness)
    assert rounds == [2, 2, 1]
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"


def test_a_pause_stops_new_children_and_a_resume_finishes_every_item_once(harness):
    execution_id = harness.start(
        "m", dmap(ASK, ItemsPath="$.xs", MaxConcurrency=2), {"xs": list(range(5))}
    )
    harness.drain()
    status, answer = harness.operate("pause", execution_id, {"reason": "look"})
    assert (status, answer) == (202, {"status": "PAUSED"})
    assert len(children(harness, execution_id, "PAUSED")) == 2
    (run,) = runs(harness, execution_id)
    assert run.paused and run.cursor == 2
    status, answer = harness.operate("resume", execution_id, {"reason": "go on"})
    assert status == 200, answer
    assert len(children(harness, execution_id, "WAITING")) == 2
    assert approve_all(harness) == 2
    harness.operate("pause", execution_id)  # the two that ended started two more: paused
    assert len(children(harness, execution_id, "PAUSED")) == 2
    harness.operate("resume", execution_id)
    while approve_all(harness):
        pass
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert len(document["output"]) == 5
    (run,) = runs(harness, execution_id)
    assert run.counts == {"succeeded": 5, "failed": 0, "aborted": 0}


def test_cancelling_the_parent_aborts_the_run_and_its_running_children(harness):
    execution_id = harness.start(
        "m", dmap(ASK, ItemsPath="$.xs", MaxConcurrency=2), {"xs": list(range(5))}
    )
    harness.drain()
    status, answer = harness.operate("cancel", execution_id, {"reason": "stop"})
    assert status in (200, 202), answer
    harness.drain()
    assert len(children(harness, execution_id, "CANCELLED")) == 2
    (run,) = runs(harness, execution_id)
    assert run.status == "ABORTED" and run.cursor == 2
    assert run.counts == {"succeeded": 0, "failed": 0, "aborted": 2}


def test_a_childs_end_lost_in_a_crash_is_counted_again_by_the_sweeper(harness):
    from segue.service.sweeper import Sweeper

    execution_id = harness.start("m", dmap(ASK, ItemsPath="$.xs", MaxConcurrency=1), {"xs": [1, 2]})
    harness.drain()
    hooks = harness.services.effects.children
    harness.services.effects.children = None  # the child's end commits; the run never hears
    try:
        approve_all(harness)
    finally:
        harness.services.effects.children = hooks
    (run,) = runs(harness, execution_id)
    assert run.counts["succeeded"] == 0 and run.running == 1
    harness.clock.advance(120)
    Sweeper(harness.services).sweep()
    harness.drain()
    assert len(children(harness, execution_id, "WAITING")) == 1  # the next one started
    approve_all(harness)
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED"
    assert [o["approved"] for o in document["output"]] == [True, True]
    (run,) = runs(harness, execution_id)
    assert run.counts == {"succeeded": 2, "failed": 0, "aborted": 0} and run.answered


def test_the_jsonata_forms(harness, s3):
    put(s3, "in.jsonl", "\n".join(json.dumps({"n": n}) for n in range(4)))
    total = {"Type": "Pass", "Output": "{% $sum($states.input.Items.twice) %}", "End": True}
    definition = distributed_map(
        {"StartAt": "Sum", "States": {"Sum": total}},
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSONL", "MaxItems": "{% $states.input.most %}"},
            "Arguments": {"Bucket": BUCKET, "Key": "{% $states.input.key %}"},
        },
        ItemSelector={"twice": "{% $states.context.Map.Item.Value.n * 2 %}"},
        ItemBatcher={"MaxItemsPerBatch": 2},
        Output="{% $states.result %}",
    )
    definition["QueryLanguage"] = "JSONata"
    document = harness.run("m", definition, {"key": "in.jsonl", "most": 3})
    assert document["status"] == "SUCCEEDED", document.get("cause")
    assert document["output"] == [2, 4]


RECORDED = [
    case
    for case in load_cases("jsonata")
    if "Map.DISTRIBUTED" in case.document.get("features", []) and case.document.get("history")
]


def test_the_recorded_distributed_map_cases_are_there():
    assert len(RECORDED) == 2


@pytest.mark.parametrize("case", RECORDED, ids=[case.name for case in RECORDED])
def test_a_recorded_distributed_map_ends_as_aws_recorded_it(harness, case):
    """Out of the recorded suites' scope (they need S3): here, with their objects on moto."""
    s3 = boto3.client("s3")
    input = case.document["input"]
    for resource in case.document["resources"]:  # in the bucket the recorded input names
        assert resource["service"] == "s3"
        getattr(s3, resource["action"])(**{**resource["params"], "Bucket": input["Bucket"]})
    sfn = step_functions_client(harness.api.handler)
    arn = sfn.create_state_machine(
        name="recorded", definition=json.dumps(case.document["definition"]), roleArn=ROLE
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(input))["executionArn"]
    harness.drain()
    ending = sfn.describe_execution(executionArn=execution)
    assert ending["status"] == case.document["expected"]["status"]
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=execution)
    ours = [event for page in pages for event in page["events"]]
    # the recording wrote its bucket's name as a placeholder
    recorded = json.loads(
        json.dumps(case.document["history"]).replace("bucket-name", input["Bucket"])
    )
    found = differences(recorded, json.loads(json.dumps(ours, default=str)))
    assert found == [], found


def test_the_inspection_shows_how_far_a_run_has_got(harness):
    execution_id = harness.start(
        "m",
        dmap(ASK, ItemsPath="$.xs", MaxConcurrency=2, ItemBatcher={"MaxItemsPerBatch": 2}),
        {"xs": list(range(7))},
    )
    harness.drain()
    (run,) = harness.describe(execution_id)["mapRuns"]
    assert run["state"] == "Each" and run["status"] == "RUNNING" and not run["paused"]
    assert run["items"] == {
        "total": 7,
        "pending": 3,
        "running": 4,
        "succeeded": 0,
        "failed": 0,
        "aborted": 0,
    }
    assert run["children"] == {
        "total": 4,
        "pending": 2,
        "running": 2,
        "succeeded": 0,
        "failed": 0,
        "aborted": 0,
    }
    harness.operate("pause", execution_id)
    assert harness.describe(execution_id)["mapRuns"][0]["paused"]
    harness.operate("resume", execution_id)
    approve_all(harness)
    (run,) = harness.describe(execution_id)["mapRuns"]
    assert run["items"]["succeeded"] == 4 and run["items"]["running"] == 3
    assert run["children"]["succeeded"] == 2 and run["children"]["pending"] == 0
    while approve_all(harness):
        pass
    (run,) = harness.describe(execution_id)["mapRuns"]
    assert run["status"] == "SUCCEEDED" and run["stoppedAt"] is not None
    assert run["items"]["succeeded"] == 7 and run["children"]["succeeded"] == 4


def test_the_step_functions_api_describes_and_lists_map_runs(harness):
    sfn = step_functions_client(harness.api.handler)
    execution_id = harness.start(
        "m", dmap(ASK, ItemsPath="$.xs", MaxConcurrency=2), {"xs": [1, 2, 3]}
    )
    harness.drain()
    execution_arn = f"arn:aws:states:us-east-1:123456789012:execution:{execution_id}"
    (listed,) = sfn.list_map_runs(executionArn=execution_arn)["mapRuns"]
    assert listed["executionArn"] == execution_arn
    described = sfn.describe_map_run(mapRunArn=listed["mapRunArn"])
    assert described["status"] == "RUNNING" and described["maxConcurrency"] == 2
    counts = described["itemCounts"]
    assert (counts["total"], counts["running"], counts["pending"]) == (3, 2, 1)
    children = sfn.list_executions(mapRunArn=listed["mapRunArn"])["executions"]
    assert [c["status"] for c in children] == ["RUNNING", "RUNNING"]
    assert {c["stateMachineArn"].rsplit(":", 1)[1] for c in children} == {"m.Each"}
    with pytest.raises(ClientError) as missing:
        sfn.describe_map_run(mapRunArn=listed["mapRunArn"][:-1] + "9")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFound"
    with pytest.raises(ClientError) as bad:
        sfn.describe_map_run(mapRunArn="arn:aws:states:us-east-1:123456789012:mapRun:nope")
    assert bad.value.response["Error"]["Code"] == "InvalidArn"


TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"}


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    operations=st.lists(
        st.sampled_from(["pause", "resume", "cancel", "approve", "drain"]), max_size=8
    )
)
@example(operations=["pause", "approve", "drain", "resume"])
@example(operations=["approve", "cancel"])
def test_no_child_outruns_its_run_and_every_item_runs_once_whatever_the_operators_do(
    harness, operations
):
    """Any interleaving of the parent's pause, resume and cancel with its children's
    progress: no child runs under a parent that ended or is paused, and a run let go on
    ends with every item processed exactly once."""
    execution_id = harness.start(
        "m", dmap(ASK, ItemsPath="$.xs", MaxConcurrency=2), {"xs": [1, 2, 3, 4]}
    )
    harness.drain()
    for operation in operations:
        if operation == "drain":
            harness.drain()
        elif operation == "approve":
            approve_all(harness)
        else:
            harness.operate(operation, execution_id)
    harness.drain()
    status = harness.describe(execution_id)["status"]
    kids = {str(h.status) for h in children(harness, execution_id)}
    if status in TERMINAL:
        assert kids <= TERMINAL, (operations, status, kids)
    elif status == "PAUSED":
        assert kids <= TERMINAL | {"PAUSED"}, (operations, status, kids)
        harness.operate("resume", execution_id)
    while approve_all(harness):
        pass
    document = harness.describe(execution_id)
    if document["status"] == "CANCELLED":
        return
    assert document["status"] == "SUCCEEDED", (operations, document)
    assert [o["approved"] for o in document["output"]] == [True] * 4
    finished = children(harness, execution_id)
    assert len(finished) == 4 and {str(h.status) for h in finished} == {"SUCCEEDED"}
    for head in finished:
        started = [e for e in harness.history(head.execution_id) if e["type"] == "ExecutionStarted"]
        assert len(started) == 1
    (run,) = runs(harness, execution_id)
    assert run.counts == {"succeeded": 4, "failed": 0, "aborted": 0}


@pytest.mark.parametrize("when", ["before its start", "after its start"])
def test_a_pause_landing_before_a_childs_claim_pauses_that_child_too(harness, monkeypatch, when):
    """The refill read the run unpaused; the operator's pause lands before the claim (the
    pause's cascade may miss the child, not yet started: the refill pauses it then)."""
    from segue.service.map_runs import MapRuns

    execution_id = harness.start(
        "m", dmap(ASK, ItemsPath="$.xs", MaxConcurrency=2), {"xs": [1, 2, 3, 4]}
    )
    harness.drain()
    started = MapRuns._start_child

    def start_then_pause(self: MapRuns, run: Any, plan: Any, index: int) -> Any:
        if index == 2 and when == "before its start":
            assert harness.operate("pause", execution_id)[0] == 202
        child = started(self, run, plan, index)
        if index == 2 and when == "after its start":
            assert harness.operate("pause", execution_id)[0] == 202
        return child

    monkeypatch.setattr(MapRuns, "_start_child", start_then_pause)
    (first, _) = sorted(children(harness, execution_id), key=lambda h: h.name)
    approval = next(
        a
        for a in harness.request("GET", "/approvals", query={"status": "PENDING"})[1]["items"]
        if a["executionId"] == first.execution_id
    )
    harness.request("POST", f"/approvals/{approval['approvalId']}/approve", {})
    harness.drain()
    statuses = {h.name.rsplit("-", 1)[1]: str(h.status) for h in children(harness, execution_id)}
    assert statuses == {"0": "SUCCEEDED", "1": "PAUSED", "2": "PAUSED"}
    assert harness.describe(execution_id)["status"] == "PAUSED"
    monkeypatch.setattr(MapRuns, "_start_child", started)
    assert harness.operate("resume", execution_id)[0] == 200
    while approve_all(harness):
        pass
    document = harness.describe(execution_id)
    assert document["status"] == "SUCCEEDED", document.get("cause")
    (run,) = runs(harness, execution_id)
    assert run.counts == {"succeeded": 4, "failed": 0, "aborted": 0}


def test_a_result_writer_that_cannot_write_fails_the_map_and_its_run(harness, s3):
    definition = dmap(
        ItemsPath="$.xs",
        ResultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "no-such-bucket", "Prefix": "out"},
        },
        Catch=[{"ErrorEquals": ["States.ResultWriterFailed"], "Next": "Caught"}],
    )
    definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    document = harness.run("m", definition, {"xs": [1, 2]})
    assert document["status"] == "SUCCEEDED"
    assert document["output"]["Error"] == "States.ResultWriterFailed"
    assert "no-such-bucket" in document["output"]["Cause"]
    (run,) = runs(harness, document["executionId"])
    assert run.status == "FAILED" and run.counts["succeeded"] == 2


def test_a_state_after_a_distributed_map_names_its_entry_by_awss_event_id(harness):
    definition = dmap(ItemsPath="$.xs")
    each = definition["States"]["Each"]
    del each["End"]
    definition["States"] |= {
        "Each": each | {"Next": "Bad"},
        "Bad": {"Type": "Pass", "InputPath": "$.missing", "End": True},
    }
    document = harness.run("m", definition, {"xs": [1]})
    assert document["status"] == "FAILED" and document["error"] == "States.Runtime"
    sfn = step_functions_client(harness.api.handler)
    arn = f"arn:aws:states:us-east-1:123456789012:execution:{document['executionId']}"
    events = sfn.get_execution_history(executionArn=arn)["events"]
    types = [e["type"] for e in events if e["id"] < 1_000_000_000]
    assert types[2:6] == [
        "MapStateStarted",
        "MapRunStarted",
        "MapRunSucceeded",
        "MapStateSucceeded",
    ]
    (bad,) = [e for e in events if e["type"] == "PassStateEntered"]
    assert f"(entered at the event id #{bad['id']})" in document["cause"]
