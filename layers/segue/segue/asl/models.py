"""Typed models of a state machine definition, in both query languages.

Structure only: field names, types and the fields each state type accepts. Which fields a
state's query language allows, and the rules that span fields and states (targets,
reachability, paths), live in `validate`. A number field of a JSONata state may instead
hold a `{% ... %}` expression (`Expression`); `validate` refuses one anywhere else.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictFloat, StrictInt

from segue.asl.rules import Model, Rule

JSONPATH = "JSONPath"
JSONATA = "JSONata"
MAX_SECONDS = 99_999_999
"""The largest number of seconds (or attempts) AWS takes in a definition."""
MAX_DELAY_SECONDS = 31_622_401
"""The largest MaxDelaySeconds of a Retrier."""

# Numbers as AWS reads them: a string "10", `true` or 10.5 is not an integer here.
Count = Annotated[StrictInt, Field(ge=0, le=MAX_SECONDS)]
Seconds = Annotated[StrictInt, Field(ge=0, le=MAX_SECONDS)]
PositiveSeconds = Annotated[StrictInt, Field(ge=1, le=MAX_SECONDS)]
Number = StrictInt | StrictFloat
Expression = str
"""A `{% ... %}` string where a JSONata state may compute a value."""


class Retrier(Model):
    error_equals: tuple[str, ...] = Field(min_length=1)
    interval_seconds: PositiveSeconds = 1
    max_attempts: Count = 3
    backoff_rate: Annotated[Number, Field(ge=1.0, le=MAX_SECONDS)] = 2.0
    max_delay_seconds: Annotated[StrictInt, Field(ge=1, le=MAX_DELAY_SECONDS)] | None = None
    jitter_strategy: Literal["FULL", "NONE"] = "NONE"
    comment: str | None = None


class Catcher(Model):
    error_equals: tuple[str, ...] = Field(min_length=1)
    next: str
    result_path: str | None = "$"
    assign: dict[str, Any] | None = None
    output: Any = None
    comment: str | None = None


class _State(Model):
    comment: str | None = None
    query_language: Literal["JSONPath", "JSONata"] | None = None

    @property
    def jsonata(self) -> bool:
        """Whether the state reads JSONata (its own QueryLanguage, resolved at load)."""
        return self.query_language == JSONATA


class _Flow(_State):
    """States that move on to `Next` or `End`."""

    next: str | None = None
    end: StrictBool | None = None


class _Paths(Model):
    """How a state's data flows: paths (JSONPath) or an Output expression (JSONata)."""

    input_path: str | None = "$"
    output_path: str | None = "$"
    output: Any = None


class _Errors(Model):
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


class Pass(_Flow, _Paths):
    type: Literal["Pass"]
    parameters: Any = None
    result: Any = None
    result_path: str | None = "$"
    assign: dict[str, Any] | None = None


class Task(_Flow, _Paths, _Errors):
    type: Literal["Task"]
    resource: str
    parameters: Any = None
    result_selector: dict[str, Any] | None = None
    result_path: str | None = "$"
    timeout_seconds: PositiveSeconds | Expression | None = None
    timeout_seconds_path: str | None = None
    heartbeat_seconds: PositiveSeconds | Expression | None = None
    heartbeat_seconds_path: str | None = None
    assign: dict[str, Any] | None = None
    arguments: Any = None
    # A field AWS accepts that segue refuses at validation (see validate.UNSUPPORTED).
    credentials: Any = None


class Choice(_State, _Paths):
    type: Literal["Choice"]
    choices: tuple[Rule, ...] = Field(min_length=1)
    default: str | None = None
    assign: dict[str, Any] | None = None


class Wait(_Flow, _Paths):
    type: Literal["Wait"]
    seconds: Seconds | Expression | None = None
    seconds_path: str | None = None
    timestamp: str | None = None
    timestamp_path: str | None = None
    assign: dict[str, Any] | None = None


class Succeed(_State, _Paths):
    type: Literal["Succeed"]


class Fail(_State):
    type: Literal["Fail"]
    error: str | None = None
    error_path: str | None = None
    cause: str | None = None
    cause_path: str | None = None


class Machine(Model):
    """States and where to start: the top level, a Parallel branch, a Map's item processor."""

    start_at: str
    states: dict[str, State]
    comment: str | None = None


