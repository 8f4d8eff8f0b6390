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
from segue.engine.head import Status
from segue.http import answers as A
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
from segue.http.openapi import AWS_JSON, Operation, Query, document
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

    from pydantic import BaseModel

_NAME = {"type": "string", "minLength": 1, "maxLength": 80}
_TOKEN = Query("nextToken", {"type": "string"}, "where the previous page ended")
_STATUS = {"type": "string", "enum": sorted(str(s) for s in Status)}
EXECUTION_QUERY = (
    Query("status", _STATUS, "only executions of this status"),
    Query("stateMachine", _NAME, "only executions of this state machine (name or ARN)"),
    Query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "page size (50)"),
    _TOKEN,
    Query("q", {"type": "string"}, "only executions whose name contains this"),
    Query("detail", {"type": "string", "enum": ["true", "false"]}, "each item's states too"),
    Query("counts", {"type": "string", "enum": ["true", "false"]}, "counts by status too"),
)
HISTORY_QUERY = (
    Query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "page size (100)"),
    _TOKEN,
    Query("after", {"type": "integer", "minimum": 0}, "only events after this seq"),
    Query(
        "type",
        {"type": "string"},
        f"event types, comma-separated: {', '.join(sorted(EVENT_TYPES))}",
    ),
    Query("state", {"type": "string"}, "only events of this state"),
)
LIMIT_100 = Query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "page size (100)")
APPROVAL_QUERY = (
    Query("status", {"type": "string", "enum": list(APPROVAL_STATUSES)}, "only this status"),
    LIMIT_100,
)


def operations() -> list[Operation]:
    """Every operation of the API, as registered (what the OpenAPI document describes)."""
    return build_api().operations


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
    described = document(app.operations)  # made once; /openapi.json is itself left out

    @app.resolver.get("/openapi.json")
    def openapi() -> dict[str, Any]:
        return described

    app.table.add("GET", "/openapi.json")
    _error_handlers(resolver)
    return Api(resolver, app.table, cors is not None, app.operations)


class _Routes:
    """Registers each route with the resolver, in the table of methods per path, and as
    an operation of the OpenAPI document (its body model, query and answers)."""

    def __init__(self, resolver: APIGatewayRestResolver) -> None:
        self.resolver = resolver
        self.table = RouteTable()
        self.operations: list[Operation] = []

    def get(
        self, rule: str, name: str, summary: str, answer: type[BaseModel], **more: Any
    ) -> Callable[[Callable[..., Any]], Any]:
        answers = {200: answer} | more.pop("answers", {})
        return self._route("GET", rule, name, summary, answers, more)

    def post(
        self, rule: str, name: str, summary: str, answer: type[BaseModel], **more: Any
    ) -> Callable[[Callable[..., Any]], Any]:
        status = more.pop("status", 200)
        answers = {status: answer} | more.pop("answers", {})
        return self._route("POST", rule, name, summary, answers, more)

    def _route(
        self,
        method: str,
        rule: str,
        name: str,
        summary: str,
        answers: dict[int, type[BaseModel]],
        more: dict[str, Any],
    ) -> Callable[[Callable[..., Any]], Any]:
        self.table.add(method, rule)
        self.operations.append(Operation(method, rule, name, summary, answers, **more))
        register = self.resolver.get if method == "GET" else self.resolver.post
        return register(rule)


def _state_machine_routes(
    app: _Routes, request: Request, service: Callable[[], Executions]
) -> None:
    @app.get("/health", "health", "Whether the API answers", A.Health)
    def health() -> dict[str, Any]:
        return {"status": "ok"}

    @app.post(
        "/state-machines",
        "registerStateMachine",
        "Validate and store a definition (a new revision when it changed)",
        A.Registered,
        status=201,
        body=RegisterBody,
    )
    def register() -> Response[Any]:
        body = parse(RegisterBody, request.body())
        return _json(201, service().register(body.name, body.definition))

    @app.get("/state-machines", "listStateMachines", "Every state machine", A.Items)
    def state_machines() -> dict[str, Any]:
        return service().state_machines()

    @app.get(
        "/state-machines/<name>",
        "describeStateMachine",
        "A state machine's latest revision",
        A.StateMachine,
    )
    def state_machine(name: str) -> dict[str, Any]:
        return service().state_machine(request.identifier(name, "state machine"))


