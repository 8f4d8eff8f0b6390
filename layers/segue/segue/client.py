"""A small client of segue's HTTP API (the CLI's transport); SigV4-signed for a deployed API."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

DEFAULT_ENDPOINT = "http://127.0.0.1:8321"


class ApiError(Exception):
    """The API answered with an error document."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        message = body.get("message") if isinstance(body, dict) else str(body)
        super().__init__(f"{status}: {message}")


class Client:
    """Calls the API at `endpoint` (default `$SEGUE_ENDPOINT`, else the local stack)."""

    def __init__(self, endpoint: str | None = None, timeout: float = 30.0) -> None:
        self.endpoint = (endpoint or os.environ.get("SEGUE_ENDPOINT") or DEFAULT_ENDPOINT).rstrip(
            "/"
        )
        self.timeout = timeout

    def call(
        self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None
    ) -> Any:
        """The answer's JSON document; ApiError for an error status."""
        query = {k: v for k, v in (query or {}).items() if v is not None}
        url = self.endpoint + path + ("?" + urlencode(query) if query else "")
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = caller_headers(method, url, data)
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                document = json.loads(text)
            except json.JSONDecodeError:
                document = {"message": text.decode("utf-8", errors="replace")}
            raise ApiError(error.code, document) from None


def caller_headers(method: str, url: str, data: bytes | None) -> dict[str, str]:
    """The headers that say who calls: on AWS a SigV4 signature of the usual credentials,
    locally the OS user."""
    headers = {"Content-Type": "application/json"}
    if _is_local(url):
        return headers | {"X-Segue-User": os.environ.get("USER") or "local"}
    return _signed(method, url, data, headers)


def _is_local(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1")


def _signed(method: str, url: str, data: bytes | None, headers: dict[str, str]) -> dict[str, str]:
    """Headers with a SigV4 signature for API Gateway (IAM auth), from the usual credentials."""
    import boto3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    session = boto3.Session()
    credentials = session.get_credentials()
    if credentials is None:
        return headers
    request = AWSRequest(method=method, url=url, data=data, headers=headers)
    SigV4Auth(credentials, "execute-api", session.region_name or "us-east-1").add_auth(request)
    return dict(request.headers.items())
