"""The `events` function: external events and triggers from the `events` queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from segue.service.batches import handle_batch
from segue.service.inbound import receive
from segue.service.wiring import services
from segue.telemetry.handlers import observed
from segue.telemetry.logs import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


def record_handler(record: SQSRecord) -> None:
    """One message; a bad one fails alone, is retried, and ends in the DLQ."""
    try:
        receive(services(), record.body, record.message_id)
    except Exception:
        logger().exception("events message %s refused", record.message_id)
        raise


@observed
def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    """SQS batch in; the ids of the records to retry out."""
    return handle_batch(event, context, record_handler)
