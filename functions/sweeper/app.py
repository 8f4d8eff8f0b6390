"""The `sweeper` function: every minute, moves on executions that are overdue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from segue.service.sweeper import Sweeper
from segue.service.wiring import services

logger = Logger()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """One bounded sweep; how many executions it looked at, by what it did."""
    built = services()
    report = Sweeper(built, limit=built.settings.sweep_limit).sweep()
    logger.info("sweep done", extra=report)
    return report
