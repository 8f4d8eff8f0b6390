"""Load a definition: parse, validate, and index its states by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from segue.asl.bounds import JsonTextError, read_json
from segue.asl.diagnostics import Diagnostic, InvalidDefinitionError, from_pydantic
from segue.asl.models import JSONPATH, Definition, Machine, Map, Parallel, State
from segue.asl.validate import check

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass(frozen=True)
class StateMachine:
    """A valid definition with every state, at any depth, found by its (unique) name."""

    definition: Definition
    states: dict[str, State]

    @classmethod
    def from_definition(cls, definition: Definition) -> StateMachine:
        """Index the states, each with its query language resolved (its own, else the top's)."""
        language = definition.query_language or JSONPATH
        states = {
            name: state
            if state.query_language
            else state.model_copy(update={"query_language": language})
            for name, state in _all_states(definition)
        }
        return cls(definition, states)

    def state(self, name: str) -> State:
        """The state called `name`; KeyError if there is none."""
        return self.states[name]


def _all_states(machine: Machine) -> Iterator[tuple[str, State]]:
    for name, state in machine.states.items():
        yield name, state
        for child in children(state):
            yield from _all_states(child)


def children(state: State) -> tuple[Machine, ...]:
    """The sub-machines a state holds: Parallel branches, a Map's processor."""
    if isinstance(state, Parallel):
        return state.branches
    if isinstance(state, Map):
        return tuple(p for p in (state.item_processor, state.iterator) if p is not None)
    return ()


def read_definition(source: str | bytes | dict[str, Any]) -> tuple[Any, list[Diagnostic]]:
    """The definition's JSON document (None, with the problem, when it is not one)."""
    document: Any = source
    if isinstance(source, str | bytes):
        try:
            document = read_json(source, "the definition")
        except JsonTextError as exc:
            return None, [Diagnostic("", "INVALID_JSON_DESCRIPTION", str(exc))]
    if not isinstance(document, dict) or not document:
        return None, [Diagnostic("", "MISSING_DESCRIPTION", "the definition must be a JSON object")]
    return document, []


def diagnose(source: str | bytes | dict[str, Any]) -> tuple[Definition | None, list[Diagnostic]]:
    """Parse and validate; the definition (when it parses) and every problem found."""
    document, unreadable = read_definition(source)
    if document is None:
        return None, unreadable
    try:
        definition = Definition.model_validate(document)
    except ValidationError as exc:
        structural = [from_pydantic(document, error) for error in exc.errors()]
        return None, sorted(set(structural + check(document)))
    return definition, sorted(set(check(document)))


def load(source: str | bytes | dict[str, Any]) -> StateMachine:
    """A ready StateMachine, or InvalidDefinitionError listing every problem."""
    definition, diagnostics = diagnose(source)
    if diagnostics or definition is None:
        raise InvalidDefinitionError(diagnostics)
    return StateMachine.from_definition(definition)


def successors(state: State) -> set[str]:
    """States one transition away, and the start states of the state's branches."""
    targets = {getattr(state, "next", None), getattr(state, "default", None)}
    targets |= {rule.next for rule in getattr(state, "choices", ())}
    targets |= {catcher.next for catcher in getattr(state, "catch", ())}
    targets |= {child.start_at for child in children(state)}
    return {t for t in targets if t}


def reachable(machine: StateMachine, starts: set[str]) -> set[str]:
    """Every state that can be entered from `starts` (themselves included)."""
    seen: set[str] = set()
    frontier = list(starts)
    while frontier:
        name = frontier.pop()
        if name not in seen:
            seen.add(name)
            frontier.extend(successors(machine.state(name)))
    return seen
