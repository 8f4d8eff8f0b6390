"""State machine definitions, loaded once per (name, revision): revisions never change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segue.asl import load

if TYPE_CHECKING:
    from segue.asl import StateMachine
    from segue.store.dynamo import ExecutionStore


class Machines:
    """A cache of parsed definitions in front of the store."""

    def __init__(self, store: ExecutionStore) -> None:
        self.store = store
        self._loaded: dict[tuple[str, int], StateMachine] = {}

    def get(self, name: str, revision: int, text: str | None = None) -> StateMachine:
        """The parsed revision; `text` (when the caller has read it) saves a read."""
        key = (name, revision)
        if key not in self._loaded:
            if text is None:
                found = self.store.get_definition(name, revision)
                if found is None:
                    raise LookupError(f"state machine {name} revision {revision} is missing")
                text = found[1]
            self._loaded[key] = load(text)
        return self._loaded[key]
