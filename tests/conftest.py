"""Real parts for tests: a Prefect server, the channel simulator, SQLite and PostgreSQL.

Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.harness import start_prefect_server, start_serve, stop, tanggap_environment

POSTGRES_ADMIN_URL = os.environ.get("TANGGAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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


# --- a real WordPress ----------------------------------------------------------------
@pytest.fixture(scope="session")
def real_wordpress(tmp_path_factory):
    """Debian's WordPress, installed and seeded once per session; skipped when it cannot run here."""
    from tests.realwp.real_site import missing_prerequisites, start_real_wordpress

    reason = missing_prerequisites()
    if reason and os.environ.get("TANGGAP_REQUIRE_REAL_WORDPRESS"):  # CI: a skip would hide them
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)
    site = start_real_wordpress(tmp_path_factory.mktemp("real-wordpress"))
    yield site
    site.stop()


@pytest.fixture(params=["simulator", "real"])
def wordpress_site(request):
    """The same test on the simulator and on the real WordPress (reset to its seed first)."""
    from tests.wordpress_sites import RealWordPressSite, SimulatedWordPress

    if request.param == "simulator":
        return SimulatedWordPress(request.getfixturevalue("wordpress"))
    real = request.getfixturevalue("real_wordpress")
    real.reset()
    return RealWordPressSite(real)


@pytest.fixture
def tanggap_env(tmp_path, monkeypatch, wordpress):
    """Settings for one test: its own data folder, SQLite database and channels file."""
    env = tanggap_environment(tmp_path, wordpress.base_url)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from db.session import migrate

    migrate()
    return env


@pytest.fixture
def records_env(tmp_path, monkeypatch):
    """Settings for a records test: its own archive folder and SQLite database, migrated; no channel."""
    from tanggap.settings import REPO_ROOT

    env = {"TANGGAP_DATA_DIR": str(tmp_path / "var"), "TANGGAP_DATABASE_URL": f"sqlite:///{tmp_path / 'tanggap.db'}",
           "TANGGAP_CHANNELS_FILE": str(REPO_ROOT / "channels.toml")}
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
    server, url = start_prefect_server(home)
    try:
        with temporary_settings({PREFECT_API_URL: url}):
            yield {"url": url, "home": str(home)}
    finally:
        stop(server)


@pytest.fixture
def served(prefect_api, tanggap_env, tmp_path):
    """The deployments served from their own process, as `make run` does."""
    env = {**tanggap_env, "PREFECT_API_URL": prefect_api["url"], "PREFECT_HOME": prefect_api["home"]}
    process = start_serve(env, tmp_path / "serve.log")
    yield {"process": process, "log": tmp_path / "serve.log"}
    stop(process)


@pytest.fixture
def own_environment():
    """For a suite that points the settings at its own installation: the environment is put back after."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