class Branch(Machine):
    """One branch of a Parallel state."""


class ProcessorConfig(Model):
    mode: Literal["INLINE", "DISTRIBUTED"] = "INLINE"
    execution_type: Literal["STANDARD", "EXPRESS"] | None = None


class ReaderConfig(Model):
    """How a Distributed Map's ItemReader reads its object (or inventory manifest)."""

    input_type: Literal["JSON", "JSONL", "CSV", "MANIFEST"] | None = Field(
        default=None, alias="InputType"
    )
    csv_header_location: Literal["FIRST_ROW", "GIVEN"] | None = Field(
        default=None, alias="CSVHeaderLocation"
    )
    csv_headers: tuple[str, ...] | None = Field(default=None, alias="CSVHeaders")
    csv_delimiter: Literal["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"] | None = Field(
        default=None, alias="CSVDelimiter"
    )
    max_items: Annotated[StrictInt, Field(ge=0, le=100_000_000)] | Expression | None = None
    max_items_path: str | None = None


class ItemReader(Model):
    """Where a Distributed Map's items come from: an S3 object, a listing or a manifest."""

    resource: str
    parameters: dict[str, Any] | None = None
    arguments: Any = None
    reader_config: ReaderConfig | None = None


class ItemBatcher(Model):
    """How a Distributed Map groups items into one child execution's input."""

    max_items_per_batch: Count | Expression | None = None
    max_items_per_batch_path: str | None = None
    max_input_bytes_per_batch: (
        Annotated[StrictInt, Field(ge=0, le=256 * 1024)] | Expression | None
    ) = None
    max_input_bytes_per_batch_path: str | None = None
    batch_input: Any = None


class ResultWriter(Model):
    """Where a Distributed Map writes its children's results: an S3 prefix."""

    resource: str
    parameters: dict[str, Any] | None = None
    arguments: Any = None


class Processor(Machine):
    """What a Map state runs for each item."""

    processor_config: ProcessorConfig | None = None


class Parallel(_Flow, _Paths, _Errors):
    type: Literal["Parallel"]
    branches: tuple[Branch, ...] = Field(min_length=1)
    parameters: Any = None
    result_selector: dict[str, Any] | None = None
    result_path: str | None = "$"
    assign: dict[str, Any] | None = None
    arguments: Any = None


class Map(_Flow, _Paths, _Errors):
    type: Literal["Map"]
    item_processor: Processor | None = None
    iterator: Processor | None = None
    items_path: str = "$"
    item_selector: dict[str, Any] | Expression | None = None
    parameters: dict[str, Any] | None = None
    max_concurrency: Count | Expression | None = None
    max_concurrency_path: str | None = None
    tolerated_failure_count: Count | Expression | None = None
    tolerated_failure_count_path: str | None = None
    tolerated_failure_percentage: Annotated[Number, Field(ge=0, le=100)] | Expression | None = None
    tolerated_failure_percentage_path: str | None = None
    result_selector: dict[str, Any] | None = None
    result_path: str | None = "$"
    assign: dict[str, Any] | None = None
    items: Any = None
    # Distributed Map fields (validate keeps them to `Mode: DISTRIBUTED`)
    item_reader: ItemReader | None = None
    item_batcher: ItemBatcher | None = None
    result_writer: ResultWriter | None = None
    label: Annotated[str, Field(min_length=1, max_length=40)] | None = None

    @property
    def processor(self) -> Processor:
        """The item processor, whichever of the two spellings the definition used."""
        processor = self.item_processor or self.iterator
        assert processor is not None, "validated definitions always have one"
        return processor

    @property
    def distributed(self) -> bool:
        """Whether each item (or batch) runs as a child execution (`Mode: DISTRIBUTED`)."""
        config = self.processor.processor_config
        return config is not None and config.mode == "DISTRIBUTED"


State = Annotated[
    Pass | Task | Choice | Wait | Succeed | Fail | Parallel | Map, Field(discriminator="type")
]
STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")


class Definition(Machine):
    """A whole state machine."""

    version: str | None = None
    timeout_seconds: PositiveSeconds | None = None
    query_language: Literal["JSONPath", "JSONata"] | None = None


Machine.model_rebuild()
Branch.model_rebuild()
Processor.model_rebuild()
Parallel.model_rebuild()
Map.model_rebuild()
Definition.model_rebuild()
