"""Who starts a nested execution: the parent a Task's `states:startExecution` names.

The call reaches segue's Step Functions API through an in-process boto3 client, which
has no room for it: the Task's thread sets `STARTED_BY` around the call instead, and the
API's StartExecution reads it (and nothing else does).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from segue.engine.waits import START_EXECUTION, base_resource, read_task_token, sync_mode

if TYPE_CHECKING:
    from segue.asl import Invoke


@dataclass(frozen=True)
class Parent:
    """The execution whose Task starts a child, and the task token the child's end answers."""

    execution_id: str
    token: str = ""
    """Set for `.sync` and `.sync:2`: the child answers it when it ends."""
    sync: int = 0


STARTED_BY: ContextVar[Parent | None] = ContextVar("segue_started_by", default=None)


def parent_of(invoke: Invoke) -> Parent | None:
    """The parent a Task starting a nested execution names (it holds a task token)."""
    if invoke.task_token is None:
        return None
    if base_resource(invoke.resource) != START_EXECUTION:
        return None
    mode = sync_mode(invoke.resource)
    read = read_task_token(invoke.task_token)
    if read is None:
        return None
    return Parent(read[0].execution_id, invoke.task_token if mode else "", mode)
