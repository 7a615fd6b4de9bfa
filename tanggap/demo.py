"""The main job on the embedded default: Prefect server (SQLite), channel simulator, served flows.

`make run` calls this. It starts the three processes, triggers a first check, prints where
to look, and stops them all on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from simulator.platforms import PLATFORMS
from tanggap.settings import REPO_ROOT
from tasks.channels.credentials import env_name

DEFAULT_PREFECT_PORT = 4200

# The embedded default's Prefect server (SQLite), tuned for bursts of runs on a small machine:
# - a run that waits for a free channel slot asks again within a second or two instead of up
#   to 30 s (Prefect answers 423 with a Retry-After that grows with every refusal in a burst);
# - a run is marked Late only after a minute in the queue: marking is a write that competes
#   with the runs themselves, and a burst of cases is expected to wait a little.
SERVER_SETTINGS = {
    "PREFECT_SERVER_CONCURRENCY_MAXIMUM_CONCURRENCY_SLOT_WAIT_SECONDS": "2",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS": "60",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}


def prefect_port() -> int:
    """TANGGAP_PREFECT_PORT, or 4200."""
    value = os.environ.get("TANGGAP_PREFECT_PORT", str(DEFAULT_PREFECT_PORT))
    if not value.isdigit() or not 0 < int(value) < 65536:
        sys.exit(f"TANGGAP_PREFECT_PORT harus nomor port 1-65535, bukan {value!r}.")
    return int(value)


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def refuse_busy_ports(prefect: int) -> None:
    """Stop before starting anything when a port we need is taken, and say what to do."""
    if not port_is_free(prefect):
        sys.exit(f"Port {prefect} untuk server Prefect sudah dipakai proses lain (mungkin Tanggap yang masih "
                 f"berjalan). Hentikan proses itu, atau pilih port lain, misalnya:\n"
                 f"  TANGGAP_PREFECT_PORT={prefect + 100} make run")
    busy = [str(p.port) for p in PLATFORMS if not port_is_free(p.port)]
    if busy:
        sys.exit(f"Port simulator kanal {', '.join(busy)} sudah dipakai proses lain (mungkin Tanggap yang masih "
                 "berjalan). Hentikan proses itu lalu jalankan make run lagi.")


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


def set_demo_environment(data_dir: Path, port: int = DEFAULT_PREFECT_PORT) -> None:
    """Environment for this process and its children (the embedded default's settings)."""
    api = f"http://127.0.0.1:{port}/api"
    env = os.environ
    env.setdefault("TANGGAP_DATA_DIR", str(data_dir))
    for platform in PLATFORMS:  # the simulators' demo credentials, never real ones
        env.setdefault(env_name(platform.channel["secret"]), platform.token)
    env.update({
        "PREFECT_HOME": str(data_dir / "prefect"),
        "PREFECT_API_URL": api,
        "PREFECT_UI_API_URL": api,
        "PREFECT_UI_URL": f"http://127.0.0.1:{port}",
    })
    for name, value in SERVER_SETTINGS.items():
        env.setdefault(name, value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / "var")
    options = parser.parse_args()
    data_dir = options.data_dir.resolve()
    logs = data_dir / "logs"
    port = prefect_port()
    refuse_busy_ports(port)
    set_demo_environment(data_dir, port)
    python = sys.executable
    children: list[subprocess.Popen] = []

    def stop(*_):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the shutdown short
        print("\nMenghentikan Tanggap: alur kerja, simulator kanal, lalu server Prefect ...", flush=True)
        # The flows first, the Prefect server last: the runner still talks to it while it stops.
        for child in reversed(children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
        print("Tanggap berhenti. Kasus yang menunggu tetap tersimpan; `make run` lagi untuk melanjutkan.", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    print("Tanggap: menyiapkan server Prefect, simulator kanal dan alur kerja ...", flush=True)
    server = _start([python, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                    logs / "prefect-server.log")
    children.append(server)
    # A fresh demo shows a spam wave: 8 spam comments per platform, settled in one moderation run.
    simulator = _start([python, "-m", "simulator", "--state-dir", str(data_dir / "simulator"), "--spam-wave", "8"],
                       logs / "simulator.log")
    children.append(simulator)
    for platform in PLATFORMS:
        _wait_for(f"http://127.0.0.1:{platform.port}/", f"Simulator {platform.kind}", simulator, logs / "simulator.log")
    _wait_for(f"{os.environ['PREFECT_API_URL']}/health", "Server Prefect", server, logs / "prefect-server.log")

    served = _start([python, "-m", "flows.serve"], logs / "serve.log")
    children.append(served)
    _first_check(served, logs / "serve.log")

    from tanggap.sop import ROLES, moderator
    from tasks.inbox import queue_url

    ui = f"http://127.0.0.1:{port}"
    simulator_pages = "\n                          ".join(
        f"{p.channel['name']}: http://127.0.0.1:{p.port}/" for p in PLATFORMS)
    queues = "\n".join(f"    {role.title}: {queue_url(role, ui)}" for role in ROLES)
    print(f"""
Tanggap berjalan.
  Prefect UI ............ {ui}
  Menunggu tiap peran (terlama di atas):
{queues}
  Moderasi spam ......... {queue_url(moderator(), ui)}
                          (satu run "moderasi-spam · N komentar · gelombang #n" untuk semua spam)
  Antrean persetujuan ... {ui}/v2/artifacts/key/antrean-persetujuan
  Daftar inventaris ..... {ui}/v2/artifacts/key/daftar-inventaris-komentar
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
            if {"periodic", "per-comment", "per-wave"} <= {d.name for d in client.read_deployments()}:
                break
        time.sleep(1)
    run_deployment("check-comments/periodic", timeout=0)


if __name__ == "__main__":
    main()
