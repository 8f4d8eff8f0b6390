"""When stored items go (DynamoDB TTL): everything of an execution, 90 days after it ends.

Re-marking every item when an execution ends would cost one write per item: almost half
again the write units of a short execution. So each item is written with an expiry
already (the retention plus a day's grace, counted from its write), and only an
execution that ran longer than that grace is re-marked when it ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

GRACE = timedelta(days=1)


def expiry_of_write(now: datetime, retention: timedelta) -> int:
    """The TTL (epoch seconds) of an item written at `now` by a live execution."""
    return int((now + retention + GRACE).timestamp())


def needs_marking(created: datetime, finished: datetime) -> bool:
    """An execution that ran longer than the grace has items that would go too early."""
    return finished - created > GRACE
