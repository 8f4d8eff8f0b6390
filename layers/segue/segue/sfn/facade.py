"""The Step Functions operations, each a translation onto segue's own services.

Nothing of the engine is repeated here: an operation checks its request (shapes.py),
turns ARNs into segue's names, calls the service function segue's own API calls, and
shapes the answer as AWS does. segue's errors become AWS's codes per operation (a
missing thing is a `StateMachineDoesNotExist` in one place, an `ExecutionDoesNotExist`
in another).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from segue.asl import diagnose
from segue.asl.bounds import JsonTextError, read_json
from segue.asl.machine import read_definition
from segue.asl.timestamps import format_timestamp
from segue.engine.head import Status
from segue.engine.waits import execution_of, read_task_token
from segue.service.errors import (
    BadRequestError,
    ClientError,
    ConflictingRequestError,
    InvalidDefinitionError,
    NotFoundError,
    TooLargeError,
)
from segue.service.executions import Executions
from segue.service.map_runs import child_name, map_run_arn, run_document, runs_of
from segue.service.names import name_problem
from segue.service.operator import Operator
from segue.service.waits import Waits
from segue.sfn import errors as sfn
from segue.sfn import shapes as s
from segue.sfn.history import Translator, epoch, json_text
from segue.store.activities import ACTIVITY
from segue.tasks.children import STARTED_BY, Parent

if TYPE_CHECKING:
    from collections.abc import Iterator

    from segue.engine.head import Head
    from segue.service.wiring import Services
    from segue.sfn.arns import Arns
    from segue.store.map_runs import MapRun

AWS_STATUS: dict[Status, s.ExecutionStatus] = {
    Status.RUNNING: "RUNNING",
    Status.WAITING: "RUNNING",
    Status.PAUSING: "RUNNING",
    Status.PAUSED: "RUNNING",
    Status.SUCCEEDED: "SUCCEEDED",
    Status.FAILED: "FAILED",
    Status.CANCELLED: "ABORTED",
    Status.TIMED_OUT: "TIMED_OUT",
}
"""segue's statuses as AWS's clients know them; segue's own rides along as `segueStatus`."""
SEGUE_STATUSES = {
    aws: frozenset(k.value for k, v in AWS_STATUS.items() if v == aws)
    for aws in set(AWS_STATUS.values())
}
DEFAULT_PAGE = 100
STARTED_BY_FIELD = "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"
MAX_TAGS = 50


@contextlib.contextmanager
def answered_as(
    missing: type[sfn.SfnError] = sfn.ResourceNotFound,
    conflict: type[sfn.SfnError] = sfn.ValidationException,
    invalid: type[sfn.SfnError] = sfn.ValidationException,
) -> Iterator[None]:
    """segue's client errors as the AWS errors this operation gives for them."""
    try:
        yield
    except NotFoundError as error:
        raise missing(error.message) from error
    except ConflictingRequestError as error:
        raise conflict(error.message) from error
    except InvalidDefinitionError as error:
        raise sfn.InvalidDefinition(_definition_message(error.extra)) from error
    except (BadRequestError, TooLargeError) as error:
        raise invalid(error.message) from error
    except ClientError as error:
        raise sfn.ValidationException(error.message) from error


