"""Nested executions seen from the service: a child's end answers its parent's `.sync`
task, and a `.sync` task that stops waiting stops its child.

Both run after a commit (effects), and both are safe to repeat: the parent's token takes
one answer (a second is a 409, ignored), and cancelling an ended child is a 409 too.
The sweeper repeats the answer once after a child ends, in case a crash lost it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from segue.engine import control
from segue.engine.head import is_terminal
from segue.engine.waits import child_waited, children_waited
from segue.service.errors import ConflictingRequestError, NotFoundError
from segue.service.map_runs import MAP_BATCH
from segue.service.operator import Operator
from segue.service.waits import Waits

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from segue.asl.outcomes import Json
    from segue.engine.head import Head, Token
    from segue.engine.refs import Values
    from segue.service.map_runs import MapRuns
    from segue.service.wiring import Services
    from segue.tasks.children import Parent

log = logging.getLogger("segue.children")


@dataclass
class Children:
    """The effects that tie a nested execution to its parent."""

    services: Services
    clock: Callable[[], datetime]
    outcome: Callable[[Head, Values], dict[str, Json]]
    """What the parent's token is answered with (segue.sfn.nested.parent_outcome)."""
    map_runs: MapRuns | None = None

    def ended(self, child: Head) -> None:
        """Answer the parent's task with the child's end; a closed task stays as it is."""
        if not (child.parent_token and is_terminal(child.status)):
            return
        if child.parent_sync == MAP_BATCH:
            if self.map_runs is not None:
                self.map_runs.ended(child)
            return
        outcome = self.outcome(child, self.services.documents.reader(child.execution_id))
        try:
            Waits(self.services, self.clock).answer(child.parent_token, outcome)
        except (ConflictingRequestError, NotFoundError) as closed:
            log.info("%s ended; its parent's task needs no answer: %s", child.execution_id, closed)

    def adopt(self, child: Head, parent: Parent) -> None:
        """A `.sync` task started again found its child by name (a retry, the parent's
        redrive): the child answers it; a failed one is redriven, an ended one answers now."""
        if not parent.token or parent.sync == MAP_BATCH:
            return  # a map run finds its children again itself
        try:
            Operator(self.services, self.clock).change(
                child.execution_id,
                lambda machine, head, values, now: control.adopt(
                    machine,
                    head,
                    parent=parent.execution_id,
                    token=parent.token,
                    sync=parent.sync,
                    now=now,
                    values=values,
                ),
            )
        except ConflictingRequestError:  # it has ended: it answers the new task at once
            fresh = self.services.store.get_head(child.execution_id) or child
            self.ended(replace(fresh, parent_token=parent.token, parent_sync=parent.sync))

    def wait_ended(self, parent: Head, token: Token) -> None:
        """A `.sync` task stopped waiting: its child, if still running, is cancelled (a
        Distributed Map's run, with its children)."""
        values = self.services.documents.reader(parent.execution_id)
        if self.map_runs is not None:
            self.map_runs.abort(parent, token, values)
        child = child_waited(token, values)
        if not child:
            return
        reason = f"the task {token.state} of {parent.execution_id} no longer waits for it"
        try:
            Operator(self.services, self.clock).cancel(child, "segue", reason)
        except (ConflictingRequestError, NotFoundError) as ended:
            log.info("%s needs no cancel: %s", child, ended)

    def held(self, parent: Head, paused: bool) -> tuple[str, ...]:
        """The children to pause or resume with their parent (a map run's stop or go on)."""
        values = self.services.documents.reader(parent.execution_id)
        runs = self.map_runs.hold(parent, values, paused) if self.map_runs else ()
        return children_waited(parent, values) + runs
