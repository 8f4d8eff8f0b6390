"""The console's history filter offers every event type the engine writes, and no other."""

from __future__ import annotations

import re
from pathlib import Path

from segue.engine.events import EVENT_TYPES

HISTORY_PAGE = Path(__file__).resolve().parents[2] / "console" / "src" / "pages" / "history.js"


def test_the_console_filter_lists_every_event_type():
    source = HISTORY_PAGE.read_text()
    listed = re.search(r"const TYPES = \[(.*?)\];", source, re.S)
    assert listed is not None
    assert set(re.findall(r"'([A-Za-z]+)'", listed.group(1))) == EVENT_TYPES
