"""Dead-letter queues: messages that failed too often, shown and sent back (`segue dlq`).

A redrive sends a message's body back to the queue it came from, then deletes it from
the dead-letter queue; a crash between the two sends it twice, which the claim (for
work) and the event id (for events) make harmless. SQS's own StartMessageMoveTask moves
everything at once; this moves chosen messages too, and runs the same on moto.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from segue.asl.timestamps import format_timestamp
from segue.service.errors import BadRequestError, NotFoundError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

PEEK_SECONDS = 30
"""Messages being listed are hidden this long, then shown again at once."""
MOST = 100


@dataclass(frozen=True)
class DeadLetterQueue:
    """A dead-letter queue and the queue its messages came from."""

    name: str
    url: str
    source_url: str


class DeadLetters:
    """Lists and redrives the messages of the stack's dead-letter queues."""

    def __init__(self, sqs: SQSClient, queues: list[DeadLetterQueue]) -> None:
        self.sqs = sqs
        self.queues = {q.name: q for q in queues if q.url}

    def show(self, name: str, limit: int = MOST) -> dict[str, Any]:
        """Up to `limit` messages of the queue, oldest first, left where they are."""
        if not 1 <= limit <= MOST:
            raise BadRequestError(f"limit must be between 1 and {MOST}")
        queue = self._queue(name)
        messages = self._receive(queue, limit)
        self._show_again(queue, messages)
        return {"queue": name, "items": [_document(m) for m in messages]}

    def redrive(self, name: str, ids: list[str] | None = None) -> dict[str, Any]:
        """Send the messages (all, or those with `ids`) back to their queue; how many."""
        queue = self._queue(name)
        messages = self._receive(queue, MOST)
        chosen = [m for m in messages if ids is None or m["MessageId"] in ids]
        for message in chosen:
            self.sqs.send_message(QueueUrl=queue.source_url, MessageBody=message["Body"])
            self.sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])
        self._show_again(queue, [m for m in messages if m not in chosen])
        missing = sorted(set(ids or ()) - {m["MessageId"] for m in chosen})
        return {"queue": name, "redriven": len(chosen), "notFound": missing}

    def _queue(self, name: str) -> DeadLetterQueue:
        if name not in self.queues:
            known = ", ".join(sorted(self.queues))
            raise NotFoundError(f"no dead-letter queue {name!r} (there are: {known})")
        return self.queues[name]

    def _receive(self, queue: DeadLetterQueue, limit: int) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        while len(found) < limit:
            answer = self.sqs.receive_message(
                QueueUrl=queue.url,
                MaxNumberOfMessages=min(10, limit - len(found)),
                VisibilityTimeout=PEEK_SECONDS,
                AttributeNames=["All"],
            )
            batch = answer.get("Messages", [])
            if not batch:
                break
            found |= {m["MessageId"]: dict(m) for m in batch}
        return sorted(found.values(), key=lambda m: int(m["Attributes"]["SentTimestamp"]))

    def _show_again(self, queue: DeadLetterQueue, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(messages[start : start + 10])
            ]
            self.sqs.change_message_visibility_batch(QueueUrl=queue.url, Entries=entries)  # type: ignore[arg-type]


def _document(message: dict[str, Any]) -> dict[str, Any]:
    attributes = message["Attributes"]
    return {
        "messageId": message["MessageId"],
        "body": message["Body"],
        "receiveCount": int(attributes.get("ApproximateReceiveCount", 0)),
        "sentAt": _time(attributes["SentTimestamp"]),
    }


def _time(milliseconds: str) -> str:
    return format_timestamp(datetime.fromtimestamp(int(milliseconds) / 1000, UTC))
