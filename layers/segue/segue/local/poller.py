"""A worker process of the local stack: `python -m segue.local.poller HANDLER QUEUE BATCH NAME
TIMEOUT` (the function's Timeout: each batch gets that long, as on Lambda)."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Any

import boto3

from segue.local.sqs_source import poll_once
from segue.tasks.functions import load_handler


def main(argv: list[str]) -> int:
    """Poll the queue and hand each batch to the handler until SIGTERM or SIGINT."""
    handler_spec, queue_url, batch, name, timeout = argv
    logging.basicConfig(level=logging.WARNING, format=f"{name}[%(process)d] %(message)s")
    handler = load_handler(handler_spec)
    sqs = boto3.client("sqs")
    stop = threading.Event()

    def finish(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    while not stop.is_set():
        poll_once(
            sqs,
            queue_url,
            handler,
            function_name=name,
            batch_size=int(batch),
            timeout=float(timeout),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
