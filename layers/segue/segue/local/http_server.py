"""The local HTTP API: each request becomes an API Gateway REST proxy event for the handler.

It plays API Gateway's part, so what API Gateway refuses before the function sees it is
refused here, as JSON in the API's own error shape: a body over its size, a
`Content-Length` that is not a number or that the body never reaches (after
`READ_SECONDS`), request lines and headers too long to read. Every method reaches the
handler, which knows what each path allows.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from segue.console import files as console_files
from segue.console.files import is_console
from segue.http.requests import MAX_BODY_BYTES
from segue.service import activities
from segue.tasks.functions import LambdaContext, load_handler

if TYPE_CHECKING:
    from collections.abc import Callable

MAX_BODY = MAX_BODY_BYTES
"""API Gateway refuses bodies over 10 MB; the local gateway the same as the handler."""
READ_SECONDS = 10.0
"""How long a connection may take to send what it announced before it is answered 400."""
DRAIN_BYTES = 64 * 1024 * 1024
"""A body over the limit, up to this size, is read and dropped so the client sees the 413."""
BACKLOG = 128
_LENGTH = re.compile(r"[0-9]{1,12}")
_CODES = {
    400: "BadRequest",
    404: "NotFound",
    405: "MethodNotAllowed",
    408: "RequestTimeout",
    411: "LengthRequired",
    413: "PayloadTooLarge",
    414: "UriTooLong",
    431: "HeadersTooLarge",
    501: "NotImplemented",
}


def proxy_event(
    method: str, target: str, headers: dict[str, str], body: bytes | str
) -> dict[str, Any]:
    """The REST API proxy event API Gateway would send (a body that is not UTF-8 as base64)."""
    parts = urlsplit(target)
    query = dict(parse_qsl(parts.query, keep_blank_values=True)) or None
    raw = body.encode("utf-8") if isinstance(body, str) else body
    try:
        text, encoded = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(raw).decode("ascii"), True
    return {
        "resource": "/{proxy+}",
        "path": parts.path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": {"proxy": parts.path.lstrip("/")},
        "requestContext": {
            "stage": "local",
            "httpMethod": method,
            "path": parts.path,
            "identity": {"sourceIp": "127.0.0.1"},
            "requestId": "local",
        },
        "body": text or None,
        "isBase64Encoded": encoded,
    }


def serve_api(handler_spec: str, port: int) -> ThreadingHTTPServer:
    """Serve the api function on 127.0.0.1:`port` in a background thread."""
    # One request at a time, as in one Lambda container: Powertools' resolver keeps the
    # current event in a class attribute, so two requests in two threads of one process
    # would read each other's bodies (seen as a start routed with a register's body).
    api = load_handler(handler_spec)
    one_at_a_time = threading.Lock()

    def invoke(event: dict[str, Any]) -> Any:
        with one_at_a_time:
            return api(event, LambdaContext("api", time.monotonic() + 30))

    def pause_unlocked(seconds: float) -> None:
        # An activity worker's long poll only waits between looks: the API serves other
        # requests meanwhile, as other Lambda containers would. The resolver's current
        # event (a class attribute) is put back before the poll goes on.
        current = BaseRouter.current_event
        one_at_a_time.release()
        try:
            time.sleep(seconds)
        finally:
            one_at_a_time.acquire()
            BaseRouter.current_event = current

    activities.pause_between_looks = pause_unlocked

    class Proxy(_Gateway):
        function = staticmethod(invoke)

    server = ThreadingHTTPServer(("127.0.0.1", port), Proxy, bind_and_activate=False)
    server.request_queue_size = BACKLOG
    server.server_bind()
    server.server_activate()
    threading.Thread(target=server.serve_forever, daemon=True, name="api").start()
    return server


class _Gateway(BaseHTTPRequestHandler):
    """What API Gateway does with a request before and after the function."""

    timeout = READ_SECONDS
    function: Callable[[dict[str, Any]], Any]
    """The api function, given by `serve_api`."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # every method goes to the function, which knows the path
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        body = self._body()
        if body is None:
            return
        path = urlsplit(self.path).path
        if is_console(path):  # the console's own files, beside the API as `segue dev` serves them
            page = console_files.serve(self.command, path)
            self._answer(page.status, page.body, page.headers)
            return
        event = proxy_event(self.command, self.path, dict(self.headers.items()), body)
        response = self.function(event)
        headers = {k: ", ".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()}
        headers |= response.get("headers") or {}
        self._answer(response["statusCode"], response.get("body") or "", headers)

    def _body(self) -> bytes | None:
        """The request's body; None once an error has been answered instead."""
        if self.headers.get("Transfer-Encoding"):
            self.send_error(411, "send the body with a Content-Length")
            return None
        announced = (self.headers.get("Content-Length") or "0").strip()
        if not _LENGTH.fullmatch(announced):
            self.send_error(400, "Content-Length must be a whole number of bytes")
            return None
        length = int(announced)
        if length > MAX_BODY:
            if length <= DRAIN_BYTES:
                self._read(length, keep=False)
            self.send_error(413, f"the request body is over {MAX_BODY} bytes")
            return None
        data, got = self._read(length)
        if got < length:
            self.send_error(400, f"the body ended after {got} of its {length} bytes")
            return None
        return data

    def _read(self, length: int, keep: bool = True) -> tuple[bytes, int]:
        """Up to `length` bytes of the body (what came within the timeout), and how many."""
        chunks, got = [], 0
        try:
            while got < length:
                chunk = self.rfile.read1(min(length - got, 1024 * 1024))
                if not chunk:
                    break
                if keep:
                    chunks.append(chunk)
                got += len(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks), got

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors of the HTTP layer itself, in the API's JSON shape (not HTML)."""
        phrase = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else "Error"
        document = {
            "error": _CODES.get(code, phrase.replace(" ", "")),
            "message": message or phrase,
        }
        self.close_connection = True
        self._answer(code, json.dumps(document), {"Content-Type": "application/json"})

    def _answer(self, status: int, body: str | bytes, headers: dict[str, str]) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        headers.setdefault("Content-Type", "application/json")
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if getattr(self, "command", "") != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass
