"""The HTTP API of API.md on Powertools' REST resolver; bodies checked with pydantic."""

from __future__ import annotations

import json
import os
import uuid
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import (
    APIGatewayRestResolver,
    CORSConfig,
    Response,
    content_types,
)
from pydantic import ValidationError

from segue.engine.events import EVENT_TYPES
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
from segue.http.methods import Api, RouteTable
from segue.http.requests import Request, problems, segue_name
from segue.service.dead_letters import DeadLetters
from segue.service.errors import BadRequestError, ClientError
from segue.service.executions import Executions
from segue.service.operator import Operator
from segue.service.waits import Waits
from segue.service.wiring import client, services
from segue.sfn import errors as sfn_errors
from segue.sfn import protocol
from segue.sfn.arns import Arns
from segue.store.waits import APPROVAL_STATUSES
from segue.telemetry.logs import logger

if TYPE_CHECKING:
    from collections.abc import Callable


def build_api() -> Api:
    """The `api` function's entry, with every route, on this process's services.

    CORS headers are sent only when `SEGUE_CORS_ORIGINS` names the origins to allow.
    """
    origins = [o.strip() for o in os.environ.get("SEGUE_CORS_ORIGINS", "").split(",") if o.strip()]
    cors = CORSConfig(allow_origin=origins[0], extra_origins=origins[1:]) if origins else None
    resolver = APIGatewayRestResolver(cors=cors)
    app = _Routes(resolver)
    request = Request(resolver)
    _state_machine_routes(app, request, _executions)
    _execution_routes(app, request, _executions)
    _operator_routes(app, request, _operator)
    _wait_routes(app, request, _waits)
    _dead_letter_routes(app, request, _dead_letters)
    _step_functions_route(app, request)
    _error_handlers(resolver)
    return Api(resolver, app.table, cors is not None)


class _Routes:
    """Registers each route with the resolver and in the table of methods per path."""

    def __init__(self, resolver: APIGatewayRestResolver) -> None:
        self.resolver = resolver
        self.table = RouteTable()

    def get(self, rule: str) -> Callable[[Callable[..., Any]], Any]:
        self.table.add("GET", rule)
        return self.resolver.get(rule)

    def post(self, rule: str) -> Callable[[Callable[..., Any]], Any]:
        self.table.add("POST", rule)
        return self.resolver.post(rule)


