"""Validation findings, each pointing into the definition with a JSON pointer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from pydantic_core import ErrorDetails


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem: `path` is a JSON pointer (RFC 6901) into the definition."""

    path: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """The API shape: `{code, message, path}`."""
        return {"code": self.code, "message": self.message, "path": self.path}

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.code}: {self.message}"


class InvalidDefinitionError(ValueError):
    """The definition has problems; `diagnostics` lists every one."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = tuple(diagnostics)


def pointer(parts: Iterable[str | int]) -> str:
    """A JSON pointer for the given keys and indices."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def from_pydantic(document: Any, error: ErrorDetails) -> Diagnostic:
    """A diagnostic for one pydantic error, its location mapped back onto `document`."""
    dangling = error["type"] in {"extra_forbidden", "missing"}
    parts = _locate(document, error["loc"], dangling)
    if error["type"] == "extra_forbidden":
        owner = _owner(document, parts[:-1])
        return Diagnostic(
            pointer(parts), "SCHEMA_VALIDATION_FAILED", f"'{parts[-1]}' is not a field of {owner}"
        )
    if error["type"] == "missing":
        field = error["loc"][-1]
        return Diagnostic(pointer(parts), "SCHEMA_VALIDATION_FAILED", f"'{field}' is required")
    if error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
        from segue.asl.models import STATE_TYPES

        return Diagnostic(
            pointer([*parts, "Type"]),
            "SCHEMA_VALIDATION_FAILED",
            f"a state needs a 'Type', one of {', '.join(STATE_TYPES)}",
        )
    code = error["type"] if error["type"].isupper() else "SCHEMA_VALIDATION_FAILED"
    return Diagnostic(pointer(parts), code, error["msg"])


def _locate(document: Any, loc: tuple[str | int, ...], dangling: bool) -> list[str | int]:
    """Follow pydantic's location through the raw document, dropping union tags.

    With `dangling`, the last key is kept even though the document lacks it (a missing
    field) or the model does (an unknown one).
    """
    parts: list[str | int] = []
    node = document
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif dangling and part == loc[-1] and isinstance(node, dict):
            parts.append(part)  # a missing or unknown key: point at where it would be
            break
        else:
            continue
        parts.append(part)
    return parts


def _owner(document: Any, parts: list[str | int]) -> str:
    node = document
    for part in parts:
        node = node[part]
    if isinstance(node, dict) and isinstance(node.get("Type"), str):
        return f"a {node['Type']} state"
    return "this object"
