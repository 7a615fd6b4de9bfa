"""The scaled-out form, as the README's "Scale-out" section runs it: a Prefect server of two API
replicas and one background-services process on PostgreSQL with Redis messaging, a `process`
work pool with two workers, `prefect deploy --all` from the repository, Tanggap's database on
PostgreSQL, channel credentials in Prefect Secret blocks, and the start-up step run once.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select, text

from simulator.platforms import PLATFORMS, channel_entry, start
from tests.e2e.test_five_channels_end_to_end import assert_answered_once_and_archived
from tests.e2e.test_website_case_end_to_end import wait_final, wait_suspended
from tests.harness import REPO_ROOT, channels_toml, free_port, stop, wait_until

POSTGRES = os.environ.get("TANGGAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
POOL = "tanggap-proses"
PREFECT = [sys.executable, "-m", "prefect"]


def redis_available() -> bool:
    try:
        import redis

        return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=2).ping()
    except Exception:  # noqa: BLE001 - any failure means: not there
        return False


@pytest.fixture
def prefect_database():
    """A database of its own for the Prefect server on the local PostgreSQL, dropped afterwards."""
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL at {POSTGRES} is not reachable: {exc}")
    if not redis_available():
        pytest.skip(f"Redis at {REDIS_HOST}:{REDIS_PORT} is not reachable (scale-out needs it for messaging)")
    name = f"prefect_scaleout_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    host = POSTGRES.split("@", 1)[1].rsplit("/", 1)[0]
    yield f"postgresql+asyncpg://{POSTGRES.split('//', 1)[1].split('@', 1)[0]}@{host}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def server_environment(database_url: str, home: Path) -> dict:
    """What every server process (API replicas and background services) shares."""
    redis_db = random.randint(1, 15)  # apart from other installations on the same Redis
    return {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": database_url,
        "PREFECT_SERVER_DATABASE_MIGRATE_ON_START": "false",  # the start-up step migrates, once
        "PREFECT_SERVER_EVENTS_MESSAGING_BROKER": "prefect_redis.messaging",
        "PREFECT_SERVER_EVENTS_MESSAGING_CACHE": "prefect_redis.messaging",
        "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
        "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
        "PREFECT_REDIS_MESSAGING_HOST": REDIS_HOST,
        "PREFECT_REDIS_MESSAGING_PORT": str(REDIS_PORT),
        "PREFECT_REDIS_MESSAGING_DB": str(redis_db),
        "PREFECT_SERVER_DOCKET_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
    }


def launch(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)


def run(args: list[str], env: dict, what: str, timeout: float = 180) -> str:
    done = subprocess.run(args, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{what} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    def healthy():
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited:\n{log.read_text()[-3000:]}")
        try:
            return requests.get(f"{url}/ready", timeout=2).ok
        except requests.RequestException:
            return False

    wait_until(healthy, timeout=180, what=f"the Prefect API at {url}")


@pytest.fixture
def scaled_out(prefect_database, postgres_url, tmp_path):
    processes: list[subprocess.Popen] = []
    simulators = {p.kind: start(p, port=0) for p in PLATFORMS}
    try:
        server_env = server_environment(prefect_database, tmp_path / "prefect-home")
        run(PREFECT + ["server", "database", "upgrade", "-y"], server_env, "migrating the Prefect database")
        apis = []
        for replica in (1, 2):
            port = free_port()
            log = tmp_path / f"api-{replica}.log"
            processes.append(launch(PREFECT + ["server", "start", "--host", "127.0.0.1", "--port", str(port),
                                               "--no-services"], server_env, log))
            apis.append((f"http://127.0.0.1:{port}/api", processes[-1], log))
            # One at a time: a starting replica registers Prefect's block types, and two doing it
            # at once collide on a unique key (the second one exits).
            wait_healthy(*apis[-1])
        processes.append(launch(PREFECT + ["server", "services", "start"], server_env, tmp_path / "services.log"))
        api_1, api_2 = apis[0][0], apis[1][0]

        channels_file = tmp_path / "channels.toml"
        channels_file.write_text(channels_toml([channel_entry(p, simulators[p.kind].base_url) for p in PLATFORMS]))
        # What every machine of the installation shares; channel credentials are NOT here.
        tanggap = {key: value for key, value in os.environ.items() if not key.startswith("TANGGAP_SECRET_")}
        tanggap.update({
            "PREFECT_HOME": str(tmp_path / "client-home"),
            "TANGGAP_DATABASE_URL": postgres_url,
            "TANGGAP_CHANNELS_FILE": str(channels_file),
            "TANGGAP_DATA_DIR": str(tmp_path / "var"),
            "TANGGAP_REPO_DIR": str(REPO_ROOT),
            # The test approves at the Kepala Bagian Umum's correction, as the other e2e tests do.
            "TANGGAP_TEAM_LEAD_FOLLOW_UP": "0",
            "TANGGAP_DEADLINE_CHECK_MINUTES": "0",
        })
        on_1 = {**tanggap, "PREFECT_API_URL": api_1}

        # Operations, once: the work pool, the channel secrets, the deployments, the start-up step.
        run(PREFECT + ["work-pool", "create", POOL, "--type", "process"], on_1, "creating the work pool")
        for platform in PLATFORMS:
            run([sys.executable, "-c", "import sys; from prefect.blocks.system import Secret; "
                 "Secret(value=sys.argv[2]).save(sys.argv[1], overwrite=True)", platform.channel["secret"],
                 platform.token], on_1, f"saving the secret of {platform.kind}")
        run(PREFECT + ["--no-prompt", "deploy", "--all"], on_1, "prefect deploy --all", timeout=300)
        run([sys.executable, "-m", "tanggap.startup"], on_1, "the start-up step")

        workers = []
        for number, (url, _, _) in enumerate(apis, start=1):
            log = tmp_path / f"worker-{number}.log"
            env = {**tanggap, "PREFECT_API_URL": url, "PREFECT_WORKER_QUERY_SECONDS": "1"}
            processes.append(launch([sys.executable, "-m", "tanggap.warm_worker", "--pool", POOL,
                                     "--name", f"pekerja-{number}"], env, log))
            workers.append(log)
        yield {"api_1": api_1, "api_2": api_2, "workers": workers, "simulators": simulators, "env": on_1,
               "database": postgres_url}
    finally:
        for process in reversed(processes):
            stop(process)
        for simulator in simulators.values():
            simulator.stop()


def test_the_five_channel_flow_runs_on_two_workers_and_two_api_replicas(scaled_out, monkeypatch):
    from prefect import get_client
    from prefect.deployments import run_deployment
    from prefect.flow_runs import resume_flow_run
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from db.models import Channel, Comment
    from db.session import session_scope

    monkeypatch.setenv("TANGGAP_DATABASE_URL", scaled_out["database"])
    with temporary_settings({PREFECT_API_URL: scaled_out["api_1"]}):
        with get_client(sync_client=True) as client:
            check_deployment = client.read_deployment_by_name("check-comments/periodic")
            assert check_deployment.work_pool_name == POOL
            for schedule in check_deployment.schedules:  # the test starts its checks itself
                client.update_deployment_schedule(check_deployment.id, schedule.id, active=False)
            limits = {limit.name for limit in client.read_global_concurrency_limits()}
        assert {f"kanal-{p.channel['key']}" for p in PLATFORMS} <= limits
        wait_until(lambda: all("started" in log.read_text().lower() for log in scaled_out["workers"]),
                   timeout=120, what="both workers")

        check = run_deployment("check-comments/periodic", timeout=300)
        assert check.state.is_completed(), check.state.message
        with session_scope() as session:
            rows = session.execute(select(Channel.kind, Comment).join(Comment.channel).order_by(Comment.id)).all()
        found: dict[str, list] = {}
        for kind, comment in rows:
            found.setdefault(kind, []).append(comment)
        assert {kind: len(cases) for kind, cases in found.items()} == {p.kind: p.awaiting_answer for p in PLATFORMS}
        for cases in found.values():
            for case in cases:
                if case.category != "spam":  # spam waits in one moderation run
                    wait_suspended(case.respond_flow_run_id, "koreksi-1", timeout=600)

    # Both workers ran some of the runs (a run offered to both is started by one only).
    ran = [set(re.findall(r"submitting flow run '([0-9a-f-]{36})'", log.read_text()))
           - set(re.findall(r"Aborted submission of flow run '([0-9a-f-]{36})'", log.read_text()))
           for log in scaled_out["workers"]]
    assert all(ran) and not ran[0] & ran[1], [len(r) for r in ran]

    chosen = {kind: next(c for c in cases if c.parent_external_id is None and c.category == "pertanyaan")
              for kind, cases in found.items()}
    with temporary_settings({PREFECT_API_URL: scaled_out["api_2"]}):  # approvers on the other replica
        for kind, case in chosen.items():
            resume_flow_run(case.respond_flow_run_id, run_input={
                "action": "setujui", "note": "", "approver_name": "Kepala Bagian Umum (uji)",
                "reply_text": f"Terima kasih. Jadwal pelatihan diumumkan pekan depan ({kind})."})
        for kind, case in chosen.items():
            state = wait_final(case.respond_flow_run_id, timeout=300)
            assert state.is_completed(), f"{kind}: {state.name} {state.message}"

    for platform in PLATFORMS:
        assert_answered_once_and_archived(platform, scaled_out["simulators"][platform.kind].site,
                                          chosen[platform.kind])
