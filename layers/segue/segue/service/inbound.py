"""Messages on the `events` queue: external events for waiting tasks, and triggers.

A trigger is what the template's EventBridge rules put on the queue: the rule's name,
the event and the state machine to start. The execution is named after the rule and
the event id, so an event delivered twice starts one execution.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from segue.asl.bounds import read_json
from segue.http.bodies import EventBody
from segue.service.executions import Executions
from segue.service.waits import Waits

if TYPE_CHECKING:
    from segue.service.wiring import Services


class Trigger(BaseModel):
    """An EventBridge event that starts an execution of `state_machine`."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    state_machine: str = Field(alias="stateMachine", min_length=1, max_length=80)
    rule: str = Field(min_length=1, max_length=64)
    event_id: str = Field(alias="eventId", min_length=1, max_length=128)
    event: dict[str, Any]


class TriggerMessage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    trigger: Trigger


def receive(services: Services, body: str, message_id: str) -> dict[str, Any]:
    """Handle one message; ValueError (pydantic's too) when it is not one segue reads."""
    document = read_json(body, "the message")
    if isinstance(document, dict) and "trigger" in document:
        trigger = TriggerMessage.model_validate(document).trigger
        executions = Executions(services, services.clock)
        _, answer = executions.start(
            trigger.state_machine,
            trigger.event,
            execution_name(trigger.rule, trigger.event_id),
            trigger=(trigger.rule, trigger.event_id),
        )
        return answer
    event = EventBody.model_validate(document)
    waits = Waits(services, services.clock)
    delivered = waits.publish(event.name, event.key, event.payload, event.id or message_id)
    return {"delivered": delivered}


def execution_name(rule: str, event_id: str) -> str:
    """`rule-eventid`, shortened with a digest when over the 80 characters a name may have."""
    name = f"{rule}-{event_id}"
    if len(name) <= 80:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]
    return f"{rule[:47]}-{digest}"
