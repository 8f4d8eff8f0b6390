"""nextTokens: where a listing goes on, signed, so that only a token this API gave out for
this very listing is taken back.

A token is the position (a DynamoDB start key, a history seq) and the listing it belongs
to, base64url-encoded, with an HMAC-SHA256 under the stack's own key (a random value
kept in the table, `ExecutionStore.secret`). Anything else (tampered, truncated, from
another listing, made up) is a 400 before it reaches a query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

from segue.service.errors import BadRequestError

if TYPE_CHECKING:
    from collections.abc import Callable

MAX_TOKEN_CHARS = 4096
_SIGNATURE_CHARS = 43  # 32 bytes, base64url without padding


class Cursors:
    """Issues and verifies nextTokens with the key `key` gives (asked for once)."""

    def __init__(self, key: Callable[[], str]) -> None:
        self._source = key
        self._key: bytes | None = None

    def issue(self, listing: str, position: Any) -> str | None:
        """The token for going on at `position` in `listing`; None when the listing is done."""
        if position is None:
            return None
        payload = _b64(json.dumps([listing, position], separators=(",", ":")).encode())
        return f"{payload}.{self._sign(payload)}"

    def read(self, listing: str, token: str | None) -> Any:
        """The position a token of `listing` holds (None for no token); 400 for any other."""
        if not token:
            return None
        payload, _, signature = token.partition(".")
        if (
            len(token) > MAX_TOKEN_CHARS
            or not token.isascii()
            or len(signature) != _SIGNATURE_CHARS
            or not hmac.compare_digest(self._sign(payload).encode(), signature.encode())
        ):
            raise BadRequestError("nextToken is not one this API gave out")
        try:
            owner, position = json.loads(
                base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            )
        except (binascii.Error, ValueError, TypeError) as exc:  # signed by us: never happens
            raise BadRequestError("nextToken is not one this API gave out") from exc
        if owner != listing:
            raise BadRequestError("nextToken belongs to another listing (other filters?)")
        return position

    def _sign(self, payload: str) -> str:
        if self._key is None:
            self._key = self._source().encode()
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
