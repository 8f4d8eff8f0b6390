"""The predefined ASL error names and the exception that carries one through the interpreter."""

from __future__ import annotations

from typing import Final

# Error names are public API: workflows match on them in Retry and Catch. Never rename.
ALL: Final = "States.ALL"
HEARTBEAT_TIMEOUT: Final = "States.HeartbeatTimeout"
TIMEOUT: Final = "States.Timeout"
TASK_FAILED: Final = "States.TaskFailed"
PERMISSIONS: Final = "States.Permissions"
RESULT_PATH_MATCH_FAILURE: Final = "States.ResultPathMatchFailure"
PARAMETER_PATH_FAILURE: Final = "States.ParameterPathFailure"
QUERY_EVALUATION_ERROR: Final = "States.QueryEvaluationError"
BRANCH_FAILED: Final = "States.BranchFailed"
NO_CHOICE_MATCHED: Final = "States.NoChoiceMatched"
INTRINSIC_FAILURE: Final = "States.IntrinsicFailure"
EXCEED_TOLERATED_FAILURE_THRESHOLD: Final = "States.ExceedToleratedFailureThreshold"
ITEM_READER_FAILED: Final = "States.ItemReaderFailed"
RESULT_WRITER_FAILED: Final = "States.ResultWriterFailed"
DATA_LIMIT_EXCEEDED: Final = "States.DataLimitExceeded"
RUNTIME: Final = "States.Runtime"

PREDEFINED: Final = frozenset(
    {
        ALL,
        HEARTBEAT_TIMEOUT,
        TIMEOUT,
        TASK_FAILED,
        PERMISSIONS,
        RESULT_PATH_MATCH_FAILURE,
        PARAMETER_PATH_FAILURE,
        QUERY_EVALUATION_ERROR,
        BRANCH_FAILED,
        NO_CHOICE_MATCHED,
        INTRINSIC_FAILURE,
        EXCEED_TOLERATED_FAILURE_THRESHOLD,
        ITEM_READER_FAILED,
        RESULT_WRITER_FAILED,
        DATA_LIMIT_EXCEEDED,
        RUNTIME,
    }
)

MAX_ERROR_CHARS: Final = 256
MAX_CAUSE_CHARS: Final = 32768
"""An error name and a cause are kept (in history, in the head) up to these lengths, as AWS."""


def clipped(text: str | None, limit: int) -> str | None:
    """`text` cut to `limit` characters (a cause may quote a whole input)."""
    return text if text is None or len(text) <= limit else text[:limit]


# States.Runtime ends the execution: AWS lets neither Retry nor Catch see it, even by name.
UNCATCHABLE: Final = frozenset({RUNTIME})


class StatesError(Exception):
    """An ASL error raised while running a state: an error name and an optional cause."""

    def __init__(self, error: str | None, cause: str | None = None) -> None:
        super().__init__(f"{error}: {cause}" if cause else str(error))
        self.error = error
        self.cause = cause


class RuntimeFailure(StatesError):
    """A `States.Runtime` failure; the state that hit it adds its name to the cause."""

    def __init__(self, cause: str) -> None:
        super().__init__(RUNTIME, cause)


class IntrinsicFailure(StatesError):
    """An intrinsic function was called with arguments it does not accept."""

    def __init__(self, cause: str) -> None:
        super().__init__(INTRINSIC_FAILURE, cause)


class PathFailure(RuntimeFailure):
    """A JSONPath found nothing (or the wrong kind of thing) where a value was required."""
