"""Builds the adapters from the environment, once per Lambda container (or process)."""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, partial
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools.utilities.feature_flags import FeatureFlags
from botocore.config import Config

from segue.engine.recovery import Patience
from segue.service.activities import Activities
from segue.service.children import Children
from segue.service.cursors import Cursors
from segue.service.dead_letters import DeadLetterQueue
from segue.service.effects import Effects
from segue.service.kept_pages import KeptPages
from segue.service.machines import Machines
from segue.service.map_runs import MapRuns
from segue.service.rollout import Rollout, flag_store
from segue.service.waits import Waits
from segue.service.worker import Worker, wall_clock
from segue.sfn.arns import Arns
from segue.sfn.client import in_process as step_functions_in_process
from segue.sfn.nested import described, parent_outcome
from segue.store.activities import ActivityStore
from segue.store.dynamo import ExecutionStore
from segue.store.map_runs import MapRunStore
from segue.store.queue import MAX_DELAY_SECONDS, WorkQueue
from segue.store.timers import Timers
from segue.store.values import DocumentStore
from segue.store.waits import WaitStore
from segue.tasks.functions import Functions
from segue.tasks.resources import Resources

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=32)


@dataclass(frozen=True)
class Settings:
    """Where the stack's resources are (names from template.yaml, given as environment)."""

    table: str
    bucket: str
    work_queue_url: str
    functions: dict[str, str]
    schedule_group: str = "default"
    timer_arn: str = ""
    scheduler_role_arn: str = ""
    auto_resume_seconds: int = 86400
    keep_checkpoints: int = 10
    retention_days: int = 90
    inbox_seconds: int = 86400
    max_queue_delay_seconds: int = MAX_DELAY_SECONDS
    timer_lead_seconds: int = 300
    lease_seconds: int = 60
    dispatch_seconds: int = 60
    timer_grace_seconds: int = 60
    sweep_shards: int = 16
    list_shards: int = 4
    """Partitions of each execution listing (`store.listing`): raise it, never lower it."""
    sweep_limit: int = 200
    work_dlq_url: str = ""
    events_queue_url: str = ""
    events_dlq_url: str = ""
    activity_poll_seconds: float = 60.0
    """How long GetActivityTask waits for a task (AWS: 60 s; API Gateway ends at 29 s)."""
    region: str = "us-east-1"
    account: str = "123456789012"
    """The stack's region and account: what the Step Functions API's ARNs name."""
    flags_file: str = ""
    flags_application: str = ""
    flags_environment: str = ""
    flags_profile: str = ""
    """Where the rollout flag's rules are: a JSON file, or an AppConfig profile."""

    @classmethod
    def from_environment(cls) -> Settings:
        env = os.environ
        return cls(
            table=env["SEGUE_TABLE"],
            bucket=env["SEGUE_BUCKET"],
            work_queue_url=env["SEGUE_WORK_QUEUE_URL"],
            functions=json.loads(env.get("SEGUE_FUNCTIONS", "{}")),
            schedule_group=env.get("SEGUE_SCHEDULE_GROUP", "default"),
            timer_arn=env.get("SEGUE_TIMER_ARN", ""),
            scheduler_role_arn=env.get("SEGUE_SCHEDULER_ROLE_ARN", ""),
            auto_resume_seconds=int(env.get("SEGUE_AUTO_RESUME_SECONDS", "86400")),
            keep_checkpoints=int(env.get("SEGUE_KEEP_CHECKPOINTS", "10")),
            retention_days=int(env.get("SEGUE_RETENTION_DAYS", "90")),
            inbox_seconds=int(env.get("SEGUE_EVENT_INBOX_SECONDS", "86400")),
            max_queue_delay_seconds=int(
                env.get("SEGUE_MAX_QUEUE_DELAY_SECONDS", str(MAX_DELAY_SECONDS))
            ),
            timer_lead_seconds=int(env.get("SEGUE_TIMER_LEAD_SECONDS", "300")),
            lease_seconds=int(env.get("SEGUE_LEASE_SECONDS", "60")),
            dispatch_seconds=int(env.get("SEGUE_DISPATCH_SECONDS", "60")),
            timer_grace_seconds=int(env.get("SEGUE_TIMER_GRACE_SECONDS", "60")),
            sweep_shards=int(env.get("SEGUE_SWEEP_SHARDS", "16")),
            list_shards=int(env.get("SEGUE_LIST_SHARDS", "4")),
            sweep_limit=int(env.get("SEGUE_SWEEP_LIMIT", "200")),
            work_dlq_url=env.get("SEGUE_WORK_DLQ_URL", ""),
            events_queue_url=env.get("SEGUE_EVENTS_QUEUE_URL", ""),
            events_dlq_url=env.get("SEGUE_EVENTS_DLQ_URL", ""),
            activity_poll_seconds=float(env.get("SEGUE_ACTIVITY_POLL_SECONDS", "60")),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            account=env.get("SEGUE_ACCOUNT") or "123456789012",
            flags_file=env.get("SEGUE_FLAGS_FILE", ""),
            flags_application=env.get("SEGUE_FLAGS_APPLICATION", ""),
            flags_environment=env.get("SEGUE_FLAGS_ENVIRONMENT", ""),
            flags_profile=env.get("SEGUE_FLAGS_PROFILE", ""),
        )

    @property
    def dead_letter_queues(self) -> list[DeadLetterQueue]:
        """The stack's dead-letter queues, by the name `segue dlq` knows them by."""
        return [
            DeadLetterQueue("work", self.work_dlq_url, self.work_queue_url),
            DeadLetterQueue("events", self.events_dlq_url, self.events_queue_url),
        ]

    @property
    def patience(self) -> Patience:
        """How long the sweeper lets things take (DESIGN.md, invariant 4)."""
        return Patience(
            lease=timedelta(seconds=self.lease_seconds),
            dispatch=timedelta(seconds=self.dispatch_seconds),
            grace=timedelta(seconds=self.timer_grace_seconds),
        )


