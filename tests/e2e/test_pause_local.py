"""Pause and resume on the local stack: several client processes, killed workers, schedules."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from tests.localstack import REPO

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


def register(stack, name: str, states: dict, start: str) -> None:
    definition = {"StartAt": start, "States": states}
    stack.client.call("POST", "/state-machines", {"name": name, "definition": definition})


def start(stack, machine: str, name: str, input: dict, **extra) -> str:
    body = {"stateMachine": machine, "name": name, "input": input, **extra}
    return str(stack.client.call("POST", "/executions", body)["executionId"])


CALLER = """
import sys, time, urllib.request, urllib.error
url, at = sys.argv[1], float(sys.argv[2])
time.sleep(max(0.0, at - time.time()))
request = urllib.request.Request(url, data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=30) as answer:
        print(answer.status)
except urllib.error.HTTPError as error:
    print(error.code)
"""


def test_concurrent_resumes_from_many_processes_one_wins_and_the_next_state_runs_once(
    local_stack,
):
    states = {
        "A": {"Type": "Task", "Resource": LAMBDA + "add_one", "Next": "B"},
        "B": {"Type": "Task", "Resource": LAMBDA + "add_one", "End": True},
    }
    register(local_stack, "race", states, "A")
    execution_id = start(local_stack, "race", "many", {"n": 0}, pauseBefore=["B"])
    local_stack.wait_for_status(execution_id, "PAUSED")

    assert at_once(local_stack, execution_id, "resume", 8) == [200] + [409] * 7

    done = local_stack.wait_for_status(execution_id, "SUCCEEDED")
    assert done["output"] == {"n": 2}
    events = local_stack.client.call("GET", f"/executions/{execution_id}/history")["events"]
    kinds = [(e["type"], e.get("state")) for e in events]
    assert kinds.count(("ExecutionResumed", None)) == 1
    assert kinds.count(("TaskStarted", "B")) == 1


def test_concurrent_pauses_from_many_processes_one_wins(local_stack):
    states = {"Hold": {"Type": "Wait", "Seconds": 3600, "End": True}}
    register(local_stack, "hold", states, "Hold")
    execution_id = start(local_stack, "hold", "many", {})
    local_stack.wait_for_status(execution_id, "WAITING")
    assert at_once(local_stack, execution_id, "pause", 8) == [202] + [409] * 7
    events = local_stack.client.call("GET", f"/executions/{execution_id}/history")["events"]
    assert [e["type"] for e in events].count("PauseRequested") == 1
    local_stack.client.call("POST", f"/executions/{execution_id}/cancel", {})


def at_once(stack, execution_id: str, action: str, count: int) -> list[int]:
    """`count` processes POST `action` at the same moment; their status codes, sorted."""
    url = f"{stack.endpoint}/executions/{execution_id}/{action}"
    at = time.time() + 1.5
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CALLER, url, str(at)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(count)
    ]
    return sorted(int(p.communicate(timeout=60)[0]) for p in processes)


def test_resume_is_taken_by_new_workers_after_the_old_ones_are_killed(local_stack):
    states = {
        "A": {"Type": "Task", "Resource": LAMBDA + "pid", "Next": "B"},
        "B": {"Type": "Task", "Resource": LAMBDA + "pid", "End": True},
    }
    register(local_stack, "workers", states, "A")
    execution_id = start(local_stack, "workers", "killed", {}, pauseBefore=["B"])
    local_stack.wait_for_status(execution_id, "PAUSED")

    old, new = local_stack.restart_workers()
    assert local_stack.wait_for_status(execution_id, "PAUSED")["status"] == "PAUSED"

    local_stack.client.call("POST", f"/executions/{execution_id}/resume", {"reason": "new"})
    done = local_stack.wait_for_status(execution_id, "SUCCEEDED")
    first, second = done["output"]["pids"]
    assert first in old and second in new


def test_auto_resume_fires_on_the_local_stack(local_stack):
    states = {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "Result": "done", "End": True},
    }
    register(local_stack, "auto", states, "A")
    execution_id = start(local_stack, "auto", "soon", {}, pauseBefore=["B"], autoResumeSeconds=1)
    paused = local_stack.wait_for_status(execution_id, "PAUSED", "SUCCEEDED")
    assert paused["status"] == "PAUSED" or paused["pause"] is None
    done = local_stack.wait_for_status(execution_id, "SUCCEEDED", timeout=30)
    assert done["output"] == "done"


def test_pause_resume_cancel_and_checkpoints_through_the_cli(local_stack, tmp_path):
    states = {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "End": True},
    }
    path = tmp_path / "cli.asl.json"
    path.write_text(json.dumps({"StartAt": "A", "States": states}))
    assert local_stack.segue("deploy-definition", str(path), "--name", "clipause").returncode == 0
    started = local_stack.segue(
        "--json", "start", "clipause", "--name", "one", "--pause-before", "B"
    )
    assert started.returncode == 0, started.stderr
    execution_id = json.loads(started.stdout)["executionId"]
    local_stack.wait_for_status(execution_id, "PAUSED")
    described = local_stack.segue("describe", execution_id)
    assert "pause:" in described.stdout and "breakpoint" in described.stdout
    checkpoints = local_stack.segue("checkpoints", execution_id)
    assert "latest" in checkpoints.stdout and "pause" in checkpoints.stdout
    assert local_stack.segue("pause", execution_id).returncode == 1  # already paused: 409
    resumed = local_stack.segue("resume", execution_id, "--data", '{"k": 1}', "--reason", "ok")
    assert resumed.returncode == 0, resumed.stderr
    local_stack.wait_for_status(execution_id, "SUCCEEDED")
    history = local_stack.segue("history", execution_id)
    assert "ExecutionResumed" in history.stdout
    assert local_stack.segue("cancel", execution_id).returncode == 1
    assert REPO.exists()
