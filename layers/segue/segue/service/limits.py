"""The sizes segue takes from a client, checked by the services whichever door a value
came through (HTTP, a queue message, a trigger): over one, a 413 that names it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segue.asl.bounds import MAX_DEPTH, measure
from segue.asl.outcomes import MAX_PAYLOAD_BYTES
from segue.service.errors import BadRequestError, TooLargeError

if TYPE_CHECKING:
    from segue.asl.outcomes import Json

MAX_DEFINITION_BYTES = 1024 * 1024
"""A definition's JSON text (as AWS Step Functions allows)."""


def check_document(value: Json, what: str) -> None:
    """`value` becomes state: at most the state limit, nested at most MAX_DEPTH deep."""
    extent = measure(value)
    if extent.bytes > MAX_PAYLOAD_BYTES:
        raise TooLargeError(f"{what} is over the {MAX_PAYLOAD_BYTES} byte state limit")
    if extent.depth > MAX_DEPTH:
        raise BadRequestError(f"{what} is nested deeper than {MAX_DEPTH} levels")


def check_definition_size(text: str) -> None:
    if len(text.encode("utf-8")) > MAX_DEFINITION_BYTES:
        raise TooLargeError(f"the definition is over the {MAX_DEFINITION_BYTES} byte limit")
