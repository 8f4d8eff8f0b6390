"""`segue dev` and the CLI end to end: the examples, Retry and Catch, Parallel and Map."""

from __future__ import annotations

import json

import pytest

from tests.localstack import REPO
from tests.unit.helpers import distributed_map, object_reader

EXAMPLES = {
    "order.asl.json": (
        {"orderId": "o-1", "items": ["book"], "total": 12},
        lambda output: output["status"] == "CONFIRMED" and output["chargeId"].startswith("c-"),
    ),
    "fanout.asl.json": (
        {"customerId": 7},
        lambda output: output["profile"]["customerId"] == 7 and output["score"] == 607,
    ),
    "batch.asl.json": (
        {"bucket": "b", "width": 64, "keys": [f"img-{n}.png" for n in range(6)]},
        lambda output: output["count"] == 6 and output["resized"][5]["bytes"] == 640,
    ),
    "checkout.asl.json": (
        {"orderId": "o-9", "lines": [{"sku": "book", "qty": 2, "price": 9.5}]},
        lambda output: output["total"] == 19 and output["chargeId"].startswith("c-"),
    ),
}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_segue_run_finishes_each_example_with_its_output(local_stack, example):
    input, expected = EXAMPLES[example]
    done = local_stack.segue(
        "--json", "run", str(REPO / "statemachine" / example), "--input", json.dumps(input)
    )
    assert done.returncode == 0, done.stderr + done.stdout
    result = json.loads(done.stdout)
    assert result["status"] == "SUCCEEDED"
    assert expected(result["output"]), result


def test_a_declined_card_is_caught_and_the_order_rejected(local_stack):
    order = {"orderId": "o-2", "items": ["book"], "total": 5000}
    done = local_stack.segue(
        "run", str(REPO / "statemachine" / "order.asl.json"), "--input", json.dumps(order)
    )
    assert done.returncode == 1
    assert "ReleaseStock" in done.stdout  # the Catch path ran
    assert "OrderRejected" in done.stdout


def test_start_wait_describe_list_and_history_through_the_cli(local_stack, tmp_path):
    definition = {
        "StartAt": "Inc",
        "States": {
            "Inc": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:add_one",
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
                "End": True,
            }
        },
    }
    path = tmp_path / "inc.asl.json"
    path.write_text(json.dumps(definition))
    assert local_stack.segue("deploy-definition", str(path)).returncode == 0
    started = local_stack.segue(
        "--json", "start", "inc", "--input", '{"n": 41}', "--name", "cli-1", "--wait"
    )
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)["output"] == {"n": 42}
    described = local_stack.segue("--json", "describe", "inc:cli-1")
    assert json.loads(described.stdout)["completedStates"][0]["name"] == "Inc"
    listed = local_stack.segue("--json", "list", "--state-machine", "inc")
    assert [i["executionId"] for i in json.loads(listed.stdout)["items"]] == ["inc:cli-1"]
    history = local_stack.segue("history", "inc:cli-1")
    assert "ExecutionSucceeded" in history.stdout


def test_unknown_execution_is_reported_not_crashed(local_stack):
    done = local_stack.segue("describe", "nope:nothing")
    assert done.returncode == 1
    assert "404" in done.stderr


def test_a_nested_execution_through_the_cli_shows_parent_and_child(local_stack, tmp_path):
    child = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    parent = {
        "StartAt": "Run",
        "States": {
            "Run": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": "kid", "Name": "k-cli", "Input": {"n": 1}},
                "End": True,
            }
        },
    }
    for name, definition in (("kid", child), ("mom", parent)):
        path = tmp_path / f"{name}.asl.json"
        path.write_text(json.dumps(definition))
        assert local_stack.segue("deploy-definition", str(path)).returncode == 0
    started = local_stack.segue("--json", "start", "mom", "--name", "m-cli", "--wait")
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)["output"]["Output"] == {"n": 1}
    assert (
        "child:     kid:k-cli SUCCEEDED (from Run)"
        in local_stack.segue("describe", "mom:m-cli").stdout
    )
    assert "parent:    mom:m-cli" in local_stack.segue("describe", "kid:k-cli").stdout


def test_a_distributed_map_over_s3_through_the_cli_shows_its_run(local_stack, tmp_path):
    s3 = local_stack.aws("s3")
    s3.create_bucket(Bucket="cli-items")
    lines = "\n".join(json.dumps({"n": n}) for n in range(25))
    s3.put_object(Bucket="cli-items", Key="in.jsonl", Body=lines.encode())
    count = {"Type": "Pass", "Parameters": {"count.$": "States.ArrayLength($.Items)"}, "End": True}
    definition = distributed_map(
        {"StartAt": "Count", "States": {"Count": count}},
        ItemReader=object_reader("cli-items", "in.jsonl", InputType="JSONL"),
        ItemBatcher={"MaxItemsPerBatch": 10},
        MaxConcurrency=2,
    )
    path = tmp_path / "fan.asl.json"
    path.write_text(json.dumps(definition))
    assert local_stack.segue("deploy-definition", str(path)).returncode == 0
    started = local_stack.segue("--json", "start", "fan", "--name", "f-cli", "--wait")
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)["output"] == [{"count": 10}, {"count": 10}, {"count": 5}]
    described = local_stack.segue("describe", "fan:f-cli").stdout
    assert (
        "map run:   Each SUCCEEDED: 25 items "
        "(0 pending, 0 running, 25 succeeded, 0 failed, 0 aborted)" in described
    )
