"""How long one check of all five channels takes with N new comments on each.

Starts a Prefect server (SQLite), the five simulators seeded with their demo content plus N
comments each, registers the `respond` deployment without a runner (so the 5 x N runs the
check starts are created but not executed), then runs the check flow in this process and
reports its duration, each channel's fetch and store time, and the API requests it made.

Run:  .venv/bin/python -m benchmarks.check_five_channels [--comments 200]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from simulator.platforms import PLATFORMS, channel_entry, start
from tests.harness import start_prefect_server, stop, tanggap_environment

COMMAND = ".venv/bin/python -m benchmarks.check_five_channels"


def add_comments(kind: str, site, count: int) -> None:
    """`count` new top-level visitor comments spread over the last hour (none in the future)."""
    start_at = datetime.now(timezone.utc) - timedelta(hours=1)
    for n in range(count):
        when = start_at + timedelta(seconds=3600 * n / max(count, 1))
        text = f"Kapan jadwal pelatihan angkatan {n + 1} dibuka? Terima kasih."
        if kind == "wordpress":
            site.add_comment(site.posts[0]["id"], author_name=f"Peserta {n + 1}", content=text, date=when)
        elif kind == "facebook":
            site.add_comment(site.posts[n % len(site.posts)]["id"], text, author_name=f"Peserta {n + 1}",
                             author_id=str(9000 + n), created=when)
        elif kind == "instagram":
            site.add_comment(site.media[n % len(site.media)]["id"], text, username=f"peserta{n + 1}", created=when)
        elif kind == "youtube":
            site.add_comment(site.videos[0]["id"], text, author_name=f"Peserta {n + 1}", created=when)
        elif kind == "x":
            site.add_comment(text, author=f"peserta{n + 1}", created=when)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=200)
    count = parser.parse_args().comments

    folder = Path(tempfile.mkdtemp(prefix="tanggap-bench-five-"))
    simulators = {p.kind: start(p, port=0) for p in PLATFORMS}
    for kind, simulator in simulators.items():
        add_comments(kind, simulator.site, count)
    env = tanggap_environment(folder, simulators["wordpress"].base_url,
                              channels=[channel_entry(p, simulators[p.kind].base_url) for p in PLATFORMS],
                              secrets={p.channel["secret"]: p.token for p in PLATFORMS})
    os.environ.update(env)
    (folder / "prefect").mkdir()
    server, api_url = start_prefect_server(folder / "prefect")
    os.environ["PREFECT_API_URL"] = api_url
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"

    from prefect import get_client

    from db.session import migrate
    from flows.check_comments import check_comments
    from flows.respond import respond
    from tanggap.settings import get_settings
    from tasks.channel_access import ensure_concurrency_limits

    try:
        migrate()
        ensure_concurrency_limits(get_settings().channels())
        respond.to_deployment(name="per-comment").apply()  # runs are created, nobody executes them
        requests_before = {k: s.site.request_count("GET") for k, s in simulators.items()}
        started = time.monotonic()
        summary = check_comments()
        total = time.monotonic() - started

        with get_client(sync_client=True) as client:
            task_runs = client.read_task_runs()
        durations = {run.name: run.total_run_time.total_seconds() for run in task_runs}
        print(f"comments added per channel:   {count} (plus each simulator's seed)")
        print(f"new cases stored:             {summary['new']} of {summary['seen']} read; errors: {summary['errors']}")
        print(f"respond runs created:         {len(summary['respond_runs'])}")
        print(f"whole check (incl. creating the runs): {total:.1f} s")
        for platform in PLATFORMS:
            key = platform.channel["key"]
            fetched = durations.get(f"ambil-komentar-{key}", float("nan"))
            stored = durations.get(f"simpan-komentar-{key}", float("nan"))
            calls = simulators[platform.kind].site.request_count("GET") - requests_before[platform.kind]
            print(f"  {key:<10} fetch {fetched:5.2f} s   store {stored:5.2f} s   GET requests {calls}")
        print(f"  creating {len(summary['respond_runs'])} respond runs: {durations.get('mulai-tanggapan', float('nan')):.1f} s")
        print(f"machine: {os.cpu_count()} cores; reproduce with: {COMMAND} --comments {count}")
    finally:
        stop(server)
        for simulator in simulators.values():
            simulator.stop()


if __name__ == "__main__":
    main()
