"""The Distributed Map, pure: what its state asks for, how items are read, selected and
batched, and when its failures are too many.

Entering a Distributed Map is a Task of the resource `MAP_RUN`: its parameters are the
map run's request (`request`), every field of the state already evaluated except the
ItemSelector, which needs each item. The service reads the items (S3), runs each batch
as a child execution and answers the task with the run's result. Nothing here does I/O.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from segue.asl import errors
from segue.asl.bounds import measure
from segue.asl.errors import RuntimeFailure, StatesError
from segue.asl.jsonata_fields import Fields
from segue.asl.jsonata_port import QueryFailure
from segue.asl.jsonpath import Scope
from segue.asl.models import Map
from segue.asl.outcomes import Failed, Invoke, Succeeded, Visit
from segue.asl.payload import render
from segue.asl.transitions import item_output, prefixed, task_token

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from segue.asl.models import State
    from segue.asl.outcomes import Json, Result, Runtime

MAP_RUN = "segue:mapRun"
"""The resource of a Distributed Map's task (no definition may name it)."""
_S3 = "arn:aws:states:::s3:"
READERS = (f"{_S3}getObject", f"{_S3}listObjectsV2")
WRITERS = (f"{_S3}putObject",)
MAX_CHILDREN_AT_ONCE = 1000
"""A run's child executions at once when MaxConcurrency is 0 (AWS: up to 10,000)."""
MAX_BATCH_BYTES = 256 * 1024
_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def request(
    state: Map,
    visit: Visit,
    items: list[Json] | None,
    value: Callable[[Json, str], Json],
    number: Callable[[Any, str | None, str], int | None],
    scope_input: Json,
    limits: tuple[int, int | None, float | None],
) -> Invoke:
    """The task a Distributed Map runs: its map run's request, every field resolved.

    `value` evaluates a template (Parameters or Arguments, BatchInput), `number` a number
    field or its path; `limits` are MaxConcurrency and the two failure tolerances.
    """
    concurrency, count, percentage = limits
    asked: dict[str, Json] = {
        "state": visit.state,
        "label": state.label or visit.state,
        "maxConcurrency": concurrency,
        "toleratedCount": count,
        "toleratedPercentage": percentage,
        "jsonata": state.jsonata,
    }
    reader = state.item_reader
    if reader is not None:
        config = reader.reader_config
        arguments = reader.arguments if state.jsonata else reader.parameters
        asked["reader"] = {
            "resource": reader.resource,
            "arguments": value(arguments or {}, "ItemReader"),
            "inputType": config.input_type if config else None,
            "headerLocation": (config.csv_header_location if config else None) or "FIRST_ROW",
            "headers": list(config.csv_headers or ()) if config else [],
            "delimiter": (config.csv_delimiter if config else None) or "COMMA",
            "maxItems": number(config.max_items, config.max_items_path, "MaxItems")
            if config
            else None,
        }
    else:
        asked["items"] = items
    selector = state.item_selector if state.item_selector is not None else state.parameters
    if selector is not None:
        asked["selector"] = selector
        asked["scope"] = {
            "state": visit.state,
            "input": scope_input,
            "context": dict(visit.context),
            "variables": dict(visit.variables),
        }
    batcher = state.item_batcher
    if batcher is not None:
        asked["batcher"] = {
            "maxItems": number(
                batcher.max_items_per_batch, batcher.max_items_per_batch_path, "MaxItemsPerBatch"
            ),
            "maxBytes": number(
                batcher.max_input_bytes_per_batch,
                batcher.max_input_bytes_per_batch_path,
                "MaxInputBytesPerBatch",
            ),
            "input": None
            if batcher.batch_input is None
            else value(batcher.batch_input, "ItemBatcher/BatchInput"),
        }
    writer = state.result_writer
    if writer is not None:
        arguments = writer.arguments if state.jsonata else writer.parameters
        asked["writer"] = value(arguments or {}, "ResultWriter")
    return Invoke(MAP_RUN, asked, task_token=task_token(visit.context))


def resource_of(state: State) -> str:
    """What a state runs as a task: a Task's resource, `MAP_RUN` for a Distributed Map."""
    if isinstance(state, Map) and state.distributed:
        return MAP_RUN
    return str(getattr(state, "resource", ""))


# Reading items -------------------------------------------------------------------------------


class ReaderFailure(Exception):
    """The items cannot be read: the map run fails with States.ItemReaderFailed."""


def parse_object(reader: dict[str, Json], body: bytes) -> list[Json]:
    """The items in an S3 object, as its InputType reads them (MaxItems applied)."""
    return list(read_lines(reader, iter(body.splitlines(keepends=True))))


