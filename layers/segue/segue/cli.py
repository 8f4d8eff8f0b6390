"""The `segue` command line: readable tables by default, `--json` for scripts."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segue.asl import StateMachine, diagnose
from segue.asl.bounds import JsonTextError, read_json
from segue.client import ApiError, Client
from segue.tasks.functions import function_entry, load_handler
from segue.tasks.permissions import task_actions

if TYPE_CHECKING:
    from collections.abc import Sequence

FINISHED = {"SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"}


class UsageError(Exception):
    """The command line itself is wrong (exit 2)."""


def validate(path: Path) -> int:
    """Print one `PATH: CODE: message` line per problem; 1 when there is any, else 0."""
    _, diagnostics = diagnose(_read(path))
    for diagnostic in diagnostics:
        print(diagnostic)
    return 1 if diagnostics else 0


def permissions(path: Path) -> int:
    """Print the IAM actions the definition's Task states need, one per line, sorted."""
    definition, diagnostics = diagnose(_read(path))
    if diagnostics or definition is None:
        return validate(path)
    machine = StateMachine.from_definition(definition)
    needed = sorted({action for actions in task_actions(machine).values() for action in actions})
    for action in needed:
        print(action)
    return 0


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc


def _document(text: str | None) -> Any:
    """A JSON argument, or `@file` for one read from a file."""
    if text is None:
        return {}
    if text.startswith("@"):
        return _json_file(Path(text[1:]))
    return _parsed(text, "the argument")


def _json_file(path: Path) -> Any:
    return _parsed(_read(path), str(path))


def _parsed(text: str | bytes, what: str) -> Any:
    try:
        return read_json(text, what)
    except JsonTextError as exc:
        raise UsageError(str(exc)) from exc


def _show(args: argparse.Namespace, document: Any, table: list[str] | None = None) -> None:
    if args.json or table is None:
        print(json.dumps(document, indent=2))
    else:
        print("\n".join(table))


def _name_of(path: Path) -> str:
    return path.name.removesuffix(".json").removesuffix(".asl")


# Commands --------------------------------------------------------------------------------------


def _deploy(args: argparse.Namespace, client: Client) -> int:
    definition = _json_file(args.file)
    answer = client.call(
        "POST",
        "/state-machines",
        {"name": args.name or _name_of(args.file), "definition": definition},
    )
    _show(args, answer, [f"{answer['name']} revision {answer['revision']}"])
    return 0


def _start(args: argparse.Namespace, client: Client) -> int:
    body = {"stateMachine": args.state_machine, "input": _document(args.input)}
    if args.name:
        body["name"] = args.name
    if args.pause_before:
        body["pauseBefore"] = args.pause_before
    answer = client.call("POST", "/executions", body)
    if not args.wait:
        _show(args, answer, [f"{answer['executionId']}  {answer['status']}"])
        return 0
    return _follow(args, client, answer["executionId"], quiet=True)


def _run(args: argparse.Namespace, client: Client) -> int:
    if validate(args.file):
        return 1
    name = _name_of(args.file)
    client.call("POST", "/state-machines", {"name": name, "definition": _json_file(args.file)})
    body = {"stateMachine": name, "input": _document(args.input)}
    answer = client.call("POST", "/executions", body)
    if not args.json:
        print(f"started {answer['executionId']}")
    return _follow(args, client, answer["executionId"], quiet=args.json)


def _follow(args: argparse.Namespace, client: Client, execution_id: str, quiet: bool) -> int:
    """Print each state as it completes, then the outcome; 0 only for SUCCEEDED."""
    path = f"/executions/{execution_id}"
    after = 1
    while True:
        document = client.call("GET", path)
        while True:
            page = client.call("GET", path + "/history", query={"after": str(after - 1)})
            for event in page["events"]:
                if not quiet and event["type"] == "StateExited":
                    print(f"  {event['state']:<24} {_short(event['details'].get('output'))}")
                after = event["seq"] + 1
            if page["nextToken"] is None:
                break
        if document["status"] in FINISHED:
            break
        time.sleep(0.2)
    result = {k: document.get(k) for k in ("executionId", "status", "output", "error", "cause")}
    lines = [f"{document['status']}  {execution_id}"]
    if "output" in document:
        lines.append(json.dumps(document["output"], indent=2))
    if document.get("error"):
        lines.append(f"error: {document['error']}: {document.get('cause')}")
    _show(args, {k: v for k, v in result.items() if v is not None}, lines)
    return 0 if document["status"] == "SUCCEEDED" else 1


