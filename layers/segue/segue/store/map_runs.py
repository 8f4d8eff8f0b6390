"""A Distributed Map's run: one small item in its parent execution's partition.

It holds counters and a cursor, never the items (they are documents its plan names), so
each update costs one write unit. Every change is one conditional update, and each is
safe to try twice: a child execution is counted once, because counting removes it from
the run's running set (or moves the cursor past it) in the same write.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from segue.store import keys
from segue.store.errors import ConflictError
from segue.store.table import Table

RunStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "ABORTED"]
RUNNING: RunStatus = "RUNNING"
SUCCEEDED: RunStatus = "SUCCEEDED"
FAILED: RunStatus = "FAILED"
ABORTED: RunStatus = "ABORTED"
OUTCOMES = ("succeeded", "failed", "aborted")
"""How a child execution ended, as the run counts it (timed out counts as failed)."""


def run_key(execution_id: str, token: str) -> dict[str, str]:
    """The run a Distributed Map's token started, beside its parent's head."""
    return {"pk": keys.head(execution_id)["pk"], "sk": f"MR#{token}"}


@dataclass(frozen=True)
class MapRun:
    """A map run's counters, as last read."""

    execution_id: str
    token: str
    task_token: str
    plan: str
    """The reference of its plan (the request, and the pages of child inputs)."""
    machine: str
    """The state machine its children run (its ItemProcessor)."""
    revision: int
    status: RunStatus
    started_at: str
    stopped_at: str
    children: int
    items: int
    cursor: int
    running: int
    running_set: frozenset[int]
    counts: dict[str, int]
    """Children by how they ended: succeeded, failed, aborted."""
    item_counts: dict[str, int]
    items_started: int
    """Items of the children claimed so far (those not counted yet are running)."""
    paused: bool
    paused_at: str
    """Since when no child may start ("" when it is not paused)."""
    redrives: int
    max_concurrency: int
    outcome: str
    """The reference of what its end answers the Map's task with ("" until it ends)."""
    answered: bool
    redriven_at: str
    """When it was last redriven: a child that ended before then belongs to an earlier round."""

    @property
    def key(self) -> dict[str, str]:
        return run_key(self.execution_id, self.token)

    @property
    def finished(self) -> bool:
        """Every child has ended and been counted."""
        return self.cursor >= self.children and self.running == 0


def _run(item: dict[str, Any]) -> MapRun:
    return MapRun(
        execution_id=item["execution_id"],
        token=item["sk"].removeprefix("MR#"),
        task_token=item["task_token"],
        plan=item["plan"],
        machine=item["machine"],
        revision=int(item["revision"]),
        status=item["run_status"],
        started_at=item["started_at"],
        stopped_at=item.get("stopped_at", ""),
        children=int(item["children"]),
        items=int(item["items"]),
        cursor=int(item["c_next"]),
        running=int(item["c_running"]),
        running_set=frozenset(int(n) - 1 for n in item.get("running_set", ())),
        counts={o: int(item[f"c_{o}"]) for o in OUTCOMES},
        item_counts={o: int(item[f"i_{o}"]) for o in OUTCOMES},
        items_started=int(item.get("i_started", 0)),
        paused=bool(item.get("paused")),
        paused_at=item.get("paused_at", ""),
        redrives=int(item.get("redrives", 0)),
        max_concurrency=int(item["max_concurrency"]),
        outcome=item.get("outcome", ""),
        answered=bool(item.get("answered")),
        redriven_at=item.get("redriven_at", ""),
    )


def _member(index: int) -> set[Decimal]:
    # DynamoDB sets may not hold 0: members are indexes + 1
    return {Decimal(index + 1)}


