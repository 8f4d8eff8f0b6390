"""Intrinsic functions (`States.Format(...)` and friends): parsing and evaluation."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import re
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, TypeAlias

from segue.asl import errors
from segue.asl.bounds import JsonTextError, measure, read_json, text_of
from segue.asl.errors import IntrinsicFailure, StatesError
from segue.asl.jsonpath import Json, JsonPath, PathSyntaxError, Scope, json_type, parse
from segue.asl.outcomes import MAX_PAYLOAD_BYTES
from segue.asl.values import is_integer, is_number, java_string, json_equal

if TYPE_CHECKING:
    from collections.abc import Callable

_NAME = re.compile(r"States\.([A-Za-z0-9]+)\(")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_MAX_STRING = 10_000
_MAX_RANGE = 1000
MAX_NESTING = 32
"""How deeply intrinsic calls may nest inside one another."""


@dataclass(frozen=True)
class Text:
    """A string literal; `pieces` is the text split at its unescaped `{}` placeholders."""

    value: str
    pieces: tuple[str, ...]


@dataclass(frozen=True)
class Const:
    value: Json


@dataclass(frozen=True)
class PathArg:
    path: JsonPath


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Arg, ...]


Arg: TypeAlias = Text | Const | PathArg | Call


class IntrinsicSyntaxError(ValueError):
    """The text is not a well-formed intrinsic function call."""


def looks_like_call(text: object) -> bool:
    """True when `text` starts like an intrinsic call, valid or not."""
    return isinstance(text, str) and text.startswith("States.")


@lru_cache(maxsize=2048)
def parse_call(text: str) -> Call:
    """Parse a whole intrinsic call, checking names and argument counts."""
    parser = _CallParser(text)
    call = parser.call()
    parser.skip_space()
    if parser.pos != len(text):
        raise parser.error("unexpected text after the closing ')'")
    return call


def evaluate(call: Call, scope: Scope, rng: random.Random) -> Json:
    """Run the call with its arguments resolved in `scope`."""
    values = [_argument(arg, scope, rng) for arg in call.args]
    if call.name == "Format" and isinstance(call.args[0], Text):
        # A literal template keeps escaped braces (`\{`) out of the placeholders.
        return _format(call.args[0].pieces, values[1:])
    return FUNCTIONS[call.name].run(values, rng)


def _argument(arg: Arg, scope: Scope, rng: random.Random) -> Json:
    if isinstance(arg, Text):
        return arg.value
    if isinstance(arg, Const):
        return arg.value
    if isinstance(arg, PathArg):
        return arg.path.find(scope)
    return evaluate(arg, scope, rng)


class _CallParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def error(self, detail: str) -> IntrinsicSyntaxError:
        shown = self.text if len(self.text) <= 200 else self.text[:197] + "..."
        return IntrinsicSyntaxError(f"Invalid intrinsic function '{shown}': {detail}")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def call(self) -> Call:
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.error("expected States.<Name>(")
        name = match.group(1)
        if name not in FUNCTIONS:
            raise self.error(f"States.{name} is not an intrinsic function")
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"calls are nested deeper than {MAX_NESTING} levels")
        self.pos = match.end()
        args = self._arguments()
        self.depth -= 1
        FUNCTIONS[name].check_arity(len(args), self.error)
        return Call(name, tuple(args))

    def _arguments(self) -> list[Arg]:
        args: list[Arg] = []
        self.skip_space()
        if self.text.startswith(")", self.pos):
            self.pos += 1
            return args
        while True:
            self.skip_space()
            args.append(self._argument())
            self.skip_space()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith(")", self.pos):
                self.pos += 1
                return args
            else:
                raise self.error("expected ',' or ')'")

    def _argument(self) -> Arg:
        text, pos = self.text, self.pos
        if text.startswith("'", pos):
            return self._string()
        if text.startswith("States.", pos):
            return self.call()
        if text.startswith("$", pos):
            return self._path()
        for word, value in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, pos):
                self.pos += len(word)
                return Const(value)
        number = _NUMBER.match(text, pos)
        if number:
            self.pos = number.end()
            raw = number.group()
            return Const(float(raw) if re.search(r"[.eE]", raw) else int(raw))
        raise self.error(f"cannot read an argument at position {pos}")

    def _string(self) -> Text:
        self.pos += 1
        value: list[str] = []
        pieces: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                value.append(self.text[self.pos + 1])
                self.pos += 2
            elif char == "'":
                self.pos += 1
                pieces.append("".join(value))
                return Text("{}".join(pieces), tuple(pieces))
            elif self.text.startswith("{}", self.pos):
                pieces.append("".join(value))
                value = []
                self.pos += 2
            else:
                value.append(char)
                self.pos += 1
        raise self.error("unterminated string literal")

    def _path(self) -> PathArg:
        depth, quote, start = 0, "", self.pos
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.pos += 1
        try:
            return PathArg(parse(self.text[start : self.pos].strip()))
        except PathSyntaxError as exc:
            raise self.error(str(exc)) from exc


# Functions ---------------------------------------------------------------------------------

Implementation: TypeAlias = "Callable[[list[Json], random.Random | None], Json]"


@dataclass(frozen=True)
class Function:
    run: Implementation
    min_args: int
    max_args: int | None

    def check_arity(self, count: int, error: Callable[[str], IntrinsicSyntaxError]) -> None:
        if count < self.min_args or (self.max_args is not None and count > self.max_args):
            expected = (
                f"at least {self.min_args}"
                if self.max_args is None
                else str(self.min_args)
                if self.min_args == self.max_args
                else f"{self.min_args} to {self.max_args}"
            )
            raise error(f"takes {expected} arguments, got {count}")


def _fail(name: str, detail: str) -> IntrinsicFailure:
    return IntrinsicFailure(f"Invalid arguments in States.{name}: {detail}")


_KINDS: dict[str, Callable[[Json], bool]] = {
    "string": lambda value: isinstance(value, str),
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
    "integer": is_integer,
    "number": is_number,
}


def _want(name: str, value: Json, kind: str) -> Json:
    """The argument, checked to be of `kind` (an integer comes back as an int)."""
    if not _KINDS[kind](value):
        raise _fail(name, f"expected {kind}, got {json_type(value)} {json.dumps(value)[:100]}")
    return int(value) if kind == "integer" else value


def _short_string(name: str, value: Json) -> str:
    text: str = _want(name, value, "string")
    if len(text) > _MAX_STRING:
        raise _fail(name, f"the string is longer than {_MAX_STRING} characters")
    return text


def _format(pieces: tuple[str, ...], values: list[Json]) -> str:
    if len(pieces) - 1 != len(values):
        raise _fail(
            "Format", f"the template has {len(pieces) - 1} placeholders for {len(values)} values"
        )
    out = [pieces[0]]
    size = len(pieces[0])
    for value, piece in zip(values, pieces[1:], strict=True):
        out += [java_string(value), piece]
        size += len(out[-2]) + len(piece)
        if size > MAX_PAYLOAD_BYTES:
            raise _too_big("Format")
    return "".join(out)


def _too_big(name: str) -> StatesError:
    return StatesError(
        errors.DATA_LIMIT_EXCEEDED,
        f"States.{name} would build a value over the {MAX_PAYLOAD_BYTES} byte state limit",
    )


def _format_dynamic(args: list[Json], _: random.Random | None) -> str:
    template = _want("Format", args[0], "string")
    return _format(tuple(template.split("{}")), args[1:])


def _string_to_json(args: list[Json], _: random.Random | None) -> Json:
    text = _want("StringToJson", args[0], "string")
    if not text.strip():
        return None
    try:
        return read_json(text, "the text")
    except JsonTextError as exc:
        raise _fail("StringToJson", str(exc)) from exc


def _json_to_string(args: list[Json], _: random.Random | None) -> str:
    if measure(args[0]).bytes > MAX_PAYLOAD_BYTES:  # parts repeated many times: never built
        raise _too_big("JsonToString")
    return text_of(args[0])


def _array_partition(args: list[Json], _: random.Random | None) -> list[Json]:
    items = _want("ArrayPartition", args[0], "array")
    size = _want("ArrayPartition", args[1], "integer")
    if size <= 0:
        raise _fail("ArrayPartition", f"the chunk size must be positive, got {size}")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _array_contains(args: list[Json], _: random.Random | None) -> bool:
    items = _want("ArrayContains", args[0], "array")
    return any(json_equal(item, args[1]) for item in items)


def _array_range(args: list[Json], _: random.Random | None) -> list[int]:
    start, end, step = (_want("ArrayRange", value, "integer") for value in args)
    if step == 0:
        raise _fail("ArrayRange", "the step cannot be 0")
    values = range(start, end + (1 if step > 0 else -1), step)
    if len(values) > _MAX_RANGE:  # counted before a single item is made
        raise _fail("ArrayRange", f"the range has more than {_MAX_RANGE} items")
    return list(values)


def _array_get_item(args: list[Json], _: random.Random | None) -> Json:
    items = _want("ArrayGetItem", args[0], "array")
    index = _want("ArrayGetItem", args[1], "integer")
    if not 0 <= index < len(items):
        raise _fail("ArrayGetItem", f"index {index} is out of bounds for {len(items)} items")
    return items[index]


def _array_length(args: list[Json], _: random.Random | None) -> int:
    return len(_want("ArrayLength", args[0], "array"))


def _array_unique(args: list[Json], _: random.Random | None) -> list[Json]:
    seen: set[str] = set()
    unique: list[Json] = []
    for item in _want("ArrayUnique", args[0], "array"):
        key = text_of(_canonical(item))
        if key not in seen:  # one pass: a set, not a comparison with every item kept
            seen.add(key)
            unique.append(item)
    return unique


def _canonical(value: Json) -> Json:
    """A value whose text is equal for values equal as JSON (`1` and `1.0`; key order)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {key: _canonical(value[key]) for key in sorted(value)}
    return value


