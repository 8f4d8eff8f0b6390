"""What the probe throws at a local stack, and how: raw HTTP, so that nothing a client library
would mend (a lying Content-Length, a request line too long) is mended before the stack sees it.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
MB = 1024 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Case:
    """One request and the statuses it may get."""

    label: str
    method: str
    path: str
    body: bytes | None = None
    allowed: frozenset[int] = field(default_factory=frozenset)


def post(label: str, path: str, payload: Any, *allowed: int) -> Case:
    """A POST of `payload`: bytes as they are, anything else as its JSON."""
    data = payload if isinstance(payload, bytes) else text(payload)
    return Case(label, "POST", path, data, frozenset(allowed))


def get(label: str, path: str, *allowed: int, method: str = "GET") -> Case:
    return Case(label, method, path, None, frozenset(allowed))


def text(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def spliced(document: dict[str, Any], key: str, raw: str) -> bytes:
    """The document's JSON with `key` set to `raw` (JSON text no encoder would write)."""
    head = text(document)[:-1] + (b", " if document else b"")
    return head + json.dumps(key).encode() + b": " + raw.encode() + b"}"


def deep(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def one_state(state: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": {**state, "End": True}}}


def callback(**fields: Any) -> dict[str, Any]:
    """A task that hands its token to `echo` and waits (the token shows in its history)."""
    parameters = {"FunctionName": LAMBDA + "echo", "Payload": {"token.$": "$$.Task.Token"}}
    resource = "arn:aws:states:::lambda:invoke.waitForTaskToken"
    return one_state({"Type": "Task", "Resource": resource, "Parameters": parameters, **fields})


class Raw:
    """Requests to the local API as bytes on a socket (http.client, or hand-made)."""

    def __init__(self, endpoint: str, timeout: float = 60.0) -> None:
        parts = urlsplit(endpoint)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout

    def send(self, method: str, path: str, data: bytes | None = None) -> Answer:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            headers = {"Content-Type": "application/json"}
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def bytes(self, data: bytes) -> Answer:
        """Send `data` as it is and read the answer until the server closes."""
        with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
            sock.sendall(data)
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        return Answer(int(lines[0].split()[1]), headers, body)


def misshapen(answer: Answer, method: str) -> str | None:
    """What is wrong with an answer's shape (API.md), or None."""
    if answer.status >= 500:
        return f"a {answer.status}"
    if method == "HEAD" or answer.status == 204:
        return None if not answer.body else "a body where none belongs"
    if not answer.headers.get("Content-Type", "").startswith("application/json"):
        return f"Content-Type {answer.headers.get('Content-Type')!r}"
    try:
        document = json.loads(answer.body)
    except ValueError:
        return "a body that is not JSON"
    if answer.status < 400:
        return None
    if not (isinstance(document, dict) and isinstance(document.get("error"), str)):
        return "an error without its code"
    if not isinstance(document.get("message"), str) or len(answer.body) > 100_000:
        return "an error without a short message"
    return None


def forged(token: str) -> list[str]:
    """A nextToken tampered with as a client might: a byte, a key dropped or added, rewrapped."""
    payload, _, signature = token.partition(".")
    listing, position = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    def signed_as_before(value: Any) -> str:
        encoded = base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
        return f"{encoded}.{signature}"

    dropped = dict(list(position.items())[1:])
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    made_up = [
        f"{flipped}.{signature}",
        signed_as_before([listing, dropped]),
        signed_as_before([listing, {**position, "extra": "x"}]),
        base64.urlsafe_b64encode(json.dumps(position).encode()).decode(),
        base64.b64encode(b'{"pk": {"S": "x"}}').decode(),
        token + "x",
        token[: len(token) // 2],
        "é" + token,
    ]
    return [quote(t, safe="") for t in made_up]
