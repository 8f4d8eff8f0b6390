"""Amazon States Language: parse, validate and interpret definitions. Pure: no I/O, no clock."""

from segue.asl.diagnostics import Diagnostic, InvalidDefinitionError
from segue.asl.machine import StateMachine, diagnose, load
from segue.asl.outcomes import (
    End,
    Fail,
    Failed,
    FanOut,
    Invoke,
    Next,
    Outcome,
    Result,
    Retry,
    Runtime,
    Settled,
    Start,
    Succeeded,
    Visit,
    WaitUntil,
)
from segue.asl.step import complete, enter

__all__ = [
    "Diagnostic",
    "End",
    "Fail",
    "Failed",
    "FanOut",
    "InvalidDefinitionError",
    "Invoke",
    "Next",
    "Outcome",
    "Result",
    "Retry",
    "Runtime",
    "Settled",
    "Start",
    "StateMachine",
    "Succeeded",
    "Visit",
    "WaitUntil",
    "complete",
    "diagnose",
    "enter",
    "load",
]