def _base64_encode(args: list[Json], _: random.Random | None) -> str:
    return base64.b64encode(_short_string("Base64Encode", args[0]).encode()).decode("ascii")


def _base64_decode(args: list[Json], _: random.Random | None) -> str:
    text = _short_string("Base64Decode", args[0])
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except ValueError as exc:  # not base64 (a character outside ASCII too), not UTF-8
        raise _fail("Base64Decode", "the value is not base64-encoded UTF-8 text") from exc


_HASHES = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def _hash(args: list[Json], _: random.Random | None) -> str:
    data = _short_string("Hash", args[0])
    algorithm = _want("Hash", args[1], "string")
    if algorithm not in _HASHES:
        raise _fail("Hash", f"unknown algorithm {algorithm!r}; use one of {', '.join(_HASHES)}")
    return hashlib.new(_HASHES[algorithm], data.encode()).hexdigest()


def _json_merge(args: list[Json], _: random.Random | None) -> Json:
    left = _want("JsonMerge", args[0], "object")
    right = _want("JsonMerge", args[1], "object")
    if args[2] is not False:
        raise _fail(
            "JsonMerge", "only a shallow merge is supported: the third argument must be false"
        )
    return {**left, **right}


def _math_random(args: list[Json], rng: random.Random | None) -> int:
    start = _want("MathRandom", args[0], "integer")
    end = _want("MathRandom", args[1], "integer")
    if start >= end:
        raise _fail("MathRandom", f"the start ({start}) must be below the end ({end})")
    source = random.Random(_want("MathRandom", args[2], "integer")) if len(args) == 3 else rng
    assert source is not None
    return source.randrange(start, end)


