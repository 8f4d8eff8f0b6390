"""Step Functions ARNs for segue's names, and back: state machines, executions, activities."""

from __future__ import annotations

import re
from dataclasses import dataclass

from segue.service.errors import NotFoundError
from segue.sfn.errors import InvalidArn

_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):states:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>stateMachine|execution|activity|express|mapRun):(?P<rest>.+)"
)


@dataclass(frozen=True)
class Arns:
    """The ARNs of one region and account (the stack's)."""

    region: str
    account: str
    partition: str = "aws"

    def _prefix(self, kind: str) -> str:
        return f"arn:{self.partition}:states:{self.region}:{self.account}:{kind}:"

    def state_machine(self, name: str, version: int | None = None) -> str:
        suffix = "" if version is None else f":{version}"
        return self._prefix("stateMachine") + name + suffix

    def execution(self, execution_id: str) -> str:
        """An execution's ARN; segue's execution id is `<stateMachine>:<name>`."""
        return self._prefix("execution") + execution_id

    def activity(self, name: str) -> str:
        return self._prefix("activity") + name

    def map_run(self, machine: str, label: str, run: str) -> str:
        """A map run's ARN: its state machine, its label, and the run."""
        return self._prefix("mapRun") + f"{machine}/{label}:{run}"

    def state_machine_name(self, arn: str) -> tuple[str, int | None]:
        """(name, version or None) of a state machine ARN."""
        rest = self._rest(arn, "stateMachine", "a state machine")
        name, _, version = rest.partition(":")
        if not version:
            return name, None
        if not version.isdigit() or int(version) < 1:
            raise InvalidArn(f"Invalid Arn: 'Invalid version in state machine ARN: {arn}'")
        return name, int(version)

    def execution_id(self, arn: str) -> str:
        """segue's execution id (`<stateMachine>:<name>`) of an execution ARN."""
        rest = self._rest(arn, "execution", "an execution")
        machine, _, name = rest.partition(":")
        if not machine or not name or ":" in name:
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        return rest

    def map_run_of(self, arn: str) -> tuple[str, str]:
        """(execution id, Map token) of a map run's ARN (`<machine>/<label>:<name>.<token>`)."""
        rest = self._rest(arn, "mapRun", "a map run")
        machine, slash, after = rest.partition("/")
        _, colon, run = after.rpartition(":")
        name, dot, token = run.rpartition(".")
        if not (machine and slash and colon and name and dot and token):
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        return f"{machine}:{name}", token

    def activity_name(self, arn: str) -> str:
        return self._rest(arn, "activity", "an activity")

    def _rest(self, arn: str, kind: str, what: str) -> str:
        found = _ARN.fullmatch(arn)
        if found is None:
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        if found["kind"] != kind:
            raise InvalidArn(f"Invalid Arn: '{arn}' is not {what} ARN")
        if (found["region"], found["account"]) != (self.region, self.account):
            # Another region's or account's resource is simply not here (as on AWS).
            raise NotFoundError(f"{what} in region {found['region']}, account {found['account']}")
        return found["rest"]
