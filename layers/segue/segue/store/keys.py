"""Item keys of the single table. One partition per execution; definitions by name."""

from __future__ import annotations

EXECUTION = "EXECUTION"
STATE_MACHINE = "STATE_MACHINE"


def head(execution_id: str) -> dict[str, str]:
    return {"pk": f"EX#{execution_id}", "sk": "HEAD"}


def page(execution_id: str, seq: int) -> dict[str, str]:
    """A history page, by the seq of its first event (zero-padded so keys sort by seq)."""
    return {"pk": f"EX#{execution_id}", "sk": f"H#{seq:010d}"}


def document(partition: str, digest: str) -> dict[str, str]:
    """A document in its owner's partition (an execution's, a state machine's, an inbox's)."""
    return {"pk": partition, "sk": f"V#{digest}"}


def revision(name: str, number: int) -> dict[str, str]:
    return {"pk": f"SM#{name}", "sk": f"REV#{number:06d}"}


def latest(name: str) -> dict[str, str]:
    return {"pk": f"SM#{name}", "sk": "LATEST"}


def attributes(name: str) -> dict[str, str]:
    """A state machine's attributes for the Step Functions API (role, tags, creation)."""
    return {"pk": f"SM#{name}", "sk": "ATTRIBUTES"}


def snapshot(execution_id: str, version: int) -> dict[str, str]:
    """A copy of the head at `version` (a checkpoint kept aside)."""
    return {"pk": f"EX#{execution_id}", "sk": f"S#{version:010d}"}


def outcome(execution_id: str, token: str, attempt: int) -> dict[str, str]:
    """A callback's result, kept until the task it names takes it (once per attempt)."""
    return {"pk": f"EX#{execution_id}", "sk": f"O#{token}#{attempt:06d}"}


def approval(approval_id: str) -> dict[str, str]:
    return {"pk": f"AP#{approval_id}", "sk": "APPROVAL"}


def _pair(name: str, key: str) -> str:
    """An event's name and correlation key, unambiguously (names may hold any character)."""
    return f"{len(name)}:{name}#{key}"


def waiter(name: str, key: str, execution_id: str, token: str, attempt: int) -> dict[str, str]:
    """One wait for the event (name, key): all of a pair's waits share a partition."""
    return {"pk": f"EW#{_pair(name, key)}", "sk": f"{execution_id}#{token}#{attempt:06d}"}


def inbox(name: str, key: str, event_id: str) -> dict[str, str]:
    """An event kept until a wait takes it (or its time in the inbox runs out)."""
    return {"pk": f"EI#{_pair(name, key)}", "sk": f"E#{event_id}"}


APPROVAL = "APPROVAL"


def secret(name: str) -> dict[str, str]:
    """A random value of the stack's own (never expires, in no index)."""
    return {"pk": "SECRET", "sk": name}