def read_lines(reader: dict[str, Json], lines: Iterator[bytes]) -> Iterator[Json]:
    """The items of an object read line by line (a JSON array whole), MaxItems applied:
    JSON Lines and CSV are read as they come, so a run's items need not fit in memory."""
    kind = reader.get("inputType")
    text = _decoded(lines)
    if kind == "JSON":
        try:
            items = json.loads("".join(text))
        except ValueError as bad:
            raise ReaderFailure(f"the object is not JSON: {bad}") from bad
        if not isinstance(items, list):
            raise ReaderFailure("a JSON object read as items must hold an array")
        found: Iterator[Json] = iter(items)
    elif kind == "JSONL":
        found = _json_lines(text)
    elif kind == "CSV":
        found = csv_rows(reader, text)
    else:
        raise ReaderFailure(f"segue cannot read the InputType {kind!r} from an object")
    return limited(found, reader)


def _decoded(lines: Iterator[bytes]) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        for line in lines:
            yield decoder.decode(line)
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError as bad:
        raise ReaderFailure(f"the object is not UTF-8 text: {bad}") from bad


def _json_lines(text: Iterator[str]) -> Iterator[Json]:
    for number, line in enumerate(text, 1):
        if line.strip():
            try:
                yield json.loads(line)
            except ValueError as bad:
                raise ReaderFailure(f"line {number} is not JSON: {bad}") from bad


def csv_rows(
    reader: dict[str, Json], text: Iterable[str], headers: list[str] | None = None
) -> Iterator[Json]:
    """CSV rows as objects of text, keyed by the first row or by the headers given."""
    delimiter = _DELIMITERS[str(reader.get("delimiter") or "COMMA")]
    rows = csv.reader(_lines_of(text), delimiter=delimiter)
    if headers is None:
        if reader.get("headerLocation") == "GIVEN":
            headers = [str(h) for h in reader.get("headers") or []]
        else:
            headers = next(rows, None)
            if headers is None:
                return
    for number, row in enumerate(rows, 1):
        if not row:
            continue
        if len(row) > len(headers):
            raise ReaderFailure(f"row {number} has {len(row)} fields for {len(headers)} headers")
        yield {header: row[i] if i < len(row) else "" for i, header in enumerate(headers)}


def _lines_of(text: Iterable[str]) -> Iterator[str]:
    """Lines as the csv module wants them (a quoted field may hold a line break)."""
    for chunk in text:
        yield from io.StringIO(chunk, newline="")


def listed(contents: Iterable[dict[str, Any]]) -> list[Json]:
    """listObjectsV2's objects as items, in the fields and spelling Step Functions gives."""
    return [
        {
            "Etag": str(entry.get("ETag", "")),
            "Key": entry["Key"],
            "LastModified": _when(entry.get("LastModified")),
            "Size": int(entry.get("Size", 0)),
            "StorageClass": str(entry.get("StorageClass", "STANDARD")),
        }
        for entry in contents
    ]


def _when(value: Any) -> Json:
    return value.timestamp() if hasattr(value, "timestamp") else value


def inventory(body: bytes) -> tuple[str, list[str], list[str]]:
    """An S3 inventory manifest's bucket, data files (CSV) and their columns."""
    try:
        manifest = json.loads(body)
        files = [str(f["key"]) for f in manifest["files"]]
        schema = [c.strip() for c in str(manifest["fileSchema"]).split(",")]
        bucket = str(manifest.get("destinationBucket", "")).removeprefix("arn:aws:s3:::")
    except (ValueError, KeyError, TypeError) as bad:
        raise ReaderFailure(f"the object is not an S3 inventory manifest: {bad}") from bad
    if manifest.get("fileFormat", "CSV") != "CSV":
        raise ReaderFailure(f"segue reads CSV inventories, not {manifest.get('fileFormat')}")
    return bucket, files, schema


def limited(items: Iterable[Json], reader: dict[str, Json]) -> Iterator[Json]:
    """The first MaxItems items (all of them when it is 0 or absent)."""
    most = reader.get("maxItems")
    return itertools.islice(items, most if isinstance(most, int) and most > 0 else None)


# Selecting and batching ----------------------------------------------------------------------


class SelectorFailure(Exception):
    """The ItemSelector failed on an item: the map run fails with `failed`."""

    def __init__(self, failed: Failed) -> None:
        super().__init__(failed.cause)
        self.failed = failed


def selected(asked: dict[str, Json], items: Iterable[Json], runtime: Runtime) -> Iterator[Json]:
    """Each item through the ItemSelector (with `$$.Map.Item`); SelectorFailure if it fails."""
    selector = asked.get("selector")
    if selector is None:
        yield from items
        return
    seen = asked["scope"]
    visit = Visit(seen["state"], seen["input"], seen["context"], seen["variables"])
    try:
        for index, item in enumerate(items):
            context = {**visit.context, "Map": {"Item": {"Index": index, "Value": item}}}
            if asked.get("jsonata"):
                yield Fields(visit, runtime, context).value(selector, "ItemSelector")
            else:
                yield render(selector, Scope(visit.input, context, visit.variables), runtime.rng)
    except (QueryFailure, RuntimeFailure) as failure:
        raise SelectorFailure(Failed(failure.error, prefixed(visit, failure.cause))) from failure
    except StatesError as failure:
        raise SelectorFailure(Failed(failure.error, failure.cause)) from failure