def _java_round(value: float) -> int:
    return math.floor(value + 0.5)


def _math_add(args: list[Json], _: random.Random | None) -> int:
    left, right = (_want("MathAdd", value, "number") for value in args)
    return _java_round(left) + _java_round(right)


def _string_split(args: list[Json], _: random.Random | None) -> list[str]:
    text = _want("StringSplit", args[0], "string")
    delimiters = _want("StringSplit", args[1], "string")
    if not delimiters:
        raise _fail("StringSplit", "the delimiter cannot be empty")
    parts = re.split("[" + re.escape(delimiters) + "]", text)
    return [part for part in parts if part]


def _uuid(args: list[Json], rng: random.Random | None) -> str:
    assert rng is not None
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


FUNCTIONS: dict[str, Function] = {
    "Format": Function(_format_dynamic, 1, None),
    "StringToJson": Function(_string_to_json, 1, 1),
    "JsonToString": Function(_json_to_string, 1, 1),
    "Array": Function(lambda args, _: list(args), 0, None),
    "ArrayPartition": Function(_array_partition, 2, 2),
    "ArrayContains": Function(_array_contains, 2, 2),
    "ArrayRange": Function(_array_range, 3, 3),
    "ArrayGetItem": Function(_array_get_item, 2, 2),
    "ArrayLength": Function(_array_length, 1, 1),
    "ArrayUnique": Function(_array_unique, 1, 1),
    "Base64Encode": Function(_base64_encode, 1, 1),
    "Base64Decode": Function(_base64_decode, 1, 1),
    "Hash": Function(_hash, 2, 2),
    "JsonMerge": Function(_json_merge, 3, 3),
    "MathRandom": Function(_math_random, 2, 3),
    "MathAdd": Function(_math_add, 2, 2),
    "StringSplit": Function(_string_split, 2, 2),
    "UUID": Function(_uuid, 0, 0),
}
