"""What the API does: register definitions, start, list, describe and read history."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from segue.asl import diagnose
from segue.asl.outcomes import MAX_PAYLOAD_BYTES
from segue.asl.timestamps import format_timestamp
from segue.asl.values import encoded_size
from segue.engine import control
from segue.engine.decider import begin, start_events
from segue.engine.head import Status
from segue.service.effects import deadline_message
from segue.service.errors import (
    BadRequestError,
    ConflictingRequestError,
    InvalidDefinitionError,
    NotFoundError,
    TooLargeError,
)
from segue.service.inspection import inspection_document
from segue.service.names import name_problem
from segue.service.operator import Operator, check_auto_resume, check_states
from segue.store.queue import WorkMessage

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from segue.asl.outcomes import Json
    from segue.engine.events import Event
    from segue.engine.head import Head
    from segue.service.wiring import Services

MAX_LIST = 100


@dataclass
class Executions:
    """The operations behind the HTTP API and the CLI."""

    services: Services
    clock: Callable[[], datetime]

    # State machines ------------------------------------------------------------------------

    def register(self, name: str, definition: Json) -> dict[str, Any]:
        """Validate and store a definition; a new revision only when the text changed."""
        _check_name(name, "state machine")
        text = definition if isinstance(definition, str) else json.dumps(definition)
        parsed, diagnostics = diagnose(text)
        if diagnostics or parsed is None:
            raise InvalidDefinitionError(
                f"the definition has {len(diagnostics)} problem(s)",
                diagnostics=[
                    {"code": d.code, "message": d.message, "path": d.path} for d in diagnostics
                ],
            )
        now = format_timestamp(self.clock())
        revision = self.services.store.put_definition(name, text, now)
        return {"name": name, "revision": revision}

    def state_machine(self, name: str) -> dict[str, Any]:
        found = self.services.store.get_definition(name)
        if found is None:
            raise NotFoundError(f"no state machine named {name!r}")
        return {"name": name, "revision": found[0], "definition": json.loads(found[1])}

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
    ) -> tuple[bool, dict[str, Any]]:
        """Start (or find, for a name already used) an execution; (created, answer).

        `trigger` is the (rule, event id) of the EventBridge event that started it.
        """
        _check_name(state_machine, "state machine")
        name = name if name is not None else str(uuid.uuid4())
        _check_name(name, "execution")
        if encoded_size(input) > MAX_PAYLOAD_BYTES:
            raise TooLargeError(f"the input is over the {MAX_PAYLOAD_BYTES} byte state limit")
        found = self.services.store.get_definition(state_machine)
        if found is None:
            raise NotFoundError(f"no state machine named {state_machine!r}")
        revision, text = found
        machine = self.services.machines.get(state_machine, revision, text)
        breakpoints = check_states(machine, pause_before or [])
        check_auto_resume(auto_resume_seconds)
        if auto_resume_seconds is None:
            auto_resume_seconds = self.services.settings.auto_resume_seconds
        now = self.clock()
        decision = begin(
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
        self.services.documents.put_many(decision.head.execution_id, decision.values, now)
        existing = self.services.store.create(
            decision, start_events(decision.head, machine.definition.start_at)
        )
        if existing is not None:
            if existing.input != decision.head.input:
                raise ConflictingRequestError(
                    f"execution {name!r} already exists with a different input"
                )
            return False, _started(existing)
        if machine.definition.start_at in breakpoints:
            self.services.effects.send(self._deadline(decision.head), now)
            head = Operator(self.services, self.clock).change(
                decision.head.execution_id,
                lambda machine, head, values, now: control.hold_at_start(
                    machine, head, now=now, values=values
                ),
            )
            return True, _started(head)
        token = decision.dispatch[0]
        message = WorkMessage(execution_id=decision.head.execution_id, token=token.id, attempt=1)
        self.services.effects.send([message, *self._deadline(decision.head)], now)
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
        pages = self.services.store.pages(execution_id, head.next_seq)
        values = self.services.documents.reader(execution_id)
        return inspection_document(head, machine, pages, values)

    def list(
        self, status: str | None, state_machine: str | None, limit: int, next_token: str | None
    ) -> dict[str, Any]:
        """Executions newest first, through an index (by state machine, status, or all)."""
        if status is not None and status not in Status.__members__:
            raise BadRequestError(f"unknown status {status!r}")
        if not 1 <= limit <= MAX_LIST:
            raise BadRequestError(f"limit must be between 1 and {MAX_LIST}")
        start = _decode_token(next_token)
        if state_machine is not None:
            index, key, value = "ByMachine", "state_machine", state_machine
        elif status is not None:
            index, key, value = "ByStatus", "status", status
        else:
            index, key, value = "ByKind", "kind", "EXECUTION"
        items: list[dict[str, Any]] = []
        while len(items) < limit:
            found, start = self.services.store.query_index(
                index, key, value, limit - len(items), start
            )
            items += [i for i in found if status is None or i.get("status") == status]
            if start is None:
                break
        return {"items": [_summary(i) for i in items], "nextToken": _encode_token(start)}

    def history(self, execution_id: str, limit: int, next_token: str | None) -> dict[str, Any]:
        """Events from the seq in `next_token` on, gap-free, documents resolved."""
        if not 1 <= limit <= 1000:
            raise BadRequestError("limit must be between 1 and 1000")
        after = _decode_seq(next_token)
        head = self.head(execution_id)
        if after >= head.next_seq:
            return {"events": [], "nextToken": None}
        store = self.services.store
        pages = store.pages(execution_id, head.next_seq, store.page_start(execution_id, after))
        if pages and pages[0].seq > after:  # page 1 is written just after the head: heal it
            store.write_first_page(head, self._first_page(head))
            pages = store.pages(execution_id, head.next_seq, 1)
        values = self.services.documents.reader(execution_id)
        events: list[dict[str, Any]] = []
        for page in pages:
            for offset, event in enumerate(page.events):
                seq = page.seq + offset
                if seq >= after and len(events) < limit:
                    events.append(_shown(event.to_dict(seq), values))
        last = events[-1]["seq"] if events else after - 1
        more = last + 1 < head.next_seq
        return {"events": events, "nextToken": str(last + 1) if more else None}

    def _first_page(self, head: Head) -> tuple[Event, ...]:
        machine = self.services.machines.get(head.state_machine, head.revision)
        return start_events(head, machine.definition.start_at)


def _check_name(name: object, what: str) -> None:
    problem = name_problem(name)
    if problem:
        raise BadRequestError(f"invalid {what} name {name!r}: {problem}")


def _started(head: Head) -> dict[str, Any]:
    return {"executionId": head.execution_id, "status": str(head.status)}


def _summary(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "executionId": item["execution_id"],
        "name": item["name"],
        "stateMachine": item["state_machine"],
        "status": item["status"],
        "createdAt": item["created_at"],
    }


def _shown(event: dict[str, Any], values: Callable[[str], Any]) -> dict[str, Any]:
    """An event with its document references replaced by the documents."""
    details = {
        key: values(value) if key in ("input", "output", "parameters", "data") else value
        for key, value in event["details"].items()
    }
    return {**event, "details": details}


def _encode_token(key: dict[str, Any] | None) -> str | None:
    if key is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode()


def _decode_token(token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError) as exc:
        raise BadRequestError("nextToken is not one this API gave out") from exc
    if not isinstance(key, dict) or not all(isinstance(v, str) for v in key.values()):
        raise BadRequestError("nextToken is not one this API gave out")
    return key


def _decode_seq(token: str | None) -> int:
    if not token:
        return 1
    if not token.isdigit() or int(token) < 1:
        raise BadRequestError("nextToken is not one this API gave out")
    return int(token)
