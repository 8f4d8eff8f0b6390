"""The console in a real Chromium, against `segue dev`: what an operator sees and does."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from segue.local.stack import wait_for
from tests.browser import launched
from tests.localstack import REPO, free_port, running_stack

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
XSS = "<img src=x onerror=alert(1)>"
SCRIPT_STATE = "<script>alert(2)</script>"

# The chaos run and the browser tests (Chromium, a second stack) each load the machine
# hard: one xdist worker runs them one after the other, never side by side.
pytestmark = pytest.mark.xdist_group("heavy")


@pytest.fixture(scope="module")
def browser():
    with launched() as found:
        yield found


@pytest.fixture
def page(browser):
    """A fresh page that records every alert and script error; none may happen."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []

    def refuse(dialog):
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", refuse)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    yield page
    context.close()
    assert problems == []


def register(stack, name: str, definition: dict) -> None:
    stack.client.call("POST", "/state-machines", {"name": name, "definition": definition})


def start(stack, machine: str, name: str, input: dict, **extra) -> str:
    body = {"stateMachine": machine, "name": name, "input": input, **extra}
    return str(stack.client.call("POST", "/executions", body)["executionId"])


def node(page, state: str):
    return page.locator(f'[data-testid="graph-node"][data-state="{state}"]')


HOLD = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"ready": True}, "Next": "Hold"},
        "Hold": {"Type": "Wait", "Seconds": 8, "Next": "Use"},
        "Use": {"Type": "Pass", "End": True},
    },
}


def test_list_open_pause_resume_with_data_and_watch_it_succeed(local_stack, page):
    register(local_stack, "console-hold", HOLD)
    execution_id = start(local_stack, "console-hold", "tour", {"order": 7})
    local_stack.wait_for_status(execution_id, "WAITING")

    page.goto(f"{local_stack.endpoint}/console/?stateMachine=console-hold")
    row = page.locator(f'[data-testid="execution-row"][data-execution-id="{execution_id}"]')
    expect(row).to_have_attribute("data-status", "WAITING")
    expect(row).to_contain_text("Hold")
    row.get_by_role("link", name="tour").click()

    expect(page).to_have_url(re.compile(f"/console/executions/{execution_id}$"))
    expect(page.get_by_test_id("execution-status")).to_have_text("WAITING")
    expect(node(page, "Prepare")).to_have_attribute("data-status", "completed")
    expect(node(page, "Hold")).to_have_attribute("data-status", "current")
    expect(node(page, "Use")).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("action-resume")).to_be_disabled()
    expect(page.get_by_test_id("action-redrive")).to_be_disabled()

    page.get_by_test_id("action-pause").click()
    dialog = page.get_by_test_id("dialog")
    dialog.get_by_test_id("reason").fill("look before it goes on")
    dialog.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("execution-status")).to_have_text("PAUSED")
    expect(page.get_by_test_id("inspection")).to_contain_text("look before it goes on")
    expect(page.get_by_test_id("action-pause")).to_be_disabled()

    page.get_by_test_id("action-resume").click()
    editor = page.get_by_test_id("dialog").get_by_test_id("json-input")
    editor.fill('{"approvedBy": ')  # not JSON: refused in the dialog, nothing is sent
    page.get_by_test_id("dialog").get_by_test_id("confirm").click()
    expect(page.get_by_test_id("dialog")).to_contain_text("not JSON")
    assert local_stack.client.call("GET", f"/executions/{execution_id}")["status"] == "PAUSED"
    editor.fill('{"approvedBy": "ops"}')
    page.get_by_test_id("dialog").get_by_test_id("confirm").click()

    expect(page.get_by_test_id("execution-status")).to_have_text("SUCCEEDED", timeout=20_000)
    variables = page.get_by_test_id("variables").text_content()
    assert json.loads(variables or "") == {"approvedBy": "ops"}
    for state in ("Prepare", "Hold", "Use"):
        expect(node(page, state)).to_have_attribute("data-status", "completed")
    events = local_stack.client.call("GET", f"/executions/{execution_id}/history")["events"]
    assert [e["type"] for e in events].count("ExecutionResumed") == 1


