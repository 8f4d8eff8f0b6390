"""Kept history pages: read once, then only past their end."""

from __future__ import annotations

from segue.engine.events import Event
from segue.service.kept_pages import KeptPages
from segue.store.dynamo import Page

STARTED = "2026-12-03T10:00:00.000Z"


class History:
    """A fake store of one execution's pages that counts what it is asked for."""

    def __init__(self, started: str = STARTED) -> None:
        self.pages_: list[Page] = [Page(1, (Event("ExecutionStarted", started),))]
        self.asked: list[int] = []

    def append(self, count: int) -> int:
        seq = self.pages_[-1].seq + len(self.pages_[-1].events)
        self.pages_.append(Page(seq, tuple(Event("StateEntered", STARTED) for _ in range(count))))
        return seq + count

    def pages(self, execution_id: str, before_seq: int, after_seq: int = 0) -> list[Page]:
        self.asked.append(after_seq)
        return [p for p in self.pages_ if after_seq <= p.seq < before_seq]


def test_a_second_read_asks_only_for_the_new_pages():
    history = History()
    kept = KeptPages(history)  # type: ignore[arg-type]
    end = history.append(3)
    assert [p.seq for p in kept.read("x", end, STARTED)] == [1, 2]
    end = history.append(2)
    assert [p.seq for p in kept.read("x", end, STARTED)] == [1, 2, 5]
    assert kept.read("x", end, STARTED)[-1].seq == 5
    assert history.asked == [1, 5]  # the third read asked for nothing


def test_another_execution_of_the_same_id_is_read_afresh():
    old, new = History(), History("2027-03-01T00:00:00.000Z")
    kept = KeptPages(old)  # type: ignore[arg-type]
    kept.read("x", old.append(2), STARTED)
    kept.store = new  # type: ignore[assignment]
    pages = kept.read("x", new.append(1), "2027-03-01T00:00:00.000Z")
    assert pages[0].events[0].timestamp == "2027-03-01T00:00:00.000Z"
    assert new.asked == [1]


def test_pages_with_a_gap_are_given_but_not_kept():
    history = History()
    kept = KeptPages(history)  # type: ignore[arg-type]
    end = history.append(2)
    del history.pages_[0]  # page 1 not written yet (it comes just after the head)
    assert [p.seq for p in kept.read("x", end, STARTED)] == [2]
    assert [p.seq for p in kept.read("x", end, STARTED)] == [2]
    assert history.asked == [1, 1]


def test_the_least_recently_read_go_first_past_the_limit():
    histories = {name: History() for name in "abc"}
    ends = {name: h.append(4) for name, h in histories.items()}  # 5 events each
    kept = KeptPages(histories["a"], most_events=10)  # type: ignore[arg-type]
    for name in "abc":
        kept.store = histories[name]  # type: ignore[assignment]
        kept.read(name, ends[name], STARTED)
    assert list(kept._kept) == ["b", "c"]
