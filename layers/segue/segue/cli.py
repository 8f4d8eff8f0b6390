"""The `segue` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from segue.asl import diagnose

if TYPE_CHECKING:
    from collections.abc import Sequence


def validate(path: Path) -> int:
    """Print one `PATH: CODE: message` line per problem; 1 when there is any, else 0."""
    try:
        source = path.read_bytes()
    except OSError as exc:
        print(f"segue validate: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    _, diagnostics = diagnose(source)
    for diagnostic in diagnostics:
        print(diagnostic)
    return 1 if diagnostics else 0


def _dev(_: argparse.Namespace) -> int:
    print(
        "segue dev: the local stack (moto, workers, API) is not built yet; it arrives with "
        "the durable-execution issue (#3). `segue validate FILE` works today.",
        file=sys.stderr,
    )
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="segue", description="Durable, pausable ASL workflows.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check a state machine definition")
    check.add_argument("file", type=Path, help="an ASL definition (JSON)")
    check.set_defaults(run=lambda args: validate(args.file))
    dev = commands.add_parser("dev", help="run the local stack")
    dev.set_defaults(run=_dev)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `segue` script."""
    args = _parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
