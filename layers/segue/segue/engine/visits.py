"""What the pure interpreter sees of a token: its visit, its context object, its runtime."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from segue.asl import Runtime
from segue.asl.context import ExecutionInfo, context_object
from segue.asl.distributed import resource_of
from segue.asl.outcomes import End, Next, Visit
from segue.asl.timestamps import parse_timestamp, to_datetime
from segue.engine.waits import WaitKind, task_token, wait_kind

if TYPE_CHECKING:
    from datetime import datetime

    from segue.asl import StateMachine
    from segue.engine.head import Head, Token
    from segue.engine.refs import Values

ROOT_ARN = "arn:aws:states:local:000000000000"


def instant(text: str) -> datetime:
    """A timestamp this module wrote, read back."""
    parsed = parse_timestamp(text)
    if parsed is None:
        raise ValueError(f"not a timestamp: {text!r}")
    return to_datetime(parsed)


def execution_info(head: Head, values: Values) -> ExecutionInfo:
    """The execution part of the context object (`$$.Execution`, `$$.StateMachine`)."""
    return ExecutionInfo(
        id=f"{ROOT_ARN}:execution:{head.state_machine}:{head.name}",
        name=head.name,
        input=values(head.input),
        start_time=instant(head.created_at),
        state_machine_id=f"{ROOT_ARN}:stateMachine:{head.state_machine}",
        state_machine_name=head.state_machine,
        trigger=trigger_of(head),
    )


def trigger_of(head: Head) -> dict[str, str] | None:
    """The EventBridge rule and event that started the execution, if one did."""
    if not head.trigger_rule:
        return None
    return {"Rule": head.trigger_rule, "EventId": head.trigger_event}


def visit_of(head: Head, token: Token, values: Values, machine: StateMachine) -> Visit:
    """The pure interpreter's view of one token (with `$$.Task.Token` for a callback task)."""
    state = machine.state(token.state)
    resource = resource_of(state)
    context = context_object(
        execution_info(head, values),
        token.state,
        instant(token.entered_at),
        token.attempt - 1 if hasattr(state, "retry") else None,
        task_token(head, token) if wait_kind(resource) is WaitKind.CALLBACK else None,
    )
    return Visit(
        token.state,
        values(token.input),
        context,
        values(token.vars),
        token.retries,
        token.entered,
    )


def runtime_for(head: Head, token: Token, now: datetime) -> Runtime:
    """Time and a generator seeded by (execution, token, attempt): the same on every re-decide."""
    return Runtime(now, random.Random(f"{head.execution_id}/{token.id}/{token.attempt}"))


def resume_wait(token: Token, values: Values) -> Next | End:
    """What a Wait state goes on to once its time has come."""
    then = values(token.then)
    if "next" in then:
        return Next(then["next"], then["input"], then["assigned"])
    return End(then["end"], then["assigned"])
