"""Issue 6's crash suite: a case's process killed with SIGKILL at each step boundary, then the
checks bring every case to its end.

A real `prefect server` and `python -m flows.serve` (warm runs), the five simulators, SQLite.
`serve` runs with TANGGAP_CRASH_AT naming boundaries (tanggap/failpoints.py): the run process
that reaches one kills itself, once per case and boundary. Two groups, so that no case crashes
more often in a row than the restart limit allows:

- A: while suspending (the form made, the run not yet waiting), while resuming (answered, the
  answer not yet recorded), after the intent (publication intent committed, nothing sent);
- B: after the POST before the commit, while archiving (files in place, not committed).

For each group, new comments arrive on every channel, the periodic check runs every few
seconds (it restarts a run that ended without finishing its case), and a scripted approver
answers every correction form that waits. Between the groups, and at the end, the whole
`serve` process group is killed with SIGKILL too.

A last group kills the whole `serve` process group while archiving (TANGGAP_CRASH_KILLS=serve):
nobody is left to mark the run Crashed, so Prefect's heartbeat automation must find it
(tasks/respond_runs.ensure_crash_detection; heartbeats every 30 s here). `serve` is started
again as soon as it is gone.

Expected: 0 cases lost, 0 replies doubled or misattributed (the simulators' own record), every
case archived or waiting for a person, and one form answered per case: a run killed while
resuming is restarted with the answer it received (tasks/carried_answers.py).

Run:  .venv/bin/python -m benchmarks.crash_suite [--cases 4]   (cases per channel and group)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

COMMAND = ".venv/bin/python -m benchmarks.crash_suite"
GROUPS = (("while_suspending", "while_resuming", "after_intent"), ("after_post", "while_archiving"))
SERVE_GROUP = ("while_archiving",)  # the whole serve process group killed
HEARTBEAT_SECONDS = 30  # Prefect's shortest
APPROVER = "Kepala Bagian Umum (uji)"


@dataclass
class Figures:
    crashes: Counter = field(default_factory=Counter)  # boundary -> crashes injected
    serve_kills: int = 0  # between groups and at the end
    serve_crashes: int = 0  # the whole serve group killed at a boundary (the heartbeat automation's case)
    comments: int = 0
    cases_lost: int = 0  # a comment with no case, or a case neither archived nor waiting for a person
    archived: int = 0
    waiting: int = 0  # waiting for a person (a form, or operations)
    replies_doubled: int = 0
    replies_misattributed: int = 0
    approvals: int = 0  # forms the scripted approver answered: one per case (a restarted run takes the earlier answer)
    checks: int = 0
    stuck: list = field(default_factory=list)


class Serving:
    """`serve` in its own process group, started again when a crash took it down."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.process = env, log, None

    def start(self, **extra) -> None:
        from tests.harness import start_serve

        self.env = {**self.env, **extra}
        self.process = start_serve(self.env, self.log, own_group=True)

    def alive(self, figures: Figures) -> None:
        if self.process is not None and self.process.poll() is not None:
            figures.serve_crashes += 1
            self.start()

    def kill(self) -> None:
        from tests.harness import kill_group

        if self.process is not None:
            kill_group(self.process)
            self.process = None


