"""Debian's Chromium driven by Playwright for Python: no browser download, ever."""

from __future__ import annotations

import contextlib
import shutil
from typing import TYPE_CHECKING

from playwright.sync_api import sync_playwright

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser

FLAGS = [
    "--no-sandbox",  # root in CI, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--no-first-run",
    # this machine has no network but the loopback: Chromium's own calls home would
    # each be refused, so none is made
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def chromium() -> str:
    """The path of Debian's chromium (`make test` installs it when missing)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RuntimeError("chromium is not installed: `make browser` installs Debian's package")
    return found


@contextlib.contextmanager
def launched() -> Iterator[Browser]:
    """A headless Chromium for the length of the block."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()
