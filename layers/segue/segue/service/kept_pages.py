"""The history pages of recently inspected executions, kept in this process.

History is append-only and a committed page never changes (DESIGN.md, invariant 7), so
an execution inspected again is read only from where its kept pages end: an operator
watching a long execution costs one read of its new pages a refresh, not of them all.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from segue.store.dynamo import ExecutionStore, Page

MOST_EVENTS = 200_000
"""Events kept in all, at most (a few hundred bytes each); the least recently read go."""


class KeptPages:
    """Committed pages by execution, read from the store only past what is kept."""

    def __init__(self, store: ExecutionStore, most_events: int = MOST_EVENTS) -> None:
        self.store = store
        self.most_events = most_events
        self._kept: OrderedDict[str, list[Page]] = OrderedDict()

    def read(self, execution_id: str, next_seq: int, started_at: str) -> list[Page]:
        """Every committed page of the execution started at `started_at`, below `next_seq`."""
        kept = self._kept.pop(execution_id, [])
        end = _end(kept)
        if end > next_seq or (kept and kept[0].events[0].timestamp != started_at):
            kept, end = [], 1  # kept pages of another execution of that id (one expired)
        if end < next_seq:
            kept = kept + self.store.pages(execution_id, next_seq, end)
        if kept and kept[0].seq == 1 and _end(kept) == next_seq and _gap_free(kept):
            self._kept[execution_id] = kept
            self._trim()
        return kept

    def _trim(self) -> None:
        total = sum(_count(pages) for pages in self._kept.values())
        while total > self.most_events and len(self._kept) > 1:
            _, dropped = self._kept.popitem(last=False)
            total -= _count(dropped)


def _end(pages: list[Page]) -> int:
    """The seq after the last event of `pages` (1 for none)."""
    return pages[-1].seq + len(pages[-1].events) if pages else 1


def _count(pages: list[Page]) -> int:
    return _end(pages) - 1


def _gap_free(pages: list[Page]) -> bool:
    return all(a.seq + len(a.events) == b.seq for a, b in zip(pages, pages[1:], strict=False))
