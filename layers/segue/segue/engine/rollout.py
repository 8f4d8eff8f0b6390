"""The rollout flag's view of a workflow: its name, tags and how complex it is. Pure.

The flag `enable-workflow-state-management` (Powertools Feature Flags) is evaluated
against `flag_context`, so its rules can enable operator pause and resume, breakpoints,
periodic snapshots and auto-resume for simple workflows first, then complex ones, then
all of them (README, "Rolling out state management").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from segue.asl.models import Map, Parallel, Task, Wait
from segue.engine.waits import wait_kind

if TYPE_CHECKING:
    from collections.abc import Mapping

    from segue.asl import StateMachine

FLAG = "enable-workflow-state-management"
SIMPLE_STATES = 10
"""A simple workflow has at most this many states, and no Parallel, Map or wait."""


def shape(machine: StateMachine) -> dict[str, Any]:
    """How big and how involved a definition is, counting states at every depth."""
    states = machine.states.values()
    parallel = sum(isinstance(s, Parallel) for s in states)
    maps = sum(isinstance(s, Map) for s in states)
    waits = sum(
        isinstance(s, Wait) or (isinstance(s, Task) and wait_kind(s.resource) is not None)
        for s in states
    )
    simple = len(machine.states) <= SIMPLE_STATES and not (parallel or maps or waits)
    return {
        "states": len(machine.states),
        "parallel": parallel,
        "map": maps,
        "waits": waits,
        "complexity": "simple" if simple else "complex",
    }


def flag_context(name: str, tags: Mapping[str, str], machine: StateMachine) -> dict[str, Any]:
    """What the flag's rules may test: `state_machine`, `tags` (`key=value` each),
    `tag_keys`, and the definition's `shape`."""
    return {
        "state_machine": name,
        "tags": sorted(f"{k}={v}" for k, v in tags.items()),
        "tag_keys": sorted(tags),
        **shape(machine),
    }
