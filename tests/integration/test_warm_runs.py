"""Runs forked from the warm parent keep Prefect's states, logs, cancellation and crash detection."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
from prefect import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.deployments import run_deployment
from prefect.states import Cancelling

from tests.harness import REPO_ROOT, stop, wait_until


@pytest.fixture(scope="module")
def warm_runner(prefect_api, tmp_path_factory):
    log = tmp_path_factory.mktemp("warm") / "runner.log"
    env = {**os.environ, "PREFECT_API_URL": prefect_api["url"], "PREFECT_HOME": prefect_api["home"]}
    process = subprocess.Popen([sys.executable, "-m", "tests.integration.warm_runner"], cwd=REPO_ROOT, env=env,
                               stdout=open(log, "w"), stderr=subprocess.STDOUT)

    def started():
        if process.poll() is not None:
            raise RuntimeError(f"warm runner exited:\n{log.read_text()[-3000:]}")
        found = re.search(r"warm-parent (\d+) threads (\d+)", log.read_text())
        with get_client(sync_client=True) as client:
            names = {d.name for d in client.read_deployments()}
        return found if found and "test" in names else None

    found = wait_until(started, timeout=120, what="the warm runner")
    time.sleep(2)  # the runner's first poll
    yield {"parent": int(found.group(1)), "threads": int(found.group(2)), "log": log}
    stop(process)


def run_and_wait(name: str, timeout: float = 90):
    return run_deployment(f"{name}/test", timeout=timeout)


def logs_of(flow_run_id) -> list[str]:
    with get_client(sync_client=True) as client:
        return [entry.message for entry in client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))]


def pid_logged(flow_run_id, pattern: str) -> int:
    def found():
        return next((int(m.group(1)) for line in logs_of(flow_run_id) if (m := re.search(pattern, line))), None)

    return wait_until(found, timeout=60, what=f"a log line matching {pattern!r}")


def test_the_warm_parent_has_a_single_thread_so_forking_it_is_safe(warm_runner):
    assert warm_runner["threads"] == 1


def test_a_warm_run_is_a_child_of_the_warm_parent_completes_and_its_logs_reach_the_api(warm_runner):
    run = run_and_wait("warm-finishes")
    assert run.state.is_completed(), run.state.message
    assert pid_logged(run.id, r"induk (\d+)") == warm_runner["parent"]
    assert any("halo dari proses anak" in line for line in logs_of(run.id))


def test_a_warm_run_whose_process_dies_is_marked_crashed(warm_runner):
    run = run_and_wait("warm-crashes")
    assert run.state.is_crashed(), run.state.name
    assert "exited with status code: -9" in run.state.message
    wait_until(lambda: any("akan mati mendadak" in line for line in logs_of(run.id)), timeout=30,
               what="the crashed run's log line")


def test_cancelling_a_warm_run_ends_its_process_and_marks_it_cancelled(warm_runner):
    run = run_deployment("warm-sleeps/test", timeout=0)
    pid = pid_logged(run.id, r"tidur di proses (\d+)")
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(run.id, Cancelling(), force=True)
        state = wait_until(lambda: (s := client.read_flow_run(run.id).state).is_final() and s, timeout=90,
                           what="the cancelled run to finish")
    assert state.is_cancelled(), f"{state.name}: {state.message}"
    wait_until(lambda: not os.path.exists(f"/proc/{pid}") or _zombie(pid), timeout=30, what=f"process {pid} to end")


def _zombie(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_the_warm_parent_of_serve_imports_the_flows_and_the_triage_model_and_stays_single_threaded(tmp_path):
    probe = ("from tanggap import warm_runs; warm_runs.start_warm_parent(); "
             "print(warm_runs.warm_parent_threads())")
    env = {**os.environ, "TANGGAP_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "1"
    assert list((tmp_path / "model").glob("triage-*.pickle"))  # the model was loaded (trained once here)