@dataclass(frozen=True)
class Batching:
    """An ItemBatcher's limits, and what every batch carries besides its items."""

    max_items: int | None
    max_bytes: int | None
    batch_input: Json = None


def batching(asked: dict[str, Json]) -> Batching | None:
    """The run's ItemBatcher, if it has one."""
    batcher = asked.get("batcher")
    if not isinstance(batcher, dict):
        return None
    return Batching(
        batcher.get("maxItems") or None, batcher.get("maxBytes") or None, batcher.get("input")
    )


def batched(items: Iterable[Json], batcher: Batching | None) -> Iterator[Json]:
    """Each child execution's input: an item, or `{"Items": [...], "BatchInput": ...}`.

    Items keep their order; a batch closes at MaxItemsPerBatch items, or before the item
    that would take its input past MaxInputBytesPerBatch (an item too big alone fails).
    """
    if batcher is None:
        yield from items
        return
    most_bytes = min(batcher.max_bytes or MAX_BATCH_BYTES, MAX_BATCH_BYTES)
    frame = measure(_batch([], batcher)).bytes
    current: list[Json] = []
    size = frame
    for index, item in enumerate(items):
        grown = measure(item).bytes + (1 if current else 0)
        if frame + grown - (1 if current else 0) > most_bytes:
            raise StatesError(
                errors.RUNTIME,
                f"item {index} alone makes a batch input over {most_bytes} bytes "
                "(MaxInputBytesPerBatch)",
            )
        full = batcher.max_items is not None and len(current) >= batcher.max_items
        if current and (full or size + grown > most_bytes):
            yield _batch(current, batcher)
            current, size = [], frame
            grown -= 1
        current.append(item)
        size += grown
    if current:
        yield _batch(current, batcher)


def _batch(items: list[Json], batcher: Batching) -> Json:
    if batcher.batch_input is None:
        return {"Items": items}
    return {"BatchInput": batcher.batch_input, "Items": items}


def items_in(child_input: Json, batched: bool) -> int:
    """How many items one child execution's input holds."""
    if batched and isinstance(child_input, dict) and isinstance(child_input.get("Items"), list):
        return len(child_input["Items"])
    return 1


# The run's end -------------------------------------------------------------------------------


def over_tolerance(asked: dict[str, Json], failed: int, total: int) -> bool:
    """Whether `failed` of `total` items is more than the run tolerates (none, by default)."""
    count, percentage = asked.get("toleratedCount"), asked.get("toleratedPercentage")
    if count is None and percentage is None:
        return failed > 0
    within = (count is not None and failed <= count) or (
        percentage is not None and failed * 100 <= percentage * total
    )
    return not within


def too_many_failures(failed: int, total: int) -> Failed:
    """The failure a run past its tolerance ends with."""
    return Failed(
        errors.EXCEED_TOLERATED_FAILURE_THRESHOLD,
        f"{failed} of {total} items failed, over the tolerated failure threshold",
    )


def outputs(results: Iterable[Result]) -> Succeeded:
    """The Map's result from its children's, in order (a tolerated failure as its error)."""
    return Succeeded([item_output(result) for result in results])


def result_files(described: list[dict[str, Json]]) -> list[tuple[str, int, bytes]]:
    """A ResultWriter's files: the children's descriptions by status (status, number, body)."""
    grouped: dict[str, list[Json]] = {}
    for child in described:
        status = child.get("Status")
        key = (
            "SUCCEEDED" if status == "SUCCEEDED" else "PENDING" if status == "RUNNING" else "FAILED"
        )
        grouped.setdefault(key, []).append(child)
    return [(status, 0, json_bytes(grouped[status])) for status in sorted(grouped)]


def json_bytes(value: Json) -> bytes:
    """A value as compact JSON, the way results are written to S3."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def processor_document(definition: Json, state: str, jsonata: bool) -> dict[str, Json]:
    """The ItemProcessor of the Map state `state` (state names are unique in a definition),
    as a definition of its own."""
    found = _find_state(definition, state)
    if found is None:
        raise LookupError(f"no Map state {state!r} in the definition")
    processor = found.get("ItemProcessor") or found.get("Iterator") or {}
    document = {k: v for k, v in processor.items() if k != "ProcessorConfig"}
    if jsonata:
        document["QueryLanguage"] = "JSONata"
    return document


def _find_state(machine: Json, name: str) -> dict[str, Json] | None:
    states = machine.get("States") if isinstance(machine, dict) else None
    if not isinstance(states, dict):
        return None
    for key, state in states.items():
        if key == name and isinstance(state, dict):
            return state
        if not isinstance(state, dict):
            continue
        inner = [state.get("ItemProcessor"), state.get("Iterator"), *state.get("Branches", [])]
        for sub in inner:
            found = _find_state(sub, name)
            if found is not None:
                return found
    return None
