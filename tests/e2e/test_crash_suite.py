"""A small run of the crash suite (benchmarks/crash_suite.py): one case per boundary group on
the website, each killed with SIGKILL at every boundary of its group, and one case whose
archiving kills the whole `serve` (found by the heartbeat automation). Takes minutes."""

from benchmarks.crash_suite import GROUPS, run


def test_a_crash_at_every_step_boundary_loses_no_case_and_doubles_no_reply(tmp_path, own_environment):
    figures = run(cases=1, serve_crashes=1, folder=tmp_path, timeout=900, kinds=["wordpress"])
    assert figures.stuck == []
    for group in GROUPS:
        for boundary in group:
            assert figures.crashes[boundary] >= 1, (boundary, figures.crashes)
    assert figures.serve_crashes == 1
    assert figures.comments == 3 and figures.cases_lost == 0
    assert figures.archived == 3 and figures.waiting == 0
    assert figures.replies_doubled == 0 and figures.replies_misattributed == 0
    # Each approver answered once: the run killed while resuming was restarted with the answer.
    assert figures.approvals == figures.comments
