"""Distributed Map runs: items read from S3, each batch a child execution, the end the answer.

A Distributed Map's token runs `start` (in the worker, as its task): the items are read,
selected and batched into pages of child inputs (documents of the parent), the run's
item is created, and children start up to MaxConcurrency. The token then waits like a
callback. Each child's end (`ended`, an effect of its last commit) counts it, starts the
next child, and once every child is counted ends the run: the results (or the ResultWriter's
manifest) answer the Map's task token.

Every step is safe to repeat: a child is started by a name of its index (a second start
finds it), counted once (`MapRunStore.count`), and the run ends once. A crash between steps
is healed by the sweeper, which repeats a child's end once after it settles.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from segue.asl import Failed, Runtime, Succeeded, errors
from segue.asl import distributed as dm
from segue.asl.timestamps import format_timestamp
from segue.engine.head import Status, is_terminal
from segue.engine.refs import ref_of
from segue.engine.waits import map_run_waited, read_task_token
from segue.service.errors import ConflictingRequestError, NotFoundError
from segue.service.names import name_problem
from segue.store.map_runs import ABORTED, FAILED, RUNNING, SUCCEEDED, MapRun
from segue.store.retention import expiry_of_write
from segue.store.values import Owner
from segue.tasks.children import Parent

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from datetime import datetime

    from segue.asl import Invoke, Result
    from segue.asl.outcomes import Json
    from segue.engine.head import Head, Token
    from segue.engine.refs import Values
    from segue.service.wiring import Services
    from segue.sfn.arns import Arns
    from segue.store.map_runs import MapRunStore, RunStatus

log = logging.getLogger("segue.map_runs")

MAP_BATCH = 3
"""`parent_sync` of a map run's child: its end is counted by the run, not answered."""
PER_PAGE = 100
"""Child inputs per page (one document each)."""
_ENDED_AS = {
    Status.SUCCEEDED: "succeeded",
    Status.FAILED: "failed",
    Status.TIMED_OUT: "failed",
    Status.CANCELLED: "aborted",
}


def run_id(run: MapRun) -> str:
    """The run's id in segue's API: its execution's id and the Map's token."""
    return f"{run.execution_id}/{run.token}"


def run_digest(run: MapRun) -> str:
    """A short name of the run, unique among its state machine's runs."""
    return hashlib.sha256(run_id(run).encode()).hexdigest()[:12]


def child_name(run: MapRun, index: int) -> str:
    """The name of the run's child `index` (its state machine holds every run's children)."""
    return f"{run_digest(run)}-{index}"


def index_of(child: Head) -> int | None:
    """Which of its run's children an execution is."""
    _, _, index = child.name.rpartition("-")
    return int(index) if index.isdigit() else None


def processor_name(machine: str, label: str) -> str:
    """The state machine a Distributed Map's ItemProcessor is registered as."""
    wanted = f"{machine}.{label}"
    if len(wanted) <= 80 and name_problem(wanted) is None:
        return wanted
    digest = hashlib.sha256(wanted.encode()).hexdigest()[:12]
    return f"{machine[:60]}.{digest}"


