"""The work queue: one message is "run this token of this execution"."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from segue.asl.bounds import JsonTextError, read_json

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

MAX_DELAY_SECONDS = 900


class WorkMessage(BaseModel):
    """The body of a work message (checked: a malformed one is refused, never half-run)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    execution_id: str = Field(alias="executionId", min_length=1, max_length=300)
    token: str = Field(min_length=1, max_length=40)
    attempt: int = Field(ge=1)
    not_before: datetime | None = Field(default=None, alias="notBefore")

    def body(self) -> str:
        return self.model_dump_json(by_alias=True, exclude_none=True)


class WorkQueue:
    """Sends work messages, delayed up to SQS's 15 minutes when a token is not due yet."""

    def __init__(self, sqs: SQSClient, url: str) -> None:
        self.sqs = sqs
        self.url = url

    def send(self, messages: list[WorkMessage], now: datetime) -> None:
        for start in range(0, len(messages), 10):
            entries = [
                {
                    "Id": str(i),
                    "MessageBody": m.body(),
                    "DelaySeconds": _delay(m.not_before, now),
                }
                for i, m in enumerate(messages[start : start + 10])
            ]
            answer = self.sqs.send_message_batch(QueueUrl=self.url, Entries=entries)  # type: ignore[arg-type]
            failed = answer.get("Failed", [])
            if failed:
                raise RuntimeError(f"work queue refused {len(failed)} messages: {failed[0]}")


def by_due_time(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SQS records with the due ones first, then the rest by their `notBefore`.

    A worker waits out the last fraction of a second of an early message; in this order
    no due message of the batch waits behind it, and the waits add up to no more than
    the spread of their times.
    """

    def due(record: dict[str, Any]) -> str:
        try:  # any text at all: a malformed body fails its own record later, not the batch
            body = read_json(str(record.get("body", "")))
        except JsonTextError:
            return ""
        return str(body.get("notBefore", "")) if isinstance(body, dict) else ""

    return sorted(records, key=due)


def _delay(not_before: datetime | None, now: datetime) -> int:
    if not_before is None:
        return 0
    # Whole seconds, to the nearest: a message comes at most half a second early (the worker
    # waits that out) or half a second late. Rounding down would halve the lateness but
    # keep a worker waiting up to a second for every message, which caps its throughput.
    return max(0, min(MAX_DELAY_SECONDS, round((not_before - now).total_seconds())))
