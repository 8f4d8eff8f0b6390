"""The console's files, answered with a strict Content-Security-Policy.

`make console` bundles them into `dist/` beside this module. Every page path under
`/console/` that is not a file is the single page (`index.html`), which routes itself, so
that each URL is a deep link.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "/console"
DIST = Path(__file__).resolve().parent / "dist"

POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
"""Nothing but the console's own files runs, and it talks only to its own origin."""

HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}

_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Answer:
    """A console response: status, headers and body bytes."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def serve(method: str, path: str, root: Path = DIST) -> Answer:
    """A console request: GET and HEAD are answered, any other method is a 405."""
    if method not in ("GET", "HEAD"):
        body = json.dumps(
            {"error": "MethodNotAllowed", "message": f"{method} is not one of GET, HEAD"}
        )
        return Answer(
            405, body.encode("utf-8"), {"Allow": "GET, HEAD", "Content-Type": "application/json"}
        )
    return answer(path, root)


def is_console(path: str) -> bool:
    """Whether `path` (without its query) belongs to the console."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def answer(path: str, root: Path = DIST) -> Answer:
    """The file for a console path: an asset, the page for any other path, or a redirect."""
    if path == PREFIX:
        return Answer(308, b"", {"Location": PREFIX + "/"})
    relative = path[len(PREFIX) + 1 :]
    if relative.startswith("assets/"):
        found = _inside(root / "assets", relative.removeprefix("assets/"))
        if found is None:
            return _missing(f"no console file {relative[:200]!r}")
        return _file(found, "public, max-age=300")
    page = root / "index.html"
    if not page.is_file():
        return _missing("the console is not built: run `make console` (or `make dev`)")
    return _file(page, "no-cache")


def _inside(folder: Path, relative: str) -> Path | None:
    """The file `relative` names under `folder`, never one outside it."""
    candidate = (folder / relative).resolve()
    if folder.resolve() not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def _file(path: Path, cache: str) -> Answer:
    kind = (
        _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    charset = "; charset=utf-8" if kind.startswith("text/") or kind.endswith("+xml") else ""
    headers = HEADERS | {"Content-Type": kind + charset, "Cache-Control": cache}
    return Answer(200, path.read_bytes(), headers)


def _missing(message: str) -> Answer:
    body = json.dumps({"error": "NotFound", "message": message}).encode("utf-8")
    return Answer(404, body, HEADERS | {"Content-Type": "application/json"})
