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

moto answers a Query of the table itself by sorting and comparing every item of the
table, so reading one execution's history slowed as a session stored more (100 ms and
more at 10,000 executions). DynamoDB reads only the one partition; so does the local
server.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any

from moto.dynamodb.models.table import Table
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


_QUERIED = threading.local()
"""The partition key of the table Query this thread is answering, if any."""
_INDEX_ARGUMENT = 6
"""Where index_name comes in Table.query's arguments after hash_key (moto passes it so)."""


def _query_one_partition(query: Callable[..., Any]) -> Callable[..., Any]:
    """Table.query that looks at the one partition a query of the table itself names."""

    @functools.wraps(query)
    def answer(table: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index = args[_INDEX_ARGUMENT] if len(args) > _INDEX_ARGUMENT else kwargs.get("index_name")
        if index or hash_key is None or not table.range_key_attr:
            return query(table, hash_key, *args, **kwargs)
        _QUERIED.key = hash_key
        try:
            return query(table, hash_key, *args, **kwargs)
        finally:
            _QUERIED.key = None

    return answer


def _items_of_the_partition(
    all_items: Callable[[Table], list[Any]],
) -> Callable[[Table], list[Any]]:
    """Table.all_items, but only the queried partition's during a query of the table itself
    (the query keeps those items alone anyway, and sorts them itself)."""

    @functools.wraps(all_items)
    def items(table: Table) -> list[Any]:
        key = getattr(_QUERIED, "key", None)
        if key is None:
            return all_items(table)
        return list(table.items.get(key, {}).values())

    return items


def query_partitions_alone() -> None:
    """Make moto answer a Query of a table from its one partition (once per process)."""
    if not hasattr(Table.query, "__wrapped__"):
        Table.query = _query_one_partition(Table.query)  # type: ignore[method-assign]
        Table.all_items = _items_of_the_partition(Table.all_items)  # type: ignore[method-assign,assignment]


class AtomicMotoServer(ThreadedMotoServer):
    """ThreadedMotoServer whose DynamoDB conditional writes are atomic."""

    def _server_entry(self) -> None:
        Queue.wait_for_messages = _look_often  # type: ignore[method-assign,assignment]
        query_partitions_alone()
        app = _OneDynamoDBRequestAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
