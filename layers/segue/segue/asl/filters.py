"""JSONPath filter expressions: the `?(...)` in `$.items[?(@.price < 10)]`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import re2

if TYPE_CHECKING:
    from collections.abc import Callable

Resolve: TypeAlias = "Callable[[str, Any], Any]"
"""Evaluates a `$`-rooted path against a value, answering ABSENT when nothing is there."""

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op>==|!=|<=|>=|=~|&&|\|\||<|>|!|\(|\))
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<regex>/(?:[^/\\]|\\.)*/[a-z]*)
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
      | (?P<path>[@$](?:\.\.?[^\s.\[\]()=!<>&|]+|\[[^\]]*\])*)
      | (?P<word>true|false|null)
    )""",
    re.VERBOSE,
)

ABSENT = object()
MAX_NESTING = 32
"""How deeply parentheses and `!` may nest in one filter."""


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Pattern:
    """A `=~` regular expression, run by RE2: linear in the text, whatever the pattern."""

    regex: Any

    def search(self, text: str) -> bool:
        return self.regex.search(text) is not None


def _pattern(text: str) -> Pattern:
    body, _, flags = text[1:].rpartition("/")
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = "i" not in flags
    try:
        return Pattern(re2.compile(body, options))
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        detail = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
        raise ValueError(
            f"/{body[:100]}/ is not a regular expression segue runs: {detail}"
        ) from exc


@dataclass(frozen=True)
class Operand:
    """`@...` (the item) or `$...` (the document root)."""

    text: str

    def value(self, item: Any, root: Any, resolve: Resolve) -> Any:
        return resolve("$" + self.text[1:], item if self.text.startswith("@") else root)


@dataclass(frozen=True)
class Compare:
    left: Operand | Literal
    op: str | None
    right: Operand | Literal | None


@dataclass(frozen=True)
class Logical:
    op: str
    parts: tuple[Expr, ...]


Expr: TypeAlias = Compare | Logical


@dataclass(frozen=True)
class Filter:
    """A parsed filter; `matches` tells whether an item passes it."""

    expr: Expr

    def matches(self, item: Any, root: Any, resolve: Resolve) -> bool:
        return _evaluate(self.expr, item, root, resolve)


def _evaluate(expr: Expr, item: Any, root: Any, resolve: Resolve) -> bool:
    if isinstance(expr, Logical):
        if expr.op == "!":
            return not _evaluate(expr.parts[0], item, root, resolve)
        results = (_evaluate(part, item, root, resolve) for part in expr.parts)
        return all(results) if expr.op == "&&" else any(results)
    left = _value(expr.left, item, root, resolve)
    if expr.op is None:
        return left is not ABSENT and left is not False
    assert expr.right is not None
    return _compare(left, expr.op, _value(expr.right, item, root, resolve))


def _value(side: Operand | Literal, item: Any, root: Any, resolve: Resolve) -> Any:
    return side.value(item, root, resolve) if isinstance(side, Operand) else side.value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compare(left: Any, op: str, right: Any) -> bool:
    if left is ABSENT or right is ABSENT:
        return False
    if op == "=~":
        return isinstance(left, str) and isinstance(right, Pattern) and right.search(left)
    same_kind = (_is_number(left) and _is_number(right)) or type(left) is type(right)
    if op == "==":
        return same_kind and left == right
    if op == "!=":
        return not (same_kind and left == right)
    if not same_kind or not isinstance(left, int | float | str) or isinstance(left, bool):
        return False
    return bool(
        {
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[op]
    )


def parse_filter(text: str) -> Filter:
    """Parse the expression inside `?( )`."""
    tokens = _tokenize(text)
    parser = _FilterParser(tokens)
    expr = parser.disjunction()
    if parser.pos != len(tokens):
        raise ValueError(f"unexpected {tokens[parser.pos][1]!r} in filter '{text}'")
    return Filter(expr)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot read filter '{text}' at position {position}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _FilterParser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def disjunction(self) -> Expr:
        parts = [self._conjunction()]
        while self._peek() == "||":
            self.pos += 1
            parts.append(self._conjunction())
        return parts[0] if len(parts) == 1 else Logical("||", tuple(parts))

    def _conjunction(self) -> Expr:
        parts = [self._unary()]
        while self._peek() == "&&":
            self.pos += 1
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else Logical("&&", tuple(parts))

    def _unary(self) -> Expr:
        if self._peek() in ("!", "("):
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise ValueError(f"the filter nests '(' and '!' deeper than {MAX_NESTING} levels")
            inner = self._negation() if self._peek() == "!" else self._group()
            self.depth -= 1
            return inner
        left = self._operand()
        op = self._peek()
        if op in {"==", "!=", "<", "<=", ">", ">=", "=~"}:
            self.pos += 1
            return Compare(left, op, self._operand())
        return Compare(left, None, None)

    def _negation(self) -> Expr:
        self.pos += 1
        return Logical("!", (self._unary(),))

    def _group(self) -> Expr:
        self.pos += 1
        inner = self.disjunction()
        if self._peek() != ")":
            raise ValueError("missing ')' in filter")
        self.pos += 1
        return inner

    def _operand(self) -> Operand | Literal:
        if self.pos >= len(self.tokens):
            raise ValueError("filter ends too early")
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if kind == "path":
            return Operand(text)
        if kind == "string":
            return Literal(re.sub(r"\\(.)", r"\1", text[1:-1]))
        if kind == "number":
            return Literal(float(text) if re.search(r"[.eE]", text) else int(text))
        if kind == "word":
            return Literal({"true": True, "false": False, "null": None}[text])
        if kind == "regex":
            return Literal(_pattern(text))
        raise ValueError(f"unexpected {text!r} in filter")
