"""How long each function's handler takes to import: the part of a cold start that is ours.

Each handler module is imported `--runs` times, each time in a fresh Python process
and timed there; the table gives the median, and for that run the four packages whose
modules took longest to import (`python -X importtime`, their own time summed).

Two ways, as the bytecode is found: everything compiled (cached by a first run, kept
in a temporary `PYTHONPYCACHEPREFIX`), as the layer ships it (layers/segue/Makefile),
and segue's own modules compiled at every start, as a layer of bare sources would make
Lambda do (the layer's files are read-only, so nothing is cached). A last row gives the floor: the
libraries every handler imports (boto3, Powertools' logger and batch, pydantic) alone.

    make bench-cold   # or: uv run python -m bench.cold_start --runs 7
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS = ("api", "worker", "sweeper", "events", "timer")
FLOOR = "boto3, aws_lambda_powertools.logging, aws_lambda_powertools.utilities.batch, pydantic"
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def imports(function: str, env: dict[str, str]) -> tuple[float, dict[str, int]]:
    """One fresh import of the function's `app` (or of the FLOOR libraries): its
    milliseconds (timed inside the process, without `-X importtime`, which slows
    imports), then the microseconds spent in each package (segue's by subpackage) in a
    second process that runs with it."""
    folder = REPO / "functions" / function
    setup = f"import sys, time; sys.path.insert(0, {str(folder)!r}); start = time.perf_counter()"
    load = f"import {FLOOR}" if function == "floor" else "import app"
    timed = f"{setup}; {load}; print((time.perf_counter() - start) * 1000)"

    def python(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, *args]
        return subprocess.run(
            command, capture_output=True, text=True, check=True, cwd=REPO, env=env
        )

    plain = python("-c", timed)
    answer = python("-X", "importtime", "-c", f"{setup}; {load}")
    groups: dict[str, int] = {}
    for match in filter(None, map(_LINE.match, answer.stderr.splitlines())):
        group = _group(match[4])
        groups[group] = groups.get(group, 0) + int(match[1])  # self time, so none twice
    return float(plain.stdout), groups


def _group(module: str) -> str:
    """`segue.asl.models` is segue.asl; `botocore.client` is botocore."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "segue" else parts[0]


def environments(cache: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(everything compiled, segue's own modules compiled at each start): bytecode cached
    under `cache` by one run of each handler, then a copy without segue's, read only."""
    compiled = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    compiled["PYTHONPYCACHEPREFIX"] = str(cache / "all")
    for function in (*FUNCTIONS, "floor"):
        imports(function, compiled)
    segue = (REPO / "layers" / "segue").resolve()
    shutil.copytree(cache / "all", cache / "libraries")
    shutil.rmtree(cache / "libraries" / segue.relative_to(segue.anchor))
    sources = compiled | {"PYTHONDONTWRITEBYTECODE": "1"}
    return compiled, sources | {"PYTHONPYCACHEPREFIX": str(cache / "libraries")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as cache:
        compiled, sources = environments(Path(cache))
        print(f"{'function':<10} {'compiled ms':>11} {'segue from source ms':>20}  heaviest (ms)")
        for function in (*FUNCTIONS, "floor"):
            medians = []
            for env in (compiled, sources):
                runs = sorted(
                    (imports(function, env) for _ in range(args.runs)), key=lambda r: r[0]
                )
                median, packages = runs[len(runs) // 2]
                medians.append(median)
            parts = sorted(((v, k) for k, v in packages.items() if k != "app"), reverse=True)[:4]
            heaviest = ", ".join(f"{name} {micros / 1000:.0f}" for micros, name in parts)
            print(f"{function:<10} {medians[0]:>11.0f} {medians[1]:>20.0f}  {heaviest}")
    print(f"floor: {FLOOR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
