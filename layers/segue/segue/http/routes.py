"""The HTTP API of API.md on Powertools' REST resolver; bodies checked with pydantic."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from pydantic import ValidationError

from segue.http.bodies import RegisterBody, StartBody, parse
from segue.service.errors import BadRequestError, ClientError, TooLargeError
from segue.service.executions import Executions
from segue.service.wiring import services
from segue.service.worker import wall_clock

if TYPE_CHECKING:
    from collections.abc import Callable

MAX_BODY_BYTES = 10 * 1024 * 1024 + 64 * 1024
"""The 10 MB state limit plus room for the request's own fields."""

logger = Logger(service="segue")


def build_app(executions: Callable[[], Executions] | None = None) -> APIGatewayRestResolver:
    """The resolver with every route; `executions` builds the service for each request."""
    app = APIGatewayRestResolver()
    request = _Request(app)
    service = executions or _default_executions
    _state_machine_routes(app, request, service)
    _execution_routes(app, request, service)
    _error_handlers(app)
    return app


class _Request:
    """Reads the current request's body and query, refusing what does not fit."""

    def __init__(self, app: APIGatewayRestResolver) -> None:
        self.app = app

    def body(self) -> str:
        raw = self.app.current_event.decoded_body or ""
        if len(raw.encode("utf-8")) > MAX_BODY_BYTES:
            raise TooLargeError(f"the request body is over {MAX_BODY_BYTES} bytes")
        return raw

    def query(self, name: str) -> str | None:
        return self.app.current_event.get_query_string_value(name, None)

    def query_int(self, name: str, default: int) -> int:
        value = self.query(name)
        if value is None:
            return default
        if not value.isdigit():
            raise BadRequestError(f"{name} must be a positive integer")
        return int(value)


def _state_machine_routes(
    app: APIGatewayRestResolver, request: _Request, service: Callable[[], Executions]
) -> None:
    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok"}

    @app.post("/state-machines")
    def register() -> Response[Any]:
        body = parse(RegisterBody, request.body())
        return _json(201, service().register(body.name, body.definition))

    @app.get("/state-machines")
    def state_machines() -> dict[str, Any]:
        return service().state_machines()

    @app.get("/state-machines/<name>")
    def state_machine(name: str) -> dict[str, Any]:
        return service().state_machine(unquote(name))


def _execution_routes(
    app: APIGatewayRestResolver, request: _Request, service: Callable[[], Executions]
) -> None:
    @app.post("/executions")
    def start() -> Response[Any]:
        body = parse(StartBody, request.body())
        if body.pause_before:
            raise BadRequestError("pauseBefore is not supported yet (it comes with pause/resume)")
        created, answer = service().start(body.state_machine, body.input, body.name)
        return _json(201 if created else 200, answer)

    @app.get("/executions")
    def list_executions() -> dict[str, Any]:
        return service().list(
            request.query("status"),
            request.query("stateMachine"),
            request.query_int("limit", 50),
            request.query("nextToken"),
        )

    @app.get("/executions/<execution_id>")
    def describe(execution_id: str) -> dict[str, Any]:
        return service().describe(unquote(execution_id))

    @app.get("/executions/<execution_id>/history")
    def history(execution_id: str) -> dict[str, Any]:
        return service().history(
            unquote(execution_id), request.query_int("limit", 100), request.query("nextToken")
        )


def _error_handlers(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(ClientError)  # type: ignore[untyped-decorator]
    def client_error(error: ClientError) -> Response[Any]:
        return _json(error.status, error.body())

    @app.exception_handler(ValidationError)  # type: ignore[untyped-decorator]
    def invalid(error: ValidationError) -> Response[Any]:
        return _json(400, {"error": "BadRequest", "message": _problems(error)})

    @app.not_found
    def not_found(_: Exception) -> Response[Any]:
        path = app.current_event.path
        return _json(404, {"error": "NotFound", "message": f"no route for {path}"})

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def server_fault(error: Exception) -> Response[Any]:
        logger.exception("unhandled error")
        return _json(500, {"error": "InternalError", "message": "segue failed; see its logs"})


def _json(status: int, body: Any) -> Response[Any]:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body)
    )


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
    )


def _default_executions() -> Executions:
    return Executions(services(), wall_clock)
