"""AWS list prices used by the cost benchmarks: us-east-1, on-demand, arm64, no free tier.

Read from AWS's public price pages on the date below; change them here and only here.
"""

from __future__ import annotations

AS_OF = "2026-12-03"
REGION = "us-east-1"

DYNAMODB_WRITE_UNIT = 0.625 / 1e6
"""On-demand: a write request unit per 1 KB written (each index item written too)."""
DYNAMODB_READ_UNIT = 0.125 / 1e6
"""On-demand: a read request unit per 4 KB read consistently (half for eventually)."""
DYNAMODB_GB_MONTH = 0.25
"""Standard table class storage, indexes included."""
SQS_REQUEST = 0.40 / 1e6
"""Standard queue; every 64 KB of a request's payload is one request."""
LAMBDA_REQUEST = 0.20 / 1e6
LAMBDA_GB_SECOND_ARM = 0.0000133334
"""arm64, first tier."""
SCHEDULER_INVOCATION = 1.00 / 1e6
"""EventBridge Scheduler: each schedule that fires (one-time schedules fire once)."""
S3_PUT = 0.005 / 1000
S3_GET = 0.0004 / 1000
API_GATEWAY_REST_REQUEST = 3.50 / 1e6
"""REST API, first 333 million requests a month: one per start, outside the engine."""

STEP_FUNCTIONS_STANDARD_TRANSITION = 25.0 / 1e6
STEP_FUNCTIONS_EXPRESS_REQUEST = 1.00 / 1e6
STEP_FUNCTIONS_EXPRESS_GB_SECOND = 0.00001667
"""Express bills memory in 64 MB chunks and duration in 100 ms steps."""
LAMBDA_DURABLE_OPERATION = 8.0 / 1e6
"""Lambda durable functions: per durable operation (a step, a wait), as issue 18 quotes
it; their compute is billed as Lambda's on top."""

LATENCY_MS = {"dynamodb": 5.0, "sqs": 10.0, "s3": 15.0, "scheduler": 15.0}
"""Assumed round trip of one call from a Lambda function in the same region (others: 10)."""
TASK_INVOKE_MS = 20.0
"""Assumed round trip of a synchronous Lambda invoke of a warm, trivial task function."""
