"""Reading one API request: its body, query and path parameters, each checked once here.

Whatever a client sends comes through these readers, so that anything out of bounds is a
400 (or a 404 for an id that cannot exist, a 413 for a body over the limit) with a
message that names the bound, before a service or a store sees it.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from segue.service.errors import BadRequestError, NotFoundError, TooLargeError, shown
from segue.service.names import is_execution_id, name_problem

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from pydantic import ValidationError

MAX_BODY_BYTES = 10 * 1024 * 1024 + 64 * 1024
"""The 10 MB state limit plus room for the request's own fields."""
_DIGITS = re.compile(r"[0-9]{1,10}")
_APPROVAL_ID = re.compile(r"ap-[0-9a-f]{32}")


class Request:
    """The current request of `app`, read within the API's bounds."""

    def __init__(self, app: APIGatewayRestResolver) -> None:
        self.app = app

    def body(self) -> str:
        """The body as text; 413 over MAX_BODY_BYTES, 400 when it is not UTF-8."""
        event = self.app.current_event
        raw = event.body or ""
        if event.is_base64_encoded:
            try:
                data = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise BadRequestError("the body is not valid base64") from exc
        else:
            data = raw.encode("utf-8", errors="surrogatepass")
        if len(data) > MAX_BODY_BYTES:
            raise TooLargeError(f"the request body is over {MAX_BODY_BYTES} bytes")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequestError(f"the body is not UTF-8 text (byte {exc.start})") from exc

    def who(self) -> str:
        """The caller: its IAM identity on AWS; locally whoever the X-Segue-User header names."""
        event = self.app.current_event
        identity = event.raw_event.get("requestContext", {}).get("identity") or {}
        named = identity.get("userArn") or identity.get("caller")
        headers = {k.lower(): v for k, v in (event.headers or {}).items()}
        return str(named or headers.get("x-segue-user") or "anonymous")[:256]

    def query(self, name: str) -> str | None:
        return self.app.current_event.get_query_string_value(name, None)

    def query_int(self, name: str, default: int, low: int, high: int) -> int:
        """An integer query parameter between `low` and `high`; `default` when absent."""
        value = self.query(name)
        return default if value is None else self.number(value, name, low, high)

    def flag(self, name: str) -> bool:
        """A yes-or-no query parameter: `true` or `false` (absent is false)."""
        value = self.query(name)
        if value not in (None, "true", "false"):
            raise BadRequestError(f"{name} must be true or false")
        return value == "true"

    def names(self, name: str, known: frozenset[str]) -> frozenset[str]:
        """A comma-separated query parameter, each part one of `known`; empty when absent."""
        value = self.query(name)
        chosen = frozenset(part for part in (value or "").split(",") if part)
        unknown = sorted(chosen - known)
        if unknown:
            raise BadRequestError(f"unknown {name} {shown(unknown[0])}")
        return chosen

    @staticmethod
    def number(text: str, what: str, low: int, high: int) -> int:
        """`text` as a whole number (ASCII digits) between `low` and `high`; else 400."""
        if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
            raise BadRequestError(f"{what} must be a whole number from {low} to {high}")
        return int(text)

    @staticmethod
    def identifier(raw: str, kind: str) -> str:
        """A path parameter that names a `kind` of thing (`execution`, `state machine`,
        `approval`, `dead-letter queue`); 404 when nothing of that kind could be named so."""
        value = segue_name(unquote(raw), kind)
        if not _POSSIBLE[kind](value):
            raise NotFoundError(f"no {kind} {shown(value)}")
        return value


_ARN_KINDS = {"execution": ":execution:", "state machine": ":stateMachine:"}


def segue_name(value: str, kind: str) -> str:
    """segue's name of an execution or state machine given as a Step Functions ARN
    (`arn:aws:states:<region>:<account>:execution:<machine>:<name>` is `<machine>:<name>`)."""
    marker = _ARN_KINDS.get(kind)
    if marker and value.startswith("arn:") and marker in value:
        return value.split(marker, 1)[1]
    return value


def _is_name(text: str) -> bool:
    return name_problem(text) is None


_POSSIBLE: dict[str, Callable[[str], object]] = {
    "execution": is_execution_id,
    "state machine": _is_name,
    "approval": _APPROVAL_ID.fullmatch,
    "dead-letter queue": _is_name,
}


def problems(error: ValidationError, most: int = 10) -> str:
    """What pydantic found wrong with a body, each place and value cut short."""
    found = [
        f"{'.'.join(str(p)[:40] for p in e['loc']) or 'body'}: {e['msg'][:200]}"
        for e in error.errors()[:most]
    ]
    more = len(error.errors()) - most
    return "; ".join(found) + (f"; and {more} more" if more > 0 else "")