def _execution_routes(app: _Routes, request: Request, service: Callable[[], Executions]) -> None:
    @app.post(
        "/executions",
        "startExecution",
        "Start an execution (the same name twice starts one)",
        A.Started,
        status=201,
        answers={200: A.Started},
        body=StartBody,
    )
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

    @app.get(
        "/executions",
        "listExecutions",
        "Executions newest first",
        A.ExecutionPage,
        query=EXECUTION_QUERY,
    )
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

    @app.get(
        "/executions/<execution_id>", "describeExecution", "The inspection document", A.Inspection
    )
    def describe(execution_id: str) -> dict[str, Any]:
        return service().describe(request.identifier(execution_id, "execution"))

    @app.get(
        "/executions/<execution_id>/history",
        "getExecutionHistory",
        "History events, oldest first",
        A.History,
        query=HISTORY_QUERY,
    )
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

    @app.post(
        "/executions/<execution_id>/pause",
        "pauseExecution",
        "Pause now, or once the task in flight is committed",
        A.Changed,
        status=202,
        body=PauseBody,
        body_required=False,
    )
    def pause(execution_id: str) -> Response[Any]:
        body = parse(PauseBody, request.body(), optional=True)
        head = operator().pause(
            request.identifier(execution_id, "execution"),
            request.who(),
            body.reason,
            body.auto_resume_seconds,
        )
        return _json(202, {"status": str(head.status)})

    @app.post(
        "/executions/<execution_id>/resume",
        "resumeExecution",
        "Go on from the pause point",
        A.Changed,
        body=ResumeBody,
        body_required=False,
    )
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

    @app.post(
        "/executions/<execution_id>/cancel",
        "cancelExecution",
        "End the execution (CANCELLED)",
        A.Changed,
        body=CancelBody,
        body_required=False,
    )
    def cancel(execution_id: str) -> dict[str, Any]:
        body = parse(CancelBody, request.body(), optional=True)
        head = operator().cancel(
            request.identifier(execution_id, "execution"), request.who(), body.reason
        )
        return {"status": str(head.status)}

    @app.post(
        "/executions/<execution_id>/redrive",
        "redriveExecution",
        "A FAILED execution goes on from the state that failed",
        A.Changed,
        body=EmptyBody,
        body_required=False,
    )
    def redrive(execution_id: str) -> dict[str, Any]:
        parse(EmptyBody, request.body(), optional=True)
        head = operator().redrive(request.identifier(execution_id, "execution"), request.who())
        return {"status": str(head.status)}

    @app.get("/executions/<execution_id>/checkpoints", "listCheckpoints", "Snapshots kept", A.Items)
    def checkpoints(execution_id: str) -> dict[str, Any]:
        return operator().checkpoints(request.identifier(execution_id, "execution"))

    @app.get(
        "/executions/<execution_id>/checkpoints/<version>",
        "getCheckpoint",
        "One snapshot",
        A.Checkpoint,
    )
    def checkpoint(execution_id: str, version: str) -> dict[str, Any]:
        number = request.number(version, "a checkpoint version", 1, 10**9)
        return operator().checkpoint(request.identifier(execution_id, "execution"), number)


def _wait_routes(app: _Routes, request: Request, waits: Callable[[], Waits]) -> None:
    """Task callbacks, approvals and events: what ends a Task that waits for the outside."""

    @app.post(
        "/tasks/success",
        "sendTaskSuccess",
        "Complete a callback task",
        A.Done,
        body=TaskSuccessBody,
    )
    def task_success() -> dict[str, Any]:
        body = parse(TaskSuccessBody, request.body())
        waits().task_succeeded(body.task_token, body.output)
        return {}

    @app.post(
        "/tasks/failure", "sendTaskFailure", "Fail a callback task", A.Done, body=TaskFailureBody
    )
    def task_failure() -> dict[str, Any]:
        body = parse(TaskFailureBody, request.body())
        waits().task_failed(body.task_token, body.error, body.cause)
        return {}

    @app.post(
        "/tasks/heartbeat",
        "sendTaskHeartbeat",
        "A callback task is still being worked on",
        A.Done,
        body=TaskHeartbeatBody,
    )
    def task_heartbeat() -> dict[str, Any]:
        body = parse(TaskHeartbeatBody, request.body())
        waits().heartbeat(body.task_token)
        return {}

    @app.get("/approvals", "listApprovals", "Approvals newest first", A.Items, query=APPROVAL_QUERY)
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

    @app.post(
        "/approvals/<approval_id>/approve",
        "approve",
        "Approve: the task succeeds",
        A.Approval,
        body=DecisionBody,
        body_required=False,
    )
    def approve(approval_id: str) -> dict[str, Any]:
        return decide(approval_id, True)

    @app.post(
        "/approvals/<approval_id>/reject",
        "reject",
        "Reject: the task fails with Segue.ApprovalRejected",
        A.Approval,
        body=DecisionBody,
        body_required=False,
    )
    def reject(approval_id: str) -> dict[str, Any]:
        return decide(approval_id, False)

    @app.post(
        "/events",
        "sendEvent",
        "An external event for the executions waiting on (name, key)",
        A.EventTaken,
        status=202,
        body=EventBody,
    )
    def send_event() -> Response[Any]:
        body = parse(EventBody, request.body())
        event_id = body.id or uuid.uuid4().hex
        delivered = waits().publish(body.name, body.key, body.payload, event_id)
        return _json(202, {"eventId": event_id, "delivered": delivered})


def _dead_letter_routes(app: _Routes, request: Request, service: Callable[[], DeadLetters]) -> None:
    @app.get(
        "/dead-letters/<queue>",
        "listDeadLetters",
        "Messages in a dead-letter queue (work or events)",
        A.DeadLetters,
        query=(LIMIT_100,),
    )
    def dead_letters(queue: str) -> dict[str, Any]:
        return service().show(
            request.identifier(queue, "dead-letter queue"), request.query_int("limit", 100, 1, 100)
        )

    @app.post(
        "/dead-letters/<queue>/redrive",
        "redriveDeadLetters",
        "Send dead letters back to their queue",
        A.Redriven,
        body=RedriveBody,
        body_required=False,
    )
    def redrive_dead_letters(queue: str) -> dict[str, Any]:
        body = parse(RedriveBody, request.body(), optional=True)
        return service().redrive(request.identifier(queue, "dead-letter queue"), body.message_ids)


def _step_functions_route(app: _Routes, request: Request) -> None:
    """The Step Functions API (AWS JSON 1.0) on the same endpoint: `POST /`."""

    @app.post(
        "/",
        "stepFunctions",
        "The Step Functions API (AWS JSON 1.0, X-Amz-Target names the operation)",
        A.AwsJsonAnswer,
        body=A.AwsJsonAnswer,
        media_type=AWS_JSON,
    )
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
