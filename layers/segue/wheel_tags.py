"""Refuse a layer holding a wheel that Lambda's python3.11 (glibc 2.26) cannot load.

python wheel_tags.py DIRECTORY ARCH GLIBC   # the layer's python/; aarch64; 2.26
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

LEGACY = {"manylinux2014": (2, 17), "manylinux2010": (2, 12), "manylinux1": (2, 5)}


def loads(platform: str, arch: str, glibc: tuple[int, int]) -> bool:
    """Whether a wheel of this platform tag runs on `arch` with this glibc."""
    if platform == "any":
        return True
    found = re.fullmatch(rf"manylinux_(\d+)_(\d+)_{arch}", platform)
    if found:
        return (int(found[1]), int(found[2])) <= glibc
    legacy = platform.removesuffix(f"_{arch}")
    return legacy != platform and LEGACY.get(legacy, (99, 0)) <= glibc


def refused(directory: Path, arch: str, glibc: tuple[int, int]) -> list[str]:
    """The distributions under `directory` none of whose tags loads there."""
    bad = []
    for wheel in sorted(directory.glob("*.dist-info/WHEEL")):
        lines = wheel.read_text().splitlines()
        platforms = [line.rsplit("-", 1)[-1] for line in lines if line.startswith("Tag:")]
        if not any(loads(p, arch, glibc) for p in platforms):
            bad.append(f"{wheel.parent.name}: {', '.join(platforms) or 'no tag'}")
    return bad


if __name__ == "__main__":
    major, minor = sys.argv[3].split(".")
    problems = refused(Path(sys.argv[1]), sys.argv[2], (int(major), int(minor)))
    for problem in problems:
        print(f"{sys.argv[2]} with glibc {sys.argv[3]} cannot load {problem}", file=sys.stderr)
    sys.exit(1 if problems else 0)
