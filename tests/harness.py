"""Starting the real parts as processes: shared by the test fixtures and the benchmarks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import requests

from tasks.channels.credentials import env_name

REPO_ROOT = Path(__file__).resolve().parents[1]
WORDPRESS_PASSWORD = "abcd efgh ijkl mnop"  # the simulator's demo application password


EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def look_for_our_reply(client, ref, text: str, *, intent_at: datetime = EPOCH):
    """What publishing does before posting: the one matching rule over the connector's candidates."""
    from tasks.reply_matching import pick_our_reply

    return pick_our_reply(client.our_replies(ref), text=text, intent_at=intent_at,
                          threads_exactly=client.threads_exactly, taken=set())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def channels_toml(channels: list[dict]) -> str:
    """A channels file for `channels` (dicts with the ChannelConfig fields, plus options)."""
    blocks = []
    for channel in channels:
        lines = ["[[channel]]"] + [f"{key} = {json.dumps(value)}" for key, value in channel.items()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


WEBSITE = {"key": "website", "kind": "wordpress", "name": "Website BBPP Ketindan", "account": "humas-bbpp",
           "secret": "wordpress-app-password"}


def tanggap_environment(folder: Path, wordpress_url: str, *, channels: list[dict] | None = None,
                        secrets: dict[str, str] | None = None) -> dict:
    """TANGGAP_* settings for one isolated installation in `folder` (default: the website only)."""
    channels = channels or [{**WEBSITE, "base_url": wordpress_url}]
    channels_file = folder / "channels.toml"
    channels_file.write_text(channels_toml(channels), encoding="utf-8")
    env = {
        "TANGGAP_DATA_DIR": str(folder / "var"),
        "TANGGAP_DATABASE_URL": f"sqlite:///{folder / 'tanggap.db'}",
        "TANGGAP_CHANNELS_FILE": str(channels_file),
        "TANGGAP_SECRET_WORDPRESS_APP_PASSWORD": WORDPRESS_PASSWORD,
        "TANGGAP_CHECK_INTERVAL_MINUTES": "0",  # checks are started by the test
        "TANGGAP_DEADLINE_CHECK_MINUTES": "0",  # so is the SOP clock
        "TANGGAP_TEAM_LEAD_FOLLOW_UP": "0",  # the draft goes straight to correction unless a test turns it on
        # Records schedules would have the server create a hundred runs ahead while the test starts its own.
        "TANGGAP_RECORDS_SCHEDULES": "0",
    }
    for name, value in (secrets or {}).items():
        env[env_name(name)] = value
    return env


def start_prefect_server(home: Path, settings: dict | None = None, *, ui: bool = False,
                         auth_string: str | None = None) -> tuple[subprocess.Popen, str]:
    """`prefect server start` on SQLite in `home`, on a free loopback port; returns (process, API URL).

    `settings`: extra environment for the server (e.g. tanggap.demo.SERVER_SETTINGS). With `ui`
    the UI is served too (it calls the API at this port); with `auth_string` the API asks every
    client for it (PREFECT_SERVER_API_AUTH_STRING).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "true" if ui else "false", "PREFECT_UI_API_URL": url, "PREFECT_API_URL": url,
           **(settings or {})}
    if auth_string:
        env.update(PREFECT_SERVER_API_AUTH_STRING=auth_string, PREFECT_API_AUTH_STRING=auth_string)
    log = open(home / "server.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )

    def healthy():
        if process.poll() is not None:
            raise RuntimeError(f"prefect server exited:\n{(home / 'server.log').read_text()[-3000:]}")
        try:
            return requests.get(f"{url}/health", timeout=2, auth=_basic(auth_string)).ok
        except requests.RequestException:
            return False

    wait_until(healthy, timeout=180, what="the Prefect server")
    return process, url


def _basic(auth_string: str | None):
    return tuple(auth_string.split(":", 1)) if auth_string else None


def start_serve(env: dict, log_path: Path, *, own_group: bool = False) -> subprocess.Popen:
    """`python -m flows.serve` as the embedded default runs it; returns once both deployments exist.
    `own_group`: in a process group of its own, so `kill_group` ends it with its run processes."""
    from prefect import get_client

    process = subprocess.Popen([sys.executable, "-m", "flows.serve"], cwd=REPO_ROOT,
                               env={**os.environ, "PREFECT_RUNNER_POLL_FREQUENCY": "1", **env},
                               stdout=open(log_path, "a"), stderr=subprocess.STDOUT, start_new_session=own_group)

    def deployments_ready():
        if process.poll() is not None:
            raise RuntimeError(f"serve exited early:\n{log_path.read_text()[-3000:]}")
        with get_client(sync_client=True) as client:
            return {"periodic", "per-comment", "per-wave"} <= {d.name for d in client.read_deployments()}

    wait_until(deployments_ready, timeout=120, what="the served deployments")
    time.sleep(2)  # the runner's first look at its queue
    return process


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a process started with `own_group` and everything in its group, as a power cut would."""
    import signal

    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
