"""`segue dev`: moto on 127.0.0.1, the template's resources, worker processes and the API."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3

from segue.local.http_server import serve_api
from segue.local.scheduler import LocalScheduler
from segue.local.template import create_stack
from segue.service.worker import wall_clock
from segue.tasks.functions import LambdaContext, function_entry, load_handler
from segue.tasks.http import ALLOW_LOOPBACK

if TYPE_CHECKING:
    from pathlib import Path

    from segue.local.template import Function, Stack

REGION = "us-east-1"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "segue-local",
    "AWS_SECRET_ACCESS_KEY": "segue-local",
    "AWS_DEFAULT_REGION": REGION,
}


@dataclass(frozen=True)
class DevOptions:
    template: Path
    port: int = 8321
    aws_port: int = 5000
    workers: int = 2
    functions: tuple[str, ...] = ()
    cron_seconds: float | None = None
    """Run scheduled functions (the sweeper) this often instead of at their rate."""


@dataclass
class _Poller:
    """One worker process playing an SQS event source mapping; restarted if it dies."""

    function: Function
    queue_url: str
    batch_size: int
    environment: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "segue.local.poller",
            self.function.handler,
            self.queue_url,
            str(self.batch_size),
            self.function.name,
            str(self.function.timeout),
        ]
        self.process = subprocess.Popen(command, env=self.environment)

    def check(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            self.restarts += 1
            print(f"segue dev: {self.function.name} worker exited; restarting", flush=True)
            self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class LocalStack:
    """A running local stack; `stop()` takes it down."""

    options: DevOptions
    stack: Stack | None = None
    pollers: list[_Poller] = field(default_factory=list)
    scheduler: LocalScheduler | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _closers: list[Any] = field(default_factory=list)

    def start(self) -> None:
        from segue.local.moto_server import AtomicMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto logs every request
        moto = AtomicMotoServer(ip_address="127.0.0.1", port=self.options.aws_port)
        moto.start()
        self._closers.append(moto.stop)
        endpoint = f"http://127.0.0.1:{self.options.aws_port}"
        os.environ.update(CREDENTIALS | {"AWS_ENDPOINT_URL": endpoint})

        def client(service: str) -> Any:
            return boto3.client(service, region_name=REGION, endpoint_url=endpoint)  # type: ignore[call-overload]

        self.stack = create_stack(self.options.template, client)
        registry = self._registry(self.stack)
        handlers = cache(lambda name: load_handler(registry[name]))
        group = self.stack.refs["Schedules"]
        self.scheduler = LocalScheduler(client("scheduler"), group, handlers, wall_clock)
        shared = CREDENTIALS | {
            "AWS_ENDPOINT_URL": endpoint,
            "SEGUE_FUNCTIONS": json.dumps(registry),
            ALLOW_LOOPBACK: "1",  # http:invoke of endpoints a developer serves on this machine
        }
        sys.path.insert(0, os.getcwd())  # the user's `module:callable` lives in their project
        pythonpath = os.pathsep.join(p for p in (os.getcwd(), os.environ.get("PYTHONPATH")) if p)
        # SEGUE_* settings of the user's own environment win over the template's defaults
        chosen = {k: v for k, v in os.environ.items() if k.startswith("SEGUE_")}
        # Shards spread the sweeper's index and the listings over DynamoDB partitions; moto
        # has none, and each index query scans the whole table, so locally one is cheapest.
        chosen.setdefault("SEGUE_SWEEP_SHARDS", "1")
        chosen.setdefault("SEGUE_LIST_SHARDS", "1")
        # GetActivityTask waits as long as on AWS's own API (the deployed stack's is cut
        # short by API Gateway's 29 s).
        chosen.setdefault("SEGUE_ACTIVITY_POLL_SECONDS", "60")
        for function in self.stack.functions:
            settings = function.environment | chosen | shared
            environment = os.environ | settings | {"PYTHONPATH": pythonpath}
            if function.api or function.every:
                os.environ.update(settings)
            if function.api:
                server = serve_api(function.handler, self.options.port)
                self._closers.append(server.shutdown)
            if function.every:
                every = self.options.cron_seconds or function.every
                threading.Thread(target=self._cron, args=(function, every), daemon=True).start()
            for url, batch in function.queues:
                count = self.options.workers if function.logical_id == "WorkerFunction" else 1
                for _ in range(count):
                    poller = _Poller(function, url, batch, dict(environment))
                    poller.start()
                    self.pollers.append(poller)

    def _cron(self, function: Function, every: float) -> None:
        """Run a scheduled function every `every` seconds, in this process (as Scheduler)."""
        handler = load_handler(function.handler)
        while not self._stop.wait(every):
            try:
                handler({}, LambdaContext(function.name, time.monotonic() + 60))
            except Exception:  # moto restarting under us: try again next time
                logging.getLogger("segue.local").exception("%s failed", function.name)

    def _registry(self, stack: Stack) -> dict[str, str]:
        """Function name to handler: the template's functions, then the user's."""
        registry = {f.name: f.handler for f in stack.functions}
        for entry in self.options.functions:
            name, spec = function_entry(entry)
            registry[name] = spec
        return registry

    def describe(self) -> str:
        assert self.stack is not None
        lines = [
            "segue dev: the local stack is up",
            f"  API          http://127.0.0.1:{self.options.port}  (try: segue list)",
            f"  AWS (moto)   http://127.0.0.1:{self.options.aws_port}"
            "  (boto3/aws with endpoint_url; any credentials)",
        ]
        for logical, ref in sorted(self.stack.resources().items()):
            if ref:  # AppConfig's resources have no local twin
                lines.append(f"  {logical:<20} {ref}")
        if os.environ.get("SEGUE_FLAGS_FILE"):
            lines.append(f"  flags        {os.environ['SEGUE_FLAGS_FILE']}")
        lines.append(f"  workers      {len(self.pollers)} process(es)")
        for name in self._registry(self.stack):
            lines.append(f"  function     {name}")
        lines.append("Ctrl-C stops it.")
        return "\n".join(lines)

    def supervise(self) -> None:
        """Restart pollers that die and fire due schedules, until `stop()`."""
        while not self._stop.wait(0.5):
            for poller in self.pollers:
                poller.check()
            if self.scheduler is not None:
                try:
                    self.scheduler.fire_due()
                except Exception:  # moto restarting under us: try again next tick
                    logging.getLogger("segue.local").exception("firing schedules failed")

    def stop(self) -> None:
        self._stop.set()
        for poller in self.pollers:
            poller.stop()
        for close in reversed(self._closers):
            close()


def run_dev(options: DevOptions) -> int:
    """Run the local stack until Ctrl-C (or SIGTERM)."""
    local = LocalStack(options)

    def interrupt(signum: int, frame: Any) -> None:
        local._stop.set()

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    try:
        local.start()
        print(local.describe(), flush=True)
        local.supervise()
    finally:
        local.stop()
        print("segue dev: stopped", flush=True)
    return 0


def wait_for(url: str, timeout: float = 30.0) -> None:
    """Block until `url` answers (for scripts and tests that start `segue dev`)."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
