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


def test_permissions_lists_the_iam_actions_a_definitions_tasks_need(tmp_path, capsys):
    states = {
        "Get": {"Type": "Task", "Resource": SDK + "s3:getObject", "Next": "Child"},
        "Child": {"Type": "Task", "Resource": SDK + "sfn:startExecution", "Next": "Ask"},
        "Ask": {
            "Type": "Task",
            "Resource": STATES + "sqs:sendMessage.waitForTaskToken",
            "Next": "Call",
        },
        "Call": {"Type": "Task", "Resource": STATES + "http:invoke", "Next": "Fn"},
        "Fn": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": True},
    }
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"StartAt": "Get", "States": states}))
    assert main(["permissions", str(path)]) == 0
    assert capsys.readouterr().out.split() == [
        "events:DescribeConnection",
        "lambda:InvokeFunction",
        "s3:GetObject",
        "secretsmanager:GetSecretValue",
        "sqs:SendMessage",
    ]  # segue's own executions (sfn) need none: they are called in-process


SDK = "arn:aws:states:::aws-sdk:"
STATES = "arn:aws:states:::"


def test_dev_keeps_every_functions_flag_and_refuses_one_that_cannot_load(capsys):
    from segue.cli import _parser

    args = _parser().parse_args(
        ["dev", "--functions", "a=tests.functional.lambdas:echo", "--functions", "b=m:f", "c=m:g"]
    )
    assert args.functions == ["a=tests.functional.lambdas:echo", "b=m:f", "c=m:g"]
    assert (
        main(["dev", "--functions", "ok=tests.functional.lambdas:echo", "bad=no_such_module:f"])
        == 2
    )
    message = capsys.readouterr().err
    assert "the function bad cannot be loaded from no_such_module:f" in message
    assert main(["dev", "--functions", "gone=tests.functional.lambdas:no_such_callable"]) == 2
    assert "gone" in capsys.readouterr().err


def test_a_reader_that_goes_away_is_not_a_network_error(tmp_path):
    states = {f"S{n}": {"Type": "Pass", "End": True} for n in range(3000)}  # 2,999 unreachable
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"StartAt": "S0", "States": states}))
    done = subprocess.run(
        f"{sys.executable} -m segue.cli validate {path} | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert done.stdout.count("\n") == 1
    assert done.stderr == ""  # no "cannot reach the API", no BrokenPipeError


def test_permissions_name_what_a_distributed_maps_reader_and_writer_do(tmp_path, capsys):
    each = {
        "Type": "Map",
        "ItemReader": {"Resource": STATES + "s3:listObjectsV2", "Parameters": {"Bucket": "b"}},
        "ResultWriter": {"Resource": STATES + "s3:putObject", "Parameters": {"Bucket": "b"}},
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Fn",
            "States": {
                "Fn": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                    "End": True,
                }
            },
        },
        "End": True,
    }
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"StartAt": "Each", "States": {"Each": each}}))
    assert main(["permissions", str(path)]) == 0
    assert capsys.readouterr().out.split() == [
        "lambda:InvokeFunction",
        "s3:ListBucket",
        "s3:PutObject",
    ]
