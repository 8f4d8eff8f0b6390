"""History events: what happened to an execution, in commit order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """One history entry; `seq` is given when the page holding it is committed."""

    type: str
    timestamp: str
    state: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, seq: int) -> dict[str, Any]:
        data: dict[str, Any] = {"seq": seq, "type": self.type, "timestamp": self.timestamp}
        if self.state is not None:
            data["state"] = self.state
        data["details"] = self.details
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        return cls(data["type"], data["timestamp"], data.get("state"), data.get("details", {}))


EXECUTION_STARTED = "ExecutionStarted"
EXECUTION_SUCCEEDED = "ExecutionSucceeded"
EXECUTION_FAILED = "ExecutionFailed"
EXECUTION_TIMED_OUT = "ExecutionTimedOut"
STATE_ENTERED = "StateEntered"
STATE_EXITED = "StateExited"
TASK_SCHEDULED = "TaskScheduled"
TASK_STARTED = "TaskStarted"
TASK_SUCCEEDED = "TaskSucceeded"
TASK_FAILED = "TaskFailed"
TASK_SUBMITTED = "TaskSubmitted"
TASK_HEARTBEAT = "TaskHeartbeat"
ACTIVITY_STARTED = "ActivityStarted"
RETRY_SCHEDULED = "RetryScheduled"
WAIT_STARTED = "WaitStarted"
FAN_OUT_STARTED = "FanOutStarted"
FAN_OUT_SUCCEEDED = "FanOutSucceeded"
FAN_OUT_FAILED = "FanOutFailed"
BRANCH_STARTED = "BranchStarted"
BRANCH_SUCCEEDED = "BranchSucceeded"
BRANCH_FAILED = "BranchFailed"
BRANCH_CANCELLED = "BranchCancelled"
PAUSE_REQUESTED = "PauseRequested"
EXECUTION_PAUSED = "ExecutionPaused"
EXECUTION_RESUMED = "ExecutionResumed"
EXECUTION_CANCELLED = "ExecutionCancelled"
EXECUTION_REDRIVEN = "ExecutionRedriven"
SCHEDULE_CREATED = "ScheduleCreated"
SCHEDULE_FIRED = "ScheduleFired"
SCHEDULE_DELETED = "ScheduleDeleted"
LEASE_EXPIRED = "LeaseExpired"
WORK_REDISPATCHED = "WorkRedispatched"

EVENT_TYPES = frozenset(
    value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)
)
"""Every event type above: what a history filter may name."""
