"""`segue validate FILE`: one `PATH: CODE: message` line per problem; the exit code says valid."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from segue.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_valid_definition_prints_nothing_and_exits_0(tmp_path, capsys):
    path = tmp_path / "ok.asl.json"
    path.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_invalid_definition_prints_each_problem_and_exits_1(tmp_path, capsys):
    path = tmp_path / "bad.asl.json"
    path.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}))
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "/States/A: MISSING_END_STATE: no path from 'A' reaches an end",
        "/States/A/Next: MISSING_TRANSITION_TARGET: there is no state 'B' here",
    ]


def test_unreadable_file_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_installed_command_runs():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "segue.cli",
            "validate",
            str(REPO / "statemachine" / "order.asl.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "")
