"""The `api` function: segue's HTTP API behind API Gateway (REST, IAM auth).

Only GET /health is served so far; the routes of API.md arrive with durable execution.
"""

from __future__ import annotations

import json
from typing import Any


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """API Gateway proxy event in, proxy response out."""
    if event.get("httpMethod") == "GET" and event.get("path") == "/health":
        return _json(200, {"status": "ok"})
    return _json(404, {"error": "NotFound", "message": f"no route for {event.get('path')}"})


def _json(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
