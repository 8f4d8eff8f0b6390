"""The `timer` function: EventBridge Scheduler calls it when a schedule is due."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from segue.service.schedules import fire
from segue.service.wiring import services
from segue.store.timers import parse_timer_event

logger = Logger()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Auto-resume the pause, or send the token's work message, that the schedule names."""
    return fire(services(), parse_timer_event(event))
