"""ISO-8601 timestamps the way Step Functions accepts them (RFC 3339: `T`, and `Z` or an offset)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})"
)


def parse_timestamp(text: object) -> tuple[datetime, int] | None:
    """The instant (whole seconds, UTC) and its nanoseconds, or None when not a timestamp."""
    if not isinstance(text, str):
        return None
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction, offset = match.group(7) or "", match.group(8)
    try:
        zone = UTC if offset == "Z" else _zone(offset)
        instant = datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None
    return instant.astimezone(UTC), int(fraction.ljust(9, "0")) if fraction else 0


def _zone(offset: str) -> timezone:
    sign = -1 if offset[0] == "-" else 1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def is_timestamp(value: object) -> bool:
    """True when the value is a string Step Functions reads as a timestamp."""
    return parse_timestamp(value) is not None


def to_datetime(parsed: tuple[datetime, int]) -> datetime:
    """The instant as a datetime, at microsecond precision."""
    instant, nanos = parsed
    return instant + timedelta(microseconds=nanos // 1000)


def format_timestamp(instant: datetime) -> str:
    """The ISO-8601 text Step Functions writes, e.g. `2024-01-02T03:04:05.678Z`."""
    utc = instant.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
