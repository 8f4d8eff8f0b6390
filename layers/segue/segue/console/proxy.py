"""`segue console`: the console on 127.0.0.1, its API calls signed and sent to a deployed stack.

The browser never holds a credential: each call the console makes to its own origin is
checked against the API's routes, signed here with the operator's usual AWS credentials
(as the CLI signs), and forwarded. Nothing else is forwarded.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from segue.client import caller_headers
from segue.console import files
from segue.http.requests import MAX_BODY_BYTES
from segue.http.routes import build_api

if TYPE_CHECKING:
    from collections.abc import Callable

TIMEOUT = 60.0
"""Seconds a forwarded call may take (API Gateway itself stops at 29)."""
_FORWARDED = ("GET", "HEAD", "POST")
_KEPT = ("content-type", "allow", "retry-after")
"""Headers of the API's answer given back to the browser."""


def serve_console(endpoint: str, port: int) -> ThreadingHTTPServer:
    """Serve the console on 127.0.0.1:`port`, forwarding its API calls to `endpoint`."""
    routes = build_api().table

    class Handler(_Proxy):
        target = endpoint.rstrip("/")
        allowed = staticmethod(routes.allowed)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="console").start()
    return server


class _Proxy(BaseHTTPRequestHandler):
    target: str
    """The API's base URL."""
    allowed: Callable[[str], frozenset[str]]
    """The methods the API has on a path (none for a path that is not its own)."""
    timeout = 10.0

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # every method is answered here, in JSON
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        if self.command not in _FORWARDED:
            self._error(405, "MethodNotAllowed", f"the console sends only {', '.join(_FORWARDED)}")
        elif parts.path == "/":
            self._answer(308, b"", {"Location": files.PREFIX + "/"})
        elif files.is_console(parts.path):
            page = files.serve(self.command, parts.path)
            self._answer(page.status, page.body, page.headers)
        elif self.command in self.allowed(parts.path):
            self._forward()
        else:
            self._error(404, "NotFound", "the console forwards only segue's own API routes")

    def _forward(self) -> None:
        announced = (self.headers.get("Content-Length") or "0").strip()
        length = int(announced) if announced.isascii() and announced.isdigit() else -1
        if not 0 <= length <= MAX_BODY_BYTES:
            self._error(413, "PayloadTooLarge", f"a body is 0 to {MAX_BODY_BYTES} bytes")
            return
        data = self.rfile.read(length) if length else None
        url = self.target + self.path
        headers = caller_headers(self.command, url, data)
        request = urllib.request.Request(url, data=data, method=self.command, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                status, body, got = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, body, got = error.code, error.read(), error.headers
        except OSError as error:
            self._error(502, "BadGateway", f"the API at {self.target} did not answer: {error}")
            return
        kept = {k: v for k, v in got.items() if k.lower() in _KEPT}
        self._answer(status, body, kept)

    def _error(self, status: int, code: str, message: str) -> None:
        body = json.dumps({"error": code, "message": message}).encode("utf-8")
        self._answer(status, body, {"Content-Type": "application/json"})

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass
