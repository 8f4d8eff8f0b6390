"""The `timer` function: EventBridge Scheduler calls it when a schedule is due."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from segue.service.operator import Operator
from segue.service.wiring import services
from segue.store.timers import TimerEvent

logger = Logger()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Auto-resume the paused execution the schedule names, if that pause is still on."""
    timer = TimerEvent.model_validate(event)
    head = Operator(services(), services().clock).auto_resume(timer.execution_id, timer.pause_id)
    return {"executionId": timer.execution_id, "resumed": head is not None}
