"""The console's files and the proxy of `segue console`, without a browser."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from segue.console import files
from segue.console.proxy import serve_console
from tests.localstack import free_port


@pytest.fixture
def built(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>segue</title>")
    (tmp_path / "assets" / "console.js").write_text("export {};")
    (tmp_path / "secret.txt").write_text("not an asset")
    return tmp_path


def test_every_page_path_is_the_single_page_and_assets_are_files(built):
    for path in ("/console/", "/console/executions/order:o-7", "/console/approvals?x=1"):
        answer = files.serve("GET", path.split("?")[0], built)
        assert answer.status == 200 and answer.body.startswith(b"<!doctype html>")
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    script = files.serve("GET", "/console/assets/console.js", built)
    assert script.status == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert files.serve("GET", "/console", built).headers["Location"] == "/console/"


def test_every_answer_carries_a_strict_content_security_policy(built):
    for path in ("/console/", "/console/assets/console.js"):
        policy = files.serve("GET", path, built).headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe" not in policy and "connect-src 'self'" in policy


def test_nothing_outside_the_assets_is_served(built):
    for path in (
        "/console/assets/../secret.txt",
        "/console/assets/../../secret.txt",
        "/console/assets/missing.js",
        "/console/assets/",
    ):
        assert files.serve("GET", path, built).status == 404, path
    answer = files.serve("POST", "/console/", built)
    assert (answer.status, answer.headers["Allow"]) == (405, "GET, HEAD")


def test_a_console_not_built_says_how_to_build_it(tmp_path):
    answer = files.serve("GET", "/console/", tmp_path / "missing")
    assert answer.status == 404
    assert "make console" in json.loads(answer.body)["message"]


def test_the_proxy_listens_on_the_loopback_and_forwards_only_api_routes():
    unused = free_port()
    server = serve_console(f"http://127.0.0.1:{unused}", free_port())
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        base = f"http://127.0.0.1:{port}"
        for path, status in (("/moto-api/", 404), ("/executions/a/b/c", 404), ("/health", 502)):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(base + path, timeout=10)
            assert refused.value.code == status, path
            assert json.loads(refused.value.read())["message"]
        request = urllib.request.Request(base + "/executions", data=b"x", method="PUT")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 405
    finally:
        server.shutdown()
