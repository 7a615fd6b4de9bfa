"""One isolated embedded-default installation for the benchmarks: a Prefect server on SQLite,
a WordPress simulator without seed content, Tanggap's SQLite database and `flows.serve`."""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.harness import WORDPRESS_PASSWORD, start_prefect_server, start_serve, stop, tanggap_environment, wait_until

LOCKED = re.compile(r"^sqlalchemy\.exc\.OperationalError: \(sqlite3\.OperationalError\) database is locked", re.M)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError):
        return None


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
    tree, grew = {pid}, True
    while grew:
        found = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return sorted(tree)


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and of its children that have ended (reaped by it)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; PSS shares pages fairly between forked processes."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    values = dict(re.findall(r"^(Rss|Pss):\s+(\d+) kB", rollup, re.M))
    return int(values.get("Rss", 0)), int(values.get("Pss", 0))


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ").strip()
    except OSError:
        return ""


@dataclass
class Installation:
    folder: Path
    env: dict
    site: object
    simulator: object
    server: object = None
    serve: object = None
    api_url: str = ""
    post_id: int = 0
    _log_offset: int = 0
    authored: int = field(default=0)

    # -- start and stop ----------------------------------------------------------------
    @classmethod
    def start(cls, *, warm: bool = True, serve_limit: int | None = None) -> "Installation":
        from simulator.wordpress import WordPressSimulator, WordPressSite

        folder = Path(tempfile.mkdtemp(prefix="tanggap-bench-"))
        site = WordPressSite(timezone="Asia/Jakarta")
        site.add_user(user_id=2, username="humas-bbpp", name="Humas BBPP Ketindan",
                      app_password=WORDPRESS_PASSWORD, can_moderate=True)
        post_id = site.add_post(title="Pembukaan Pendaftaran Pelatihan", slug="pendaftaran",
                                content="Pendaftaran pelatihan angkatan baru dibuka.")
        simulator = WordPressSimulator(site, host="127.0.0.1", port=0).start()
        env = tanggap_environment(folder, simulator.base_url)
        env["TANGGAP_WARM_START"] = "1" if warm else "0"
        if serve_limit:
            env["TANGGAP_SERVE_LIMIT"] = str(serve_limit)
        os.environ.update(env)
        (folder / "prefect").mkdir()
        from tanggap.demo import SERVER_SETTINGS

        server, api_url = start_prefect_server(folder / "prefect", SERVER_SETTINGS)  # as `make run` starts it
        os.environ["PREFECT_API_URL"] = api_url
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        return cls(folder=folder, env=env, site=site, simulator=simulator, server=server, api_url=api_url,
                   post_id=post_id)

    def start_serve(self) -> None:
        env = {**self.env, "PREFECT_API_URL": self.api_url, "PREFECT_HOME": str(self.folder / "prefect"),
               "PREFECT_RUNNER_POLL_FREQUENCY": os.environ.get("PREFECT_RUNNER_POLL_FREQUENCY", "1")}
        self.serve = start_serve(env, self.folder / "serve.log")

    def stop(self) -> None:
        if self.serve:
            stop(self.serve)
        if self.server:
            stop(self.server)
        self.simulator.stop()

    # -- comments and cases -------------------------------------------------------------
    def add_comments(self, count: int) -> None:
        start_at = utcnow() - timedelta(seconds=2)  # posted just now, as in a burst
        for _ in range(count):
            self.authored += 1
            n = self.authored
            self.site.add_comment(self.post_id, author_name=f"Peserta {n}",
                                  content=f"Kapan jadwal pelatihan angkatan {n} dibuka? Terima kasih.",
                                  date=start_at + timedelta(milliseconds=n))

    def run_check(self, timeout: float = 1800) -> datetime:
        """Trigger a check and wait for it; returns when it was triggered (UTC)."""
        from prefect.deployments import run_deployment

        started = utcnow()
        check = run_deployment("check-comments/periodic", timeout=timeout)
        if not check.state.is_completed():
            raise RuntimeError(f"check ended {check.state.name}: {check.state.message}")
        return started

    def cases(self, status=None) -> dict[int, str]:
        """{case id: respond flow run id}, optionally only cases in `status`."""
        from sqlalchemy import select

        from db.models import Comment
        from db.session import session_scope

        query = select(Comment.id, Comment.respond_flow_run_id)
        if status is not None:
            query = query.where(Comment.status == status)
        with session_scope() as session:
            return dict(session.execute(query).all())

    def wait_for_status(self, case_ids, status, timeout: float) -> None:
        wanted = set(case_ids)
        wait_until(lambda: wanted <= set(self.cases(status)), timeout=timeout, interval=0.5,
                   what=f"{len(wanted)} cases {status.value}")

    def suspended_at(self, run_ids) -> dict[str, datetime]:
        """When each run first reached Suspended (server's state history) and saved its form."""
        from prefect import get_client

        found = {}
        with get_client(sync_client=True) as client:
            for run_id in run_ids:
                states = client.read_flow_run_states(run_id)
                paused = [s.timestamp for s in states if s.is_paused()]
                if paused:
                    found[run_id] = min(paused)
        return found

    def wait_suspended(self, run_ids, timeout: float) -> dict[str, datetime]:
        from prefect import get_client

        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

        ids = list(run_ids)

        def all_paused():  # 200 runs per request: the API's page limit
            with get_client(sync_client=True) as client:
                runs = [run for start in range(0, len(ids), 200) for run in client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids[start:start + 200])), limit=200)]
            return len(runs) == len(ids) and all(run.state.is_paused() for run in runs)

        wait_until(all_paused, timeout=timeout, interval=1, what=f"{len(run_ids)} runs suspended")
        return self.suspended_at(run_ids)

    def published_at(self, case_ids) -> dict[int, datetime]:
        from sqlalchemy import select

        from db.models import Publication
        from db.session import session_scope

        with session_scope() as session:
            rows = session.execute(select(Publication.comment_id, Publication.published_at)
                                   .where(Publication.comment_id.in_(list(case_ids)),
                                          Publication.published_at.is_not(None))).all()
        return dict(rows)

    # -- the server's log -----------------------------------------------------------------
    def locked_errors_since_last_call(self) -> int:
        """`database is locked` errors the Prefect server logged since the previous call."""
        log = (self.folder / "prefect" / "server.log").read_text(errors="replace")
        new, self._log_offset = log[self._log_offset:], len(log)
        return len(LOCKED.findall(new))

    def serve_processes(self) -> list[int]:
        return process_tree(self.serve.pid)

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far: the Prefect server, and serve with every run it started."""
        return {"server": sum(cpu_seconds(pid) for pid in process_tree(self.server.pid)),
                "serve and runs": sum(cpu_seconds(pid) for pid in self.serve_processes())}


def approve(run_id: str, case_id: int) -> None:
    from prefect.flow_runs import resume_flow_run

    resume_flow_run(run_id, run_input={"action": "setujui", "note": "", "approver_name": "Uji beban",
                                       "reply_text": f"Jadwal angkatan kasus {case_id} diumumkan pekan depan."})


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, int(round(share * (len(ordered) - 1)))))
    return ordered[index]


def seconds_since(start: float) -> float:
    return time.monotonic() - start
