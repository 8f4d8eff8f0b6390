"""moto as a server on 127.0.0.1, with DynamoDB requests made atomic.

moto serves each request on its own thread and its DynamoDB backend takes no lock, so a
conditional write's check and its write can interleave with another request's: two
workers could both "win" the same condition. segue's correctness rests on conditional
writes, so DynamoDB requests are run one at a time, as DynamoDB itself orders writes to
an item. Other services keep their concurrency (SQS long polls would otherwise stall
everything).

moto's SQS long poll also looks again for visible messages only when one is sent, or
after a whole second: a delayed message that turns visible meanwhile waits for the rest
of that second. SQS hands it over at once, and segue's timers count on it, so the
local server looks every 50 ms.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.sqs.models import Queue
from werkzeug.serving import make_server

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


class _OneDynamoDBRequestAtATime:
    """WSGI middleware: a lock around every DynamoDB call."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self.lock:
            return list(self.app(environ, start_response))


POLL_LOOK_SECONDS = 0.05


def _look_often(queue: Any, timeout: float) -> None:
    """Queue.wait_for_messages, but waking within 50 ms to see delayed messages turn visible."""
    with queue._messages_lock:
        queue._messages_lock.wait_for(
            lambda: queue.messages, timeout=min(timeout, POLL_LOOK_SECONDS)
        )


class AtomicMotoServer(ThreadedMotoServer):
    """ThreadedMotoServer whose DynamoDB conditional writes are atomic."""

    def _server_entry(self) -> None:
        Queue.wait_for_messages = _look_often  # type: ignore[method-assign,assignment]
        app = _OneDynamoDBRequestAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
