"""The requests and answers of the Step Functions operations segue serves (pydantic).

Field names are AWS's (camelCase on the wire); the limits are those of AWS's service
model, so that a request AWS refuses is refused here with the same `ValidationException`.
Answers are built from these models too, so that their fields are AWS's and nothing else.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

Name = Annotated[str, Field(min_length=1, max_length=80)]
Arn = Annotated[str, Field(min_length=1, max_length=256)]
PageToken = Annotated[str, Field(min_length=1, max_length=3096)]
PageSize = Annotated[int, Field(ge=0, le=1000)]
Error = Annotated[str, Field(max_length=256)]
Cause = Annotated[str, Field(max_length=32768)]
TaskToken = Annotated[str, Field(min_length=1, max_length=2048)]
Definition = Annotated[str, Field(min_length=1, max_length=1048576)]
VersionDescription = Annotated[str, Field(max_length=256)]
ExecutionStatus = Literal[
    "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"
]


class Shape(BaseModel):
    """AWS's member names on the wire; unknown members are ignored, as AWS ignores them."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", strict=True
    )

    def wire(self) -> dict[str, Any]:
        """The JSON body: AWS's names, members without a value left out."""
        return self.model_dump(by_alias=True, exclude_none=True)


class Tag(Shape):
    key: Annotated[str, Field(min_length=1, max_length=128)]
    value: Annotated[str, Field(max_length=256)]


# State machines ------------------------------------------------------------------------------


class _Publishing(Shape):
    """CreateStateMachine and UpdateStateMachine may publish the revision as a version."""

    publish: bool = False
    version_description: VersionDescription | None = None


class CreateStateMachineInput(_Publishing):
    name: Name
    definition: Definition
    role_arn: Arn
    type: Literal["STANDARD", "EXPRESS"] = "STANDARD"
    tags: list[Tag] = []


class UpdateStateMachineInput(_Publishing):
    state_machine_arn: Arn
    definition: Definition | None = None
    role_arn: Arn | None = None


class CreateStateMachineOutput(Shape):
    state_machine_arn: str
    creation_date: float
    state_machine_version_arn: str | None = None


class UpdateStateMachineOutput(Shape):
    update_date: float
    revision_id: str
    state_machine_version_arn: str | None = None


class StateMachineArnInput(Shape):
    """DescribeStateMachine and DeleteStateMachine."""

    state_machine_arn: Arn


class _StateMachineShown(Shape):
    """What DescribeStateMachine and DescribeStateMachineForExecution both give."""

    state_machine_arn: str
    name: str
    definition: str
    role_arn: str
    revision_id: str | None = None
    logging_configuration: dict[str, Any] = {"level": "OFF", "includeExecutionData": False}
    tracing_configuration: dict[str, Any] = {"enabled": False}


class DescribeStateMachineOutput(_StateMachineShown):
    status: Literal["ACTIVE", "DELETING"] = "ACTIVE"
    type: str
    creation_date: float
    description: str | None = None


class DescribeStateMachineForExecutionOutput(_StateMachineShown):
    update_date: float


class PageInput(Shape):
    """ListStateMachines and ListActivities."""

    max_results: PageSize = 0
    next_token: PageToken | None = None


class StateMachineListItem(Shape):
    state_machine_arn: str
    name: str
    type: str
    creation_date: float


class ListStateMachinesOutput(Shape):
    state_machines: list[StateMachineListItem]
    next_token: str | None = None


class ValidateInput(Shape):
    definition: Definition
    type: Literal["STANDARD", "EXPRESS"] = "STANDARD"
    severity: Literal["ERROR", "WARNING"] = "ERROR"
    max_results: Annotated[int, Field(ge=0, le=100)] = 0


class Diagnostic(Shape):
    severity: Literal["ERROR", "WARNING"]
    code: str
    message: str
    location: str | None = None


class ValidateOutput(Shape):
    result: Literal["OK", "FAIL"]
    diagnostics: list[Diagnostic]
    truncated: bool = False


class ListVersionsInput(PageInput):
    state_machine_arn: Arn


class VersionListItem(Shape):
    state_machine_version_arn: str
    creation_date: float


class ListVersionsOutput(Shape):
    state_machine_versions: list[VersionListItem]
    next_token: str | None = None


class PublishVersionInput(Shape):
    state_machine_arn: Arn
    revision_id: str | None = None
    description: VersionDescription | None = None


class PublishVersionOutput(Shape):
    creation_date: float
    state_machine_version_arn: str


class DeleteVersionInput(Shape):
    state_machine_version_arn: Annotated[str, Field(min_length=1, max_length=2000)]


# Activities ----------------------------------------------------------------------------------


class CreateActivityInput(Shape):
    name: Name
    tags: list[Tag] = []


class CreateActivityOutput(Shape):
    activity_arn: str
    creation_date: float


class ActivityArnInput(Shape):
    activity_arn: Arn


class DescribeActivityOutput(Shape):
    activity_arn: str
    name: str
    creation_date: float


class ListActivitiesOutput(Shape):
    activities: list[DescribeActivityOutput]
    next_token: str | None = None


class GetActivityTaskInput(Shape):
    activity_arn: Arn
    worker_name: Name | None = None


