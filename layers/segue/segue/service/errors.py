"""Errors a client caused, each with its HTTP status and code (API.md)."""

from __future__ import annotations

from typing import Any

SHOWN_CHARS = 100
"""How much of a client's value an error message repeats."""


def shown(value: object) -> str:
    """`value` for an error message: quoted, and cut short."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


class ClientError(Exception):
    """Bad input or a request not allowed now; never a server fault."""

    status = 400
    code = "BadRequest"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.extra}


class BadRequestError(ClientError):
    status, code = 400, "BadRequest"


class InvalidDefinitionError(ClientError):
    status, code = 400, "InvalidDefinition"


class NotFoundError(ClientError):
    status, code = 404, "NotFound"


class ConflictingRequestError(ClientError):
    status, code = 409, "Conflict"


class TooLargeError(ClientError):
    status, code = 413, "PayloadTooLarge"
