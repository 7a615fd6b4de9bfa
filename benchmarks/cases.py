"""The case figures on the embedded default: bursts of new comments and approvals, one
approval alone, and many cases waiting at once."""

from __future__ import annotations

import time

from .installation import Installation, approve, command_line, memory_kib, parent_of, percentile, utcnow


def burst_of_new_comments(installation: Installation, count: int) -> dict:
    """`count` new comments: from triggering the check until each case's run waits for correction."""
    from db.models import CaseStatus

    before = set(installation.cases())
    installation.add_comments(count)
    triggered = installation.run_check()
    new = {case: run for case, run in installation.cases().items() if case not in before}
    if len(new) != count:
        raise RuntimeError(f"expected {count} new cases, the check stored {len(new)}")
    suspended = installation.wait_suspended(list(new.values()), timeout=600 + 3 * count)
    installation.wait_for_status(new, CaseStatus.AWAITING_CORRECTION, timeout=60)
    waits = [(suspended[run] - triggered).total_seconds() for run in new.values()]
    return {"cases": new, "p50": percentile(waits, 0.5), "p95": percentile(waits, 0.95), "max": max(waits)}


def approvals(installation: Installation, cases: dict[int, str]) -> dict:
    """Approve every case in `cases` at once: from each resume until its reply is published."""
    from db.models import CaseStatus

    resumed = {}
    for case, run in cases.items():
        resumed[case] = utcnow()
        approve(run, case)
    installation.wait_for_status(cases, CaseStatus.ARCHIVED, timeout=600 + 5 * len(cases))
    published = installation.published_at(cases)
    delays = [(published[case] - resumed[case]).total_seconds() for case in cases]
    return {"p50": percentile(delays, 0.5), "p95": percentile(delays, 0.95), "max": max(delays),
            "resume_calls": (max(resumed.values()) - min(resumed.values())).total_seconds()}


def waiting_cases(installation: Installation, total: int) -> dict:
    """Bring the number of waiting cases to `total`; then count processes and memory of serve."""
    from db.models import CaseStatus

    waiting = installation.cases(CaseStatus.AWAITING_CORRECTION)
    if total > len(waiting):
        burst = burst_of_new_comments(installation, total - len(waiting))
        waiting = installation.cases(CaseStatus.AWAITING_CORRECTION)
    else:
        burst = None
    time.sleep(5)  # let finished runs exit
    tree = installation.serve_processes()
    serve_pid = installation.serve.pid
    others = [pid for pid in tree if pid != serve_pid]
    memory = {pid: memory_kib(pid) for pid in tree}
    return {
        "waiting": len(waiting),
        "serve_rss_mib": memory[serve_pid][0] / 1024,
        "serve_pss_mib": memory[serve_pid][1] / 1024,
        "extra_processes": others,
        "extra_roles": [_role(pid, serve_pid) for pid in others],
        "tree_rss_mib": sum(m[0] for m in memory.values()) / 1024,
        "tree_pss_mib": sum(m[1] for m in memory.values()) / 1024,
        "fill_p95": burst["p95"] if burst else None,
        "fill_count": (total - len(waiting)) if burst is None else len(burst["cases"]),
    }


def _role(pid: int, serve_pid: int) -> str:
    """What a process under serve is: the warm parent, its helper, or a flow run."""
    command = command_line(pid)
    if "resource_tracker" in command:
        return "multiprocessing resource tracker"
    if "forkserver" in command and parent_of(pid) == serve_pid:
        return "warm parent (forkserver)"
    return "flow run"
