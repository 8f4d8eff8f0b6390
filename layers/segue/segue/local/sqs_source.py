"""Plays Lambda's SQS event source: receive a batch, call the handler, delete what it did.

Records the handler reports as failed (or every record, if it raises) are left alone:
they come back after the visibility timeout, and the queue's redrive policy moves them
to the DLQ after maxReceiveCount receives, as on AWS.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from segue.tasks.functions import LambdaContext

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger("segue.local")


def to_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """Received messages as the event Lambda would get."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


def poll_once(
    sqs: Any,
    url: str,
    handler: Callable[[dict[str, Any], Any], Any],
    *,
    function_name: str,
    batch_size: int = 10,
    wait_seconds: int = 1,
    timeout: float = 900.0,
) -> int:
    """One receive and one handler call; how many messages came."""
    answer = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=min(batch_size, 10),
        WaitTimeSeconds=wait_seconds,
        AttributeNames=["All"],
    )
    messages = answer.get("Messages", [])
    if not messages:
        return 0
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    context = LambdaContext(function_name, time.monotonic() + timeout)
    try:
        response = handler(to_event(messages, arn), context) or {}
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
    except Exception:  # on AWS too, a raising handler fails the whole batch
        log.exception("%s failed a batch of %d", function_name, len(messages))
        failed = {m["MessageId"] for m in messages}
    done = [m for m in messages if m["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
            ],
        )
    return len(messages)