def test_a_state_picked_on_the_graph_shows_what_it_did_and_history_filters(local_stack, page):
    definition = {
        "StartAt": "Add",
        "States": {"Add": {"Type": "Task", "Resource": LAMBDA + "add_one", "End": True}},
    }
    register(local_stack, "console-add", definition)
    execution_id = start(local_stack, "console-add", "picked", {"n": 41})
    local_stack.wait_for_status(execution_id, "SUCCEEDED")

    page.goto(f"{local_stack.endpoint}/console/executions/{execution_id}?tab=history")
    rows = page.get_by_test_id("history-row")
    expect(rows.first).to_have_attribute("data-type", "ExecutionStarted")
    assert "TaskSucceeded" in rows.evaluate_all("rows => rows.map(r => r.dataset.type)")
    page.get_by_test_id("history-filter").select_option("TaskSucceeded")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-type", "TaskSucceeded")
    assert "type=TaskSucceeded" in page.url  # the filter is part of the link

    node(page, "Add").click()
    detail = page.get_by_test_id("state-detail")
    expect(detail).to_have_attribute("data-state", "Add")
    expect(detail).to_contain_text('"n": 41')
    expect(detail).to_contain_text('"n": 42')


def test_an_approval_approved_from_the_inbox(local_stack, page):
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "segue:approval",
                "Parameters": {"Message": "Ship order 9?"},
                "End": True,
            }
        },
    }
    register(local_stack, "console-approve", definition)
    execution_id = start(local_stack, "console-approve", "ship", {})
    local_stack.wait_for_status(execution_id, "WAITING")

    page.goto(f"{local_stack.endpoint}/console/approvals")
    row = page.get_by_test_id("approval-row").filter(has_text=execution_id)
    expect(row).to_have_attribute("data-status", "PENDING")
    expect(row).to_contain_text("Ship order 9?")
    row.get_by_test_id("approve").click()
    page.get_by_test_id("dialog").get_by_test_id("comment").fill("fine by me")
    page.get_by_test_id("dialog").get_by_test_id("json-input").fill('{"carrier": "post"}')
    page.get_by_test_id("dialog").get_by_test_id("confirm").click()
    expect(row).to_have_attribute("data-status", "APPROVED")
    expect(row.get_by_test_id("approve")).to_be_disabled()

    done = local_stack.wait_for_status(execution_id, "SUCCEEDED")
    assert done["output"]["approved"] is True
    assert done["output"]["comment"] == "fine by me"
    assert done["output"]["data"] == {"carrier": "post"}


def test_a_conflict_is_shown_in_words_and_the_page_shows_the_execution_as_it_is(local_stack, page):
    register(local_stack, "console-hold", HOLD)
    execution_id = start(local_stack, "console-hold", "raced", {}, pauseBefore=["Hold"])
    local_stack.wait_for_status(execution_id, "PAUSED")

    page.goto(f"{local_stack.endpoint}/console/executions/{execution_id}")
    page.get_by_test_id("action-resume").click()  # the dialog opens ...
    local_stack.client.call("POST", f"/executions/{execution_id}/resume", {})  # ... someone acts
    page.get_by_test_id("dialog").get_by_test_id("confirm").click()

    expect(page.get_by_test_id("error")).to_contain_text("Conflict")
    expect(page.get_by_test_id("execution-status")).to_have_text(re.compile("RUNNING|WAITING"))
    expect(page.get_by_test_id("action-resume")).to_be_disabled()
    expect(page.get_by_test_id("action-pause")).to_be_enabled()
    local_stack.client.call("POST", f"/executions/{execution_id}/cancel", {})


def test_a_dead_letter_is_redriven(local_stack, page):
    sqs = local_stack.aws("sqs")
    dead = sqs.get_queue_url(QueueName="segue-local-EventsDeadLetterQueue")["QueueUrl"]
    body = json.dumps({"name": "console-redrive", "key": "k-1", "payload": {"n": 1}})
    message_id = sqs.send_message(QueueUrl=dead, MessageBody=body)["MessageId"]

    page.goto(f"{local_stack.endpoint}/console/dead-letters?queue=events")
    row = page.locator(f'[data-testid="dead-letter-row"][data-message-id="{message_id}"]')
    expect(row).to_contain_text("console-redrive")
    row.get_by_test_id("redrive").click()
    page.get_by_test_id("dialog").get_by_test_id("confirm").click()
    expect(row).to_have_count(0)
    left = local_stack.client.call("GET", "/dead-letters/events")["items"]
    assert message_id not in [m["messageId"] for m in left]