@cache
def client(service: str) -> Any:
    """One boto3 client per service per process (AWS_ENDPOINT_URL points them at moto)."""
    return boto3.client(service, config=_CONFIG)  # type: ignore[call-overload]


_TASK_CONFIG = _CONFIG.merge(Config(response_checksum_validation="when_required"))


@cache
def task_client(service: str) -> Any:
    """A client for the AWS calls of Task states: as Step Functions' SDK calls, it asks for
    no response checksums it was not asked for (an S3 GetObject answers without them)."""
    return boto3.client(service, config=_TASK_CONFIG)  # type: ignore[call-overload]


@dataclass(frozen=True)
class Services:
    """Everything a handler needs, built once."""

    settings: Settings
    store: ExecutionStore
    documents: DocumentStore
    queue: WorkQueue
    machines: Machines
    effects: Effects
    worker: Worker
    clock: Callable[[], datetime]
    waits: WaitStore
    cursors: Cursors
    kept_pages: KeptPages
    activities: Activities
    rollout: Rollout
    map_runs: MapRunStore


def build(
    settings: Settings,
    client: Callable[[str], Any] = client,
    task_client: Callable[[str], Any] = task_client,
) -> Services:
    """The adapters for `settings`, with real AWS (or moto) clients."""
    clock = wall_clock
    store = ExecutionStore(
        client("dynamodb"),
        settings.table,
        settings.retention_days,
        settings.patience,
        settings.sweep_shards,
        settings.list_shards,
    )
    documents = DocumentStore(
        client("dynamodb"),
        settings.table,
        client("s3"),
        settings.bucket,
        timedelta(days=settings.retention_days),
    )
    queue = WorkQueue(client("sqs"), settings.work_queue_url)
    machines = Machines(store, documents)
    store_of_flags = flag_store(
        settings.flags_file,
        settings.flags_application,
        settings.flags_environment,
        settings.flags_profile,
    )
    rollout = Rollout(
        FeatureFlags(store=store_of_flags),
        lambda name: dict((store.get_state_machine(name) or {}).get("tags", {})),
    )
    functions = Functions(lambda: client("lambda"), settings.functions)
    timers = Timers(
        client("scheduler"),
        settings.schedule_group,
        settings.timer_arn,
        settings.scheduler_role_arn,
    )
    effects = Effects(
        store,
        queue,
        timers,
        settings.keep_checkpoints,
        timedelta(seconds=min(settings.max_queue_delay_seconds, MAX_DELAY_SECONDS)),
        timedelta(seconds=settings.timer_lead_seconds),
        periodic_snapshots=lambda head: rollout.enabled(
            head.state_machine, head.revision, machines.get(head.state_machine, head.revision)
        ),
    )
    activities = Activities(
        ActivityStore(client("dynamodb"), settings.table),
        clock,
        timedelta(days=settings.retention_days),
    )
    worker = Worker(
        store=store,
        documents=documents,
        queue=queue,
        machines=machines,
        resources=Resources(functions, task_client, activities),
        effects=effects,
        owner=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
        clock=clock,
    )
    waits = WaitStore(client("dynamodb"), settings.table)
    cursors = Cursors(lambda: store.secret("cursor-key"))
    built = Services(
        settings,
        store,
        documents,
        queue,
        machines,
        effects,
        worker,
        clock,
        waits,
        cursors,
        KeptPages(store),
        activities,
        rollout,
        MapRunStore(client("dynamodb"), settings.table),
    )
    effects.waits = Waits(built, clock)
    arns = Arns(settings.region, settings.account)
    map_runs = MapRuns(
        built, clock, lambda: task_client("s3"), partial(described, arns=arns, text=True), arns
    )
    effects.children = Children(built, clock, partial(parent_outcome, arns=arns), map_runs)
    worker.resources.map_runs = map_runs
    worker.resources.step_functions = cache(lambda: step_functions_in_process(built))
    return built


@cache
def services() -> Services:
    """The services of this process, from its environment."""
    return build(Settings.from_environment())
