"""One change to an execution outside the step protocol: decide on the head, then commit.

Read the head, decide (pure: `engine.control`, `engine.deliveries`), commit with the
head's version as the condition, then carry out the effects. A lost race re-reads and
decides again, so of concurrent changes one takes effect and the others find a status
that refuses them (NotAllowed, the API's 409).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from typing import TYPE_CHECKING, Protocol

from segue.engine import control
from segue.engine.measures import count, of_decision
from segue.service.errors import ConflictingRequestError, NotFoundError
from segue.store.errors import ConflictError
from segue.telemetry import metrics
from segue.telemetry.logs import correlated

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from segue.asl import StateMachine
    from segue.engine.decision import Decision
    from segue.engine.head import Head
    from segue.engine.refs import Values
    from segue.service.effects import Effects
    from segue.service.machines import Machines
    from segue.store.dynamo import ExecutionStore
    from segue.store.values import DocumentStore

log = logging.getLogger("segue.changes")

CHANGE_TRIES = 50


class Parts(Protocol):
    """What a change needs (the services have it, and so has a worker)."""

    @property
    def store(self) -> ExecutionStore: ...

    @property
    def documents(self) -> DocumentStore: ...

    @property
    def machines(self) -> Machines: ...

    @property
    def effects(self) -> Effects: ...


def change(
    parts: Parts,
    execution_id: str,
    decide: Callable[[StateMachine, Head, Values, datetime], Decision],
    clock: Callable[[], datetime],
) -> Head:
    """Decide on the latest head and commit; decide again after a lost race."""
    with correlated(execution_id=execution_id):
        writer = f"op.{uuid.uuid4().hex}"
        for attempt in range(CHANGE_TRIES):
            head = parts.store.get_head(execution_id)
            if head is None:
                raise NotFoundError(f"no execution {execution_id!r}")
            machine = parts.machines.get(head.state_machine, head.revision)
            values = parts.documents.reader(execution_id)
            now = clock()
            try:
                decision = decide(machine, head, values, now)
            except control.NotAllowed as refused:
                raise ConflictingRequestError(str(refused)) from refused
            parts.documents.put_many(execution_id, decision.values, now)
            try:
                committed = parts.store.commit(head, decision, writer, now)
            except ConflictError:
                metrics.record([count("CommitConflicts")])
                after_lost_race(attempt, cap=0.2)
                continue
            parts.effects.apply(decision, committed, now)
            metrics.record(of_decision(machine, head, decision))
            log.info(
                "execution changed",
                extra={
                    "events": [e.type for e in decision.events],
                    "status": str(committed.status),
                },
            )
            return committed
        raise ConflictingRequestError(f"{execution_id} is changing too fast; try again")


def after_lost_race(attempt: int, cap: float = 0.5) -> None:
    """Sleep a random time below a bound that doubles with each try ("full jitter"), so
    that writers who lost the same race do not all try again at the same moment."""
    time.sleep(random.uniform(0, min(cap, 0.01 * 2**attempt)))