def test_what_users_wrote_renders_as_text(local_stack, page):
    definition = {
        "StartAt": SCRIPT_STATE,
        "States": {
            SCRIPT_STATE: {"Type": "Pass", "Next": "Hold"},
            "Hold": {"Type": "Wait", "Seconds": 3600, "End": True},
        },
    }
    register(local_stack, "console-xss", definition)
    execution_id = start(local_stack, "console-xss", "xss", {"note": XSS})
    local_stack.wait_for_status(execution_id, "WAITING")

    page.goto(f"{local_stack.endpoint}/console/executions/{execution_id}?tab=io")
    expect(node(page, SCRIPT_STATE)).to_have_attribute("data-status", "completed")
    expect(page.get_by_test_id("input")).to_contain_text(XSS)
    node(page, SCRIPT_STATE).click()
    expect(page.get_by_test_id("state-detail")).to_contain_text(XSS)
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1  # the console's own
    local_stack.client.call("POST", f"/executions/{execution_id}/cancel", {})


def test_deep_links_open_the_view_they_name(local_stack, page):
    register(local_stack, "console-hold", HOLD)
    execution_id = start(local_stack, "console-hold", "linked", {}, pauseBefore=["Hold"])
    local_stack.wait_for_status(execution_id, "PAUSED")

    page.goto(f"{local_stack.endpoint}/console/?status=PAUSED&stateMachine=console-hold&q=link")
    expect(page.get_by_test_id("filter-status")).to_have_value("PAUSED")
    expect(page.get_by_test_id("filter-state-machine")).to_have_value("console-hold")
    expect(page.get_by_test_id("search")).to_have_value("link")
    rows = page.get_by_test_id("execution-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-execution-id", execution_id)

    page.goto(f"{local_stack.endpoint}/console/executions/{execution_id}?tab=checkpoints")
    expect(page.get_by_test_id("tab-checkpoints")).to_have_attribute("aria-selected", "true")
    latest = page.locator('[data-testid="checkpoint-row"][data-latest="true"]')
    expect(latest).to_have_count(1)
    latest.get_by_role("button", name="Open").click()
    expect(page.get_by_test_id("checkpoint")).to_contain_text("PAUSED")

    page.goto(f"{local_stack.endpoint}/console/state-machines/console-hold")
    expect(node(page, "Hold")).to_have_attribute("data-status", "unreached")
    page.get_by_test_id("execution-name").fill("from-console")
    node(page, "Hold").click()  # a breakpoint
    page.get_by_test_id("json-input").fill('{"from": "console"}')
    page.get_by_test_id("action-start").click()
    started = "console-hold:from-console"
    expect(page).to_have_url(re.compile(f"/console/executions/{started}$"))
    expect(page.get_by_test_id("execution-status")).to_have_text("PAUSED", timeout=20_000)
    assert local_stack.client.call("GET", f"/executions/{started}")["pauseBefore"] == ["Hold"]
    local_stack.client.call("POST", f"/executions/{execution_id}/cancel", {})
    local_stack.client.call("POST", f"/executions/{started}/cancel", {})


def test_a_parent_links_to_its_child_and_the_child_back(local_stack, page):
    register(
        local_stack, "console-kid", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": "console-kid", "Name": "kid-1"},
        "End": True,
    }
    register(local_stack, "console-mom", {"StartAt": "Run", "States": {"Run": task}})
    mom = start(local_stack, "console-mom", "mom-1", {})
    local_stack.wait_for_status(mom, "SUCCEEDED")

    page.goto(f"{local_stack.endpoint}/console/executions/{mom}")
    expect(page.get_by_test_id("inspection")).to_contain_text("Children (1)")
    page.get_by_test_id("related").filter(has_text="console-kid:kid-1").click()
    expect(page).to_have_url(re.compile("/console/executions/console-kid:kid-1$"))
    expect(page.get_by_test_id("inspection")).to_contain_text("Started by")
    page.get_by_test_id("related").filter(has_text=mom).click()
    expect(page).to_have_url(re.compile(f"/console/executions/{mom}$"))


def test_a_distributed_maps_run_shows_its_progress_while_paused(local_stack, page):
    ask = {"Type": "Task", "Resource": "segue:approval", "Parameters": {"Message": "go?"}}
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.xs",
                "MaxConcurrency": 2,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Ask",
                    "States": {"Ask": {**ask, "End": True}},
                },
                "End": True,
            }
        },
    }
    register(local_stack, "console-fan", definition)
    fan = start(local_stack, "console-fan", "fan-1", {"xs": [1, 2, 3, 4, 5]})
    local_stack.wait_for_status(fan, "WAITING")
    local_stack.client.call("POST", f"/executions/{fan}/pause", {"reason": "look"})

    page.goto(f"{local_stack.endpoint}/console/executions/{fan}")
    run = page.get_by_test_id("map-run")
    expect(run).to_contain_text("Each running, paused")
    expect(run).to_contain_text("0 of 5 items done")
    expect(run).to_contain_text("2 running, 3 pending")
    assert run.locator("progress").get_attribute("max") == "5"
    local_stack.client.call("POST", f"/executions/{fan}/cancel", {})


