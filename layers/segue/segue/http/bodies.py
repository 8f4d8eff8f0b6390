"""Request bodies of the HTTP API, checked before anything is stored."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from segue.asl.bounds import JsonTextError, read_json
from segue.service.errors import BadRequestError

Body = TypeVar("Body", bound=BaseModel)


class _Request(BaseModel):
    # strict: `"10"` or `true` is not a number of seconds here, as in a definition
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, strict=True)


class RegisterBody(_Request):
    name: str
    definition: dict[str, Any] | str


class StartBody(_Request):
    state_machine: str = Field(alias="stateMachine")
    input: Any = Field(default_factory=dict)
    name: str | None = None
    pause_before: list[str] = Field(default_factory=list, alias="pauseBefore", max_length=500)
    auto_resume_seconds: int | None = Field(default=None, alias="autoResumeSeconds")


Reason = Field(default="", max_length=1024)


class PauseBody(_Request):
    reason: str = Reason
    auto_resume_seconds: int | None = Field(default=None, alias="autoResumeSeconds")


class ResumeBody(_Request):
    reason: str = Reason
    data: dict[str, Any] | None = None
    pause_before: list[str] | None = Field(default=None, alias="pauseBefore", max_length=500)


class CancelBody(_Request):
    reason: str = Reason


class EmptyBody(_Request):
    pass


TaskToken = Field(alias="taskToken", min_length=1, max_length=1024)


class TaskSuccessBody(_Request):
    task_token: str = TaskToken
    output: Any = None


class TaskFailureBody(_Request):
    task_token: str = TaskToken
    error: str = Field(default="", max_length=256)
    cause: str = Field(default="", max_length=32768)


class TaskHeartbeatBody(_Request):
    task_token: str = TaskToken


class DecisionBody(_Request):
    by: str | None = Field(default=None, max_length=256)
    comment: str = Field(default="", max_length=4096)
    data: Any = None


class EventBody(_Request):
    """An external event: also the body of a message on the `events` queue."""

    name: str = Field(min_length=1, max_length=256)
    key: str = Field(min_length=1, max_length=256)
    payload: Any = None
    id: str | None = Field(default=None, min_length=1, max_length=128)


class RedriveBody(_Request):
    """Which dead letters to send back (all of them when none are named)."""

    message_ids: list[str] | None = Field(
        default=None, alias="messageIds", min_length=1, max_length=100
    )


def parse(model: type[Body], text: str, optional: bool = False) -> Body:
    """The body as `model`; BadRequestError for malformed JSON or a wrong shape."""
    if not text.strip():
        if optional:
            return model.model_validate({})
        raise BadRequestError("the request needs a JSON body")
    try:
        document = read_json(text, "the body")
    except JsonTextError as exc:
        raise BadRequestError(str(exc)) from exc
    if not isinstance(document, dict):
        raise BadRequestError("the body must be a JSON object")
    return model.model_validate(document)
