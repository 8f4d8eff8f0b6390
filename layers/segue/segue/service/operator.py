"""What an operator does to a running execution: pause, resume, cancel, redrive, checkpoints.

Every change goes through `service.changes.change`, so of concurrent operations one
takes effect and the others find a status that refuses them (409).
"""

from __future__ import annotations

import contextvars
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from segue.engine import control
from segue.engine.waits import children_waited
from segue.service.changes import change
from segue.service.errors import BadRequestError, ConflictingRequestError, NotFoundError
from segue.service.inspection import current_states, pause_document
from segue.service.limits import check_document

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from segue.asl import StateMachine
    from segue.asl.outcomes import Json
    from segue.engine.decision import Decision
    from segue.engine.head import Head
    from segue.engine.refs import Values
    from segue.service.rollout import Rollout
    from segue.service.wiring import Services

log = logging.getLogger("segue.operator")

MAX_AUTO_RESUME_SECONDS = 365 * 24 * 3600
CASCADE_AT_ONCE = 8
"""Children paused or resumed at once with their parent."""


@dataclass
class Operator:
    """Pause, resume, cancel and redrive, each one commit; checkpoints to look back at."""

    services: Services
    clock: Callable[[], datetime]

    @property
    def rollout(self) -> Rollout:
        return self.services.rollout

    def pause(self, execution_id: str, by: str, reason: str, auto_resume: int | None) -> Head:
        """Pause now (nothing in flight) or once the task in flight is committed."""
        check_auto_resume(auto_resume)

        def decide(machine: StateMachine, head: Head, values: Values, now: datetime) -> Decision:
            self.rollout.require(head.state_machine, head.revision, machine, "pause")
            return control.pause(
                machine,
                head,
                by=by,
                reason=reason,
                auto_resume_seconds=auto_resume,
                now=now,
                values=values,
            )

        head = self.change(execution_id, decide)
        said = _said(reason, execution_id)
        self._cascade(self._children(head, paused=True), lambda c: self.pause(c, by, said, 0))
        return head

    def resume(
        self,
        execution_id: str,
        by: str,
        reason: str,
        data: dict[str, Json] | None,
        pause_before: list[str] | None,
        pause_id: str | None = None,
    ) -> Head:
        """Go on from the pause point, with `data` added to the variables."""
        if data is not None:
            check_document(data, "the resume data")

        def decide(machine: StateMachine, head: Head, values: Values, now: datetime) -> Decision:
            if pause_id is None:  # an auto-resume still ends a pause taken before the flag went off
                self.rollout.require(head.state_machine, head.revision, machine, "resume")
            breakpoints = None if pause_before is None else check_states(machine, pause_before)
            return control.resume(
                machine,
                head,
                by=by,
                reason=reason,
                data=data,
                pause_before=breakpoints,
                now=now,
                values=values,
                pause_id=pause_id,
            )

        head = self.change(execution_id, decide)
        said = _said(reason, execution_id)
        self._cascade(
            self._children(head, paused=False), lambda c: self.resume(c, by, said, None, None)
        )
        return head

    def auto_resume(self, execution_id: str, pause_id: str) -> Head | None:
        """A schedule fired: resume if `pause_id` is still the pause; None if it is stale."""
        try:
            return self.resume(execution_id, "segue", "auto-resume", None, None, pause_id)
        except (control.Stale, ConflictingRequestError, NotFoundError) as stale:
            log.info("auto-resume of %s (%s) does nothing: %s", execution_id, pause_id, stale)
            return None

    def cancel(
        self,
        execution_id: str,
        by: str,
        reason: str,
        error: str | None = None,
        cause: str | None = None,
    ) -> Head:
        """End the execution in whatever non-terminal status it is (with an error and cause)."""
        return self.change(
            execution_id,
            lambda machine, head, values, now: control.cancel(
                machine,
                head,
                by=by,
                reason=reason,
                now=now,
                values=values,
                error=error,
                cause=cause,
            ),
        )

    def redrive(self, execution_id: str, by: str) -> Head:
        """A FAILED execution goes on from its failed state."""
        return self.change(
            execution_id,
            lambda machine, head, values, now: control.redrive(
                machine, head, by=by, now=now, values=values
            ),
        )

    def change(
        self,
        execution_id: str,
        decide: Callable[[StateMachine, Head, Values, datetime], Decision],
    ) -> Head:
        """Decide on the latest head and commit; decide again after a lost race."""
        return change(self.services, execution_id, decide, self.clock)

    # Checkpoints -------------------------------------------------------------------------

    def checkpoints(self, execution_id: str) -> dict[str, Any]:
        """The kept snapshots and the head (every commit is a checkpoint), newest first."""
        head = self._head(execution_id)
        items = [
            {"version": head.version, "at": head.updated_at, "status": str(head.status)}
            | {"reason": "commit", "latest": True}
        ]
        for snapshot in self.services.store.snapshots(execution_id):
            if snapshot["version"] == head.version:
                items[0]["reason"] = snapshot["reason"]
                continue
            items.append(_checkpoint_summary(snapshot) | {"latest": False})
        return {"items": items}

    def checkpoint(self, execution_id: str, version: int) -> dict[str, Any]:
        """One checkpoint by version: the head's state as it was then."""
        head = self._head(execution_id)
        values = self.services.documents.reader(execution_id)
        if version == head.version:
            found: dict[str, Any] = {"version": head.version, "at": head.updated_at}
            found |= {"status": str(head.status), "reason": "commit", "head": head}
        else:
            snapshots = self.services.store.snapshots(execution_id)
            match = [s for s in snapshots if s["version"] == version]
            if not match:
                raise NotFoundError(f"no checkpoint {version} of {execution_id!r} is kept")
            found = match[0]
        kept: Head = found["head"]
        return _checkpoint_summary(found) | {
            "latest": version == head.version,
            "currentStates": current_states(kept),
            "variables": values(kept.vars),
            "pause": pause_document(kept),
        }

    def _children(self, head: Head, paused: bool) -> tuple[str, ...]:
        """The children that pause and resume with `head` (its map runs stop or go on)."""
        hooks = self.services.effects.children
        if hooks is not None:
            return hooks.held(head, paused)
        return children_waited(head, self.services.documents.reader(head.execution_id))

    def _cascade(self, children: tuple[str, ...], operate: Callable[[str], Head]) -> None:
        """Pause or resume running children as their parent was, several at once (a map
        run may have hundreds); one that cannot be is left as it is."""

        def one(child: str) -> None:
            try:
                operate(child)
            except (ConflictingRequestError, NotFoundError) as refused:
                log.info("%s left as it is: %s", child, refused)

        if len(children) <= 1:
            for child in children:
                one(child)
            return
        contexts = [contextvars.copy_context() for _ in children]  # each thread logs as ours
        with ThreadPoolExecutor(min(CASCADE_AT_ONCE, len(children))) as pool:
            list(pool.map(lambda c, child: c.run(one, child), contexts, children))

    def _head(self, execution_id: str) -> Head:
        head = self.services.store.get_head(execution_id)
        if head is None:
            raise NotFoundError(f"no execution {execution_id!r}")
        return head


def _said(reason: str, parent: str) -> str:
    """The reason a child is paused or resumed with its parent."""
    return f"with its parent {parent}" + (f": {reason}" if reason else "")


def check_auto_resume(seconds: int | None) -> None:
    """An auto-resume delay in range (400 otherwise); None means the default."""
    if seconds is not None and not 0 <= seconds <= MAX_AUTO_RESUME_SECONDS:
        raise BadRequestError(f"autoResumeSeconds must be between 0 and {MAX_AUTO_RESUME_SECONDS}")


def check_states(machine: StateMachine, names: list[str]) -> tuple[str, ...]:
    """Breakpoint names, each a state of the machine (400 otherwise)."""
    unknown = [n for n in names if n not in machine.states]
    if unknown:
        raise BadRequestError(f"pauseBefore names states the machine does not have: {unknown}")
    return tuple(dict.fromkeys(names))


def _checkpoint_summary(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": snapshot["version"],
        "at": snapshot["at"],
        "status": snapshot["status"],
        "reason": snapshot["reason"],
    }
