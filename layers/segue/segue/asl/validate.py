"""Rules that span fields and states: transitions, reachability, paths, templates.

They read the raw document, so they still report when the structure is broken: a
definition's author sees every problem at once. Field types are the models' business.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from segue.asl import errors
from segue.asl.diagnostics import Diagnostic, pointer
from segue.asl.distributed import READERS, WRITERS
from segue.asl.intrinsics import IntrinsicSyntaxError, looks_like_call, parse_call
from segue.asl.jsonata_port import check as check_jsonata
from segue.asl.jsonata_port import is_expression, top_level_names
from segue.asl.jsonpath import VARIABLE_NAME, PathSyntaxError, parse, parse_reference
from segue.asl.models import JSONATA, JSONPATH
from segue.asl.rules import OPERATORS, PATH_OPERATORS, TYPE_TESTS
from segue.asl.sdk import UnknownSdkAction, is_sdk_resource, sdk_action
from segue.asl.timestamps import is_timestamp
from segue.asl.values import is_number

if TYPE_CHECKING:
    from collections.abc import Iterator

Parts = tuple[str | int, ...]

_FLOW_TYPES = {"Pass", "Task", "Wait", "Parallel", "Map"}
_PATH_FIELDS = (
    "InputPath",
    "OutputPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)
_TEMPLATES = ("Parameters", "ResultSelector", "ItemSelector", "Assign")
_EXCLUSIVE = (
    ("Error", "ErrorPath"),
    ("Cause", "CausePath"),
    ("TimeoutSeconds", "TimeoutSecondsPath"),
    ("HeartbeatSeconds", "HeartbeatSecondsPath"),
    ("ItemProcessor", "Iterator"),
    ("ItemSelector", "Parameters"),
    ("MaxConcurrency", "MaxConcurrencyPath"),
    ("ToleratedFailureCount", "ToleratedFailureCountPath"),
    ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
)
JSONPATH_ONLY = (
    *_PATH_FIELDS,
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Result",
    "ErrorPath",
    "CausePath",
)
"""Fields a JSONata state may not have (its data flows through Arguments and Output)."""
JSONATA_ONLY = ("Arguments", "Output", "Items")
"""Fields only a JSONata state may have."""
_COMPUTED = (
    "Seconds",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
)
"""Number fields that a JSONata state may compute with a `{% ... %}` expression."""
_SUB_MACHINES = ("Branches", "ItemProcessor", "Iterator")
UNSUPPORTED = {"Credentials": "Task credentials (cross-account roles)"}
DISTRIBUTED_FIELDS = ("ItemReader", "ItemBatcher", "ResultWriter", "Label")
"""Fields only a Distributed Map (`ProcessorConfig.Mode: DISTRIBUTED`) may have."""
_SEGUE_RESOURCES = {"segue:approval", "segue:waitForEvent"}
SERVICE_INTEGRATION = "arn:aws:states:::"
SERVICE_ACTIONS = frozenset(
    {
        "lambda:invoke",
        "sqs:sendMessage",
        "sns:publish",
        "dynamodb:putItem",
        "dynamodb:getItem",
        "dynamodb:updateItem",
        "dynamodb:deleteItem",
        "events:putEvents",
        "states:startExecution",
        "http:invoke",
    }
)
"""The optimized integrations the engine runs; any other is refused at validation."""
CALLBACK_ACTIONS = frozenset(
    {"lambda:invoke", "sqs:sendMessage", "sns:publish", "states:startExecution"}
)
"""The integrations that may wait for a task token (`.waitForTaskToken`)."""
SYNC_ACTIONS = frozenset({"states:startExecution"})
"""The integrations that may wait for the job they start (`.sync`, `.sync:2`)."""
REFUSED = {
    "apigateway:invoke": (
        "it calls an API Gateway stage through Step Functions' own signed client; "
        "use aws-sdk:apigateway or a Lambda function"
    ),
    "s3:getObject": "AWS offers it only as a Distributed Map's ItemReader, not as a Task",
    "s3:putObject": "AWS offers it only as a Distributed Map's ResultWriter, not as a Task",
}
"""Integrations refused with a reason (anything else unknown is refused by name)."""

_ARN = re.compile(r"arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:\d*:.+")
MAX_STATE_NAME = 80


def check(document: dict[str, Any]) -> list[Diagnostic]:
    """Every cross-field and cross-state problem in a definition."""
    found: list[Diagnostic] = []
    seen: dict[str, Parts] = {}
    top = document.get("QueryLanguage")
    for parts, machine in _machines(document, ()):
        found += _check_machine(machine, parts, seen, top if isinstance(top, str) else None)
    return found


def _machines(machine: Any, parts: Parts) -> Iterator[tuple[Parts, dict[str, Any]]]:
    if not isinstance(machine, dict):
        return
    yield parts, machine
    states = machine.get("States")
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        base = (*parts, "States", name)
        branches = state.get("Branches")
        if isinstance(branches, list):
            for index, branch in enumerate(branches):
                yield from _machines(branch, (*base, "Branches", index))
        for key in ("ItemProcessor", "Iterator"):
            yield from _machines(state.get(key), (*base, key))


def _check_machine(
    machine: dict[str, Any], parts: Parts, seen: dict[str, Parts], top: str | None
) -> list[Diagnostic]:
    states = machine.get("States")
    if not isinstance(states, dict):
        return []
    found: list[Diagnostic] = []
    start = machine.get("StartAt")
    if isinstance(start, str) and start not in states:
        found.append(_missing_target((*parts, "StartAt"), start))
    for name, state in states.items():
        here = (*parts, "States", name)
        found += _check_name(name, here, seen)
        if isinstance(state, dict):
            found += _check_state(state, here, states, top)
    found += _check_graph(states, start, parts)
    return found


def _check_name(name: str, here: Parts, seen: dict[str, Parts]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if name in seen:
        found.append(
            Diagnostic(
                pointer(here),
                "DUPLICATE_STATE_NAME",
                f"state name '{name}' is already used at {pointer(seen[name])}",
            )
        )
    else:
        seen[name] = here
    if not 1 <= len(name) <= MAX_STATE_NAME:
        found.append(
            Diagnostic(
                pointer(here),
                "INVALID_STATE_NAME",
                f"state names have 1 to {MAX_STATE_NAME} characters",
            )
        )
    return found


def _check_state(
    state: dict[str, Any], here: Parts, states: dict[str, Any], top: str | None
) -> list[Diagnostic]:
    kind = state.get("Type")
    found = _check_transitions(state, kind, here, states)
    found += _check_exclusive(state, here)
    found += _check_unsupported(state, here)
    if kind == "Map":
        found += _check_distributed(state, here, (state.get("QueryLanguage") or top) == JSONATA)
    found += _check_handlers(state, here, states)
    if kind == "Task":
        found += _check_task(state, here)
    own = state.get("QueryLanguage")
    if kind == "Wait":
        found += _check_wait(state, here, (own or top) == JSONATA)
    if top == JSONATA and own == JSONPATH:
        found.append(
            _schema(
                here,
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            )
        )
    if (own or top) == JSONATA:
        return found + _check_jsonata_state(state, here)
    return found + _check_jsonpath_state(state, here)


def _check_jsonpath_state(state: dict[str, Any], here: Parts) -> list[Diagnostic]:
    found = _only_for(JSONPATH, state, here, JSONATA_ONLY)
    found += _check_paths(state, here)
    for field in _TEMPLATES:
        found += _check_template(state.get(field), (*here, field), field == "Assign")
    for field in _COMPUTED:
        if isinstance(state.get(field), str):
            found.append(_schema((*here, field), f"'{field}' must be a number"))
    for index, catcher in enumerate(_list(state.get("Catch"))):
        found += _only_for(JSONPATH, catcher, (*here, "Catch", index), ("Output",))
    if state.get("Type") == "Choice":
        found += _check_choices(state.get("Choices"), (*here, "Choices"), top=True)
    if state.get("Type") == "Fail":
        for field in ("ErrorPath", "CausePath"):
            found += _check_expression(state.get(field), (*here, field))
    return found


def _check_jsonata_state(state: dict[str, Any], here: Parts) -> list[Diagnostic]:
    found = _only_for(JSONATA, state, here, JSONPATH_ONLY)
    for index, catcher in enumerate(_list(state.get("Catch"))):
        found += _only_for(JSONATA, catcher, (*here, "Catch", index), ("ResultPath",))
    for index, rule in enumerate(_list(state.get("Choices"))):
        at = (*here, "Choices", index)
        if isinstance(rule, dict):
            found += _only_for(
                JSONATA, rule, at, tuple(OPERATORS | {"Variable", "And", "Or", "Not"})
            )
            if "Condition" not in rule:
                found.append(_schema(at, "a JSONata choice rule needs 'Condition'"))
            if "Next" not in rule:
                found.append(_schema(at, "a choice rule needs 'Next'"))
    for field in _COMPUTED:
        value = state.get(field)
        if isinstance(value, str) and not is_expression(value):
            found.append(
                _schema((*here, field), f"'{field}' must be a number or a {{% ... %}} expression")
            )
    found += _check_variables(state.get("Assign"), (*here, "Assign"))
    for key in ("Catch", "Choices"):
        for index, handler in enumerate(_list(state.get(key))):
            if isinstance(handler, dict):
                found += _check_variables(handler.get("Assign"), (*here, key, index, "Assign"))
    fields = {key: value for key, value in state.items() if key not in _SUB_MACHINES}
    return found + list(_check_jsonata(fields, here))


def _only_for(
    language: str, holder: dict[str, Any], here: Parts, fields: tuple[str, ...]
) -> list[Diagnostic]:
    """A field of the other query language, reported at the object that holds it."""
    return [
        _schema(
            here,
            f"The QueryLanguage is set to '{language}', but field '{field}' is only supported "
            f"for the '{JSONATA if language == JSONPATH else JSONPATH}' QueryLanguage",
        )
        for field in sorted(set(fields) & holder.keys())
    ]


def _check_jsonata(value: Any, parts: Parts) -> Iterator[Diagnostic]:
    """Every `{% ... %}` string, at any depth, must parse."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _check_jsonata(item, (*parts, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _check_jsonata(item, (*parts, index))
    elif is_expression(value):
        problem = check_jsonata(value)
        if problem is not None:
            yield Diagnostic(pointer(parts), "INVALID_JSONATA_EXPRESSION", problem)
        elif names := top_level_names(value):
            yield Diagnostic(
                pointer(parts),
                "UNSUPPORTED_JSONATA_EXPRESSION",
                f"Reference to '{names[0]}' at the top level is not supported.",
            )


