"""The rollout flag `enable-workflow-state-management`, read through Powertools Feature Flags.

On AWS the rules live in AppConfig (the template's `Flags*` resources); on the local
stack in a JSON file (`segue dev --flags FILE`); with neither, the flag is on for every
workflow. Both stores are read at most once per `max_age` seconds, and an answer for a
state machine revision is kept as long, so no transition reads a flag.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.feature_flags import (
    AppConfigStore,
    FeatureFlags,
    SchemaValidator,
)
from aws_lambda_powertools.utilities.feature_flags.base import StoreProvider
from aws_lambda_powertools.utilities.feature_flags.exceptions import (
    ConfigurationStoreError,
    SchemaValidationError,
)

from segue.engine.rollout import FLAG, flag_context
from segue.service.errors import ConflictingRequestError

if TYPE_CHECKING:
    from collections.abc import Callable

    from segue.asl import StateMachine

log = logging.getLogger("segue.rollout")

MAX_AGE_SECONDS = 60


class FeatureDisabledError(ConflictingRequestError):
    """A state-management action on a workflow the rollout flag leaves out."""

    code = "FeatureDisabled"


class FileStore(StoreProvider):
    """Feature flags in a JSON file, read again at most every `max_age` seconds."""

    def __init__(self, path: Path, max_age: float = MAX_AGE_SECONDS) -> None:
        self.path = path
        self.max_age = max_age
        self.reads = 0
        self._loaded: dict[str, Any] = {}
        self._until = 0.0

    @property
    def get_raw_configuration(self) -> dict[str, Any]:
        now = time.monotonic()
        if now >= self._until:
            try:
                loaded = json.loads(self.path.read_text())
            except (OSError, ValueError) as exc:
                raise ConfigurationStoreError(f"cannot read {self.path}: {exc}") from exc
            if not isinstance(loaded, dict):
                raise ConfigurationStoreError(f"{self.path} is not a JSON object")
            self.reads += 1
            self._loaded, self._until = loaded, now + self.max_age
        return self._loaded

    def get_configuration(self) -> dict[str, Any]:
        return self.get_raw_configuration


class NoFlags(StoreProvider):
    """No flag store configured: state management is on for every workflow."""

    ALL_ON: dict[str, Any] = {FLAG: {"default": True}}

    @property
    def get_raw_configuration(self) -> dict[str, Any]:
        return self.ALL_ON

    def get_configuration(self) -> dict[str, Any]:
        return self.ALL_ON


def check_flags_file(path: Path) -> None:
    """Refuse a flags file that is not JSON or not Powertools' schema (ValueError)."""
    try:
        document = json.loads(path.read_text())
        SchemaValidator(schema=document).validate()
    except (OSError, ValueError, SchemaValidationError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


def flag_store(file: str, application: str, environment: str, profile: str) -> StoreProvider:
    """The file store when a file is named, else AppConfig when it is, else none."""
    if file:
        return FileStore(Path(file))
    if application and environment and profile:
        return AppConfigStore(
            environment=environment,
            application=application,
            name=profile,
            max_age=MAX_AGE_SECONDS,
        )
    return NoFlags()


@dataclass
class Rollout:
    """Whether state management is on for a workflow, each answer kept `max_age` seconds."""

    flags: FeatureFlags
    tags: Callable[[str], dict[str, str]]
    """A state machine's tags, by its name."""
    max_age: float = MAX_AGE_SECONDS
    _answers: dict[tuple[str, int], tuple[float, bool]] = field(default_factory=dict)

    def enabled(self, name: str, revision: int, machine: StateMachine) -> bool:
        """The flag's answer for revision `revision` of state machine `name`."""
        now = time.monotonic()
        kept = self._answers.get((name, revision))
        if kept is not None and kept[0] > now:
            return kept[1]
        try:
            context = flag_context(name, self.tags(name), machine)
            answer = bool(self.flags.evaluate(name=FLAG, context=context, default=True))
        except Exception:  # a broken rule set leaves the features as they were: on
            log.exception("the %s flag could not be evaluated for %s; it is on", FLAG, name)
            answer = True
        self._answers[(name, revision)] = (now + self.max_age, answer)
        return answer

    def require(self, name: str, revision: int, machine: StateMachine, what: str) -> None:
        """FeatureDisabledError (409) when the flag is off for the workflow."""
        if not self.enabled(name, revision, machine):
            raise FeatureDisabledError(
                f"{what} is off for state machine {name!r}: the {FLAG} flag does not "
                "enable state management for it"
            )
