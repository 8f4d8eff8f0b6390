"""The store's exception tree: a lost race (retry after re-reading) versus a broken backend."""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """The backend failed in a way a retry of the same call may not fix."""


class ConflictError(StoreError):
    """A conditional write lost: re-read and re-decide. `item` is what is stored now."""

    def __init__(self, message: str, item: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.item = item
