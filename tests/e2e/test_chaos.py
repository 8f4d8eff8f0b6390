"""Chaos with real processes: workers SIGKILLed every few seconds while 300 run.

Every execution must end with the output of a clean run, no task state may be committed
more often than it was entered (checked from history), and none may be left stuck.
"""

from __future__ import annotations

import pytest

from tests.chaos import CRON_SECONDS, ENVIRONMENT, FUNCTIONS, percentile, run_chaos
from tests.localstack import running_stack

# The chaos run and the browser tests (Chromium, a second stack) each load the machine
# hard: one xdist worker runs them one after the other, never side by side.
pytestmark = pytest.mark.xdist_group("heavy")


def test_killing_workers_loses_and_repeats_nothing(tmp_path):
    log = tmp_path / "segue-dev.log"
    with running_stack(
        FUNCTIONS, log, workers=4, environment=ENVIRONMENT, cron_seconds=CRON_SECONDS
    ) as stack:
        result = run_chaos(stack, executions=300)
    recoveries = result.recoveries()
    print(
        f"\nchaos: {len(result.executions)} executions in {result.seconds:.0f} s,"
        f" {len(result.kills)} workers killed, {result.paused} paused and resumed,"
        f" {len(recoveries)} leases of dead workers and {result.lost_by_the_living()} of slow"
        f" ones taken back, "
        f"{result.count('WorkRedispatched')} redispatches; recovery after a kill"
        f" p50 {percentile(recoveries, 50):.2f} s, p99 {percentile(recoveries, 99):.2f} s"
    )
    assert len(result.kills) >= 10, "the run was too short to kill anything much"
    assert result.wrong() == []
    assert result.committed_twice() == []
    assert recoveries, "no kill hit a running task"