def test_segue_console_serves_and_signs_for_another_stack(tmp_path, page):
    """`segue console` in front of a second stack: pages and API calls through its proxy."""
    with running_stack({}, tmp_path / "second.log", workers=1) as second:
        register(second, "console-hold", HOLD)
        execution_id = start(second, "console-hold", "proxied", {}, pauseBefore=["Hold"])
        second.wait_for_status(execution_id, "PAUSED")
        port = free_port()
        proxy = subprocess.Popen(
            [sys.executable, "-m", "segue.cli", "console", "--endpoint", second.endpoint]
            + ["--port", str(port)],
            cwd=REPO,
            env=os.environ | {"USER": "operator-7"},
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            console = f"http://127.0.0.1:{port}"
            wait_for(console + "/console/")
            page.goto(console + "/console/")
            row = page.locator(f'[data-testid="execution-row"][data-execution-id="{execution_id}"]')
            expect(row).to_have_attribute("data-status", "PAUSED")
            row.get_by_role("link").first.click()
            page.get_by_test_id("action-cancel").click()
            page.get_by_test_id("dialog").get_by_test_id("confirm").click()
            expect(page.get_by_test_id("execution-status")).to_have_text("CANCELLED")

            # the caller is whoever runs the proxy, never what the browser says
            events = second.client.call("GET", f"/executions/{execution_id}/history")["events"]
            cancelled = [e for e in events if e["type"] == "ExecutionCancelled"]
            assert cancelled[0]["details"]["by"] == "operator-7"
            # only the API's own routes are forwarded
            for path in ("/moto-api/", "/executions/x/y/z", "/%2e%2e/etc/passwd"):
                with pytest.raises(urllib.error.HTTPError) as refused:
                    urllib.request.urlopen(console + path, timeout=10)
                assert refused.value.code == 404
        finally:
            proxy.terminate()
            proxy.wait(timeout=10)


def test_with_the_rollout_flag_off_the_console_says_so_and_offers_no_pause(tmp_path, page):
    flags = tmp_path / "flags.json"
    flags.write_text(json.dumps({"enable-workflow-state-management": {"default": False}}))
    environment = {"SEGUE_FLAGS_FILE": str(flags)}
    with running_stack({}, tmp_path / "segue-dev.log", environment=environment) as stack:
        hold = {
            "StartAt": "Hold",
            "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": True}},
        }
        register(stack, "unmanaged", hold)
        execution_id = start(stack, "unmanaged", "one", {})
        stack.wait_for_status(execution_id, "WAITING")
        page.goto(f"{stack.endpoint}/console/executions/{execution_id}")
        expect(page.get_by_test_id("execution-status")).to_have_text("WAITING")
        expect(page.get_by_test_id("state-management-off")).to_be_visible()
        expect(page.get_by_test_id("state-management-off")).to_contain_text(
            "enable-workflow-state-management"
        )
        expect(page.get_by_test_id("action-pause")).to_be_disabled()
        expect(page.get_by_test_id("action-cancel")).to_be_enabled()
        stack.client.call("POST", f"/executions/{execution_id}/cancel", {})


def test_with_the_flag_on_the_console_shows_no_note(local_stack, page):
    register(
        local_stack,
        "managed",
        {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": True}}},
    )
    execution_id = start(local_stack, "managed", "one", {})
    local_stack.wait_for_status(execution_id, "WAITING")
    page.goto(f"{local_stack.endpoint}/console/executions/{execution_id}")
    expect(page.get_by_test_id("action-pause")).to_be_enabled()
    expect(page.get_by_test_id("state-management-off")).to_be_hidden()
    local_stack.client.call("POST", f"/executions/{execution_id}/cancel", {})


def test_the_api_page_reads_the_openapi_document(local_stack, page):
    page.goto(f"{local_stack.endpoint}/console/api")
    operations = page.get_by_test_id("api-operation")
    expect(operations.first).to_be_visible()
    document = local_stack.client.call("GET", "/openapi.json")
    described = sum(len(methods) for methods in document["paths"].values())
    expect(operations).to_have_count(described)
    start = page.locator("#startExecution")
    expect(start).to_contain_text("POST /executions")
    expect(start).to_contain_text("stateMachine")  # a body field, from StartBody's schema
    expect(start).to_contain_text("201")
