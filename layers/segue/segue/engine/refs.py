"""Value references: how a JSON document is named where it is stored.

A document small enough to sit in the execution head is kept inline; bigger ones are
content-addressed (the SHA-256 of their compact text), so writing the same document
twice lands on the same key, and a key once written never changes meaning.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from segue.asl.bounds import text_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    from segue.asl.outcomes import Json

INLINE_BYTES = 384
"""Documents up to this size live inside the head (keeps the head small: write units)."""
ITEM_BYTES = 64 * 1024
"""Documents up to this size live in a DynamoDB item; above it, in the S3 payload bucket."""

INLINE, ITEM, OBJECT = "i", "d", "s"


def ref_of(value: Json) -> str:
    """The reference under which `value` is kept: `i:<json>`, `d:<sha256>` or `s:<sha256>`."""
    text = text_of(value)
    size = len(text.encode("utf-8"))
    if size <= INLINE_BYTES:
        return f"{INLINE}:{text}"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"{ITEM if size <= ITEM_BYTES else OBJECT}:{digest}"


def kept_in(record: Mapping[str, Any], name: str, default: Json = None) -> str:
    """The reference a record keeps in `<name>_ref`; a record written before references
    kept the document's text in `name` itself. `default` when it has neither."""
    if name in record:  # its text, as an inline reference (which may be of any length)
        return f"{INLINE}:{record[name]}"
    return str(record[f"{name}_ref"]) if f"{name}_ref" in record else ref_of(default)


def kind(ref: str) -> str:
    """Where a reference points: INLINE, ITEM or OBJECT."""
    return ref[:1]


def key(ref: str) -> str:
    """The part after the kind: the inline text or the digest."""
    return ref[2:]


def inline_value(ref: str) -> Json:
    """The document of an inline reference."""
    return json.loads(key(ref))


Values = Callable[[str], Any]
"""Reads documents by reference (content-addressed, so the answer never changes)."""


EMPTY_OBJECT = ref_of({})
