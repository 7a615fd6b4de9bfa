"""Real parts for tests: a Prefect server, the channel simulator, SQLite and PostgreSQL.

Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

REPO_ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = os.environ.get("TANGGAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORDPRESS_PASSWORD = "abcd efgh ijkl mnop"


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


# --- channel simulator -----------------------------------------------------------------
@pytest.fixture
def wordpress():
    """A seeded WordPress simulator on a free loopback port."""
    from simulator.seed import seed_wordpress
    from simulator.wordpress import WordPressSimulator, WordPressSite

    site = seed_wordpress(WordPressSite(timezone="Asia/Jakarta"))
    server = WordPressSimulator(site, host="127.0.0.1", port=0).start()
    yield server
    server.stop()


def write_channels_file(path: Path, wordpress_url: str) -> Path:
    path.write_text(
        f"""
[[channel]]
key = "website"
kind = "wordpress"
name = "Website BBPP Ketindan"
base_url = "{wordpress_url}"
account = "humas-bbpp"
secret = "wordpress-app-password"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def tanggap_env(tmp_path, monkeypatch, wordpress):
    """Settings for one test: its own data folder, SQLite database and channels file."""
    env = {
        "TANGGAP_DATA_DIR": str(tmp_path / "var"),
        "TANGGAP_DATABASE_URL": f"sqlite:///{tmp_path / 'tanggap.db'}",
        "TANGGAP_CHANNELS_FILE": str(write_channels_file(tmp_path / "channels.toml", wordpress.base_url)),
        "TANGGAP_SECRET_WORDPRESS_APP_PASSWORD": WORDPRESS_PASSWORD,
        "TANGGAP_CHECK_INTERVAL_MINUTES": "0",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from db.session import migrate

    migrate()
    return env


# --- PostgreSQL ------------------------------------------------------------------------
@pytest.fixture
def postgres_url():
    """A fresh schema in the local PostgreSQL `test` database, dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL)
    try:
        with admin.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable: {exc}")
    schema = f"tanggap_{uuid.uuid4().hex[:10]}"
    with admin.begin() as connection:
        connection.execute(text(f'create schema "{schema}"'))
    yield f"{POSTGRES_ADMIN_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'drop schema "{schema}" cascade'))
    admin.dispose()


# --- Prefect ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory):
    """A real `prefect server start` (SQLite) on a free port, for the whole test session."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "false", "PREFECT_API_URL": url}
    log = open(home / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )

    def healthy():
        try:
            return requests.get(f"{url}/health", timeout=2).ok
        except requests.RequestException:
            return False

    try:
        wait_until(healthy, timeout=180, what="the Prefect server")
        with temporary_settings({PREFECT_API_URL: url}):
            yield {"url": url, "home": str(home)}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def served(prefect_api, tanggap_env, tmp_path):
    """`python -m flows.serve` in its own process, as the embedded default runs it."""
    env = {**os.environ, **tanggap_env, "PREFECT_API_URL": prefect_api["url"], "PREFECT_HOME": prefect_api["home"],
           "PREFECT_RUNNER_POLL_FREQUENCY": "1", "PREFECT_LOGGING_LEVEL": "INFO"}
    log_path = tmp_path / "serve.log"
    log = open(log_path, "w")
    process = subprocess.Popen([sys.executable, "-m", "flows.serve"], cwd=REPO_ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    from prefect import get_client

    def deployments_ready():
        if process.poll() is not None:
            raise RuntimeError(f"serve exited early:\n{log_path.read_text()[-3000:]}")
        with get_client(sync_client=True) as client:
            names = {d.name for d in client.read_deployments()}
        return {"periodic", "per-comment"} <= names

    try:
        wait_until(deployments_ready, timeout=120, what="the served deployments")
        time.sleep(2)  # let the runner take its first look at the queue
        yield {"process": process, "log": log_path}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
