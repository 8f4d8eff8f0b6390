"""What a due schedule does (the `timer` function): auto-resume a pause, or wake a token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from segue.service.operator import Operator
from segue.store.timers import AutoResumeEvent

if TYPE_CHECKING:
    from segue.service.wiring import Services
    from segue.store.timers import WakeEvent


def fire(services: Services, timer: AutoResumeEvent | WakeEvent) -> dict[str, Any]:
    """Carry out a schedule's event; what it did, for the function's answer."""
    if isinstance(timer, AutoResumeEvent):
        operator = Operator(services, services.clock)
        head = operator.auto_resume(timer.execution_id, timer.pause_id)
        return {"executionId": timer.execution_id, "resumed": head is not None}
    # Straight to the queue, delayed to the token's second: the schedule was the long part.
    services.queue.send([timer.message()], services.clock())
    return {"executionId": timer.execution_id, "woken": timer.token}
