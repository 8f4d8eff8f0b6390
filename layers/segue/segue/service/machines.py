"""State machine definitions, loaded once per (name, revision): revisions never change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segue.asl import load
from segue.store.values import Owner

if TYPE_CHECKING:
    from segue.asl import StateMachine
    from segue.asl.outcomes import Json
    from segue.store.dynamo import ExecutionStore
    from segue.store.values import DocumentStore


class Machines:
    """A cache of parsed definitions in front of the store."""

    def __init__(self, store: ExecutionStore, documents: DocumentStore) -> None:
        self.store = store
        self.documents = documents
        self._loaded: dict[tuple[str, int], StateMachine] = {}

    def get(self, name: str, revision: int, ref: str | None = None) -> StateMachine:
        """The parsed revision; `ref` (when the caller has read the revision) saves a read."""
        key = (name, revision)
        if key not in self._loaded:
            if ref is None:
                found = self.store.get_definition(name, revision)
                if found is None:
                    raise LookupError(f"state machine {name} revision {revision} is missing")
                ref = found[1]
            self._loaded[key] = load(self.document(name, ref))
        return self._loaded[key]

    def document(self, name: str, ref: str) -> Json:
        """The definition a revision's reference names."""
        return self.documents.get(Owner.state_machine(name), ref)
