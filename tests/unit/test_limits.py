"""segue's 10 MB state limit: AWS's 256 KiB is lifted, and the limit still holds."""

from __future__ import annotations

from tests.unit.helpers import pass_with, run


def test_a_result_above_aws_256_kib_succeeds_under_segues_limit():
    big = "a" * (257 * 1024)
    assert run(pass_with({"Result": {"Arg1": big}})).output == {"Arg1": big}


def test_a_result_over_the_limit_fails_with_data_limit_exceeded():
    execution = run(pass_with({"Result": "a" * 2000}), max_payload_bytes=1000)
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert execution.cause == (
        "The state/task 'P' returned a result with a size exceeding "
        "the maximum number of bytes service limit."
    )


def test_nine_megabytes_flow_through_several_states():
    payload = {"blob": "x" * (9 * 1024 * 1024)}
    from tests.unit.helpers import machine, output_of

    definition = machine(
        {
            "A": {"Type": "Pass", "ResultPath": "$.copy", "Result": "small", "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"blob.$": "$.blob"}, "Next": "C"},
            "C": {"Type": "Succeed"},
        }
    )
    assert output_of(definition, payload) == payload