def run(cases: int = 4, serve_crashes: int = 2, folder: Path | None = None, timeout: float = 1800,
        kinds: list[str] | None = None, say=print) -> Figures:
    """The whole suite: `cases` new comments per channel (of `kinds`, default all five) and group."""
    from tests import five_channels
    from tests.harness import start_prefect_server, stop

    folder = folder or Path(tempfile.mkdtemp(prefix="tanggap-crashes-"))
    (folder / "prefect").mkdir(parents=True, exist_ok=True)
    figures = Figures()
    simulators = five_channels.start_all(without_seed_comments=True)
    server, api_url = start_prefect_server(folder / "prefect")
    crash_log = folder / "crashes.log"
    env = {**five_channels.environment(folder, simulators), "PREFECT_API_URL": api_url,
           "PREFECT_HOME": str(folder / "prefect"), "TANGGAP_CRASH_LOG": str(crash_log),
           "PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}
    five_channels.apply(env)
    from db.session import migrate

    migrate()
    arrived: dict[str, list[str]] = {}
    serving = Serving(env, folder / "serve.log")
    kinds = kinds or list(simulators)
    plan = [(group, {kind: cases for kind in kinds}, "") for group in GROUPS]
    if serve_crashes:
        plan.append((SERVE_GROUP, dict(Counter(kinds[n % len(kinds)] for n in range(serve_crashes))), "serve"))
    from prefect.settings import PREFECT_API_URL, temporary_settings

    try:
        with temporary_settings({PREFECT_API_URL: api_url}):  # over a test session's own server, if any
            _run_plan(plan, serving, simulators, arrived, figures, timeout, say)
        _tally(simulators, arrived, crash_log, figures)
    finally:
        serving.kill()
        stop(server)
        for simulator in simulators.values():
            simulator.stop()
    return figures


def _run_plan(plan, serving: Serving, simulators: dict, arrived: dict, figures: Figures, timeout: float,
              say) -> None:
    """Each group: `serve` armed at its boundaries, new comments, checks until the batch is done."""
    from tests import five_channels

    for number, (group, counts, kills) in enumerate(plan, start=1):
        say(f"group {number}: {', '.join(group)}" + (" (the whole serve process group)" if kills else ""))
        serving.start(TANGGAP_CRASH_AT=",".join(group), TANGGAP_CRASH_KILLS=kills)
        batch = {five_channels.key_of(kind): [five_channels.visitor_comment(
            kind, simulators[kind].site, 1000 * number + n) for n in range(count)] for kind, count in counts.items()}
        for key, ids in batch.items():
            arrived.setdefault(key, []).extend(ids)
        _drive(batch, serving, figures, time.monotonic() + timeout, say)
        serving.kill()  # the serving process and everything it started, at once
        figures.serve_kills += 1


def _drive(batch: dict[str, list[str]], serving: Serving, figures: Figures, deadline: float, say) -> None:
    """Checks and a scripted approver until every case of `batch` is archived or waits for
    operations; the checks restart what a crash ended."""
    while time.monotonic() < deadline:
        serving.alive(figures)
        state = _batch_state(batch)
        if state["missing"] == 0 and state["open"] == 0:
            return
        _check(serving, figures, say)
        figures.approvals += _answer_waiting_forms(batch)
        time.sleep(3)
    figures.stuck.append(f"deadline reached: {_batch_state(batch)}")


def _check(serving: Serving, figures: Figures, say) -> None:
    """One periodic check, as its schedule would start it; given up on if `serve` dies meanwhile
    (a check left Running by then is marked Crashed by the heartbeat automation)."""
    from prefect import get_client
    from prefect.deployments import run_deployment

    run = run_deployment("check-comments/periodic", timeout=0)
    figures.checks += 1
    started = time.monotonic()
    with get_client(sync_client=True) as client:
        while time.monotonic() - started < 300 and serving.process.poll() is None:
            state = client.read_flow_run(run.id).state
            if state.is_final():
                if not state.is_completed():
                    say(f"  check {figures.checks} ended {state.name}: {state.message}")
                return
            time.sleep(1)


def _batch_state(batch: dict[str, list[str]]) -> dict:
    from sqlalchemy import select

    from db.models import CaseStatus, Channel, Comment
    from db.session import session_scope

    with session_scope() as session:
        rows = session.execute(select(Channel.key, Comment.external_id, Comment.status, Comment.retry_at)
                               .join(Comment.channel)).all()
    found = {(key, external): (status, retry_at) for key, external, status, retry_at in rows}
    wanted = [(key, external) for key, ids in batch.items() for external in ids]
    statuses = Counter(found[w][0].value for w in wanted if w in found)
    done = statuses["archived"] + sum(1 for w in wanted if w in found and found[w][0] == CaseStatus.NEEDS_ATTENTION
                                      and found[w][1] is None)
    missing = sum(w not in found for w in wanted)
    return {"missing": missing, "open": len(wanted) - missing - done, **statuses}


def _answer_waiting_forms(batch: dict[str, list[str]]) -> int:
    """What the Kepala Bagian Umum does in the UI: approve each correction form that waits."""
    from prefect import get_client
    from prefect.flow_runs import resume_flow_run
    from sqlalchemy import select

    from db.models import CaseStatus, Channel, Comment
    from db.session import session_scope

    with session_scope() as session:
        waiting = session.execute(select(Comment.id, Comment.respond_flow_run_id).join(Comment.channel).where(
            Comment.status == CaseStatus.AWAITING_CORRECTION, Comment.respond_flow_run_id.is_not(None),
            Channel.key.in_(batch))).all()
    answered = 0
    with get_client(sync_client=True) as client:
        for case_id, run_id in waiting:
            state = client.read_flow_run(run_id).state
            key = state.state_details.pause_key if state and state.is_paused() else None
            if not key or not key.startswith("koreksi"):
                continue
            try:
                client.read_flow_run_input(run_id, f"suspended-{key}-schema")
            except Exception:  # noqa: BLE001 - the form is not saved yet: next round
                continue
            resume_flow_run(run_id, run_input={
                "action": "setujui", "note": "", "approver_name": APPROVER,
                "reply_text": f"Terima kasih. Jadwal angkatan berikutnya diumumkan pekan depan (kasus {case_id})."})
            answered += 1
    return answered


def _tally(simulators: dict, arrived: dict[str, list[str]], crash_log: Path, figures: Figures) -> None:
    from sqlalchemy import select

    from db.lifecycle import WAITING_FOR_PEOPLE
    from db.models import CaseStatus, Channel, Comment, Publication
    from db.session import session_scope
    from tests import five_channels

    for line in crash_log.read_text(encoding="utf-8").splitlines() if crash_log.exists() else []:
        figures.crashes[line.split()[0]] += 1
    with session_scope() as session:
        rows = session.execute(select(Channel.key, Comment.external_id, Comment.status).join(Comment.channel)).all()
        replies = {(key, reply): external for key, reply, external in session.execute(
            select(Channel.key, Publication.external_reply_id, Comment.external_id)
            .join(Publication.comment).join(Comment.channel).where(Publication.external_reply_id.is_not(None)))}
    status = {(key, external): value for key, external, value in rows}
    for key, ids in arrived.items():
        for external in ids:
            figures.comments += 1
            value = status.get((key, external))
            if value == CaseStatus.ARCHIVED:
                figures.archived += 1
            elif value in WAITING_FOR_PEOPLE:
                figures.waiting += 1
            else:
                figures.cases_lost += 1
                figures.stuck.append(f"{key} {external}: {value}")
    for key in arrived:
        kind = next(k for k in simulators if five_channels.key_of(k) == key)
        ours = five_channels.replies_by_us(kind, simulators[kind].site)
        figures.replies_doubled += sum(n - 1 for n in Counter(parent for parent, _ in ours).values() if n > 1)
        figures.replies_misattributed += sum(1 for parent, reply in ours if replies.get((key, reply), parent) != parent)
        figures.replies_misattributed += sum(1 for (k, reply) in replies if k == key and reply not in {r for _, r in ours})


def report(figures: Figures, args: str, seconds: float, say=print) -> None:
    say(f"crashes injected:        {sum(figures.crashes.values())} (SIGKILL), by boundary: "
        + ", ".join(f"{b} {figures.crashes[b]}" for group in GROUPS for b in group))
    say(f"serve process group killed: {figures.serve_crashes} times at a boundary (found by the heartbeat "
        f"automation), {figures.serve_kills} times between groups and at the end")
    say(f"comments:                {figures.comments}; cases lost: {figures.cases_lost}")
    say(f"replies doubled:         {figures.replies_doubled}; misattributed: {figures.replies_misattributed}")
    say(f"cases archived:          {figures.archived}; waiting for a person: {figures.waiting}")
    say(f"checks run:              {figures.checks}")
    say(f"forms answered:          {figures.approvals} by the scripted approver for {figures.comments} cases "
        f"({figures.approvals - figures.comments:+d} beyond one each)")
    for line in figures.stuck[:10]:
        say(f"  not finished: {line}")
    say(f"{seconds:.0f} s on {os.cpu_count()} cores; command: {COMMAND} {args}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=4, help="new comments per channel and boundary group")
    parser.add_argument("--serve-crashes", type=int, default=2, help="cases whose archiving kills all of serve")
    args = parser.parse_args()
    started = time.monotonic()
    figures = run(args.cases, args.serve_crashes)
    report(figures, f"--cases {args.cases} --serve-crashes {args.serve_crashes}", time.monotonic() - started)
    return 1 if figures.cases_lost or figures.replies_doubled or figures.replies_misattributed else 0


if __name__ == "__main__":
    sys.exit(main())
