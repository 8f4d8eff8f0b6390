"""The HTTP API of API.md on Powertools' REST resolver; bodies checked with pydantic."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from pydantic import ValidationError

from segue.http.bodies import (
    CancelBody,
    DecisionBody,
    EmptyBody,
    EventBody,
    PauseBody,
    RedriveBody,
    RegisterBody,
    ResumeBody,
    StartBody,
    TaskFailureBody,
    TaskHeartbeatBody,
    TaskSuccessBody,
    parse,
)
from segue.service.dead_letters import DeadLetters
from segue.service.errors import BadRequestError, ClientError, NotFoundError, TooLargeError
from segue.service.executions import Executions
from segue.service.operator import Operator
from segue.service.waits import Waits
from segue.service.wiring import client, services
from segue.store.waits import APPROVAL_STATUSES

if TYPE_CHECKING:
    from collections.abc import Callable

MAX_BODY_BYTES = 10 * 1024 * 1024 + 64 * 1024
"""The 10 MB state limit plus room for the request's own fields."""

logger = Logger(service="segue")


def build_app() -> APIGatewayRestResolver:
    """The resolver with every route, on this process's services."""
    app = APIGatewayRestResolver()
    request = _Request(app)
    _state_machine_routes(app, request, _executions)
    _execution_routes(app, request, _executions)
    _operator_routes(app, request, _operator)
    _wait_routes(app, request, _waits)
    _dead_letter_routes(app, request, _dead_letters)
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

    def who(self) -> str:
        """The caller: its IAM identity on AWS; locally whoever the X-Segue-User header names."""
        event = self.app.current_event
        identity = event.raw_event.get("requestContext", {}).get("identity") or {}
        named = identity.get("userArn") or identity.get("caller")
        headers = {k.lower(): v for k, v in (event.headers or {}).items()}
        return str(named or headers.get("x-segue-user") or "anonymous")[:256]

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
        created, answer = service().start(
            body.state_machine,
            body.input,
            body.name,
            body.pause_before,
            body.auto_resume_seconds,
        )
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


def _operator_routes(
    app: APIGatewayRestResolver, request: _Request, operator: Callable[[], Operator]
) -> None:
    """Separate routes, so that IAM can grant each operation on its own."""

    @app.post("/executions/<execution_id>/pause")
    def pause(execution_id: str) -> Response[Any]:
        body = parse(PauseBody, request.body(), optional=True)
        head = operator().pause(
            unquote(execution_id), request.who(), body.reason, body.auto_resume_seconds
        )
        return _json(202, {"status": str(head.status)})

    @app.post("/executions/<execution_id>/resume")
    def resume(execution_id: str) -> dict[str, Any]:
        body = parse(ResumeBody, request.body(), optional=True)
        head = operator().resume(
            unquote(execution_id), request.who(), body.reason, body.data, body.pause_before
        )
        return {"status": str(head.status)}

    @app.post("/executions/<execution_id>/cancel")
    def cancel(execution_id: str) -> dict[str, Any]:
        body = parse(CancelBody, request.body(), optional=True)
        head = operator().cancel(unquote(execution_id), request.who(), body.reason)
        return {"status": str(head.status)}

    @app.post("/executions/<execution_id>/redrive")
    def redrive(execution_id: str) -> dict[str, Any]:
        parse(EmptyBody, request.body(), optional=True)
        head = operator().redrive(unquote(execution_id), request.who())
        return {"status": str(head.status)}

    @app.get("/executions/<execution_id>/checkpoints")
    def checkpoints(execution_id: str) -> dict[str, Any]:
        return operator().checkpoints(unquote(execution_id))

    @app.get("/executions/<execution_id>/checkpoints/<version>")
    def checkpoint(execution_id: str, version: str) -> dict[str, Any]:
        if not version.isdigit():
            raise BadRequestError("a checkpoint version is a positive integer")
        return operator().checkpoint(unquote(execution_id), int(version))


def _wait_routes(
    app: APIGatewayRestResolver, request: _Request, waits: Callable[[], Waits]
) -> None:
    """Task callbacks, approvals and events: what ends a Task that waits for the outside."""

    @app.post("/tasks/success")
    def task_success() -> dict[str, Any]:
        body = parse(TaskSuccessBody, request.body())
        waits().task_succeeded(body.task_token, body.output)
        return {}

    @app.post("/tasks/failure")
    def task_failure() -> dict[str, Any]:
        body = parse(TaskFailureBody, request.body())
        waits().task_failed(body.task_token, body.error, body.cause)
        return {}

    @app.post("/tasks/heartbeat")
    def task_heartbeat() -> dict[str, Any]:
        body = parse(TaskHeartbeatBody, request.body())
        waits().heartbeat(body.task_token)
        return {}

    @app.get("/approvals")
    def approvals() -> dict[str, Any]:
        status = request.query("status")
        if status is not None and status not in APPROVAL_STATUSES:
            raise BadRequestError(f"status must be one of {', '.join(APPROVAL_STATUSES)}")
        limit = request.query_int("limit", 100)
        if not 1 <= limit <= 100:
            raise BadRequestError("limit must be between 1 and 100")
        return waits().approvals(status, limit)

    @app.post("/approvals/<approval_id>/<verdict>")
    def decide(approval_id: str, verdict: str) -> dict[str, Any]:
        if verdict not in ("approve", "reject"):
            raise NotFoundError(f"no route for /approvals/{approval_id}/{verdict}")
        body = parse(DecisionBody, request.body(), optional=True)
        by = body.by or request.who()
        return waits().decide(
            unquote(approval_id), verdict == "approve", by, body.comment, body.data
        )

    @app.post("/events")
    def send_event() -> Response[Any]:
        body = parse(EventBody, request.body())
        event_id = body.id or uuid.uuid4().hex
        delivered = waits().publish(body.name, body.key, body.payload, event_id)
        return _json(202, {"eventId": event_id, "delivered": delivered})


def _dead_letter_routes(
    app: APIGatewayRestResolver, request: _Request, service: Callable[[], DeadLetters]
) -> None:
    @app.get("/dead-letters/<queue>")
    def dead_letters(queue: str) -> dict[str, Any]:
        return service().show(queue, request.query_int("limit", 100))

    @app.post("/dead-letters/<queue>/redrive")
    def redrive_dead_letters(queue: str) -> dict[str, Any]:
        body = parse(RedriveBody, request.body(), optional=True)
        return service().redrive(queue, body.message_ids)


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


def _executions() -> Executions:
    return Executions(services(), services().clock)


def _operator() -> Operator:
    return Operator(services(), services().clock)


def _waits() -> Waits:
    return Waits(services(), services().clock)


def _dead_letters() -> DeadLetters:
    return DeadLetters(client("sqs"), services().settings.dead_letter_queues)