def _short(value: Any, width: int = 60) -> str:
    text = json.dumps(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _list(args: argparse.Namespace, client: Client) -> int:
    query = {"status": args.status, "stateMachine": args.state_machine, "limit": args.limit}
    answer = client.call("GET", "/executions", query=query)
    rows = [f"{i['executionId']:<50} {i['status']:<10} {i['createdAt']}" for i in answer["items"]]
    _show(args, answer, rows or ["no executions"])
    return 0


def _describe(args: argparse.Namespace, client: Client) -> int:
    document = client.call("GET", f"/executions/{args.execution_id}")
    version = document["checkpoint"]["version"]
    current = (f"{s['name']} [{s['status']}]" for s in document["currentStates"])
    lines = [
        f"{document['executionId']}  {document['status']}  (version {version})",
        *_pause_lines(document.get("pause")),
        "current:   " + ", ".join(current),
        "completed: " + ", ".join(s["name"] for s in document["completedStates"]),
        "pending:   " + ", ".join(document["pendingStates"]),
        "variables: " + json.dumps(document["variables"]),
        *(f"waits:     {_wait_line(w)}" for w in document.get("waits", [])),
        *(f"parent:    {p['executionId']}" for p in [document.get("parent")] if p),
        *(
            f"child:     {c['executionId']} {c['status']} (from {c['state']})"
            for c in document.get("children", [])
        ),
        *(f"map run:   {_map_run_line(r)}" for r in document.get("mapRuns", [])),
    ]
    if "output" in document:
        lines.append("output:    " + json.dumps(document["output"]))
    if document.get("error"):
        lines.append(f"error:     {document['error']}: {document.get('cause')}")
    _show(args, document, lines)
    return 0


def _map_run_line(run: dict[str, Any]) -> str:
    """One map run: its state and status, and its items by how far they have got."""
    items = run["items"]
    counts = ", ".join(
        f"{items[k]} {k}" for k in ("pending", "running", "succeeded", "failed", "aborted")
    )
    paused = " paused" if run.get("paused") else ""
    return f"{run['state']} {run['status']}{paused}: {items['total']} items ({counts})"


def _wait_line(wait: dict[str, Any]) -> str:
    """One wait: what for, in which state, and until when."""
    what = {"approval": wait.get("key"), "event": f"{wait.get('name')} {wait.get('key')}"}
    line = f"{wait['kind']} {what.get(wait['kind']) or ''} in {wait['state']}".replace("  ", " ")
    return line + (f" (due {wait['dueAt']})" if wait.get("dueAt") else "")


def _pause_lines(pause: dict[str, Any] | None) -> list[str]:
    if not pause:
        return []
    line = f"pause:     by {pause['by']} at {pause['requestedAt']}: {pause['reason'] or '-'}"
    if pause.get("autoResumeAt"):
        line += f" (resumes by itself at {pause['autoResumeAt']})"
    return [line]


def _history(args: argparse.Namespace, client: Client) -> int:
    events: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = client.call(
            "GET", f"/executions/{args.execution_id}/history", query={"nextToken": token}
        )
        events += page["events"]
        token = page["nextToken"]
        if token is None:
            break
    rows = [
        f"{e['seq']:>5}  {e['timestamp']}  {e['type']:<20} {e.get('state') or ''}" for e in events
    ]
    _show(args, {"events": events}, rows)
    return 0


def _operate(args: argparse.Namespace, client: Client) -> int:
    """pause, resume, cancel or redrive: one POST, then the status it left."""
    body: dict[str, Any] = {}
    if getattr(args, "reason", None):
        body["reason"] = args.reason
    if getattr(args, "data", None):
        body["data"] = _document(args.data)
    if getattr(args, "pause_before", None) is not None:
        body["pauseBefore"] = args.pause_before
    answer = client.call("POST", f"/executions/{args.execution_id}/{args.command}", body)
    _show(args, answer, [f"{args.execution_id}  {answer['status']}"])
    return 0


def _checkpoints(args: argparse.Namespace, client: Client) -> int:
    answer = client.call("GET", f"/executions/{args.execution_id}/checkpoints")
    rows = [
        f"{c['version']:>6}  {c['at']}  {c['status']:<10} {c['reason']:<10}"
        + ("  latest" if c["latest"] else "")
        for c in answer["items"]
    ]
    _show(args, answer, rows)
    return 0


def _approvals(args: argparse.Namespace, client: Client) -> int:
    answer = client.call("GET", "/approvals", query={"status": args.status})
    rows = [
        f"{a['approvalId']}  {a['status']:<9} {a['executionId']}  {a['state']}  {a['message']}"
        for a in answer["items"]
    ]
    _show(args, answer, rows or ["no approvals"])
    return 0


def _decide(args: argparse.Namespace, client: Client) -> int:
    """approve or reject: the decision, recorded with the comment and data given."""
    body: dict[str, Any] = {"comment": args.comment or ""}
    if args.data:
        body["data"] = _document(args.data)
    answer = client.call("POST", f"/approvals/{args.approval_id}/{args.command}", body)
    _show(args, answer, [f"{answer['approvalId']}  {answer['status']}"])
    return 0


def _send_event(args: argparse.Namespace, client: Client) -> int:
    body: dict[str, Any] = {"name": args.name, "key": args.key}
    if args.payload:
        body["payload"] = _document(args.payload)
    answer = client.call("POST", "/events", body)
    _show(args, answer, [f"event {answer['eventId']}: delivered to {answer['delivered']} wait(s)"])
    return 0


def _dev(args: argparse.Namespace, client: Client) -> int:
    from segue.local.stack import DevOptions, run_dev

    _check_functions(args.functions)
    if args.flags is not None:
        from segue.service.rollout import check_flags_file

        try:
            check_flags_file(args.flags)
        except ValueError as refused:
            raise UsageError(f"--flags: {refused}") from refused
        os.environ["SEGUE_FLAGS_FILE"] = str(args.flags.resolve())
    options = DevOptions(
        template=args.template,
        port=args.port,
        aws_port=args.aws_port,
        workers=args.workers,
        functions=tuple(args.functions),
        cron_seconds=args.cron_seconds,
    )
    return run_dev(options)


def _check_functions(entries: list[str]) -> None:
    """Each `NAME=module:callable` loads, now, rather than fail its first task later."""
    if os.getcwd() not in sys.path:  # the user's modules live in their project, as for dev
        sys.path.insert(0, os.getcwd())
    for entry in entries:
        try:
            name, spec = function_entry(entry)
        except ValueError as malformed:
            raise UsageError(str(malformed)) from malformed
        try:
            load_handler(spec)
        except Exception as error:  # any import-time failure of the user's code
            raise UsageError(
                f"the function {name} cannot be loaded from {spec}: {type(error).__name__}: {error}"
            ) from error


def _console(args: argparse.Namespace, client: Client) -> int:
    """Serve the console on 127.0.0.1, signing its calls to the API at `--endpoint`."""
    import signal
    import threading

    from segue.console.proxy import serve_console

    server = serve_console(client.endpoint, args.port)
    print(f"segue console: http://127.0.0.1:{args.port}/console/ -> {client.endpoint}", flush=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    server.shutdown()
    return 0


# The parser ------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="segue", description="Durable, pausable ASL workflows.")
    parser.add_argument("--endpoint", help="the API (default $SEGUE_ENDPOINT or the local stack)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("validate", help="check a state machine definition")
    check.add_argument("file", type=Path)
    check.set_defaults(run=lambda args, client: validate(args.file))

    iam = commands.add_parser(
        "permissions", help="the IAM actions a definition's tasks need (for TaskActions)"
    )
    iam.add_argument("file", type=Path)
    iam.set_defaults(run=lambda args, client: permissions(args.file))

    dev = commands.add_parser("dev", help="run the local stack")
    dev.add_argument("--port", type=int, default=8321)
    dev.add_argument("--aws-port", type=int, default=5000)
    dev.add_argument("--workers", type=int, default=2)
    dev.add_argument(
        "--functions",
        nargs="*",
        action="extend",  # `--functions A=m:f --functions B=m:g` keeps both
        default=[],
        metavar="NAME=module:callable",
    )
    dev.add_argument("--template", type=Path, default=Path("template.yaml"))
    dev.add_argument(
        "--cron-seconds", type=float, help="run the sweeper this often (default: its rate)"
    )
    dev.add_argument(
        "--flags",
        type=Path,
        metavar="FILE",
        help="the rollout flag's rules (Powertools Feature Flags JSON; default: all on)",
    )
    dev.set_defaults(run=_dev)

    console = commands.add_parser("console", help="serve the console for a deployed stack")
    console.add_argument("--endpoint", default=argparse.SUPPRESS, help="the API's URL (ApiUrl)")
    console.add_argument("--port", type=int, default=8322)
    console.set_defaults(run=_console)

    deploy = commands.add_parser("deploy-definition", help="register a definition")
    deploy.add_argument("file", type=Path)
    deploy.add_argument("--name")
    deploy.set_defaults(run=_deploy)

    start = commands.add_parser("start", help="start an execution")
    start.add_argument("state_machine", metavar="NAME")
    start.add_argument("--input", help="JSON, or @file")
    start.add_argument("--name")
    start.add_argument("--wait", action="store_true", help="wait for the end")
    start.add_argument("--pause-before", nargs="+", metavar="STATE", help="breakpoints")
    start.set_defaults(run=_start)

    run = commands.add_parser("run", help="validate, register, start and follow")
    run.add_argument("file", type=Path)
    run.add_argument("--input", help="JSON, or @file")
    run.set_defaults(run=_run)

    listing = commands.add_parser("list", help="list executions")
    listing.add_argument("--status")
    listing.add_argument("--state-machine")
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(run=_list)

    for name, function in (
        ("describe", _describe),
        ("history", _history),
        ("checkpoints", _checkpoints),
        ("pause", _operate),
        ("resume", _operate),
        ("cancel", _operate),
        ("redrive", _operate),
    ):
        command = commands.add_parser(name, help=f"{name} an execution")
        command.add_argument("execution_id", metavar="ID")
        if name in ("pause", "resume", "cancel"):
            command.add_argument("--reason", help="recorded in the history")
        if name == "resume":
            command.add_argument("--data", help="JSON object merged into the variables")
            command.add_argument(
                "--pause-before", nargs="*", metavar="STATE", help="new breakpoints"
            )
        command.set_defaults(run=function)
    _wait_commands(commands)
    _dlq_commands(commands)
    return parser


def _wait_commands(commands: Any) -> None:
    approvals = commands.add_parser("approvals", help="list approvals")
    approvals.add_argument("--status", default="PENDING", help="PENDING (default), APPROVED, ...")
    approvals.set_defaults(run=_approvals)
    for name in ("approve", "reject"):
        decide = commands.add_parser(name, help=f"{name} a pending approval")
        decide.add_argument("approval_id", metavar="ID")
        decide.add_argument("--comment")
        decide.add_argument("--data", help="JSON, or @file (given to the task)")
        decide.set_defaults(run=_decide)
    event = commands.add_parser("send-event", help="send an external event")
    event.add_argument("name", metavar="NAME")
    event.add_argument("key", metavar="KEY")
    event.add_argument("--payload", help="JSON, or @file")
    event.set_defaults(run=_send_event)


def _dlq_commands(commands: Any) -> None:
    dlq = commands.add_parser("dlq", help="dead letters: messages that failed too often")
    actions = dlq.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="show the dead letters of a queue")
    listing.add_argument("--queue", default="work", choices=["work", "events"])
    listing.add_argument("--limit", type=int, default=100)
    listing.set_defaults(run=_dlq_list)
    redrive = actions.add_parser("redrive", help="send dead letters back to their queue")
    redrive.add_argument("--queue", default="work", choices=["work", "events"])
    redrive.add_argument("message_ids", nargs="*", metavar="ID", help="only these (default: all)")
    redrive.set_defaults(run=_dlq_redrive)


def _dlq_list(args: argparse.Namespace, client: Client) -> int:
    answer = client.call("GET", f"/dead-letters/{args.queue}", query={"limit": str(args.limit)})
    rows = [
        f"{m['messageId']}  {m['sentAt']}  received {m['receiveCount']}x  {m['body'][:120]}"
        for m in answer["items"]
    ]
    _show(args, answer, rows or [f"no dead letters on {args.queue}"])
    return 0


def _dlq_redrive(args: argparse.Namespace, client: Client) -> int:
    body = {"messageIds": args.message_ids} if args.message_ids else {}
    answer = client.call("POST", f"/dead-letters/{args.queue}/redrive", body)
    rows = [f"{answer['redriven']} message(s) sent back to {args.queue}"]
    rows += [f"not found: {m}" for m in answer["notFound"]]
    _show(args, answer, rows)
    return 0 if not answer["notFound"] else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `segue` script."""
    args = _parser().parse_args(argv)
    try:
        result: int = args.run(args, Client(args.endpoint))
        sys.stdout.flush()  # here, where a reader gone away is caught, not at exit
    except UsageError as error:
        print(f"segue {args.command}: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`segue describe ID | head -3`): not an error
        _quiet_stdout()
        return 0
    except ApiError as error:
        print(f"segue {args.command}: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"segue {args.command}: cannot reach the API: {error}", file=sys.stderr)
        return 1
    return result


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises nothing more."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
