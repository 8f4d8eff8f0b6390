"""Builds the adapters from the environment, once per Lambda container (or process)."""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from segue.service.machines import Machines
from segue.service.worker import Worker, wall_clock
from segue.store.dynamo import ExecutionStore
from segue.store.queue import WorkQueue
from segue.store.values import DocumentStore
from segue.tasks.functions import Functions
from segue.tasks.resources import Resources

if TYPE_CHECKING:
    from collections.abc import Callable

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=32)


@dataclass(frozen=True)
class Settings:
    """Where the stack's resources are (names from template.yaml, given as environment)."""

    table: str
    bucket: str
    work_queue_url: str
    functions: dict[str, str]

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            table=os.environ["SEGUE_TABLE"],
            bucket=os.environ["SEGUE_BUCKET"],
            work_queue_url=os.environ["SEGUE_WORK_QUEUE_URL"],
            functions=json.loads(os.environ.get("SEGUE_FUNCTIONS", "{}")),
        )


@cache
def client(service: str) -> Any:
    """One boto3 client per service per process (AWS_ENDPOINT_URL points them at moto)."""
    return boto3.client(service, config=_CONFIG)  # type: ignore[call-overload]


@dataclass(frozen=True)
class Services:
    """Everything a handler needs, built once."""

    store: ExecutionStore
    documents: DocumentStore
    queue: WorkQueue
    machines: Machines
    worker: Worker


def build(settings: Settings, client: Callable[[str], Any] = client) -> Services:
    """The adapters for `settings`, with real AWS (or moto) clients."""
    store = ExecutionStore(client("dynamodb"), settings.table)
    documents = DocumentStore(client("dynamodb"), settings.table, client("s3"), settings.bucket)
    queue = WorkQueue(client("sqs"), settings.work_queue_url)
    machines = Machines(store)
    functions = Functions(lambda: client("lambda"), settings.functions)
    worker = Worker(
        store=store,
        documents=documents,
        queue=queue,
        machines=machines,
        resources=Resources(functions, client),
        owner=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
        clock=wall_clock,
    )
    return Services(store, documents, queue, machines, worker)


@cache
def services() -> Services:
    """The services of this process, from its environment."""
    return build(Settings.from_environment())
