"""Floors measured in the same run as the figures: what the machine and Prefect cost at least.

- a bare Prefect run: created -> completed, and resumed -> completed, through a runner with
  the same starter as `flows.serve` (benchmarks/bare_flows.py);
- one POST: a reply created on the WordPress simulator with requests;
- (the ingest floor lives in benchmarks/ingest.py: HTTP fetch + JSON parse + bulk insert).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import requests

from tests.harness import REPO_ROOT, WORDPRESS_PASSWORD, stop, wait_until

from .installation import Installation, utcnow


def bare_runs(installation: Installation, repeat: int = 5) -> dict:
    """Median seconds: creation -> Completed, and resume -> Completed, of flows that do nothing."""
    from prefect import get_client
    from prefect.flow_runs import resume_flow_run

    log = installation.folder / "bare-runner.log"
    env = {**os.environ, **installation.env, "PREFECT_API_URL": installation.api_url,
           "PREFECT_HOME": str(installation.folder / "prefect")}
    runner = subprocess.Popen([sys.executable, "-m", "benchmarks.bare_flows"], cwd=REPO_ROOT, env=env,
                              stdout=open(log, "w"), stderr=subprocess.STDOUT)
    try:
        with get_client(sync_client=True) as client:
            def ready():
                if runner.poll() is not None:
                    raise RuntimeError(log.read_text()[-2000:])
                return {"bare", "bare-wait"} <= {f.name for f in client.read_flows()} and len(
                    client.read_deployments()) >= 4
            wait_until(ready, timeout=120, what="the bare runner")
            time.sleep(2)
            bare = client.read_deployment_by_name("bare/floor")
            waiting = client.read_deployment_by_name("bare-wait/floor")

            def finished(run_id):
                return wait_until(lambda: (s := client.read_flow_run(run_id).state).is_final() and s,
                                  timeout=120, interval=0.1, what="a bare run")

            created_to_done, resumed_to_done = [], []
            for _ in range(repeat):
                created = utcnow()
                run = client.create_flow_run_from_deployment(bare.id)
                created_to_done.append((finished(run.id).timestamp - created).total_seconds())
            for _ in range(repeat):
                run = client.create_flow_run_from_deployment(waiting.id)
                wait_until(lambda: client.read_flow_run(run.id).state.is_paused(), timeout=120, interval=0.1,
                           what="a bare run waiting")
                time.sleep(0.5)  # the input form is saved just after the state
                resumed = utcnow()
                resume_flow_run(run.id, run_input={"value": "lanjut"})
                resumed_to_done.append((finished(run.id).timestamp - resumed).total_seconds())
    finally:
        stop(runner)
    return {"created_to_completed": statistics.median(created_to_done),
            "resumed_to_completed": statistics.median(resumed_to_done)}


def one_post(installation: Installation, repeat: int = 20) -> float:
    """Median seconds of one reply POSTed to the WordPress simulator."""
    url = f"{installation.simulator.base_url}/wp-json/wp/v2/comments"
    session = requests.Session()
    session.auth = ("humas-bbpp", WORDPRESS_PASSWORD)
    times = []
    for n in range(repeat):
        started = time.perf_counter()
        response = session.post(url, json={"post": installation.post_id, "content": f"Uji lantai {n}"}, timeout=10)
        response.raise_for_status()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