def _check_variables(template: Any, parts: Parts) -> list[Diagnostic]:
    """The names an Assign block sets (in JSONata, without the `.$` of JSONPath)."""
    if not isinstance(template, dict):
        return []
    return [d for key in template for d in _check_variable_name(key, (*parts, key))]


def _check_variable_name(name: str, here: Parts) -> list[Diagnostic]:
    if VARIABLE_NAME.fullmatch(name):
        return []
    return [
        Diagnostic(pointer(here), "INVALID_VARIABLE_NAME", f"'{name}' is not a valid variable name")
    ]


def _check_transitions(
    state: dict[str, Any], kind: Any, here: Parts, states: dict[str, Any]
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for field in ("Next", "Default"):
        target = state.get(field)
        if isinstance(target, str) and target not in states:
            found.append(_missing_target((*here, field), target))
    if kind in _FLOW_TYPES:
        has_next, ends = "Next" in state, state.get("End") is True
        if has_next == ends:
            detail = "has both 'Next' and 'End'" if has_next else "needs 'Next' or 'End': true"
            found.append(
                Diagnostic(pointer(here), "SCHEMA_VALIDATION_FAILED", f"a {kind} state {detail}")
            )
        if state.get("End") is False:
            found.append(
                Diagnostic(
                    pointer((*here, "End")), "SCHEMA_VALIDATION_FAILED", "'End' can only be true"
                )
            )
    for index, rule in enumerate(_list(state.get("Choices"))):
        target = rule.get("Next") if isinstance(rule, dict) else None
        if isinstance(target, str) and target not in states:
            found.append(_missing_target((*here, "Choices", index, "Next"), target))
    for index, catcher in enumerate(_list(state.get("Catch"))):
        target = catcher.get("Next") if isinstance(catcher, dict) else None
        if isinstance(target, str) and target not in states:
            found.append(_missing_target((*here, "Catch", index, "Next"), target))
    return found


def _check_exclusive(state: dict[str, Any], here: Parts) -> list[Diagnostic]:
    return [
        Diagnostic(
            pointer((*here, second)),
            "SCHEMA_VALIDATION_FAILED",
            f"use '{first}' or '{second}', not both",
        )
        for first, second in _EXCLUSIVE
        if first in state and second in state
    ] + (
        [
            Diagnostic(
                pointer(here), "SCHEMA_VALIDATION_FAILED", "a Map state needs an 'ItemProcessor'"
            )
        ]
        if state.get("Type") == "Map" and "ItemProcessor" not in state and "Iterator" not in state
        else []
    )


def _check_unsupported(state: dict[str, Any], here: Parts) -> list[Diagnostic]:
    credentials = state.get("Credentials")
    if isinstance(credentials, dict) and not {"RoleArn", "RoleArn.$"} & credentials.keys():
        # AWS checks the shape before anything else: say what it says, not "unsupported"
        return [_schema((*here, "Credentials"), "The field 'RoleArn' is required but was missing")]
    return [
        _unsupported((*here, field), what) for field, what in UNSUPPORTED.items() if field in state
    ]


def _check_distributed(state: dict[str, Any], here: Parts, jsonata: bool) -> list[Diagnostic]:
    """A Distributed Map's reader, batcher and writer; its fields on no other Map."""
    key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
    processor = state.get(key)
    config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
    config = config if isinstance(config, dict) else {}
    at = (*here, key, "ProcessorConfig")
    if config.get("Mode") != "DISTRIBUTED":
        return [
            _schema((*here, field), f"'{field}' needs 'ProcessorConfig': {{'Mode': 'DISTRIBUTED'}}")
            for field in DISTRIBUTED_FIELDS
            if field in state
        ]
    found: list[Diagnostic] = []
    if "ExecutionType" not in config:
        found.append(_schema(at, "a DISTRIBUTED ItemProcessor needs 'ExecutionType'"))
    elif config["ExecutionType"] == "EXPRESS":
        found.append(
            _unsupported(
                (*at, "ExecutionType"),
                "EXPRESS child executions (a Distributed Map's children run as STANDARD)",
            )
        )
    language = JSONATA if jsonata else JSONPATH
    other = ("Parameters",) if jsonata else ("Arguments",)
    for field, resources in (("ItemReader", READERS), ("ResultWriter", WRITERS)):
        part = state.get(field)
        if not isinstance(part, dict):
            continue
        found += _only_for(language, part, (*here, field), other)
        if part.get("Resource") not in resources:
            found.append(
                _unsupported(
                    (*here, field, "Resource"),
                    f"{field} {part.get('Resource')!r} (it takes {', '.join(sorted(resources))})",
                )
            )
        if not jsonata:
            found += _check_template(part.get("Parameters"), (*here, field, "Parameters"))
    found += _check_reader_config(state.get("ItemReader"), (*here, "ItemReader"), jsonata)
    batcher = state.get("ItemBatcher")
    if isinstance(batcher, dict):
        limits = ("MaxItemsPerBatch", "MaxInputBytesPerBatch")
        if not any(f in batcher or f"{f}Path" in batcher for f in limits):
            found.append(
                _schema(
                    (*here, "ItemBatcher"),
                    "an ItemBatcher needs MaxItemsPerBatch, MaxInputBytesPerBatch or both",
                )
            )
        found += _check_counted(batcher, (*here, "ItemBatcher"), limits, jsonata)
        if not jsonata:
            found += _check_template(
                batcher.get("BatchInput"), (*here, "ItemBatcher", "BatchInput")
            )
    return found


def _check_reader_config(reader: Any, here: Parts, jsonata: bool) -> list[Diagnostic]:
    if not isinstance(reader, dict):
        return []
    config = reader.get("ReaderConfig")
    config = config if isinstance(config, dict) else {}
    found = _check_counted(config, (*here, "ReaderConfig"), ("MaxItems",), jsonata)
    kind = config.get("InputType")
    if reader.get("Resource") == READERS[0] and kind is None:
        found.append(_schema((*here, "ReaderConfig"), "s3:getObject needs 'InputType'"))
    if reader.get("Resource") == READERS[1] and kind is not None:
        found.append(
            _schema(
                (*here, "ReaderConfig", "InputType"),
                "s3:listObjectsV2 reads a listing: it takes no 'InputType'",
            )
        )
    if config.get("CSVHeaderLocation") == "GIVEN" and not config.get("CSVHeaders"):
        found.append(_schema((*here, "ReaderConfig"), "CSVHeaderLocation GIVEN needs CSVHeaders"))
    if kind != "CSV":
        found += [
            _schema((*here, "ReaderConfig", f), f"'{f}' is for InputType CSV")
            for f in ("CSVHeaderLocation", "CSVHeaders", "CSVDelimiter")
            if f in config
        ]
    return found


def _check_counted(
    holder: dict[str, Any], here: Parts, fields: tuple[str, ...], jsonata: bool
) -> list[Diagnostic]:
    """Number fields with a JSONPath twin (`<field>Path`): one or the other, in their language."""
    found: list[Diagnostic] = []
    for field in fields:
        path = f"{field}Path"
        if field in holder and path in holder:
            found.append(_schema((*here, path), f"use '{field}' or '{path}', not both"))
        if jsonata and path in holder:
            found += _only_for(JSONATA, holder, here, (path,))
        elif isinstance(holder.get(path), str):
            found += _check_path(holder[path], (*here, path))
        if not jsonata and isinstance(holder.get(field), str):
            found.append(_schema((*here, field), f"'{field}' must be a number"))
    return found


def _check_paths(state: dict[str, Any], here: Parts) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for field in _PATH_FIELDS:
        value = state.get(field)
        if isinstance(value, str):
            found += _check_path(value, (*here, field))
    if isinstance(state.get("ResultPath"), str):
        found += _check_path(state["ResultPath"], (*here, "ResultPath"), reference=True)
    return found


def _check_path(text: str, parts: Parts, reference: bool = False) -> list[Diagnostic]:
    try:
        parse_reference(text) if reference else parse(text)
    except PathSyntaxError as exc:
        code = "INVALID_REFERENCE_PATH" if reference else "INVALID_JSON_PATH"
        return [Diagnostic(pointer(parts), code, str(exc))]
    return []


def _check_expression(value: Any, parts: Parts) -> list[Diagnostic]:
    """A `.$` value or an ErrorPath / CausePath: a path or an intrinsic function call."""
    if value is None:
        return []
    if not isinstance(value, str):
        return [
            Diagnostic(
                pointer(parts), "INVALID_JSON_PATH", "expected a path or an intrinsic function"
            )
        ]
    if looks_like_call(value):
        try:
            parse_call(value)
        except IntrinsicSyntaxError as exc:
            return [Diagnostic(pointer(parts), "INVALID_INTRINSIC_FUNCTION", str(exc))]
        return []
    if not value.startswith("$"):
        return [
            Diagnostic(
                pointer(parts),
                "INVALID_JSON_PATH",
                f"'{value}' is neither a path (starting with '$') nor an intrinsic function",
            )
        ]
    return _check_path(value, parts)


def _check_template(template: Any, parts: Parts, variables: bool = False) -> list[Diagnostic]:
    if isinstance(template, list):
        return [
            d for index, item in enumerate(template) for d in _check_template(item, (*parts, index))
        ]
    if not isinstance(template, dict):
        return []
    found: list[Diagnostic] = []
    for key, value in template.items():
        here = (*parts, key)
        name = key[:-2] if key.endswith(".$") else key
        if variables:
            found += _check_variable_name(name, here)
        if key.endswith(".$"):
            found += _check_expression(value, here)
        else:
            found += _check_template(value, here)
    return found


def _check_handlers(state: dict[str, Any], here: Parts, states: dict[str, Any]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for field in ("Retry", "Catch"):
        handlers = _list(state.get(field))
        for index, handler in enumerate(handlers):
            if not isinstance(handler, dict):
                continue
            names = _list(handler.get("ErrorEquals"))
            at = (*here, field, index, "ErrorEquals")
            if errors.ALL in names and len(names) > 1:
                found.append(
                    Diagnostic(
                        pointer(at),
                        "INVALID_ERROR_EQUALS",
                        "'States.ALL' must be alone in its ErrorEquals",
                    )
                )
            if errors.ALL in names and index != len(handlers) - 1:
                found.append(
                    Diagnostic(
                        pointer(at),
                        "INVALID_ERROR_EQUALS",
                        f"the {field} entry with 'States.ALL' must be last",
                    )
                )
            if field == "Catch":
                if isinstance(handler.get("ResultPath"), str):
                    found += _check_path(
                        handler["ResultPath"], (*here, field, index, "ResultPath"), reference=True
                    )
                found += _check_template(
                    handler.get("Assign"), (*here, field, index, "Assign"), True
                )
    return found


def _check_choices(rules: Any, parts: Parts, top: bool) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for index, rule in enumerate(_list(rules)):
        found += _check_rule(rule, (*parts, index), top)
    return found


def _check_rule(rule: Any, here: Parts, top: bool) -> list[Diagnostic]:
    if not isinstance(rule, dict):
        return []
    found: list[Diagnostic] = []
    if top and "Next" not in rule:
        found.append(
            Diagnostic(pointer(here), "SCHEMA_VALIDATION_FAILED", "a choice rule needs 'Next'")
        )
    for field in ("Next", "Assign"):
        if not top and field in rule:
            found.append(
                Diagnostic(
                    pointer((*here, field)),
                    "SCHEMA_VALIDATION_FAILED",
                    f"only top-level choice rules have '{field}'",
                )
            )
    found += _check_template(rule.get("Assign"), (*here, "Assign"), True)
    for key in ("And", "Or"):
        found += _check_choices(rule.get(key), (*here, key), top=False)
    if "Not" in rule:
        found += _check_rule(rule["Not"], (*here, "Not"), top=False)
    if isinstance(rule.get("Variable"), str):
        found += _check_path(rule["Variable"], (*here, "Variable"))
    for operator in OPERATORS & rule.keys():
        found += _check_operand(operator, rule[operator], (*here, operator))
    return found


def _check_operand(operator: str, value: Any, here: Parts) -> list[Diagnostic]:
    if operator in PATH_OPERATORS:
        if isinstance(value, str):
            return _check_path(value, here)
        expected = "a path"
    elif operator in TYPE_TESTS or operator == "BooleanEquals":
        if isinstance(value, bool):
            return []
        expected = "true or false"
    elif operator.startswith("Numeric"):
        if is_number(value):
            return []
        expected = "a number"
    elif operator.startswith("Timestamp"):
        if is_timestamp(value):
            return []
        expected = "an ISO-8601 timestamp such as 2024-01-31T12:00:00Z"
    else:
        if isinstance(value, str):
            return []
        expected = "a string"
    return [Diagnostic(pointer(here), "SCHEMA_VALIDATION_FAILED", f"{operator} takes {expected}")]


def _check_wait(state: dict[str, Any], here: Parts, jsonata: bool) -> list[Diagnostic]:
    given = [f for f in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if f in state]
    found: list[Diagnostic] = []
    if len(given) != 1:
        found.append(
            Diagnostic(
                pointer(here),
                "SCHEMA_VALIDATION_FAILED",
                "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath",
            )
        )
    stamp = state.get("Timestamp")
    if "Timestamp" in state and not is_timestamp(stamp) and not (jsonata and is_expression(stamp)):
        found.append(_schema((*here, "Timestamp"), "String does not match RFC3339 timestamp"))
    return found


def _check_task(state: dict[str, Any], here: Parts) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    resource = state.get("Resource")
    if isinstance(resource, str) and not (_ARN.fullmatch(resource) or resource in _SEGUE_RESOURCES):
        found.append(
            Diagnostic(
                pointer((*here, "Resource")),
                "INVALID_RESOURCE",
                f"'{resource}' is not an ARN nor one of {', '.join(sorted(_SEGUE_RESOURCES))}",
            )
        )
    if isinstance(resource, str):
        found += _check_runnable(resource, here)
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if is_number(timeout) and is_number(heartbeat) and heartbeat >= timeout:
        found.append(
            Diagnostic(
                pointer((*here, "HeartbeatSeconds")),
                "SCHEMA_VALIDATION_FAILED",
                "HeartbeatSeconds must be below TimeoutSeconds",
            )
        )
    return found


def _check_runnable(resource: str, here: Parts) -> list[Diagnostic]:
    """Resources the engine cannot run are refused now, not failed at run time."""
    parts = (*here, "Resource")
    if not resource.startswith(SERVICE_INTEGRATION):
        return []
    action = resource[len(SERVICE_INTEGRATION) :]
    base, dot, pattern = action.partition(".")
    if is_sdk_resource(resource):
        if dot and pattern != "waitForTaskToken":
            return [_unsupported(parts, f"the integration pattern .{pattern} of {base}")]
        try:
            sdk_action(resource)
        except UnknownSdkAction as unknown:
            return [Diagnostic(pointer(parts), "SCHEMA_VALIDATION_FAILED", str(unknown))]
        return []
    if dot and pattern == "waitForTaskToken" and base in CALLBACK_ACTIONS:
        return []
    if dot and pattern in ("sync", "sync:2") and base in SYNC_ACTIONS:
        return []
    if base in REFUSED:
        return [_unsupported(parts, f"{action}: {REFUSED[base]}")]
    if action not in SERVICE_ACTIONS:
        return [_unsupported(parts, f"the integration {action}")]
    return []


def _check_graph(states: dict[str, Any], start: Any, parts: Parts) -> list[Diagnostic]:
    edges = {name: set(_targets(state)) & states.keys() for name, state in states.items()}
    reached = _closure({start} & states.keys(), edges)
    found = [
        Diagnostic(
            pointer((*parts, "States", name)),
            "UNREACHABLE_STATE",
            f"no path from StartAt reaches '{name}'",
        )
        for name in states
        if name not in reached
    ]
    reverse: dict[str, set[str]] = {name: set() for name in states}
    for name, targets in edges.items():
        for target in targets:
            reverse[target].add(name)
    ends = {name for name, state in states.items() if _is_terminal(state)}
    can_end = _closure(ends, reverse)
    found += [
        Diagnostic(
            pointer((*parts, "States", name)),
            "MISSING_END_STATE",
            f"no path from '{name}' reaches an end",
        )
        for name in states
        if name in reached and name not in can_end
    ]
    return found


def _closure(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen, frontier = set(start), list(start)
    while frontier:
        for target in edges.get(frontier.pop(), ()):
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def _targets(state: Any) -> Iterator[str]:
    if not isinstance(state, dict):
        return
    for field in ("Next", "Default"):
        if isinstance(state.get(field), str):
            yield state[field]
    for handler in _list(state.get("Choices")) + _list(state.get("Catch")):
        if isinstance(handler, dict) and isinstance(handler.get("Next"), str):
            yield handler["Next"]


def _is_terminal(state: Any) -> bool:
    return isinstance(state, dict) and (
        state.get("Type") in {"Succeed", "Fail"} or state.get("End") is True
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _missing_target(parts: Parts, target: str) -> Diagnostic:
    return Diagnostic(
        pointer(parts), "MISSING_TRANSITION_TARGET", f"there is no state '{target}' here"
    )


def _schema(parts: Parts, message: str) -> Diagnostic:
    return Diagnostic(pointer(parts), "SCHEMA_VALIDATION_FAILED", message)


def _unsupported(parts: Parts, what: str) -> Diagnostic:
    return Diagnostic(pointer(parts), "UNSUPPORTED_FEATURE", f"segue does not support {what} yet")
