"""What the HTTP API answers, as pydantic models: the OpenAPI document's response schemas.

Each names the fields API.md promises; anything more an answer carries is allowed, so
a new field is an addition, never a break. The fuzz test checks every answer against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from segue.engine.head import Status
from segue.store.waits import APPROVAL_STATUSES


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Problem(_Answer):
    """Every error: a code (BadRequest, NotFound, Conflict, FeatureDisabled, ...) and words."""

    error: str
    message: str


class Health(_Answer):
    status: Literal["ok"]


class Registered(_Answer):
    name: str
    revision: int


class StateMachine(_Answer):
    name: str
    revision: int
    definition: Any


class Items(_Answer):
    """A page of a listing."""

    items: list[dict[str, Any]]


class ExecutionPage(Items):
    next_token: str | None = Field(default=None, alias="nextToken")


class Started(_Answer):
    execution_id: str = Field(alias="executionId")
    status: Status
    created_at: str = Field(alias="createdAt")


class Inspection(_Answer):
    """The inspection document (API.md)."""

    execution_id: str = Field(alias="executionId")
    state_machine: str = Field(alias="stateMachine")
    revision: int
    name: str
    status: Status
    current_states: list[dict[str, Any]] = Field(alias="currentStates")
    completed_states: list[dict[str, Any]] = Field(alias="completedStates")
    pending_states: list[Any] = Field(alias="pendingStates")
    variables: dict[str, Any]
    pause: dict[str, Any] | None
    waits: list[dict[str, Any]]
    checkpoint: dict[str, Any]
    created_at: str = Field(alias="createdAt")
    updated_at: str = Field(alias="updatedAt")
    children: list[dict[str, Any]]
    """The nested executions its Tasks started: executionId, state, status."""
    map_runs: list[dict[str, Any]] = Field(alias="mapRuns")
    """Its Distributed Maps' runs: status, and items and children by how far they got."""
    state_management: bool = Field(alias="stateManagement")


class History(_Answer):
    events: list[dict[str, Any]]
    next_token: str | None = Field(alias="nextToken")


class Checkpoint(_Answer):
    version: int
    status: Status


class Changed(_Answer):
    """An execution's status after pause, resume, cancel or redrive."""

    status: Status


class Done(_Answer):
    """A callback taken."""


class Approval(_Answer):
    approval_id: str = Field(alias="approvalId")
    execution_id: str = Field(alias="executionId")
    state: str
    status: Literal[APPROVAL_STATUSES]  # type: ignore[valid-type]


class EventTaken(_Answer):
    event_id: str = Field(alias="eventId")
    delivered: int


class DeadLetters(_Answer):
    queue: str
    items: list[dict[str, Any]]


class Redriven(_Answer):
    queue: str
    redriven: int
    not_found: list[str] = Field(alias="notFound")


class AwsJsonAnswer(_Answer):
    """The Step Functions API's answer: an operation's output, or `{__type, message}`."""