@dataclass
class StepFunctions:
    """One object per request: the services, who asks, and the ARNs of this stack."""

    services: Services
    arns: Arns
    caller: str

    @property
    def _executions(self) -> Executions:
        return Executions(self.services, self.services.clock)

    @property
    def _operator(self) -> Operator:
        return Operator(self.services, self.services.clock)

    @property
    def _role(self) -> str:
        return f"arn:aws:iam::{self.arns.account}:role/segue"

    # State machines --------------------------------------------------------------------------

    def create_state_machine(self, request: s.CreateStateMachineInput) -> s.Shape:
        _check_name(request.name)
        _check_role(request.role_arn)
        if request.type != "STANDARD":
            raise sfn.ValidationException("segue runs STANDARD state machines only")
        store = self.services.store
        existing = store.get_state_machine(request.name)
        document = _definition(request.definition)
        if existing is not None:
            found = store.get_definition(request.name)
            same = found is not None and self._document(request.name, found[1]) == document
            if not same or existing.get("roleArn", request.role_arn) != request.role_arn:
                raise sfn.StateMachineAlreadyExists(
                    f"State Machine Already Exists: '{self.arns.state_machine(request.name)}'"
                )
            return s.CreateStateMachineOutput(
                state_machine_arn=self.arns.state_machine(request.name),
                creation_date=epoch(existing["createdAt"]),
            )
        with answered_as():
            revision = self._executions.register(request.name, document)["revision"]
        now = format_timestamp(self.services.clock())
        tags = {t.key: t.value for t in request.tags}
        store.put_state_machine(
            request.name, {"roleArn": request.role_arn, "createdAt": now, "tags": tags}
        )
        version = self._publish(
            request.name, revision, request.publish, request.version_description
        )
        return s.CreateStateMachineOutput(
            state_machine_arn=self.arns.state_machine(request.name),
            creation_date=epoch(now),
            state_machine_version_arn=version,
        )

    def update_state_machine(self, request: s.UpdateStateMachineInput) -> s.Shape:
        name, version = self.arns.state_machine_name(request.state_machine_arn)
        if version is not None:
            raise sfn.ValidationException(
                "a version ARN cannot be updated; update the state machine"
            )
        if request.definition is None and request.role_arn is None and not request.publish:
            raise sfn.MissingRequiredParameter(
                "Either the definition, the role ARN or publish must be given"
            )
        meta = self._state_machine(name)
        if request.role_arn is not None:
            _check_role(request.role_arn)
            meta["roleArn"] = request.role_arn
        with answered_as(missing=sfn.StateMachineDoesNotExist):
            if request.definition is not None:
                revision = self._executions.register(name, _definition(request.definition))[
                    "revision"
                ]
            else:
                revision = int(self._executions.state_machine(name)["revision"])
        self.services.store.put_state_machine(name, meta)
        version_arn = self._publish(name, revision, request.publish, request.version_description)
        return s.UpdateStateMachineOutput(
            update_date=epoch(format_timestamp(self.services.clock())),
            revision_id=str(revision),
            state_machine_version_arn=version_arn,
        )

    def describe_state_machine(self, request: s.StateMachineArnInput) -> s.Shape:
        name, version = self.arns.state_machine_name(request.state_machine_arn)
        meta = self._state_machine(name)
        revision, document = self._revision(name, version)
        return s.DescribeStateMachineOutput(
            state_machine_arn=request.state_machine_arn,
            name=name,
            definition=json_text(document),
            role_arn=meta.get("roleArn", self._role),
            type="STANDARD",
            creation_date=epoch(meta["createdAt"]),
            revision_id=str(revision),
        )

    def delete_state_machine(self, request: s.StateMachineArnInput) -> s.Shape:
        name, version = self.arns.state_machine_name(request.state_machine_arn)
        if version is not None:
            raise sfn.ValidationException("delete a version with DeleteStateMachineVersion")
        self.services.store.delete_state_machine(name)  # running executions go on
        return s.Empty()

    def list_state_machines(self, request: s.PageInput) -> s.Shape:
        rows = sorted(self.services.store.list_state_machines(), key=lambda r: r["name"])
        page, token = self._page(["state-machines"], rows, request.max_results, request.next_token)
        items = [
            s.StateMachineListItem(
                state_machine_arn=self.arns.state_machine(r["name"]),
                name=r["name"],
                type="STANDARD",
                creation_date=epoch(r["updatedAt"]),
            )
            for r in page
        ]
        return s.ListStateMachinesOutput(state_machines=items, next_token=token)

    def describe_state_machine_for_execution(self, request: s.ExecutionArnInput) -> s.Shape:
        head = self._head(request.execution_arn)
        meta = self.services.store.get_state_machine(head.state_machine) or {}
        revision, document = self._revision(head.state_machine, head.revision)
        return s.DescribeStateMachineForExecutionOutput(
            state_machine_arn=self.arns.state_machine(head.state_machine),
            name=head.state_machine,
            definition=json_text(document),
            role_arn=meta.get("roleArn", self._role),
            update_date=epoch(head.created_at),
            revision_id=str(revision),
        )

    def validate_state_machine_definition(self, request: s.ValidateInput) -> s.Shape:
        document, problems = read_definition(request.definition)
        if document is not None:
            _, problems = diagnose(document)
        limit = request.max_results or 100
        diagnostics = [
            s.Diagnostic(severity="ERROR", code=d.code, message=d.message, location=d.path or "/")
            for d in problems
        ]
        return s.ValidateOutput(
            result="FAIL" if diagnostics else "OK",
            diagnostics=diagnostics[:limit],
            truncated=len(diagnostics) > limit,
        )

    # Versions (segue's versions are its published revisions) ----------------------------------

    def list_state_machine_versions(self, request: s.ListVersionsInput) -> s.Shape:
        name, _ = self.arns.state_machine_name(request.state_machine_arn)
        self._state_machine(name)
        rows = [r for r in self.services.store.revisions(name) if r["published"]]
        rows.sort(key=lambda r: -int(r["revision"]))
        page, token = self._page(["versions", name], rows, request.max_results, request.next_token)
        items = [
            s.VersionListItem(
                state_machine_version_arn=self.arns.state_machine(name, int(r["revision"])),
                creation_date=epoch(r["created_at"]),
            )
            for r in page
        ]
        return s.ListVersionsOutput(state_machine_versions=items, next_token=token)

    def publish_state_machine_version(self, request: s.PublishVersionInput) -> s.Shape:
        name, _ = self.arns.state_machine_name(request.state_machine_arn)
        self._state_machine(name)
        latest, _ = self._revision(name, None)
        if request.revision_id is not None and request.revision_id != str(latest):
            raise sfn.ConflictException(
                f"revisionId {request.revision_id} is not the latest revision ({latest})"
            )
        arn = str(self._publish(name, latest, True, request.description))
        created = next(r for r in self.services.store.revisions(name) if r["revision"] == latest)
        return s.PublishVersionOutput(
            creation_date=epoch(created["created_at"]), state_machine_version_arn=arn
        )

    def delete_state_machine_version(self, request: s.DeleteVersionInput) -> s.Shape:
        name, version = self.arns.state_machine_name(request.state_machine_version_arn)
        if version is None:
            raise sfn.ValidationException("give a version ARN (<state machine ARN>:<version>)")
        self.services.store.unpublish_revision(name, version)
        return s.Empty()

    # Activities --------------------------------------------------------------------------------

    def create_activity(self, request: s.CreateActivityInput) -> s.Shape:
        _check_name(request.name)
        now = format_timestamp(self.services.clock())
        tags = {t.key: t.value for t in request.tags}
        created = self.services.activities.store.create(request.name, now, tags)
        return s.CreateActivityOutput(
            activity_arn=self.arns.activity(request.name),
            creation_date=epoch(created["created_at"]),
        )

    def describe_activity(self, request: s.ActivityArnInput) -> s.Shape:
        name, found = self._activity(request.activity_arn)
        return s.DescribeActivityOutput(
            activity_arn=request.activity_arn, name=name, creation_date=epoch(found["created_at"])
        )

    def list_activities(self, request: s.PageInput) -> s.Shape:
        items, _ = self.services.store.query_index("ByKind", "kind", ACTIVITY, 1000, None)
        rows = sorted(items, key=lambda i: str(i["name"]))
        page, token = self._page(["activities"], rows, request.max_results, request.next_token)
        listed = [
            s.DescribeActivityOutput(
                activity_arn=self.arns.activity(i["name"]),
                name=i["name"],
                creation_date=epoch(i["created_at"]),
            )
            for i in page
        ]
        return s.ListActivitiesOutput(activities=listed, next_token=token)

    def delete_activity(self, request: s.ActivityArnInput) -> s.Shape:
        with answered_as(missing=sfn.ActivityDoesNotExist):
            name = self.arns.activity_name(request.activity_arn)
        self.services.activities.store.delete(name)
        return s.Empty()

    def get_activity_task(self, request: s.GetActivityTaskInput) -> s.Shape:
        """The oldest task offered to the activity, waiting for one up to the poll time."""
        name, _ = self._activity(request.activity_arn)
        worker = request.worker_name or self.caller
        waits = Waits(self.services, self.services.clock)
        taken = self.services.activities.poll(
            name,
            self.services.settings.activity_poll_seconds,
            lambda token: waits.heartbeat(token, worker=worker),
        )
        if taken is None:
            return s.GetActivityTaskOutput()
        return s.GetActivityTaskOutput(task_token=taken["task_token"], input=taken["input"])

    def _activity(self, arn: str) -> tuple[str, dict[str, Any]]:
        with answered_as(missing=sfn.ActivityDoesNotExist):
            name = self.arns.activity_name(arn)
        found = self.services.activities.store.get(name)
        if found is None:
            raise sfn.ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
        return name, found

    # Tags --------------------------------------------------------------------------------------

    def tag_resource(self, request: s.TagResourceInput) -> s.Shape:
        name, meta = self._tagged(request.resource_arn)
        tags = meta.get("tags", {}) | {t.key: t.value for t in request.tags}
        if len(tags) > MAX_TAGS:
            raise sfn.TooManyTags(f"Too many tags: at most {MAX_TAGS} per resource")
        self.services.store.put_state_machine(name, meta | {"tags": tags})
        return s.Empty()

    def untag_resource(self, request: s.UntagResourceInput) -> s.Shape:
        name, meta = self._tagged(request.resource_arn)
        tags = {k: v for k, v in meta.get("tags", {}).items() if k not in request.tag_keys}
        self.services.store.put_state_machine(name, meta | {"tags": tags})
        return s.Empty()

    def list_tags_for_resource(self, request: s.ResourceArnInput) -> s.Shape:
        _, meta = self._tagged(request.resource_arn)
        tags = [s.Tag(key=k, value=v) for k, v in sorted(meta.get("tags", {}).items())]
        return s.ListTagsOutput(tags=tags)

    def _tagged(self, arn: str) -> tuple[str, dict[str, Any]]:
        """A taggable resource's name and attributes (state machines are segue's only ones)."""
        with answered_as(missing=sfn.ResourceNotFound):
            name, _ = self.arns.state_machine_name(arn)
        try:
            return name, self._state_machine(name)
        except sfn.StateMachineDoesNotExist as missing:
            raise sfn.ResourceNotFound(f"Resource not found: '{arn}'") from missing

    # Executions ------------------------------------------------------------------------------

    def start_execution(self, request: s.StartExecutionInput) -> s.Shape:
        name, version = self.arns.state_machine_name(request.state_machine_arn)
        if version is not None and not self._published(name, version):
            raise sfn.StateMachineDoesNotExist(
                f"State Machine Does Not Exist: '{request.state_machine_arn}'"
            )
        if request.name is not None:
            _check_name(request.name)
        document = _input(request.input)
        with answered_as(
            missing=sfn.StateMachineDoesNotExist,
            conflict=sfn.ExecutionAlreadyExists,
            invalid=sfn.InvalidExecutionInput,
        ):
            _, answer = self._executions.start(
                name, document, request.name, revision=version, parent=self._parent(document)
            )
        return s.StartExecutionOutput(
            execution_arn=self.arns.execution(answer["executionId"]),
            start_date=epoch(answer["createdAt"]),
        )

    def _parent(self, document: Any) -> Parent | None:
        """The Task that starts this execution (in-process), or the execution its input
        names as AWS's console reads it (AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID)."""
        parent = STARTED_BY.get()
        if parent is not None:
            return parent
        named = document.get(STARTED_BY_FIELD) if isinstance(document, dict) else None
        found = execution_of(named) if isinstance(named, str) else ""
        return Parent(found) if found else None  # AWS starts one it cannot link all the same

    def describe_execution(self, request: s.ExecutionArnInput) -> s.Shape:
        head = self._head(request.execution_arn)
        values = self.services.documents.reader(head.execution_id)
        status = AWS_STATUS[head.status]
        ended = status != "RUNNING"
        redrivable = head.status is Status.FAILED
        return s.DescribeExecutionOutput(
            execution_arn=request.execution_arn,
            state_machine_arn=self.arns.state_machine(head.state_machine),
            name=head.name,
            status=status,
            start_date=epoch(head.created_at),
            stop_date=epoch(head.updated_at) if ended else None,
            input=json_text(values(head.input)),
            output=json_text(values(head.output)) if head.output else None,
            output_details=s.DataDetails() if head.output else None,
            error=head.error,
            cause=head.cause,
            redrive_count=head.redrives,
            redrive_status=None
            if not ended
            else ("REDRIVABLE" if redrivable else "NOT_REDRIVABLE"),
            redrive_status_reason=None
            if not ended or redrivable
            else f"Execution is {status}; segue redrives FAILED executions",
            segue_status=str(head.status),
        )

    def describe_map_run(self, request: s.MapRunArnInput) -> s.Shape:
        run, plan = self._map_run(request.map_run_arn)
        document = run_document(run, plan, request.map_run_arn)
        return s.DescribeMapRunOutput(
            map_run_arn=request.map_run_arn,
            execution_arn=self.arns.execution(run.execution_id),
            status=run.status,
            start_date=epoch(run.started_at),
            stop_date=epoch(run.stopped_at) if run.stopped_at else None,
            max_concurrency=run.max_concurrency,
            tolerated_failure_percentage=float(document["toleratedFailurePercentage"] or 0),
            tolerated_failure_count=int(document["toleratedFailureCount"] or 0),
            item_counts=_counts(document["items"], run),
            execution_counts=_counts(document["children"], run),
            redrive_count=run.redrives,
            redrive_date=epoch(run.redriven_at) if run.redriven_at else None,
        )

    def list_map_runs(self, request: s.ListMapRunsInput) -> s.Shape:
        head = self._head(request.execution_arn)
        rows = [
            s.MapRunListItem(
                execution_arn=self.arns.execution(head.execution_id),
                map_run_arn=map_run_arn(self.arns, run),
                state_machine_arn=self.arns.state_machine(head.state_machine),
                start_date=epoch(run.started_at),
                stop_date=epoch(run.stopped_at) if run.stopped_at else None,
            )
            for run, _ in runs_of(self.services, head.execution_id)
        ]
        listing = ["map-runs", head.execution_id]
        page, token = self._page(listing, rows, request.max_results, request.next_token)
        return s.ListMapRunsOutput(map_runs=page, next_token=token)

    def _map_run(self, arn: str) -> tuple[MapRun, dict[str, Any]]:
        with answered_as(missing=sfn.ResourceNotFound):
            execution_id, token = self.arns.map_run_of(arn)
        run = self.services.map_runs.get(execution_id, token)
        if run is None:
            raise sfn.ResourceNotFound(f"Map Run Does Not Exist: '{arn}'")
        return run, self.services.documents.get(execution_id, run.plan)

    def _map_run_children(self, request: s.ListExecutionsInput) -> s.Shape:
        """ListExecutions of a map run: the children it started, in order."""
        run, _ = self._map_run(request.map_run_arn or "")
        ids = [f"{run.machine}:{child_name(run, i)}" for i in range(run.cursor)]
        heads = self.services.store.get_heads(ids)
        rows = [self._listed(_row(heads[i])) for i in ids if i in heads]
        if request.status_filter is not None:
            rows = [r for r in rows if r.status == request.status_filter]
        listing = ["map-run-executions", request.map_run_arn, request.status_filter]
        page, token = self._page(listing, rows, request.max_results, request.next_token)
        return s.ListExecutionsOutput(executions=page, next_token=token)

    def list_executions(self, request: s.ListExecutionsInput) -> s.Shape:
        if request.map_run_arn is not None:
            if request.state_machine_arn is not None:
                raise sfn.ValidationException(
                    "Provide a StateMachine ARN or a MapRun ARN, not both"
                )
            return self._map_run_children(request)
        if request.state_machine_arn is None:
            raise sfn.ValidationException("Must provide a StateMachine ARN or MapRun ARN")
        name, _ = self.arns.state_machine_name(request.state_machine_arn)
        self._state_machine(name)
        statuses = SEGUE_STATUSES[request.status_filter] if request.status_filter else None
        with answered_as(invalid=sfn.InvalidToken):
            listed = self._executions.list(
                None,
                name,
                request.max_results or DEFAULT_PAGE,
                request.next_token,
                statuses=statuses,
            )
        rows = [self._listed(item) for item in listed["items"]]
        if request.redrive_filter is not None:
            redriven = request.redrive_filter == "REDRIVEN"
            rows = [r for r in rows if bool(r.redrive_count) == redriven]
        return s.ListExecutionsOutput(executions=rows, next_token=listed["nextToken"])

    def _listed(self, item: dict[str, Any]) -> s.ExecutionListItem:
        status = AWS_STATUS[Status(item["status"])]
        return s.ExecutionListItem(
            execution_arn=self.arns.execution(item["executionId"]),
            state_machine_arn=self.arns.state_machine(item["stateMachine"]),
            name=item["name"],
            status=status,
            start_date=epoch(item["createdAt"]),
            stop_date=epoch(item["updatedAt"])
            if status != "RUNNING" and "updatedAt" in item
            else None,
        )

    def get_execution_history(self, request: s.GetExecutionHistoryInput) -> s.Shape:
        head = self._head(request.execution_arn)
        machine = self.services.machines.get(head.state_machine, head.revision)
        meta = self.services.store.get_state_machine(head.state_machine) or {}
        translator = Translator(
            machine,
            meta.get("roleArn", self._role),
            self.services.documents.reader(head.execution_id),
            request.include_execution_data,
        )
        events = translator.translate(self._executions.events(head))
        if request.reverse_order:
            events.reverse()
        listing = [
            "history",
            head.execution_id,
            request.reverse_order,
            request.include_execution_data,
        ]
        page, token = self._page(listing, events, request.max_results, request.next_token)
        return s.GetExecutionHistoryOutput(events=page, next_token=token)

    def stop_execution(self, request: s.StopExecutionInput) -> s.Shape:
        execution_id = self._execution_id(request.execution_arn)
        with answered_as(missing=sfn.ExecutionDoesNotExist, conflict=sfn.ValidationException):
            head = self._operator.cancel(
                execution_id, self.caller, "StopExecution", request.error, request.cause
            )
        return s.StopExecutionOutput(stop_date=epoch(head.updated_at))

    def redrive_execution(self, request: s.RedriveExecutionInput) -> s.Shape:
        execution_id = self._execution_id(request.execution_arn)
        with answered_as(missing=sfn.ExecutionDoesNotExist, conflict=sfn.ExecutionNotRedrivable):
            head = self._operator.redrive(execution_id, self.caller)
        return s.RedriveExecutionOutput(redrive_date=epoch(head.updated_at))

    def pause_execution(self, request: s.PauseExecutionInput) -> s.Shape:
        execution_id = self._execution_id(request.execution_arn)
        with answered_as(missing=sfn.ExecutionDoesNotExist, conflict=sfn.ConflictException):
            head = self._operator.pause(execution_id, self.caller, request.reason or "", None)
        return s.ControlOutput(segue_status=str(head.status))

    def resume_execution(self, request: s.ResumeExecutionInput) -> s.Shape:
        execution_id = self._execution_id(request.execution_arn)
        data = (
            None
            if request.data is None
            else _document(request.data, "data", sfn.ValidationException)
        )
        if data is not None and not isinstance(data, dict):
            raise sfn.ValidationException("data must be a JSON object of variables")
        with answered_as(missing=sfn.ExecutionDoesNotExist, conflict=sfn.ConflictException):
            head = self._operator.resume(
                execution_id, self.caller, request.reason or "", data, None
            )
        return s.ControlOutput(segue_status=str(head.status))

    # Task callbacks --------------------------------------------------------------------------

    def send_task_success(self, request: s.SendTaskSuccessInput) -> s.Shape:
        _check_token(request.task_token)
        output = _document(request.output, "output", sfn.InvalidOutput)
        with _callback_errors():
            Waits(self.services, self.services.clock).task_succeeded(request.task_token, output)
        return s.Empty()

    def send_task_failure(self, request: s.SendTaskFailureInput) -> s.Shape:
        _check_token(request.task_token)
        with _callback_errors():
            Waits(self.services, self.services.clock).task_failed(
                request.task_token, request.error, request.cause
            )
        return s.Empty()

    def send_task_heartbeat(self, request: s.SendTaskHeartbeatInput) -> s.Shape:
        _check_token(request.task_token)
        with _callback_errors():
            Waits(self.services, self.services.clock).heartbeat(request.task_token)
        return s.Empty()

    # Pieces ----------------------------------------------------------------------------------

    def _state_machine(self, name: str) -> dict[str, Any]:
        """The state machine's AWS attributes; those registered through segue's API get defaults."""
        meta = self.services.store.get_state_machine(name)
        if meta is not None:
            return meta
        listed = self.services.store.latest_pointer(name)
        if listed is None:
            raise sfn.StateMachineDoesNotExist(
                f"State Machine Does Not Exist: '{self.arns.state_machine(name)}'"
            )
        return {"roleArn": self._role, "createdAt": listed["sm_updated_at"], "tags": {}}

    def _revision(self, name: str, revision: int | None) -> tuple[int, Any]:
        """(number, definition) of a revision (or version), the latest when None."""
        found = self.services.store.get_definition(name, revision)
        if found is None:
            raise sfn.StateMachineDoesNotExist(
                f"State Machine Does Not Exist: '{self.arns.state_machine(name, revision)}'"
            )
        return found[0], self._document(name, found[1])

    def _document(self, name: str, ref: str) -> Any:
        return self.services.machines.document(name, ref)

    def _publish(
        self, name: str, revision: int, publish: bool, description: str | None
    ) -> str | None:
        """The version ARN of a published revision (segue's versions are its revisions)."""
        if not publish:
            return None
        self.services.store.publish_revision(name, revision, description or "")
        return self.arns.state_machine(name, revision)

    def _published(self, name: str, version: int) -> bool:
        return any(
            r["revision"] == version and r["published"] for r in self.services.store.revisions(name)
        )

    def _execution_id(self, arn: str) -> str:
        with answered_as(missing=sfn.ExecutionDoesNotExist):
            return self.arns.execution_id(arn)

    def _head(self, arn: str) -> Head:
        execution_id = self._execution_id(arn)
        head = self.services.store.get_head(execution_id)
        if head is None:
            raise sfn.ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'")
        return head

    def _page(
        self, listing: list[Any], rows: list[Any], size: int, token: str | None
    ) -> tuple[list[Any], str | None]:
        """One page of `rows` (all read), and the token of the next."""
        key = json.dumps(listing)
        with answered_as(invalid=sfn.InvalidToken):
            start = self.services.cursors.read(key, token)
        first = start if isinstance(start, int) else 0
        size = size or DEFAULT_PAGE
        end = first + size
        return rows[first:end], self.services.cursors.issue(key, end if end < len(rows) else None)