class GetActivityTaskOutput(Shape):
    task_token: str | None = None
    input: str | None = None


# Tags ----------------------------------------------------------------------------------------


class TagResourceInput(Shape):
    resource_arn: Arn
    tags: list[Tag]


class UntagResourceInput(Shape):
    resource_arn: Arn
    tag_keys: list[Annotated[str, Field(min_length=1, max_length=128)]]


class ResourceArnInput(Shape):
    resource_arn: Arn


class ListTagsOutput(Shape):
    tags: list[Tag]


# Executions ----------------------------------------------------------------------------------


class StartExecutionInput(Shape):
    state_machine_arn: Arn
    name: Name | None = None
    input: str | None = None
    trace_header: Annotated[str, Field(max_length=256)] | None = None


class StartExecutionOutput(Shape):
    execution_arn: str
    start_date: float


class ExecutionArnInput(Shape):
    """DescribeExecution, DescribeStateMachineForExecution, RedriveExecution and the like."""

    execution_arn: Arn


class RedriveExecutionInput(ExecutionArnInput):
    client_token: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class RedriveExecutionOutput(Shape):
    redrive_date: float


class DataDetails(Shape):
    included: bool = True


class DescribeExecutionOutput(Shape):
    execution_arn: str
    state_machine_arn: str
    name: str
    status: ExecutionStatus
    start_date: float
    stop_date: float | None = None
    input: str | None = None
    input_details: DataDetails = DataDetails()
    output: str | None = None
    output_details: DataDetails | None = None
    error: str | None = None
    cause: str | None = None
    redrive_count: int = 0
    redrive_date: float | None = None
    redrive_status: Literal["REDRIVABLE", "NOT_REDRIVABLE", "REDRIVABLE_BY_MAP_RUN"] | None = None
    redrive_status_reason: str | None = None
    segue_status: str | None = None
    """segue's own status (PAUSED, WAITING, ...), in the extended service model."""


class ListExecutionsInput(Shape):
    state_machine_arn: Arn | None = None
    status_filter: ExecutionStatus | None = None
    max_results: PageSize = 0
    next_token: PageToken | None = None
    map_run_arn: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    redrive_filter: Literal["REDRIVEN", "NOT_REDRIVEN"] | None = None


class ExecutionListItem(Shape):
    execution_arn: str
    state_machine_arn: str
    name: str
    status: ExecutionStatus
    start_date: float
    stop_date: float | None = None
    redrive_count: int | None = None
    redrive_date: float | None = None


class ListExecutionsOutput(Shape):
    executions: list[ExecutionListItem]
    next_token: str | None = None


class MapRunArnInput(Shape):
    """DescribeMapRun."""

    map_run_arn: Annotated[str, Field(min_length=1, max_length=2000)]


class MapRunCounts(Shape):
    """A map run's items, or its child executions, by how far they have got."""

    pending: int
    running: int
    succeeded: int
    failed: int
    timed_out: int
    aborted: int
    total: int
    results_written: int
    failures_not_redrivable: int = 0
    pending_redrive: int = 0


class DescribeMapRunOutput(Shape):
    map_run_arn: str
    execution_arn: str
    status: Literal["RUNNING", "SUCCEEDED", "FAILED", "ABORTED"]
    start_date: float
    stop_date: float | None = None
    max_concurrency: int
    tolerated_failure_percentage: float
    tolerated_failure_count: int
    item_counts: MapRunCounts
    execution_counts: MapRunCounts
    redrive_count: int = 0
    redrive_date: float | None = None


class ListMapRunsInput(Shape):
    execution_arn: Arn
    max_results: PageSize = 0
    next_token: PageToken | None = None


class MapRunListItem(Shape):
    execution_arn: str
    map_run_arn: str
    state_machine_arn: str
    start_date: float
    stop_date: float | None = None


class ListMapRunsOutput(Shape):
    map_runs: list[MapRunListItem]
    next_token: str | None = None


class GetExecutionHistoryInput(Shape):
    execution_arn: Arn
    max_results: PageSize = 0
    reverse_order: bool = False
    next_token: PageToken | None = None
    include_execution_data: bool = True


class GetExecutionHistoryOutput(Shape):
    events: list[dict[str, Any]]
    next_token: str | None = None


class StopExecutionInput(Shape):
    execution_arn: Arn
    error: Error | None = None
    cause: Cause | None = None


class StopExecutionOutput(Shape):
    stop_date: float


class PauseExecutionInput(Shape):
    execution_arn: Arn
    reason: Annotated[str, Field(max_length=1024)] | None = None


class ResumeExecutionInput(PauseExecutionInput):
    data: str | None = None


class ControlOutput(Shape):
    """PauseExecution and ResumeExecution: the segue status after the change."""

    segue_status: str


# Task callbacks ------------------------------------------------------------------------------


class SendTaskSuccessInput(Shape):
    task_token: TaskToken
    output: str


class SendTaskFailureInput(Shape):
    task_token: TaskToken
    error: Error | None = None
    cause: Cause | None = None


class SendTaskHeartbeatInput(Shape):
    task_token: TaskToken


class Empty(Shape):
    """An answer with no members."""
