"""The `sweeper` function: every minute, moves on executions that are overdue."""

from __future__ import annotations

from typing import Any

from segue.service.sweeper import Sweeper
from segue.service.wiring import services
from segue.telemetry.handlers import observed
from segue.telemetry.logs import logger


@observed
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """One bounded sweep; how many executions it looked at, by what it did."""
    built = services()
    report = Sweeper(built, limit=built.settings.sweep_limit).sweep()
    if report["due"]:  # a quiet minute writes no line
        logger().info("sweep done", extra={"sweep": report})
    return report
