"""The main job on the embedded default: Prefect server (SQLite), channel simulator, served flows.

`make run` calls this. It starts the three processes, triggers a first check, prints where
to look, and stops them all on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from simulator.platforms import PLATFORMS
from tanggap.settings import REPO_ROOT
from tasks.channels.credentials import env_name

PREFECT_PORT = 4200


def _wait_for(url: str, what: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{what} berhenti saat mulai. Lihat log: {log}\n{log.read_text()[-2000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    sys.exit(f"{what} tidak siap dalam {timeout:.0f} detik. Lihat log: {log}")


def _start(args: list[str], log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(args, cwd=REPO_ROOT, stdout=log.open("a"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def set_demo_environment(data_dir: Path) -> None:
    """Environment for this process and its children (the embedded default's settings)."""
    api = f"http://127.0.0.1:{PREFECT_PORT}/api"
    env = os.environ
    env.setdefault("TANGGAP_DATA_DIR", str(data_dir))
    for platform in PLATFORMS:  # the simulators' demo credentials, never real ones
        env.setdefault(env_name(platform.channel["secret"]), platform.token)
    env.update({
        "PREFECT_HOME": str(data_dir / "prefect"),
        "PREFECT_API_URL": api,
        "PREFECT_UI_API_URL": api,
        "PREFECT_UI_URL": f"http://127.0.0.1:{PREFECT_PORT}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",  # resumed runs restart within seconds
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / "var")
    options = parser.parse_args()
    data_dir = options.data_dir.resolve()
    logs = data_dir / "logs"
    set_demo_environment(data_dir)
    python = sys.executable
    children: list[subprocess.Popen] = []

    def stop(*_):
        # The flows first, the Prefect server last: the runner still talks to it while it stops.
        for child in reversed(children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    print("Tanggap: menyiapkan server Prefect, simulator kanal dan alur kerja ...", flush=True)
    server = _start([python, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(PREFECT_PORT)],
                    logs / "prefect-server.log")
    children.append(server)
    simulator = _start([python, "-m", "simulator", "--state-dir", str(data_dir / "simulator")],
                       logs / "simulator.log")
    children.append(simulator)
    for platform in PLATFORMS:
        _wait_for(f"http://127.0.0.1:{platform.port}/", f"Simulator {platform.kind}", simulator, logs / "simulator.log")
    _wait_for(f"{os.environ['PREFECT_API_URL']}/health", "Server Prefect", server, logs / "prefect-server.log")

    served = _start([python, "-m", "flows.serve"], logs / "serve.log")
    children.append(served)
    _first_check(served, logs / "serve.log")

    ui = f"http://127.0.0.1:{PREFECT_PORT}"
    simulator_pages = "\n                          ".join(
        f"{p.channel['name']}: http://127.0.0.1:{p.port}/" for p in PLATFORMS)
    print(f"""
Tanggap berjalan.
  Prefect UI ............ {ui}
  Menunggu persetujuan .. {ui}/runs?state=Suspended
  Daftar inventaris ..... {ui}/artifacts  (kunci: daftar-inventaris-komentar)
  Antrean persetujuan ... {ui}/artifacts  (kunci: antrean-persetujuan)
  Simulator kanal ....... {simulator_pages}
  Arsip softfile/hardfile {data_dir / 'arsip'}
  Log ................... {logs}
Tekan Ctrl-C untuk berhenti.""", flush=True)
    while all(child.poll() is None for child in children):
        time.sleep(2)
    crashed = next(child for child in children if child.poll() is not None)
    print(f"Sebuah proses berhenti (kode {crashed.returncode}); lihat {logs}.", file=sys.stderr)
    stop()


def _first_check(served: subprocess.Popen, log: Path) -> None:
    """Run a check now instead of waiting for the first scheduled one."""
    # Imported here: Prefect reads its settings at import, after main() set the environment.
    from prefect import get_client
    from prefect.deployments import run_deployment

    for _ in range(120):
        if served.poll() is not None:
            sys.exit(f"Alur kerja berhenti saat mulai. Lihat {log}\n{log.read_text()[-2000:]}")
        with get_client(sync_client=True) as client:
            if {"periodic", "per-comment"} <= {d.name for d in client.read_deployments()}:
                break
        time.sleep(1)
    run_deployment("check-comments/periodic", timeout=0)


if __name__ == "__main__":
    main()
