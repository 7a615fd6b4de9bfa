"""Walking-skeleton timings on the embedded default.

Measures, with a real Prefect server (SQLite), the served deployments and the seeded
WordPress simulator:
  1. time from the start of a check to every respond run waiting for the correction form;
  2. resident memory of the serving process (and any children) while they all wait;
  3. time from resuming each run (approve) to its case being archived.

Run:  .venv/bin/python -m benchmarks.skeleton_timing [--comments N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.harness import start_prefect_server, start_serve, stop, tanggap_environment, wait_until

COMMAND = ".venv/bin/python -m benchmarks.skeleton_timing"


def rss_kib(pid: int) -> tuple[int, int]:
    """(RSS of the process and all its descendants in KiB, number of descendants)."""
    children = {pid}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) in children:
                children.add(int(entry.name))
    total = 0
    for child in children:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total, len(children) - 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=10)
    count = parser.parse_args().comments

    from simulator.wordpress import WordPressSimulator, WordPressSite

    folder = Path(tempfile.mkdtemp(prefix="tanggap-bench-"))
    site = WordPressSite(timezone="Asia/Jakarta")
    site.add_user(user_id=2, username="humas-bbpp", name="Humas BBPP Ketindan",
                  app_password="abcd efgh ijkl mnop", can_moderate=True)
    post = site.add_post(title="Pembukaan Pendaftaran Pelatihan", slug="pendaftaran",
                         content="Pendaftaran pelatihan angkatan baru dibuka.")
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    for n in range(count):
        site.add_comment(post, author_name=f"Peserta {n + 1}", content=f"Kapan jadwal angkatan {n + 1} dibuka?",
                         date=start + timedelta(minutes=n))
    simulator = WordPressSimulator(site, host="127.0.0.1", port=0).start()

    env = tanggap_environment(folder, simulator.base_url)
    os.environ.update(env)
    (folder / "prefect").mkdir()
    server, api_url = start_prefect_server(folder / "prefect")
    os.environ["PREFECT_API_URL"] = api_url
    from prefect import get_client
    from prefect.deployments import run_deployment
    from prefect.flow_runs import resume_flow_run
    from sqlalchemy import select

    from db.models import CaseStatus, Comment
    from db.session import session_scope

    served = start_serve({**env, "PREFECT_API_URL": api_url, "PREFECT_HOME": str(folder / "prefect")},
                         folder / "serve.log")
    try:
        def runs():
            with session_scope() as session:
                return dict(session.execute(select(Comment.id, Comment.respond_flow_run_id)).all())

        def states(ids):
            with get_client(sync_client=True) as client:
                return [client.read_flow_run(i).state for i in ids]

        t0 = time.monotonic()
        check = run_deployment("check-comments/periodic", timeout=300)
        assert check.state.is_completed(), check.state.message
        cases = runs()
        assert len(cases) == count and all(cases.values())
        wait_until(lambda: all(s.is_paused() for s in states(cases.values())), timeout=600, interval=0.25,
                   what="all runs suspended")
        to_suspended = time.monotonic() - t0
        time.sleep(5)  # let finished subprocesses exit before measuring memory
        rss, descendants = rss_kib(served.pid)

        resumed_at = {}
        for case_id, run_id in cases.items():
            resume_flow_run(run_id, run_input={"action": "setujui", "reply_text": f"Jadwal kasus {case_id} "
                                               "diumumkan pekan depan.", "note": "", "approver_name": "Uji beban"})
            resumed_at[case_id] = time.monotonic()
        archived_at = {}

        def all_archived():
            with session_scope() as session:
                for case_id, status in session.execute(select(Comment.id, Comment.status)).all():
                    if status == CaseStatus.ARCHIVED and case_id not in archived_at:
                        archived_at[case_id] = time.monotonic()
            return len(archived_at) == count

        wait_until(all_archived, timeout=900, interval=0.25, what="all cases archived")
        durations = [archived_at[c] - resumed_at[c] for c in cases]
        print(f"comments seeded:                              {count}")
        print(f"check start -> all respond runs suspended:    {to_suspended:.1f} s")
        print(f"serve process RSS with {count} runs suspended:   {rss / 1024:.0f} MiB "
              f"({descendants} child processes)")
        print(f"resume -> archived, per case:                 median {statistics.median(durations):.1f} s, "
              f"min {min(durations):.1f} s, max {max(durations):.1f} s")
        print(f"resume of the first -> all {count} archived:     {max(archived_at.values()) - min(resumed_at.values()):.1f} s")
        print(f"machine: {os.cpu_count()} cores; reproduce with: {COMMAND} --comments {count}")
    finally:
        stop(served)
        stop(server)
        simulator.stop()


if __name__ == "__main__":
    main()
