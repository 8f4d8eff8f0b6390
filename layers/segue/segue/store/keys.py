"""Item keys of the single table. One partition per execution; definitions by name."""

from __future__ import annotations

EXECUTION = "EXECUTION"
STATE_MACHINE = "STATE_MACHINE"


def head(execution_id: str) -> dict[str, str]:
    return {"pk": f"EX#{execution_id}", "sk": "HEAD"}


def page(execution_id: str, seq: int) -> dict[str, str]:
    """A history page, by the seq of its first event (zero-padded so keys sort by seq)."""
    return {"pk": f"EX#{execution_id}", "sk": f"H#{seq:010d}"}


def document(execution_id: str, digest: str) -> dict[str, str]:
    return {"pk": f"EX#{execution_id}", "sk": f"V#{digest}"}


def revision(name: str, number: int) -> dict[str, str]:
    return {"pk": f"SM#{name}", "sk": f"REV#{number:06d}"}


def latest(name: str) -> dict[str, str]:
    return {"pk": f"SM#{name}", "sk": "LATEST"}


def snapshot(execution_id: str, version: int) -> dict[str, str]:
    """A copy of the head at `version` (a checkpoint kept aside)."""
    return {"pk": f"EX#{execution_id}", "sk": f"S#{version:010d}"}
