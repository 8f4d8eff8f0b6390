"""Lambda functions: invoked through boto3, or in-process when registered locally."""

from __future__ import annotations

import importlib
import importlib.util
import json
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from segue.asl import Failed, Succeeded, errors
from segue.asl.bounds import JsonTextError, read_json

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mypy_boto3_lambda import LambdaClient

    from segue.asl import Result
    from segue.asl.outcomes import Json

Handler = Callable[[Any, Any], Any]


def function_name(reference: str) -> str:
    """NAME from a function name, a partial ARN or a full ARN (any region, any account)."""
    parts = reference.split(":")
    if "function" in parts:
        return parts[parts.index("function") + 1]
    return reference


@dataclass
class LambdaContext:
    """What a handler may ask of its context when segue runs it in-process."""

    function_name: str
    deadline: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 128
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:000000000000:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "segue-local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def function_entry(entry: str) -> tuple[str, str]:
    """`NAME=module:callable` (a `--functions` entry) as its name and handler spec."""
    name, separator, spec = entry.partition("=")
    if not separator or not name or ":" not in spec:
        raise ValueError(f"--functions wants NAME=module:callable, got {entry!r}")
    return name, spec


def load_handler(spec: str) -> Handler:
    """`module:callable` or `path/to/file.py:callable` to the callable."""
    target, _, attribute = spec.rpartition(":")
    if not target or not attribute:
        raise ValueError(f"expected module:callable, got {spec!r}")
    if target.endswith(".py"):
        path = Path(target).resolve()
        module_name = f"segue_fn_{abs(hash(str(path)))}"
        loaded = importlib.util.spec_from_file_location(module_name, path)
        if loaded is None or loaded.loader is None:
            raise ValueError(f"cannot load {path}")
        module = importlib.util.module_from_spec(loaded)
        loaded.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    handler: Handler = getattr(module, attribute)
    return handler


class Functions:
    """Invokes a function by name: a local handler when one is registered, else AWS Lambda."""

    def __init__(
        self, client: Callable[[], LambdaClient], local: Mapping[str, str] | None = None
    ) -> None:
        self._client = client
        self.local = dict(local or {})
        self._loaded: dict[str, Handler] = {}

    def invoke(
        self, reference: str, payload: Json, timeout: float, asynchronous: bool = False
    ) -> Result:
        """The function's answer as a task result (its errors named as Step Functions does).

        `asynchronous` (a callback task) asks AWS Lambda for an Event invocation; a local
        function runs to its end either way, so its own failure still fails the task.
        """
        name = function_name(reference)
        if name in self.local:
            if name not in self._loaded:  # imported on first use: the API never needs them
                self._loaded[name] = load_handler(self.local[name])
            return _run_local(self._loaded[name], name, payload, timeout)
        return self._run_remote(reference, payload, asynchronous)

    def _run_remote(self, reference: str, payload: Json, asynchronous: bool) -> Result:
        request: dict[str, Any] = {
            "FunctionName": reference,
            "Payload": json.dumps(payload).encode("utf-8"),
        }
        if asynchronous:
            request["InvocationType"] = "Event"
        try:
            answer = self._client().invoke(**request)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "ServiceException")
            return Failed(f"Lambda.{code}", str(error))
        if asynchronous:
            return Succeeded({"StatusCode": answer.get("StatusCode", 202)})
        body = answer["Payload"].read().decode("utf-8", errors="replace") or "null"
        if answer.get("FunctionError"):
            return _function_error(body)
        return _result(body)


def _result(text: str) -> Result:
    """A function's answer as a result, within the bounds of any document segue keeps."""
    try:
        return Succeeded(read_json(text, "the function's result"))
    except JsonTextError as refused:
        return Failed(errors.DATA_LIMIT_EXCEEDED, str(refused))


def _run_local(handler: Handler, name: str, payload: Json, timeout: float) -> Result:
    context = LambdaContext(name, time.monotonic() + timeout)
    try:
        answer = handler(json.loads(json.dumps(payload)), context)
        return _result(json.dumps(answer))
    except Exception as exc:  # a task's failure is data for Retry and Catch, not a crash
        body = {
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "stackTrace": traceback.format_exception(exc)[-3:],
        }
        return Failed(type(exc).__name__, json.dumps(body))


def _function_error(body: str) -> Result:
    try:
        document = read_json(body, "the function's error")
    except JsonTextError:
        return Failed("Lambda.Unknown", body)
    error = document.get("errorType") if isinstance(document, dict) else None
    return Failed(error or "Lambda.Unknown", body)
