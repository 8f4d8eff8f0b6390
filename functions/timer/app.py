"""The `timer` function: EventBridge Scheduler calls it when a schedule is due."""

from __future__ import annotations

from typing import Any

from segue.service.schedules import fire
from segue.service.wiring import services
from segue.store.timers import parse_timer_event
from segue.telemetry.handlers import observed


@observed
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Auto-resume the pause, or send the token's work message, that the schedule names."""
    return fire(services(), parse_timer_event(event))
