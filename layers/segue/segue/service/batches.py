"""SQS batches through Powertools' BatchProcessor: a failing record fails alone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


def handle_batch(
    event: dict[str, Any], context: Any, record_handler: Callable[[SQSRecord], None]
) -> PartialItemFailureResponse:
    """Each record to `record_handler`; the ids of those that raised, for SQS to retry."""
    return process_partial_response(
        event=event,
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.SQS),
        context=context,
    )
