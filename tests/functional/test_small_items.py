"""What a run of cheap states writes: one commit, a compressed page, a head with no empty fields."""

from __future__ import annotations

import boto3

from segue.store import keys
from tests.unit.helpers import chain

TEN_PASSES = chain(["pass"] * 10)


def items_of(harness, execution_id: str) -> dict[str, dict]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    answer = client.query(
        TableName=harness.stack.refs["Table"],
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.head(execution_id)["pk"]}},
    )
    return {item["sk"]["S"]: item for item in answer["Items"]}


def test_ten_pass_states_end_within_their_start_in_one_compressed_page(harness):
    execution_id = harness.start("passes", TEN_PASSES, {"order": "o-1" * 20})
    assert harness.describe(execution_id)["status"] == "SUCCEEDED"
    assert harness.drain() == 0  # no work message was needed
    items = items_of(harness, execution_id)
    assert sorted(sk for sk in items if sk.startswith("H#")) == ["H#0000000001"]
    packed = items["H#0000000001"]
    assert "events_z" in packed and "events" not in packed
    assert int(packed["count"]["N"]) == 22 and len(packed["events_z"]["B"]) < 1000
    history = harness.history(execution_id)
    assert [e["type"] for e in history].count("StateEntered") == 10
    assert [e["seq"] for e in history] == list(range(1, len(history) + 1))


def test_a_finished_head_keeps_no_empty_fields(harness):
    execution_id = harness.start("passes", TEN_PASSES, {})
    harness.drain()
    head = items_of(harness, execution_id)["HEAD"]
    assert not {"due_at", "redrive", "trigger_rule", "deadline", "pause_before"} & set(head)
    assert harness.executions.head(execution_id).redrive == ""  # read back as the default
