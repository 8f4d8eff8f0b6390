"""Step Functions errors: the `__type` codes boto3 turns into its exceptions (all HTTP 400)."""

from __future__ import annotations

from typing import Any


class SfnError(Exception):
    """An error answered as AWS answers it: `{"__type": code, "message": ...}`."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def code(self) -> str:
        return type(self).__name__

    def body(self) -> dict[str, Any]:
        return {
            "__type": f"com.amazonaws.swf.service.v2.model#{self.code}",
            "message": self.message,
        }


def _error(name: str) -> type[SfnError]:
    return type(name, (SfnError,), {"__doc__": f"AWS's `{name}`."})


ActivityAlreadyExists = _error("ActivityAlreadyExists")
ActivityDoesNotExist = _error("ActivityDoesNotExist")
ConflictException = _error("ConflictException")
ExecutionAlreadyExists = _error("ExecutionAlreadyExists")
ExecutionDoesNotExist = _error("ExecutionDoesNotExist")
ExecutionNotRedrivable = _error("ExecutionNotRedrivable")
InvalidArn = _error("InvalidArn")
InvalidDefinition = _error("InvalidDefinition")
InvalidExecutionInput = _error("InvalidExecutionInput")
InvalidName = _error("InvalidName")
InvalidOutput = _error("InvalidOutput")
InvalidToken = _error("InvalidToken")
MissingRequiredParameter = _error("MissingRequiredParameter")
ResourceNotFound = _error("ResourceNotFound")
StateMachineAlreadyExists = _error("StateMachineAlreadyExists")
StateMachineDoesNotExist = _error("StateMachineDoesNotExist")
TaskDoesNotExist = _error("TaskDoesNotExist")
TaskTimedOut = _error("TaskTimedOut")
TooManyTags = _error("TooManyTags")
UnknownOperationException = _error("UnknownOperationException")
ValidationException = _error("ValidationException")
SerializationException = _error("SerializationException")
