"""AWS API calls of Task states, shaped as Step Functions shapes them.

Parameters go in by the API's member names (the first letter in either case, as the
Java SDK's builders take them), a JSON value where the API wants text becomes its JSON
text, and `null` means "not given". The response comes back with the member names
capitalised, timestamps as ISO 8601 text and blobs as text; errors are named
`<Prefix>.<Exception>` as Step Functions names them (the Java SDK's client and exception
class names), the service's generic exception when the error is not one of its own.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from segue.asl import Failed, Succeeded, errors
from segue.asl.bounds import JsonTextError, read_json

if TYPE_CHECKING:
    from botocore.model import Shape

    from segue.asl import Result
    from segue.asl.outcomes import Json
    from segue.asl.sdk import SdkAction


def call(client: Any, action: SdkAction, parameters: Json, generic: str | None = None) -> Result:
    """Make the call; `generic` names the error of an unmodelled failure (`<Prefix>Exception`)."""
    prefix = action.error_prefix
    generic = generic or f"{prefix}Exception"
    if not isinstance(parameters, dict):
        return Failed(errors.TASK_FAILED, f"{prefix} needs the parameters as a JSON object")
    operation = action.model.operation_model(action.operation)
    try:
        request = _request(operation.input_shape, parameters)
        answer = getattr(client, xform_name(action.operation))(**request)
    except ClientError as error:
        return _service_error(error, action, generic)
    except ParamValidationError as error:  # the service would refuse these: say it as it would
        return Failed(f"{prefix}.{generic}", f"{error} (Service: {prefix}, Status Code: 400)")
    except (BotoCoreError, OSError) as error:
        return Failed(f"{prefix}.SdkClientException", f"Unable to execute HTTP request: {error}")
    answer.pop("ResponseMetadata", None)
    return _result(_response(operation.output_shape, answer))


def _result(value: Json) -> Result:
    try:  # the same bounds as any document segue keeps
        return Succeeded(read_json(json.dumps(value), "the service's answer"))
    except JsonTextError as refused:
        return Failed(errors.DATA_LIMIT_EXCEEDED, str(refused))


def _service_error(error: ClientError, action: SdkAction, generic: str) -> Failed:
    details = error.response.get("Error", {})
    # a service that answers in JSON for its old query API names the query error apart
    code = str(details.get("QueryErrorCode") or details.get("Code") or "")
    message = str(details.get("Message") or code)
    meta = error.response.get("ResponseMetadata", {})
    status = meta.get("HTTPStatusCode", 400)
    request_id = meta.get("RequestId") or "none"
    name = generic
    shapes = action.model.error_shapes
    modelled = {getattr(shape, "error_code", None) or shape.name: shape.name for shape in shapes}
    if code in modelled:  # the SDK's class: the error's shape, `...Exception` at the end
        shape = modelled[code]
        name = shape if shape.endswith("Exception") else f"{shape}Exception"
    service = action.error_prefix
    cause = f"{message} (Service: {service}, Status Code: {status}, Request ID: {request_id})"
    return Failed(f"{service}.{name}", cause)


# Requests ----------------------------------------------------------------------------------


def _request(shape: Shape | None, value: Any) -> Any:
    """`value` fitted to the API's input `shape` (member names, text, absent nulls)."""
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        shapes: dict[str, Shape] = shape.members  # type: ignore[attr-defined]
        members = {_uncapitalised(name): name for name in shapes}
        fitted: dict[str, Any] = {}
        for key, item in value.items():
            if item is None:
                continue
            name = members.get(_uncapitalised(str(key)), str(key))
            member = shapes.get(name)
            fitted[name] = _request(member, item) if member is not None else item
        return fitted
    if kind == "list" and isinstance(value, list):
        return [_request(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if kind == "map" and isinstance(value, dict):
        return {k: _request(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind == "blob" and not isinstance(value, bytes):  # any JSON value, a string too: its text
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    if kind == "string" and not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value


# Responses ---------------------------------------------------------------------------------


def _response(shape: Shape | None, value: Any) -> Json:
    """boto3's answer as JSON: capitalised member names, text for times and bytes."""
    if isinstance(value, dict):
        members = getattr(shape, "members", {}) if shape is not None else {}
        if shape is not None and shape.type_name == "map":
            return {k: _response(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
        return {_capitalised(k): _response(members.get(k), v) for k, v in value.items()}
    if isinstance(value, list):
        member = getattr(shape, "member", None)
        return [_response(member, item) for item in value]
    if isinstance(value, datetime):
        return _timestamp(value)
    if hasattr(value, "read"):  # a streaming body (S3 GetObject): its text
        return _text(value.read())
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return value


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]


def _uncapitalised(name: str) -> str:
    return name[:1].lower() + name[1:]


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _timestamp(value: datetime) -> str:
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace(".000+00:00", "Z").replace("+00:00", "Z")
