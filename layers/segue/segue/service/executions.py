"""What the API does: register definitions, start, list, describe and read history."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from segue.asl import diagnose
from segue.asl.bounds import text_of
from segue.asl.distributed import MAP_RUN, resource_of
from segue.asl.machine import read_definition
from segue.asl.timestamps import format_timestamp
from segue.engine import control
from segue.engine.head import Status
from segue.engine.measures import count, of_decision
from segue.engine.starts import begin, first_page, first_steps
from segue.engine.visits import instant
from segue.service.effects import deadline_message
from segue.service.errors import (
    BadRequestError,
    ConflictingRequestError,
    InvalidDefinitionError,
    NotFoundError,
    shown,
)
from segue.service.inspection import children_started, current_states, inspection_document
from segue.service.limits import check_definition_size, check_document
from segue.service.map_runs import map_run_arn, run_document, runs_of
from segue.service.names import name_problem
from segue.service.operator import Operator, check_auto_resume, check_states
from segue.sfn.arns import Arns
from segue.store.listing import is_position
from segue.store.values import Owner
from segue.telemetry import metrics

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from datetime import datetime

    from segue.asl.outcomes import Json
    from segue.engine.events import Event
    from segue.engine.head import Head
    from segue.service.wiring import Services
    from segue.store.dynamo import Page
    from segue.store.queue import WorkMessage
    from segue.tasks.children import Parent

MAX_LIST = 100
MAX_SEARCH = 80
SEARCH_PAGE = 100
SEARCH_BUDGET = 2000
"""Index items a search looks at in one call, at most: the next call goes on from there."""
MAX_COUNTED = 10_000
"""Index items counted by status at most: past that, the counts say they were capped."""
PAGES_READ = 100
"""History pages read at a time for a page of events (each holds one event or more)."""
MAX_DIAGNOSTICS = 1000
DOCUMENT_FIELDS = frozenset({"input", "output", "parameters", "data", "assigned"})
"""Event details that hold a document reference, replaced by the document when shown."""


@dataclass
class Executions:
    """The operations behind the HTTP API and the CLI."""

    services: Services
    clock: Callable[[], datetime]

    # State machines ------------------------------------------------------------------------

    def register(self, name: str, definition: Json) -> dict[str, Any]:
        """Validate and store a definition; a new revision only when the document changed.

        Nothing is stored unless the definition is valid, so a refused one leaves the
        state machine as it was.
        """
        _check_name(name, "state machine")
        document, diagnostics = read_definition(definition)
        if document is not None:
            check_definition_size(text_of(document))
            _, diagnostics = diagnose(document)
        if diagnostics:
            raise InvalidDefinitionError(
                f"the definition has {len(diagnostics)} problem(s)",
                diagnostics=[d.to_dict() for d in diagnostics[:MAX_DIAGNOSTICS]],
            )
        now = self.clock()
        ref = self.services.documents.keep(Owner.state_machine(name), document, now)
        revision = self.services.store.put_definition(name, ref, format_timestamp(now))
        return {"name": name, "revision": revision}

    def state_machine(self, name: str) -> dict[str, Any]:
        found = self.services.store.get_definition(name)
        if found is None:
            raise NotFoundError(f"no state machine named {name!r}")
        revision, ref = found
        definition = self.services.machines.document(name, ref)
        return {"name": name, "revision": revision, "definition": definition}

    def state_machines(self) -> dict[str, Any]:
        return {"items": self.services.store.list_state_machines()}

    # Executions ----------------------------------------------------------------------------

    def start(
        self,
        state_machine: str,
        input: Json,
        name: str | None,
        pause_before: list[str] | None = None,
        auto_resume_seconds: int | None = None,
        trigger: tuple[str, str] = ("", ""),
        revision: int | None = None,
        parent: Parent | None = None,
    ) -> tuple[bool, dict[str, Any]]:
        """Start (or find, for a name already used) an execution; (created, answer).

        `trigger` is the (rule, event id) of the EventBridge event that started it;
        `revision` is the definition's revision to run (the latest when None); `parent`
        the Task that starts it as a nested execution.
        """
        _check_name(state_machine, "state machine")
        name = name if name is not None else str(uuid.uuid4())
        _check_name(name, "execution")
        check_document(input, "the input")
        found = self.services.store.get_definition(state_machine, revision)
        if found is None:
            raise NotFoundError(f"no state machine named {state_machine!r}")
        revision, ref = found
        machine = self.services.machines.get(state_machine, revision, ref)
        breakpoints = check_states(machine, pause_before or [])
        check_auto_resume(auto_resume_seconds)
        rollout = self.services.rollout
        if breakpoints:
            rollout.require(state_machine, revision, machine, "pauseBefore (breakpoints)")
        if auto_resume_seconds is not None:
            rollout.require(state_machine, revision, machine, "autoResumeSeconds (auto-resume)")
        if auto_resume_seconds is None:
            auto_resume_seconds = self.services.settings.auto_resume_seconds
        now = instant(format_timestamp(self.clock()))  # page 1 is derived again from it
        begun = begin(
            machine,
            execution_id=f"{state_machine}:{name}",
            name=name,
            state_machine=state_machine,
            revision=revision,
            input=input,
            now=now,
            pause_before=breakpoints,
            auto_resume_seconds=auto_resume_seconds,
            secret=secrets.token_hex(16),
            trigger=trigger,
        )
        if parent is not None:
            linked = replace(
                begun.head,
                parent=parent.execution_id,
                parent_token=parent.token,
                parent_sync=parent.sync,
            )
            begun = replace(begun, head=linked)
        documents = self.services.documents
        values = documents.reader(begun.head.execution_id)
        decision, after = first_steps(machine, begun, values)
        documents.put_many(decision.head.execution_id, decision.values, now)
        existing = self.services.store.create(decision, decision.events)
        if existing is not None:
            if existing.input != decision.head.input:
                raise ConflictingRequestError(
                    f"execution {name!r} already exists with a different input"
                )
            children = self.services.effects.children
            if parent is not None and children is not None:
                children.adopt(existing, parent)
            return False, _started(existing)
        metrics.record(
            [count("ExecutionsStarted"), count("Transitions")]
            + of_decision(machine, begun.head, after)
        )
        if machine.definition.start_at in breakpoints:
            self.services.effects.send(self._deadline(decision.head), now)
            head = Operator(self.services, self.clock).change(
                decision.head.execution_id,
                lambda machine, head, values, now: control.hold_at_start(
                    machine, head, now=now, values=values
                ),
            )
            return True, _started(head)
        # the first work message and the deadline, or what the states decided at the start ask
        self.services.effects.apply(decision, decision.head, now)
        return True, _started(decision.head)

    def _deadline(self, head: Head) -> list[WorkMessage]:
        return [deadline_message(head)] if head.deadline else []

    def head(self, execution_id: str) -> Head:
        head = self.services.store.get_head(execution_id)
        if head is None:
            raise NotFoundError(f"no execution {execution_id!r}")
        return head

    def describe(self, execution_id: str) -> dict[str, Any]:
        """The inspection document (API.md)."""
        head = self.head(execution_id)
        machine = self.services.machines.get(head.state_machine, head.revision)
        pages = self.services.kept_pages.read(execution_id, head.next_seq, head.created_at)
        values = self.services.documents.reader(execution_id)
        managed = self.services.rollout.enabled(head.state_machine, head.revision, machine)
        document = inspection_document(head, machine, pages, values)
        children = children_started(pages, values)
        heads = self.services.store.get_heads([c["executionId"] for c in children])
        for child in children:
            found = heads.get(child["executionId"])
            child["status"] = str(found.status) if found else "EXPIRED"
        runs = []
        if any(resource_of(state) == MAP_RUN for state in machine.states.values()):
            # only a machine with a Distributed Map has runs to read (a Query spared)
            arns = Arns(self.services.settings.region, self.services.settings.account)
            runs = [
                run_document(run, plan, map_run_arn(arns, run))
                for run, plan in runs_of(self.services, execution_id)
            ]
        return document | {"children": children, "mapRuns": runs, "stateManagement": managed}

    def list(
        self,
        status: str | None,
        state_machine: str | None,
        limit: int,
        next_token: str | None,
        search: str | None = None,
        detail: bool = False,
        counts: bool = False,
        statuses: frozenset[str] | None = None,
    ) -> dict[str, Any]:
        """Executions newest first, through an index (by state machine, status, or all).

        `search` keeps those whose name holds that text, looking at `SEARCH_BUDGET` items
        a call at most (the `nextToken` goes on from there); `detail` adds each one's
        current states and last change; `counts` adds how many there are of each status;
        `statuses` keeps those of any of these statuses (with `state_machine`).
        """
        if status is not None and status not in Status.__members__:
            raise BadRequestError(f"unknown status {shown(status)}")
        if not 1 <= limit <= MAX_LIST:
            raise BadRequestError(f"limit must be between 1 and {MAX_LIST}")
        if search is not None and not 1 <= len(search) <= MAX_SEARCH:
            raise BadRequestError(f"a search is 1 to {MAX_SEARCH} characters")
        if state_machine is not None:
            _check_name(state_machine, "state machine")
            index, key, value = "ByMachine", "state_machine", state_machine
        elif status is not None:
            index, key, value = "ByStatus", "status", status
        else:
            index, key, value = "ByKind", "kind", "EXECUTION"
        kept = statuses if statuses is not None else None if status is None else {status}
        listing = json.dumps(["executions", status, state_machine, search, sorted(kept or ())])
        position = self.services.cursors.read(listing, next_token)
        if position is not None and not is_position(position):
            raise BadRequestError("this nextToken is from an older listing: list again")
        items: list[dict[str, Any]] = []
        looked = 0
        while len(items) < limit:
            wanted = limit - len(items)
            asked = SEARCH_PAGE if search else wanted
            found, position = self.services.store.list_index(
                index, key, value, wanted, position, search, asked
            )
            looked += asked * self.services.store.list_shards  # a page of each shard
            items += [i for i in found if kept is None or i.get("status") in kept]
            if position is None or (search and looked >= SEARCH_BUDGET):
                break
        answer: dict[str, Any] = {
            "items": [self._row(i, detail) for i in items],
            "nextToken": self.services.cursors.issue(listing, position),
        }
        if counts:
            answer |= self._counts(state_machine)
        return answer

    def _row(self, item: dict[str, Any], detail: bool) -> dict[str, Any]:
        """A listed execution; with `detail`, its head's status, last change and current states."""
        summary = _summary(item)
        head = self.services.store.get_head(summary["executionId"]) if detail else None
        if head is not None:
            summary["status"] = str(head.status)
            summary["updatedAt"] = head.updated_at
            summary["currentStates"] = [
                {"name": c["name"], "status": c["status"]} for c in current_states(head)
            ]
        return summary

    def _counts(self, state_machine: str | None) -> dict[str, Any]:
        """`counts` by status (of one state machine, or all), and whether they were capped."""
        if state_machine is not None:
            where = ("ByMachine", "state_machine", state_machine)
        else:
            where = ("ByKind", "kind", "EXECUTION")
        tally, capped = self.services.store.tally_index(*where, "status", MAX_COUNTED)
        counts = {status: tally.get(status, 0) for status in Status.__members__}
        return {"counts": counts, "countsCapped": capped}

    def history(
        self,
        execution_id: str,
        limit: int,
        next_token: str | None,
        after: int = 0,
        types: frozenset[str] = frozenset(),
        state: str | None = None,
    ) -> dict[str, Any]:
        """Events after seq `after` (or from where `next_token` says), in order, resolved.

        Only events of `types` (all when empty) and of `state` (any when None) are given;
        the next page starts after the last event looked at.
        """
        if not 1 <= limit <= 1000:
            raise BadRequestError("limit must be between 1 and 1000")
        listing = json.dumps(["history", execution_id, sorted(types), state])
        position = self.services.cursors.read(listing, next_token)
        first = position if isinstance(position, int) else after + 1
        head = self.head(execution_id)
        if first >= head.next_seq:
            return {"events": [], "nextToken": None}
        values = self.services.documents.reader(execution_id)
        events: list[dict[str, Any]] = []
        last = first - 1
        for seq, event in self._events(head, first, max(limit, PAGES_READ)):
            if len(events) == limit:
                break
            last = seq
            if (not types or event.type in types) and (state is None or event.state == state):
                events.append(_shown(event.to_dict(seq), values))
        more = last + 1 < head.next_seq
        return {
            "events": events,
            "nextToken": self.services.cursors.issue(listing, last + 1 if more else None),
        }

    def events(self, head: Head) -> Iterator[tuple[int, Event]]:
        """Every committed event of the execution, with its seq, in order."""
        return self._events(head, 1, PAGES_READ)

    def _events(self, head: Head, first: int, chunk: int) -> Iterator[tuple[int, Event]]:
        """The committed events from seq `first` on, read `chunk` pages at a time."""
        store = self.services.store
        start = store.page_start(head.execution_id, first)
        pages = store.pages(head.execution_id, head.next_seq, start, chunk)
        if pages and pages[0].seq > first:  # page 1 is written just after the head: heal it
            store.write_first_page(head, self._first_page(head))
            pages = store.pages(head.execution_id, head.next_seq, 1, chunk)
        while pages:
            yield from _numbered(pages, first)
            if len(pages) < chunk:
                return
            after = pages[-1].seq + len(pages[-1].events)
            pages = store.pages(head.execution_id, head.next_seq, after, chunk)

    def _first_page(self, head: Head) -> tuple[Event, ...]:
        machine = self.services.machines.get(head.state_machine, head.revision)
        return first_page(machine, head, self.services.documents.reader(head.execution_id))


def _check_name(name: object, what: str) -> None:
    problem = name_problem(name)
    if problem:
        raise BadRequestError(f"invalid {what} name {shown(name)}: {problem}")


def _started(head: Head) -> dict[str, Any]:
    return {
        "executionId": head.execution_id,
        "status": str(head.status),
        "createdAt": head.created_at,
    }


def _summary(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "executionId": item["execution_id"],
        "name": item["name"],
        "stateMachine": item["state_machine"],
        "status": item["status"],
        "createdAt": item["created_at"],
    }


def _numbered(pages: list[Page], first: int) -> Iterator[tuple[int, Event]]:
    """The events of `pages` from seq `first` on, with their seqs."""
    for page in pages:
        for offset, event in enumerate(page.events):
            if page.seq + offset >= first:
                yield page.seq + offset, event


def _shown(event: dict[str, Any], values: Callable[[str], Any]) -> dict[str, Any]:
    """An event with its document references replaced by the documents."""
    return {**event, "details": shown_details(event["details"], values)}


def shown_details(details: dict[str, Any], values: Callable[[str], Any]) -> dict[str, Any]:
    """An event's details with their document references replaced by the documents."""
    return {
        key: values(value) if key in DOCUMENT_FIELDS else value for key, value in details.items()
    }
