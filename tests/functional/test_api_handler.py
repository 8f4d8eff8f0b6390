"""The api function's handler, driven by the sample event in events/."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def load_handler():
    spec = importlib.util.spec_from_file_location("api_app", REPO / "functions" / "api" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


def sample_event(name: str) -> dict:
    return json.loads((REPO / "events" / name).read_text())


def test_health_answers_ok():
    response = load_handler()(sample_event("api-health.json"), None)
    assert (response["statusCode"], json.loads(response["body"])) == (200, {"status": "ok"})


def test_unknown_route_is_a_404_with_a_message():
    event = {**sample_event("api-health.json"), "path": "/nope"}
    response = load_handler()(event, None)
    assert response["statusCode"] == 404
    assert json.loads(response["body"])["error"] == "NotFound"
