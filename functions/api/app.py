"""The `api` function: segue's HTTP API behind API Gateway (REST, IAM auth)."""

from __future__ import annotations

from typing import Any

from segue.http.routes import build_api
from segue.telemetry.handlers import observed

api = build_api()


@observed
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """API Gateway proxy event in, proxy response out."""
    return api(event, context)
