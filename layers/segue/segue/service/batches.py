"""SQS batches through Powertools' BatchProcessor: a failing record fails alone."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)

from segue.engine.measures import count
from segue.telemetry import metrics
from segue.telemetry.logs import logger

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

MAX_RECEIVES = 5
"""The queues' maxReceiveCount (template.yaml): a record failing this receive is dead-lettered."""


def handle_batch(
    event: dict[str, Any], context: Any, record_handler: Callable[[SQSRecord], None]
) -> PartialItemFailureResponse:
    """Each record to `record_handler`; the ids of those that raised, for SQS to retry."""

    def handle(record: SQSRecord) -> None:
        try:
            record_handler(record)
        except Exception:
            receives = int(record.attributes.approximate_receive_count or 0)
            if receives >= int(os.environ.get("SEGUE_MAX_RECEIVES", MAX_RECEIVES)):
                metrics.record([count("MessagesDeadLettered")])
                logger().error(
                    "message %s failed its last receive: to the dead-letter queue",
                    record.message_id,
                    extra={"queue": record.event_source_arn, "receives": receives},
                )
            raise

    return process_partial_response(
        event=event,
        record_handler=handle,
        processor=BatchProcessor(event_type=EventType.SQS),
        context=context,
    )
