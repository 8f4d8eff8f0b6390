"""How long each function's handler takes to import: the part of a cold start that is ours.

Each handler module is imported `--runs` times, each time in a fresh Python process
and timed there; the table gives the median, and for that run the four packages whose
modules took longest to import (`python -X importtime`, their own time summed).

    make bench-cold   # or: uv run python -m bench.cold_start --runs 7
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS = ("api", "worker", "sweeper", "events", "timer")
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def imports(function: str) -> tuple[float, dict[str, int]]:
    """One fresh import of the function's `app`: its milliseconds (timed inside the process,
    without `-X importtime`, which slows imports), then the microseconds spent in each
    package (segue's by subpackage) in a second process that runs with it."""
    folder = REPO / "functions" / function
    setup = f"import sys, time; sys.path.insert(0, {str(folder)!r}); start = time.perf_counter()"
    timed = setup + "; import app; print((time.perf_counter() - start) * 1000)"
    plain = subprocess.run(
        [sys.executable, "-c", timed], capture_output=True, text=True, check=True, cwd=REPO
    )
    answer = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", setup + "; import app"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    groups: dict[str, int] = {}
    for match in filter(None, map(_LINE.match, answer.stderr.splitlines())):
        group = _group(match[4])
        groups[group] = groups.get(group, 0) + int(match[1])  # self time, so none twice
    return float(plain.stdout), groups


def _group(module: str) -> str:
    """`segue.asl.models` is segue.asl; `botocore.client` is botocore."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "segue" else parts[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"{'function':<10} {'import ms (median)':>19}  heaviest (ms)")
    for function in FUNCTIONS:
        runs = sorted((imports(function) for _ in range(args.runs)), key=lambda r: r[0])
        median, packages = runs[len(runs) // 2]
        parts = sorted(((v, k) for k, v in packages.items() if k != "app"), reverse=True)[:4]
        heaviest = ", ".join(f"{name} {micros / 1000:.0f}" for micros, name in parts)
        print(f"{function:<10} {median:>19.0f}  {heaviest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
