"""What a request's method gets on a path: its route, HEAD as GET, OPTIONS, or a 405.

Powertools' resolver knows a route only by method and path together, so a method a
path does not have would be a 404. The table here knows which methods each path has:
HEAD is answered as GET without the body, OPTIONS with the methods (and, when the
stack is configured for it, the resolver's CORS preflight), anything else with a 405
that lists them. Unknown paths stay the resolver's 404.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    from segue.http.openapi import Operation

_PARAMETER = re.compile(r"<\w+>")


class RouteTable:
    """The methods of each route template (`/executions/<execution_id>/pause`)."""

    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], str]] = []

    def add(self, method: str, rule: str) -> None:
        pattern = "[^/]+".join(re.escape(part) for part in _PARAMETER.split(rule))
        self._routes.append((re.compile(pattern), method.upper()))

    def allowed(self, path: str) -> frozenset[str]:
        """The methods `path` has (HEAD and OPTIONS included); empty for an unknown path."""
        methods = {method for pattern, method in self._routes if pattern.fullmatch(path)}
        if not methods:
            return frozenset()
        return frozenset(methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set()))


class Api:
    """The `api` function's entry: the resolver, with every method of a known path answered."""

    def __init__(
        self,
        resolver: APIGatewayRestResolver,
        table: RouteTable,
        cors: bool,
        operations: list[Operation],
    ) -> None:
        self.resolver = resolver
        self.table = table
        self.cors = cors
        self.operations = operations
        """What the OpenAPI document describes (http.openapi)."""

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        method = str(event.get("httpMethod") or "").upper()
        if method == "HEAD":  # the GET answer's status and headers, never a body
            return {**self._answer({**event, "httpMethod": "GET"}, context), "body": ""}
        return self._answer(event, context)

    def _answer(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        method = str(event.get("httpMethod") or "").upper()
        allowed = self.table.allowed(str(event.get("path") or "/"))
        if not allowed or method in allowed - {"OPTIONS"}:
            return self.resolver.resolve(event, context)
        listed = ", ".join(sorted(allowed))
        if method == "OPTIONS":
            preflight = self.resolver.resolve(event, context) if self.cors else None
            return _with_header(preflight or proxy_response(204, None), "Allow", listed)
        document = {"error": "MethodNotAllowed", "message": f"{method} is not one of {listed}"}
        return _with_header(proxy_response(405, document), "Allow", listed)


def proxy_response(status: int, document: Any) -> dict[str, Any]:
    """A proxy response in the REST resolver's own shape; no body when `document` is None."""
    headers = {} if document is None else {"Content-Type": ["application/json"]}
    return {
        "statusCode": status,
        "multiValueHeaders": headers,
        "body": "" if document is None else json.dumps(document),
        "isBase64Encoded": False,
    }


def _with_header(response: dict[str, Any], name: str, value: str) -> dict[str, Any]:
    headers = dict(response.get("multiValueHeaders") or {})
    headers[name] = [value]
    return {**response, "multiValueHeaders": headers}
