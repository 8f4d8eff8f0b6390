"""The engine layer as `sam build` makes it: wheels Lambda's python3.11 can load, the
locked versions, and bytecode that a cold start uses instead of compiling the sources."""

from __future__ import annotations

import os
import shlex
import struct
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.contract.test_template import SAM_CLI
from tests.localstack import REPO

if TYPE_CHECKING:
    from pathlib import Path

LAYER = REPO / "layers" / "segue"
FUNCTIONS = sorted(p.parent for p in (REPO / "functions").glob("*/app.py"))
AARCH64 = 0xB7  # e_machine of an ELF file for arm64
UNCHECKED_HASH = 0b01  # a .pyc's flags: hash-based, source not checked

pytestmark = pytest.mark.xdist_group("layer")


def uv() -> list[str]:
    return shlex.split(os.environ.get("SEGUE_UV", "")) or ["python3", "-m", "uv"]  # the Makefile's


def run(command: list[str], **options: object) -> str:
    answer = subprocess.run(command, capture_output=True, text=True, timeout=900, **options)  # type: ignore[call-overload]
    assert answer.returncode == 0, (answer.stdout + answer.stderr)[-3000:]
    return str(answer.stdout)


def layer_environment() -> dict[str, str]:
    return os.environ | {
        "UV": shlex.join(uv()),
        "SAM_CLI_TELEMETRY": "0",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def test_the_layer_holds_the_locked_versions_of_the_runtime_dependencies():
    exported = run(
        [*uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes"]
        + ["--no-header", "--no-annotate"],
        cwd=REPO,
    )
    assert (LAYER / "requirements.txt").read_text() == exported, "make it: uv export ... > it"


def test_sam_build_makes_a_layer_of_arm64_wheels_and_unchecked_bytecode(tmp_path: Path):
    build = tmp_path / "build"
    run(
        [*uv(), "tool", "run", "--from", SAM_CLI, "sam", "build", "EngineLayer"]
        + ["--build-dir", str(build)],
        cwd=REPO,
        env=layer_environment(),
    )
    python = build / "EngineLayer" / "python"
    libraries = sorted(python.glob("*/*.cpython-311-*.so"))
    assert {p.parent.name for p in libraries} >= {"re2", "pydantic_core"}
    for library in libraries:
        header = library.read_bytes()[:20]
        assert header[:4] == b"\x7fELF" and struct.unpack("<H", header[18:20])[0] == AARCH64
    sources = sorted((python / "segue").rglob("*.py"))
    assert len(sources) > 100
    for source in sources:
        compiled = source.parent / "__pycache__" / f"{source.stem}.cpython-311.pyc"
        (flags,) = struct.unpack("<I", compiled.read_bytes()[4:8])
        assert flags == UNCHECKED_HASH, compiled


def test_every_handler_imports_from_the_layer_alone_without_compiling_a_module(tmp_path: Path):
    """Built for this machine's architecture so that it loads here; the sources' times are
    changed, as a zip may, and nothing of the layer is compiled all the same."""
    artifacts = tmp_path / "layer"
    version = os.confstr("CS_GNU_LIBC_VERSION") or ""  # "glibc 2.36"
    glibc = ".".join(version.split()[-1].split(".")[:2])
    make = ["make", "-s", "-C", str(LAYER), "build-EngineLayer", f"ARTIFACTS_DIR={artifacts}"]
    run([*make, f"ARCH={os.uname().machine}", f"GLIBC={glibc}"], env=layer_environment())
    python = artifacts / "python"
    for source in python.rglob("*.py"):
        os.utime(source, (946684800, 946684800))
    probe = (
        "import sys\n"
        "layer, function = sys.argv[1:]\n"
        "compiled = []\n"
        "sys.addaudithook(lambda event, args: event == 'compile' and isinstance(args[1], str)"
        " and args[1].startswith(layer) and compiled.append(args[1]))\n"
        "sys.path[:0] = [layer, function]\n"
        "import app\n"
        "print(len(compiled), compiled[:3])\n"
    )
    for function in FUNCTIONS:
        # -I -S: none of this machine's site-packages, only the layer and the function
        out = run(
            [sys.executable, "-I", "-S", "-c", probe, str(python), str(function)],
            cwd=tmp_path,
            env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": os.environ["PATH"]},
        )
        assert out.startswith("0 "), (function.name, out)