@dataclass
class MapRuns:
    """Starts, counts, pauses and ends Distributed Map runs."""

    services: Services
    clock: Callable[[], datetime]
    s3: Callable[[], Any]
    """A client of S3 for the workflow's own buckets (the ItemReader's, the ResultWriter's)."""
    describe: Callable[[Head, Values], dict[str, Json]]
    """A child's DescribeExecution, input and output as text (a ResultWriter file's entry)."""
    arns: Arns

    @property
    def store(self) -> MapRunStore:
        return self.services.map_runs

    def arn(self, run: MapRun) -> str:
        return map_run_arn(self.arns, run)

    # Starting ----------------------------------------------------------------------------

    def start(self, invoke: Invoke) -> Result:
        """The Distributed Map's task: create its run (or find it again) and start children."""
        read = read_task_token(invoke.task_token or "")
        if read is None or not isinstance(invoke.parameters, dict):
            return Failed(errors.RUNTIME, "a map run needs its task token and request")
        task, task_token = read[0], invoke.task_token or ""
        run = self.store.get(task.execution_id, task.token)
        if run is None:
            planned = self._plan(task.execution_id, task.token, task_token, invoke.parameters)
            if isinstance(planned, Failed):
                return planned
            run = self.store.create(planned, self._expiry()) or planned
        if run.task_token != task_token:  # a new attempt of the Map state: retry or redrive
            if run.status == RUNNING or run.status == SUCCEEDED:
                self.store.answer_to(run, task_token)
            else:
                self.store.redrive(run, task_token, format_timestamp(self.clock()))
            run = self.store.get(run.execution_id, run.token) or run
            if run.status == SUCCEEDED:
                self._answer(run)
        self.refill(run)
        return Succeeded({"mapRun": run_id(run), "MapRunArn": self.arn(run)})

    def _plan(
        self, execution_id: str, token: str, task_token: str, asked: dict[str, Json]
    ) -> MapRun | Failed:
        """Read, select and batch the items; keep the pages; register the ItemProcessor."""
        head = self.services.store.get_head(execution_id)
        if head is None:
            return Failed(errors.RUNTIME, f"no execution {execution_id}")
        runtime = Runtime(self.clock(), _rng(execution_id, token))
        batching = dm.batching(asked)
        counted = Counted()
        now = self.clock()
        pages: list[str] = []
        children = 0
        try:  # page by page: the items are never all in memory at once
            inputs = dm.batched(counted(dm.selected(asked, self._items(asked), runtime)), batching)
            for page in _pages(inputs, PER_PAGE):
                ref = ref_of(page)
                self.services.documents.put_many(execution_id, {ref: page}, now)
                pages.append(ref)
                children += len(page)
        except dm.ReaderFailure as failure:
            return Failed(errors.ITEM_READER_FAILED, str(failure))
        except dm.SelectorFailure as failure:
            return failure.failed
        except errors.StatesError as failure:
            return Failed(failure.error, failure.cause)
        documents = self.services.documents
        request = {k: v for k, v in asked.items() if k not in ("items", "scope")}
        plan = {"request": request, "pages": pages, "batched": batching is not None}
        machine, revision = self._processor(head, asked, now)
        return MapRun(
            execution_id=execution_id,
            token=token,
            task_token=task_token,
            plan=documents.keep(execution_id, plan, now),
            machine=machine,
            revision=revision,
            status=RUNNING,
            started_at=format_timestamp(now),
            stopped_at="",
            children=children,
            items=counted.count,
            cursor=0,
            running=0,
            running_set=frozenset(),
            counts={},
            item_counts={},
            items_started=0,
            paused=False,
            paused_at="",
            redrives=0,
            outcome="",
            answered=False,
            redriven_at="",
            max_concurrency=int(asked.get("maxConcurrency") or dm.MAX_CHILDREN_AT_ONCE),
        )

    def _items(self, asked: dict[str, Json]) -> Iterator[Json]:
        reader = asked.get("reader")
        if not isinstance(reader, dict):
            given = asked.get("items")
            return iter(given if isinstance(given, list) else [])
        arguments = reader.get("arguments") or {}
        bucket = arguments.get("Bucket") if isinstance(arguments, dict) else None
        if not isinstance(bucket, str):
            raise dm.ReaderFailure("the ItemReader needs a Bucket")
        if reader["resource"] == dm.READERS[1]:
            return dm.limited(self._listing(bucket, arguments), reader)
        key = arguments.get("Key")
        if not isinstance(key, str):
            raise dm.ReaderFailure("s3:getObject needs a Key")
        if reader.get("inputType") != "MANIFEST":
            return dm.read_lines(reader, self._lines(bucket, key, arguments.get("VersionId")))
        source, files, schema = dm.inventory(b"".join(self._lines(bucket, key)))
        rows = (
            row
            for data in files
            for row in dm.csv_rows(reader, self._gzipped(source or bucket, data), schema)
        )
        return dm.limited(rows, reader)

    def _lines(self, bucket: str, key: str, version: Any = None) -> Iterator[bytes]:
        """The object's lines as S3 sends them (never the whole object in memory)."""
        extra = {"VersionId": version} if isinstance(version, str) else {}
        try:
            body = self.s3().get_object(Bucket=bucket, Key=key, **extra)["Body"]
        except ClientError as error:
            raise dm.ReaderFailure(f"cannot read s3://{bucket}/{key}: {error}") from error
        lines: Iterator[bytes] = body.iter_lines(keepends=True)
        return lines

    def _gzipped(self, bucket: str, key: str) -> Iterator[str]:
        """A gzipped CSV file of an inventory, line by line."""
        try:
            body = self.s3().get_object(Bucket=bucket, Key=key)["Body"]
        except ClientError as error:
            raise dm.ReaderFailure(f"cannot read s3://{bucket}/{key}: {error}") from error
        with gzip.open(body, "rt", encoding="utf-8", newline="") as text:
            yield from text

    def _listing(self, bucket: str, arguments: dict[str, Any]) -> Iterator[Json]:
        asked = {k: v for k, v in arguments.items() if k in ("Prefix", "Delimiter", "StartAfter")}
        try:
            for page in self.s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, **asked):
                yield from dm.listed(page.get("Contents", []))
        except ClientError as error:
            raise dm.ReaderFailure(f"cannot list s3://{bucket}: {error}") from error

    def _processor(self, head: Head, asked: dict[str, Json], now: datetime) -> tuple[str, int]:
        """Register the Map's ItemProcessor as a state machine (a new revision if it changed)."""
        machines = self.services.machines
        found = self.services.store.get_definition(head.state_machine, head.revision)
        assert found is not None, "a running execution's revision exists"
        document = machines.document(head.state_machine, found[1])
        label = str(asked["label"])
        processor = dm.processor_document(document, str(asked["state"]), bool(asked["jsonata"]))
        name = processor_name(head.state_machine, label)
        ref = self.services.documents.keep(Owner.state_machine(name), processor, now)
        latest = self.services.store.get_definition(name)
        if latest is not None and latest[1] == ref:
            return name, latest[0]
        return name, self.services.store.put_definition(name, ref, format_timestamp(now))

    def _expiry(self) -> int:
        return expiry_of_write(self.clock(), self.services.documents.retention)

    # Running -------------------------------------------------------------------------------

    def refill(self, run: MapRun) -> None:
        """Start children up to MaxConcurrency; end the run once every child is counted."""
        plan = self._plan_of(run)
        while run.status == RUNNING:
            if run.finished:
                self._finish(run, plan)
                return
            if run.paused or run.cursor >= run.children or run.running >= run.max_concurrency:
                return
            index = run.cursor
            child = self._start_child(run, plan, index)
            if self.store.claim(run, index, self._items_of(run, plan, index)):
                if is_terminal(child.status):
                    self._count(run, child, plan)  # it had ended already (a redriven run's)
            run = self.store.get(run.execution_id, run.token) or run
            if run.paused and run.cursor == index and not is_terminal(child.status):
                # paused between its start and its claim: it waits with the others
                self._pause_child(run, child.execution_id)

    def _start_child(self, run: MapRun, plan: dict[str, Json], index: int) -> Head:
        """The run's child `index`: started, or found (a failed one of an earlier round is
        redriven)."""
        from segue.service.executions import Executions
        from segue.service.operator import Operator

        name = child_name(run, index)
        found = self.services.store.get_head(f"{run.machine}:{name}")
        if found is None:
            parent = Parent(run.execution_id, run.task_token, MAP_BATCH)
            child_input = self._input_of(run, plan, index)
            Executions(self.services, self.clock).start(
                run.machine, child_input, name, revision=run.revision, parent=parent
            )
        elif _earlier_round(run, found):
            Operator(self.services, self.clock).redrive(found.execution_id, "segue")
        fresh = self.services.store.get_head(f"{run.machine}:{name}")
        assert fresh is not None, "it was started"
        return fresh

    def ended(self, child: Head) -> None:
        """A child ended: count it, start the next, end the run once all are counted."""
        read = read_task_token(child.parent_token)
        index = index_of(child)
        if read is None or index is None:
            return
        run = self.store.get(read[0].execution_id, read[0].token)
        if run is None:
            return
        plan = self._plan_of(run)
        self._count(run, child, plan)
        run = self.store.get(run.execution_id, run.token) or run
        if run.status != RUNNING:
            if run.outcome and not run.answered:  # a crash came between its end and answer
                self._answer(run)
            return
        failed = run.item_counts["failed"] + run.item_counts["aborted"]
        if dm.over_tolerance(plan["request"], failed, run.items):
            self._close(run, FAILED, dm.too_many_failures(failed, run.items))
            return
        self.refill(run)

    def _count(self, run: MapRun, child: Head, plan: dict[str, Json]) -> None:
        index = index_of(child)
        if index is None or not is_terminal(child.status):
            return
        if _earlier_round(run, child):
            return  # it is redriven, and counted when it ends again
        items = self._items_of(run, plan, index)
        self.store.count(run, index, _ENDED_AS[child.status], items)

    def _items_of(self, run: MapRun, plan: dict[str, Json], index: int) -> int:
        """How many items the run's child `index` holds."""
        if not plan["batched"]:
            return 1
        return dm.items_in(self._input_of(run, plan, index), True)

    def _input_of(self, run: MapRun, plan: dict[str, Json], index: int) -> Json:
        page = self.services.documents.get(run.execution_id, plan["pages"][index // PER_PAGE])
        return page[index % PER_PAGE]

    def _finish(self, run: MapRun, plan: dict[str, Json]) -> None:
        """Every child is counted: write the results, end the run, answer the Map."""
        failed = run.item_counts["failed"] + run.item_counts["aborted"]
        if dm.over_tolerance(plan["request"], failed, run.items):
            self._close(run, FAILED, dm.too_many_failures(failed, run.items))
            return
        results = self._results(run, plan)  # a ResultWriter that cannot write fails the run
        self._close(run, SUCCEEDED if isinstance(results, Succeeded) else FAILED, results)

    def _close(self, run: MapRun, status: RunStatus, result: Result) -> None:
        now = self.clock()
        outcome = self.services.documents.keep(run.execution_id, _outcome(result), now)
        if not self.store.end(run, status, format_timestamp(now), outcome):
            return
        # a failed run starts no more children; those running finish (a redrive counts them)
        self._answer(self.store.get(run.execution_id, run.token) or run)

    def _results(self, run: MapRun, plan: dict[str, Json]) -> Result:
        heads = self._children(run)
        writer = plan["request"].get("writer")
        if isinstance(writer, dict):
            return self._write(run, writer, heads)
        results: list[Result] = []
        for child in heads:
            values = self.services.documents.reader(child.execution_id)
            if child.status is Status.SUCCEEDED:
                results.append(Succeeded(values(child.output) if child.output else None))
            else:
                results.append(Failed(child.error, child.cause))
        return dm.outputs(results)

    def _children(self, run: MapRun) -> list[Head]:
        ids = [f"{run.machine}:{child_name(run, i)}" for i in range(run.children)]
        heads = self.services.store.get_heads(ids)
        return [heads[i] for i in ids if i in heads]

    def _write(self, run: MapRun, writer: dict[str, Json], heads: list[Head]) -> Result:
        """The ResultWriter's files: results by status, and the manifest that names them."""
        bucket, prefix = writer.get("Bucket"), str(writer.get("Prefix") or "")
        if not isinstance(bucket, str):
            return Failed(errors.RESULT_WRITER_FAILED, "the ResultWriter needs a Bucket")
        base = f"{prefix.rstrip('/')}/{run_digest(run)}".lstrip("/")
        arn = self.arn(run)
        files = dm.result_files(
            [
                self.describe(child, self.services.documents.reader(child.execution_id))
                for child in heads
            ]
        )
        manifest: dict[str, Json] = {"DestinationBucket": bucket, "MapRunArn": arn}
        listed: dict[str, list[Json]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
        try:
            for status, number, body in files:
                key = f"{base}/{status}_{number}.json"
                self.s3().put_object(Bucket=bucket, Key=key, Body=body)
                listed[status].append({"Key": key, "Size": len(body)})
            manifest["ResultFiles"] = listed
            key = f"{base}/manifest.json"
            self.s3().put_object(Bucket=bucket, Key=key, Body=dm.json_bytes(manifest))
        except ClientError as error:
            return Failed(errors.RESULT_WRITER_FAILED, f"cannot write to s3://{bucket}: {error}")
        return Succeeded({"MapRunArn": arn, "ResultWriterDetails": {"Bucket": bucket, "Key": key}})

    def _answer(self, run: MapRun) -> None:
        """Answer the Map's task with the run's end (once more is harmless: a 409)."""
        from segue.service.waits import Waits

        outcome = self.services.documents.get(run.execution_id, run.outcome)
        try:
            Waits(self.services, self.clock).answer(run.task_token, outcome)
        except (ConflictingRequestError, NotFoundError) as closed:
            log.info("map run %s needs no answer: %s", run_id(run), closed)
        self.store.answered(run)

    # Operators -----------------------------------------------------------------------------

    def hold(self, parent: Head, values: Values, paused: bool) -> tuple[str, ...]:
        """Stop (or let again) the runs the parent waits for; their running children."""
        running: list[str] = []
        for token in parent.tokens.values():
            run = self._waited(parent, token, values)
            if run is None or run.status != RUNNING:
                continue
            self.store.pause(run, paused, format_timestamp(self.clock()))
            run = self.store.get(run.execution_id, run.token) or run
            running += self._running(run)
            if not paused:
                self.refill(run)
        return tuple(running)

    def _pause_child(self, run: MapRun, child: str) -> None:
        from segue.service.operator import Operator

        reason = f"with its parent {run.execution_id}: its map run is paused"
        try:
            Operator(self.services, self.clock).pause(child, "segue", reason, 0)
        except (ConflictingRequestError, NotFoundError) as refused:
            log.info("%s left as it is: %s", child, refused)

    def _running(self, run: MapRun) -> list[str]:
        """The run's children that may be running: those claimed, and the one at the cursor
        (it may have started, its claim refused by a pause)."""
        indexes = set(run.running_set)
        if run.cursor < run.children:
            indexes.add(run.cursor)
        return [f"{run.machine}:{child_name(run, i)}" for i in sorted(indexes)]

    def abort(self, parent: Head, token: Token, values: Values) -> None:
        """The Map's task no longer waits (cancelled, timed out): its run stops."""
        run = self._waited(parent, token, values)
        if run is None:
            return
        reason = f"the Map state {token.state} of {parent.execution_id} no longer waits"
        if self.store.end(run, ABORTED, format_timestamp(self.clock()), ""):
            self._stop_children(run, reason)

    def _waited(self, parent: Head, token: Token, values: Values) -> MapRun | None:
        waited = map_run_waited(token, values)
        if not waited:
            return None
        execution_id, _, token_id = waited.rpartition("/")
        return self.store.get(execution_id, token_id)

    def _stop_children(self, run: MapRun, reason: str) -> None:
        from segue.service.operator import Operator

        for child in self._running(run):
            try:
                Operator(self.services, self.clock).cancel(child, "segue", reason)
            except (ConflictingRequestError, NotFoundError) as ended:
                log.info("%s needs no cancel: %s", child, ended)

    def _plan_of(self, run: MapRun) -> dict[str, Json]:
        plan: dict[str, Json] = self.services.documents.get(run.execution_id, run.plan)
        return plan


class Counted:
    """Counts what passes through it."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, items: Iterable[Json]) -> Iterator[Json]:
        for item in items:
            self.count += 1
            yield item


def _pages(inputs: Iterable[Json], size: int) -> Iterator[list[Json]]:
    page: list[Json] = []
    for child in inputs:
        page.append(child)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


def map_run_arn(arns: Arns, run: MapRun) -> str:
    """The run's MapRunArn, as Step Functions spells one (`Arns.map_run_of` reads it)."""
    machine, _, name = run.execution_id.partition(":")
    label = run.machine.removeprefix(f"{machine}.")
    return arns.map_run(machine, label, f"{name}.{run.token}")


def runs_of(services: Services, execution_id: str) -> list[tuple[MapRun, dict[str, Json]]]:
    """The map runs an execution started, each with its plan, oldest first."""
    return [
        (run, services.documents.get(execution_id, run.plan))
        for run in services.map_runs.of_execution(execution_id)
    ]


def run_document(run: MapRun, plan: dict[str, Json], arn: str) -> dict[str, Json]:
    """A map run as the inspection shows it: how far it has got, by items and by children."""
    request = plan["request"]
    counted = sum(run.item_counts.values())
    return {
        "mapRunId": run_id(run),
        "mapRunArn": arn,
        "state": request["state"],
        "label": request["label"],
        "stateMachine": run.machine,
        "status": run.status,
        "paused": run.paused,
        "pausedAt": run.paused_at or None,
        "startedAt": run.started_at,
        "stoppedAt": run.stopped_at or None,
        "maxConcurrency": run.max_concurrency,
        "toleratedFailureCount": request.get("toleratedCount"),
        "toleratedFailurePercentage": request.get("toleratedPercentage"),
        "redriveCount": run.redrives,
        "items": {
            "total": run.items,
            "pending": run.items - run.items_started,
            "running": run.items_started - counted,
            **run.item_counts,
        },
        "children": {
            "total": run.children,
            "pending": run.children - run.cursor,
            "running": run.running,
            **run.counts,
        },
    }


def _earlier_round(run: MapRun, child: Head) -> bool:
    """Whether the child did not succeed in a round before the run's redrive."""
    return (
        is_terminal(child.status)
        and child.status is not Status.SUCCEEDED
        and child.updated_at < run.redriven_at
    )


def _outcome(result: Result) -> dict[str, Json]:
    if isinstance(result, Succeeded):
        return {"output": result.output}
    return {"error": result.error, "cause": result.cause}


def _rng(execution_id: str, token: str) -> random.Random:
    """The same chances on every start of the run (`States.UUID` in an ItemSelector)."""
    return random.Random(f"{execution_id}/{token}/map")