def _state_machine_routes(
    app: _Routes, request: Request, service: Callable[[], Executions]
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
        return service().state_machine(request.identifier(name, "state machine"))


def _execution_routes(app: _Routes, request: Request, service: Callable[[], Executions]) -> None:
    @app.post("/executions")
    def start() -> Response[Any]:
        body = parse(StartBody, request.body())
        created, answer = service().start(
            segue_name(body.state_machine, "state machine"),
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
            segue_name(request.query("stateMachine") or "", "state machine") or None,
            request.query_int("limit", 50, 1, 100),
            request.query("nextToken"),
            search=request.query("q") or None,
            detail=request.flag("detail"),
            counts=request.flag("counts"),
        )

    @app.get("/executions/<execution_id>")
    def describe(execution_id: str) -> dict[str, Any]:
        return service().describe(request.identifier(execution_id, "execution"))

    @app.get("/executions/<execution_id>/history")
    def history(execution_id: str) -> dict[str, Any]:
        return service().history(
            request.identifier(execution_id, "execution"),
            request.query_int("limit", 100, 1, 1000),
            request.query("nextToken"),
            request.query_int("after", 0, 0, 10**9),
            types=request.names("type", EVENT_TYPES),
            state=request.query("state") or None,
        )


def _operator_routes(app: _Routes, request: Request, operator: Callable[[], Operator]) -> None:
    """Separate routes, so that IAM can grant each operation on its own."""

    @app.post("/executions/<execution_id>/pause")
    def pause(execution_id: str) -> Response[Any]:
        body = parse(PauseBody, request.body(), optional=True)
        head = operator().pause(
            request.identifier(execution_id, "execution"),
            request.who(),
            body.reason,
            body.auto_resume_seconds,
        )
        return _json(202, {"status": str(head.status)})

    @app.post("/executions/<execution_id>/resume")
    def resume(execution_id: str) -> dict[str, Any]:
        body = parse(ResumeBody, request.body(), optional=True)
        head = operator().resume(
            request.identifier(execution_id, "execution"),
            request.who(),
            body.reason,
            body.data,
            body.pause_before,
        )
        return {"status": str(head.status)}

    @app.post("/executions/<execution_id>/cancel")
    def cancel(execution_id: str) -> dict[str, Any]:
        body = parse(CancelBody, request.body(), optional=True)
        head = operator().cancel(
            request.identifier(execution_id, "execution"), request.who(), body.reason
        )
        return {"status": str(head.status)}

    @app.post("/executions/<execution_id>/redrive")
    def redrive(execution_id: str) -> dict[str, Any]:
        parse(EmptyBody, request.body(), optional=True)
        head = operator().redrive(request.identifier(execution_id, "execution"), request.who())
        return {"status": str(head.status)}

    @app.get("/executions/<execution_id>/checkpoints")
    def checkpoints(execution_id: str) -> dict[str, Any]:
        return operator().checkpoints(request.identifier(execution_id, "execution"))

    @app.get("/executions/<execution_id>/checkpoints/<version>")
    def checkpoint(execution_id: str, version: str) -> dict[str, Any]:
        number = request.number(version, "a checkpoint version", 1, 10**9)
        return operator().checkpoint(request.identifier(execution_id, "execution"), number)


def _wait_routes(app: _Routes, request: Request, waits: Callable[[], Waits]) -> None:
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
        return waits().approvals(status, request.query_int("limit", 100, 1, 100))

    def decide(approval_id: str, approved: bool) -> dict[str, Any]:
        body = parse(DecisionBody, request.body(), optional=True)
        by = body.by or request.who()
        return waits().decide(
            request.identifier(approval_id, "approval"), approved, by, body.comment, body.data
        )

    @app.post("/approvals/<approval_id>/approve")
    def approve(approval_id: str) -> dict[str, Any]:
        return decide(approval_id, True)

    @app.post("/approvals/<approval_id>/reject")
    def reject(approval_id: str) -> dict[str, Any]:
        return decide(approval_id, False)

    @app.post("/events")
    def send_event() -> Response[Any]:
        body = parse(EventBody, request.body())
        event_id = body.id or uuid.uuid4().hex
        delivered = waits().publish(body.name, body.key, body.payload, event_id)
        return _json(202, {"eventId": event_id, "delivered": delivered})


def _dead_letter_routes(app: _Routes, request: Request, service: Callable[[], DeadLetters]) -> None:
    @app.get("/dead-letters/<queue>")
    def dead_letters(queue: str) -> dict[str, Any]:
        return service().show(
            request.identifier(queue, "dead-letter queue"), request.query_int("limit", 100, 1, 100)
        )

    @app.post("/dead-letters/<queue>/redrive")
    def redrive_dead_letters(queue: str) -> dict[str, Any]:
        body = parse(RedriveBody, request.body(), optional=True)
        return service().redrive(request.identifier(queue, "dead-letter queue"), body.message_ids)


def _step_functions_route(app: _Routes, request: Request) -> None:
    """The Step Functions API (AWS JSON 1.0) on the same endpoint: `POST /`."""

    @app.post("/")
    def step_functions() -> Response[Any]:
        event = app.resolver.current_event
        settings = services().settings
        try:
            text = request.body()
        except ClientError as unreadable:  # not base64, not UTF-8, too large: said AWS's way
            refused = sfn_errors.SerializationException(unreadable.message)
            return Response(
                status_code=refused.status,
                content_type=protocol.CONTENT_TYPE,
                body=json.dumps(refused.body()),
            )
        status, body = protocol.answer(
            services(),
            Arns(settings.region, settings.account),
            request.who(),
            dict(event.headers or {}),
            text,
        )
        return Response(
            status_code=status, content_type=protocol.CONTENT_TYPE, body=json.dumps(body)
        )


def _error_handlers(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(ClientError)  # type: ignore[untyped-decorator]
    def client_error(error: ClientError) -> Response[Any]:
        return _json(error.status, error.body())

    @app.exception_handler(ValidationError)  # type: ignore[untyped-decorator]
    def invalid(error: ValidationError) -> Response[Any]:
        return _json(400, {"error": "BadRequest", "message": problems(error)})

    @app.not_found
    def not_found(_: Exception) -> Response[Any]:
        path = app.current_event.path
        return _json(404, {"error": "NotFound", "message": f"no route for {path[:200]}"})

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def server_fault(error: Exception) -> Response[Any]:
        logger().exception("unhandled error")
        return _json(500, {"error": "InternalError", "message": "segue failed; see its logs"})


def _json(status: int, body: Any) -> Response[Any]:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body)
    )


def _executions() -> Executions:
    return Executions(services(), services().clock)


def _operator() -> Operator:
    return Operator(services(), services().clock)


def _waits() -> Waits:
    return Waits(services(), services().clock)


def _dead_letters() -> DeadLetters:
    return DeadLetters(client("sqs"), services().settings.dead_letter_queues)
