"""A small run of the fault suite (benchmarks/fault_suite.py): 100 faulted platform calls over
the five simulated channels, every kind of fault, replies sent under POST faults."""

from benchmarks.fault_suite import run


def test_under_a_hundred_faults_every_comment_is_ingested_no_check_aborted_no_reply_doubled(tmp_path,
                                                                                          own_environment):
    figures = run(faults=100, replies=2, seed=7, folder=tmp_path)
    assert sum(figures.faulted.values()) == 100
    modes = {mode for _, mode in figures.faulted}
    assert {"http500", "rate_limit", "http429_bare", "timeout", "connection_reset", "truncated", "garbage",
            "html_error", "post_then_500"} <= modes, modes
    assert figures.unhandled == [] and figures.checks_aborted == 0
    assert figures.seeded > 0 and figures.ingested == figures.seeded
    assert figures.replies_sent == 10
    assert figures.replies_doubled == 0 and figures.replies_misattributed == 0
