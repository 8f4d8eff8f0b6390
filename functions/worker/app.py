"""The `worker` function: runs the tokens named by work messages (SQS, partial failures)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from segue.service.batches import handle_batch
from segue.service.wiring import services
from segue.store.queue import WorkMessage, by_due_time
from segue.telemetry.handlers import observed

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


def record_handler(record: SQSRecord) -> None:
    """One message: a malformed body fails this record only (and ends in the DLQ)."""
    services().worker.handle(WorkMessage.model_validate_json(record.body))


@observed
def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    """SQS batch in (due records first); the ids of the records to retry out."""
    ordered = {**event, "Records": by_due_time(event.get("Records", []))}
    services().worker.time_left = lambda: context.get_remaining_time_in_millis() / 1000
    return handle_batch(ordered, context, record_handler)