class MapRunStore(Table):
    """Map runs' items: created once, then counted, paused, ended and redriven."""

    def create(self, run: MapRun, expires_at: int) -> MapRun | None:
        """Store a new run; the run already there (None when this one is new)."""
        attributes: dict[str, Any] = {
            "execution_id": run.execution_id,
            "task_token": run.task_token,
            "plan": run.plan,
            "machine": run.machine,
            "revision": run.revision,
            "run_status": run.status,
            "started_at": run.started_at,
            "children": run.children,
            "items": run.items,
            "c_next": 0,
            "c_running": 0,
            "i_started": 0,
            "max_concurrency": run.max_concurrency,
            "redrives": 0,
            "expires_at": expires_at,
        }
        for outcome in OUTCOMES:
            attributes[f"c_{outcome}"] = 0
            attributes[f"i_{outcome}"] = 0
        try:
            self._put(run.key, attributes, "attribute_not_exists(sk)")
        except ConflictError:
            return self.get(run.execution_id, run.token)
        return None

    def get(self, execution_id: str, token: str) -> MapRun | None:
        item = self._get(run_key(execution_id, token))
        return None if item is None else _run(item)

    def of_execution(self, execution_id: str) -> list[MapRun]:
        """Every run an execution started, oldest first."""
        items = self._query(
            "pk = :pk AND begins_with(sk, :mr)",
            {":pk": keys.head(execution_id)["pk"], ":mr": "MR#"},
            None,
        )
        return sorted((_run(i) for i in items), key=lambda run: run.started_at)

    def claim(self, run: MapRun, index: int, items: int) -> bool:
        """Move the cursor past child `index` (of `items` items), now running; False if
        someone moved it first, the run is full, paused or over."""
        try:
            self._update(
                run.key,
                "SET c_next = :after, c_running = c_running + :one, "
                "i_started = i_started + :items ADD running_set :n",
                "c_next = :at AND c_running < max_concurrency AND run_status = :running "
                "AND (attribute_not_exists(paused) OR paused = :no)",
                {
                    ":after": index + 1,
                    ":at": index,
                    ":one": 1,
                    ":n": _member(index),
                    ":running": RUNNING,
                    ":no": False,
                    ":items": items,
                },
            )
        except ConflictError:
            return False
        return True

    def count(self, run: MapRun, index: int, outcome: str, items: int) -> bool:
        """Count child `index` as ended; False if it was counted already.

        A child that ended before its claim (its starter crashed between the two) is
        claimed and counted in one write.
        """
        counted = f"c_{outcome} = c_{outcome} + :one, i_{outcome} = i_{outcome} + :items"
        values = {":one": 1, ":items": items, ":n": _member(index)}
        try:
            self._update(
                run.key,
                f"SET c_running = c_running - :one, {counted} DELETE running_set :n",
                "contains(running_set, :member)",
                values | {":member": Decimal(index + 1)},
            )
        except ConflictError:
            pass
        else:
            return True
        try:
            self._update(
                run.key,
                f"SET c_next = :after, i_started = i_started + :items, {counted}",
                "c_next = :at",
                {":one": 1, ":items": items, ":after": index + 1, ":at": index},
            )
        except ConflictError:
            return False
        return True

    def end(self, run: MapRun, status: RunStatus, now: str, outcome: str) -> bool:
        """Close a running run with what it answers; False if it was closed already."""
        try:
            self._update(
                run.key,
                "SET run_status = :status, stopped_at = :now, outcome = :outcome",
                "run_status = :running",
                {":status": status, ":now": now, ":running": RUNNING, ":outcome": outcome},
            )
        except ConflictError:
            return False
        return True

    def answer_to(self, run: MapRun, task_token: str) -> None:
        """The task token the run's end answers (a new attempt of its Map state)."""
        self._update(
            run.key,
            "SET task_token = :token, answered = :no",
            "attribute_exists(sk)",
            {":token": task_token, ":no": False},
        )

    def answered(self, run: MapRun) -> None:
        """The run's end has answered the Map's task (the sweeper need not again)."""
        self._update(run.key, "SET answered = :yes", "attribute_exists(sk)", {":yes": True})

    def pause(self, run: MapRun, paused: bool, now: str) -> None:
        """Stop (or let again) the run's claims of new children, from `now`."""
        self._update(
            run.key,
            "SET paused = :paused, paused_at = :now",
            "attribute_exists(sk)",
            {":paused": paused, ":now": now if paused else ""},
        )

    def redrive(self, run: MapRun, task_token: str, now: str) -> bool:
        """Run an ended, unsuccessful run again from its first child; False if it is not.

        Its counts start again: walking its children once more counts the ones that
        succeeded at once and redrives the others."""
        zeros = ", ".join(f"c_{o} = :zero, i_{o} = :zero" for o in OUTCOMES)
        try:
            self._update(
                run.key,
                f"SET run_status = :running, task_token = :token, c_next = :zero, "
                f"c_running = :zero, i_started = :zero, redrives = redrives + :one, paused = :no, "
                f"redriven_at = :now, {zeros} "
                "REMOVE running_set, stopped_at, outcome, answered",
                "run_status IN (:failed, :aborted)",
                {
                    ":running": RUNNING,
                    ":token": task_token,
                    ":zero": 0,
                    ":one": 1,
                    ":failed": FAILED,
                    ":aborted": ABORTED,
                    ":no": False,
                    ":now": now,
                },
            )
        except ConflictError:
            return False
        return True
