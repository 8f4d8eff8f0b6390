"""The results a Parallel or Map state collects from its branches, kept out of the head. Pure.

A branch's result is saved as a short string (`ok:<ref>` or `err:<ref>`). The head holds
those of the last branches to finish; every run of RESULTS_CHUNK in a row moves into a
document, and RESULTS_CHUNK such documents into one more, so the head of a Map with a
million items holds a few hundred references (`head.Join`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from segue.asl import Failed, Succeeded, errors
from segue.asl.bounds import measure
from segue.asl.outcomes import MAX_PAYLOAD_BYTES
from segue.engine.head import RESULTS_CHUNK

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from segue.asl import Result
    from segue.asl.outcomes import Json
    from segue.engine.head import Join


def fold(join: Join, index: int, keep: Callable[[Json], str]) -> Join:
    """`join`, its result `index` just added, with each chunk (and group of chunks) that
    this completed moved into a document that `keep` stores."""
    results, folded = dict(join.results), dict(join.folded)
    chunk = index // RESULTS_CHUNK
    members = range(chunk * RESULTS_CHUNK, (chunk + 1) * RESULTS_CHUNK)
    if not all(member in results for member in members):
        return join
    folded[(0, chunk)] = keep([results.pop(member) for member in members])
    level = 0
    while True:  # a group of RESULTS_CHUNK documents of one level becomes one of the next
        group = chunk // RESULTS_CHUNK
        parts = [(level, group * RESULTS_CHUNK + offset) for offset in range(RESULTS_CHUNK)]
        if not all(part in folded for part in parts):
            break
        folded[(level + 1, group)] = keep([folded.pop(part) for part in parts])
        level, chunk = level + 1, group
    return replace(join, results=results, folded=folded)


def saved_results(join: Join, read: Callable[[str], Json]) -> Iterator[str]:
    """Every saved result, in branch order (the join is complete: only its last, partial
    chunk is still in `results`)."""

    def expand(level: int, ref: str) -> Iterator[str]:
        document = read(ref)
        if level == 0:
            yield from document
        else:
            for inner in document:
                yield from expand(level - 1, inner)

    def start(key: tuple[int, int]) -> int:
        level, index = key
        return int(index * RESULTS_CHUNK ** (level + 1))

    for key in sorted(join.folded, key=start):
        yield from expand(key[0], join.folded[key])
    for index in sorted(join.results):
        yield join.results[index]


def result_of(saved: str, read: Callable[[str], Json]) -> Result:
    """A saved result, read back."""
    tag, _, reference = saved.partition(":")
    if tag == "ok":
        return Succeeded(read(reference))
    failure = read(reference)
    return Failed(failure["error"], failure["cause"])


def collected(join: Join, read: Callable[[str], Json]) -> tuple[Result, ...] | Failed:
    """All results in order; States.DataLimitExceeded (reading no further) once their
    outputs together pass the state limit, which the state's output could never fit."""
    results: list[Result] = []
    total = 0
    for saved in saved_results(join, read):
        result = result_of(saved, read)
        if isinstance(result, Succeeded):
            total += measure(result.output).bytes + 1
            if total > MAX_PAYLOAD_BYTES:
                return Failed(
                    errors.DATA_LIMIT_EXCEEDED,
                    f"The outputs of the branches of '{join.parent.state}' together exceed the "
                    f"{MAX_PAYLOAD_BYTES} byte state limit.",
                )
        results.append(result)
    return tuple(results)