def _counts(document: dict[str, Any], run: MapRun) -> s.MapRunCounts:
    """Counts of items or children as DescribeMapRun gives them."""
    written = document["succeeded"] + document["failed"] if run.status != "RUNNING" else 0
    return s.MapRunCounts(
        pending=document["pending"],
        running=document["running"],
        succeeded=document["succeeded"],
        failed=document["failed"],
        timed_out=0,
        aborted=document["aborted"],
        total=document["total"],
        results_written=written,
    )


def _row(head: Head) -> dict[str, Any]:
    """A head as the execution listing's row (what `_listed` reads)."""
    return {
        "executionId": head.execution_id,
        "stateMachine": head.state_machine,
        "name": head.name,
        "status": str(head.status),
        "createdAt": head.created_at,
        "updatedAt": head.updated_at,
    }


@contextlib.contextmanager
def _callback_errors() -> Iterator[None]:
    with answered_as(
        missing=sfn.TaskDoesNotExist, conflict=sfn.TaskTimedOut, invalid=sfn.InvalidOutput
    ):
        yield


def _check_token(token: str) -> None:
    """A token segue could not have made is InvalidToken; one it did, but no longer
    waits on, TaskDoesNotExist (as AWS tells the two apart)."""
    if read_task_token(token) is None:
        raise sfn.InvalidToken("Invalid Token: 'Invalid token'")


def _check_name(name: str) -> None:
    problem = name_problem(name)
    if problem:
        raise sfn.InvalidName(f"Invalid Name: '{name}' ({problem})")


def _check_role(arn: str) -> None:
    if not arn.startswith("arn:aws") or ":iam::" not in arn:
        raise sfn.InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")


def _definition(text: str) -> Any:
    document, problems = read_definition(text)
    if document is None:
        raise sfn.InvalidDefinition(
            _definition_message({"diagnostics": [d.to_dict() for d in problems]})
        )
    return document


def _definition_message(extra: dict[str, Any]) -> str:
    """AWS's one-line summary of what is wrong with a definition."""
    found = extra.get("diagnostics") or []
    shown = "\n".join(f"{d['code']}: {d['message']} at {d['path'] or '/'}" for d in found[:10])
    return f"Invalid State Machine Definition: '{shown}'"


def _input(text: str | None) -> Any:
    if text is None:
        return {}
    return _document(text, "input", sfn.InvalidExecutionInput)


def _document(text: str, what: str, error: type[sfn.SfnError]) -> Any:
    try:
        return read_json(text, f"the {what}")
    except JsonTextError as problem:
        raise error(f"Invalid {what}: {problem}") from problem
