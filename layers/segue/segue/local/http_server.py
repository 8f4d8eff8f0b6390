"""The local HTTP API: each request becomes an API Gateway REST proxy event for the handler."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from segue.tasks.functions import LambdaContext, load_handler

MAX_BODY = 11 * 1024 * 1024
"""API Gateway refuses bodies over 10 MB; a little more reaches the handler's own check."""


def proxy_event(method: str, target: str, headers: dict[str, str], body: str) -> dict[str, Any]:
    """The REST API proxy event API Gateway would send."""
    parts = urlsplit(target)
    query = dict(parse_qsl(parts.query, keep_blank_values=True)) or None
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
        "body": body or None,
        "isBase64Encoded": False,
    }


def serve_api(handler_spec: str, port: int) -> ThreadingHTTPServer:
    """Serve the api function on 127.0.0.1:`port` in a background thread."""
    # One request at a time, as in one Lambda container: Powertools' resolver keeps the
    # current event in a class attribute, so two requests in two threads of one process
    # would read each other's bodies (seen as a start routed with a register's body).
    api = load_handler(handler_spec)
    one_at_a_time = threading.Lock()

    def handler(event: dict[str, Any], context: Any) -> Any:
        with one_at_a_time:
            return api(event, context)

    class Proxy(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._answer(413, {"error": "PayloadTooLarge", "message": "body over 10 MB"})
                return
            body = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
            event = proxy_event(self.command, self.path, dict(self.headers.items()), body)
            response = handler(event, LambdaContext("api", time.monotonic() + 30))
            self._answer(response["statusCode"], response.get("body") or "")

        def _answer(self, status: int, body: Any) -> None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True, name="api").start()
    return server
