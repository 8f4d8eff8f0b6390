"""`arn:aws:states:::http:invoke`: an HTTPS call, authorised by an EventBridge connection.

As on AWS, the connection (`Authentication.ConnectionArn`) holds the credentials (an API
key or a user and password, kept in the connection's Secrets Manager secret) and any
headers, query parameters and body fields to add to every call. The answer is
`{Headers, ResponseBody, StatusCode, StatusText}`; a status outside 2xx fails the task
with `States.Http.StatusCode.<code>`, and a call that gets no answer with
`States.Http.Socket`.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

from segue.asl import Failed, Succeeded, errors
from segue.asl.bounds import JsonTextError, read_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from segue.asl import Result
    from segue.asl.outcomes import Json

METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"})
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
ALLOW_LOOPBACK = "SEGUE_HTTP_ALLOW_LOOPBACK"
"""Set by `segue dev`: plain http to this machine, for endpoints a test serves locally."""


class _Refused(ValueError):
    """The task's parameters or its connection cannot make a call."""


def invoke(parameters: Json, client: Callable[[str], Any], timeout: float) -> Result:
    """Make the call the parameters describe; its answer, or the failure AWS names."""
    try:
        request = _request(parameters, client)
    except _Refused as refused:
        return Failed(errors.RUNTIME, str(refused))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - checked
            return _answered(answer.status, answer.reason, answer.headers, answer.read())
    except urllib.error.HTTPError as refused:
        return _answered(refused.code, refused.reason, refused.headers, refused.read())
    except (urllib.error.URLError, OSError) as unreachable:
        return Failed(
            "States.Http.Socket",
            f"The call to {request.full_url} got no answer: "
            f"{getattr(unreachable, 'reason', unreachable)}",
        )


def _request(parameters: Json, client: Callable[[str], Any]) -> urllib.request.Request:
    if not isinstance(parameters, dict):
        raise _Refused("http:invoke needs its parameters as a JSON object")
    endpoint, method = parameters.get("ApiEndpoint"), parameters.get("Method")
    if not isinstance(endpoint, str) or not isinstance(method, str) or method not in METHODS:
        raise _Refused(f"http:invoke needs ApiEndpoint and Method (one of {sorted(METHODS)})")
    url = urllib.parse.urlsplit(endpoint)
    loopback = url.hostname in LOOPBACK and os.environ.get(ALLOW_LOOPBACK) == "1"
    if url.scheme != "https" and not (url.scheme == "http" and loopback):
        raise _Refused(f"http:invoke calls HTTPS endpoints only, not {endpoint!r}")
    connection = _connection(parameters.get("Authentication"), client)
    headers = {str(k): str(v) for k, v in (parameters.get("Headers") or {}).items()}
    headers |= connection["headers"]
    query = {str(k): _text(v) for k, v in (parameters.get("QueryParameters") or {}).items()}
    query |= connection["query"]
    body = _body(parameters, connection["body"], headers)
    full = urllib.parse.urlunsplit(
        url._replace(query="&".join(p for p in (url.query, urllib.parse.urlencode(query)) if p))
    )
    return urllib.request.Request(full, data=body, headers=headers, method=method)


def _connection(authentication: Any, client: Callable[[str], Any]) -> dict[str, dict[str, str]]:
    """What the EventBridge connection adds to each call: credentials and fixed parameters."""
    arn = authentication.get("ConnectionArn") if isinstance(authentication, dict) else None
    if not isinstance(arn, str) or ":connection/" not in arn:
        raise _Refused("http:invoke needs Authentication.ConnectionArn, an EventBridge connection")
    name = arn.split(":connection/", 1)[1].split("/", 1)[0]
    try:
        described = client("events").describe_connection(Name=name)
        secret = client("secretsmanager").get_secret_value(SecretId=described["SecretArn"])
        stored = json.loads(secret["SecretString"])
    except Exception as unreadable:  # noqa: BLE001 - any failure to read it is the same to the task
        raise _Refused(f"the connection {arn} cannot be read: {unreadable}") from unreadable
    added: dict[str, dict[str, str]] = {"headers": {}, "query": {}, "body": {}}
    kind = described.get("AuthorizationType")
    if kind == "API_KEY":
        added["headers"][stored["api_key_name"]] = stored["api_key_value"]
    elif kind == "BASIC":
        pair = f"{stored['username']}:{stored['password']}".encode()
        added["headers"]["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    else:
        raise _Refused(f"segue does not fetch {kind} tokens for http:invoke yet")
    fixed = stored.get("invocation_http_parameters") or {}
    for field, key in (
        ("headers", "header_parameters"),
        ("query", "query_string_parameters"),
        ("body", "body_parameters"),
    ):
        added[field] |= {p["key"]: p["value"] for p in fixed.get(key, [])}
    return added


def _body(
    parameters: dict[str, Any], fixed: dict[str, str], headers: dict[str, str]
) -> bytes | None:
    body = parameters.get("RequestBody")
    if body is None and not fixed:
        return None
    if isinstance(body, dict) or body is None:
        body = {**(body or {}), **fixed}
    encoding = (parameters.get("Transform") or {}).get("RequestBodyEncoding", "NONE")
    if encoding == "URL_ENCODED" and isinstance(body, dict):
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return urllib.parse.urlencode({k: _text(v) for k, v in body.items()}).encode()
    headers.setdefault("Content-Type", "application/json")
    return (body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))).encode()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _answered(status: int, reason: str, headers: Any, data: bytes) -> Result:
    text = data.decode("utf-8", errors="replace")
    try:
        body: Json = read_json(text, "the response") if text else ""
    except JsonTextError:
        body = text
    answer = {
        "Headers": {name: headers.get_all(name) for name in dict(headers)},
        "ResponseBody": body,
        "StatusCode": status,
        "StatusText": reason,
    }
    if 200 <= status < 300:
        return Succeeded(answer)
    return Failed(f"States.Http.StatusCode.{status}", json.dumps(answer, separators=(",", ":")))
