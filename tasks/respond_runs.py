"""Starting `respond` runs: one per new case, and again for a case whose run ended (failed,
crashed, cancelled, deleted) before the case was archived. The database keeps the case; a
new run continues it. A case parked with a retry time is resumed here once that time passes.
"""

from __future__ import annotations

from datetime import timedelta

from prefect import get_client, task
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import StateType
from prefect.states import Crashed
from sqlalchemy import select

from db.lifecycle import STEP_OF_STATUS, WORKING
from db.models import CaseStatus, Channel, Comment, utcnow
from db.session import session_scope
from tanggap.settings import get_settings

from . import events
from .cases import load_case
from .lease import release
from .operations import AUTOMATIC_RETRY

# A case whose runs keep ending without progress stops being restarted and waits for operations.
MAX_RESTARTS = 3
# A run left Pending this long lost its process before it started (the runner died).
STUCK_PENDING = timedelta(minutes=10)
# A run whose heartbeats stopped this many times over (its process died with its runner, or
# its machine) is marked Crashed by Prefect's automation, set up at start-up.
CRASH_DETECTION_AUTOMATION = "tanggap-run-tanpa-detak"
HEARTBEATS_MISSED = 3
NO_HEARTBEAT = "Tanggap: run tidak mengirim detak"
_FINAL = {StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED}


def start_runs_for(runs: list[tuple[int, str]]) -> dict[int, str]:
    """Create a `respond` run per (case, idempotency key) and link each case to its run.

    One client and one deployment lookup for the whole batch (run_deployment would redo both
    per run). The links are written at the end: if this dies halfway, the next check asks
    again with the same keys and Prefect hands back the runs already created.
    """
    if not runs:
        return {}
    created: dict[int, str] = {}
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(get_settings().respond_deployment)
        for comment_id, idempotency_key in runs:
            try:
                flow_run = client.create_flow_run_from_deployment(
                    deployment.id, parameters={"comment_id": comment_id}, idempotency_key=idempotency_key,
                    name=f"tanggapi-kasus-{comment_id}")
            except Exception as exc:  # noqa: BLE001 - one refused run never stops the batch
                # The case keeps no run, so the next check asks again with the same key.
                events.operations_log().warning("Kasus %s belum mendapat run (dicoba lagi pada pemeriksaan "
                                                "berikutnya): %s", comment_id, exc)
                continue
            created[comment_id] = str(flow_run.id)
    with session_scope() as session:
        for comment_id, run_id in created.items():
            case = session.get(Comment, comment_id)
            if case.respond_flow_run_id not in (None, run_id):
                # Kept so the new run takes an answer the old one received but did not record.
                case.earlier_flow_run_ids = [*(case.earlier_flow_run_ids or []), case.respond_flow_run_id]
            case.respond_flow_run_id = run_id
    return created


@task(task_run_name="mulai-tanggapan")
def start_respond_runs() -> list[str]:
    """One `respond` run per new case; also picks up cases a crashed check left without one.

    Spam never gets a run of its own here: it waits in a spam wave (tasks/spam_waves.py), and
    gets one only when the moderator says it is not spam (its category changes then).
    """
    return list(start_new_case_runs().values())


def start_new_case_runs(*where) -> dict[int, str]:
    """Runs for the new, non-spam cases without one (narrowed by `where`). The key is the
    comment's, so the check and a moderation run asking at once get the same run."""
    with session_scope() as session:
        waiting = session.execute(
            select(Comment.id, Channel.key, Comment.external_id, Comment.found_at).join(Channel)
            .where(Comment.status == CaseStatus.NEW, Comment.respond_flow_run_id.is_(None),
                   Comment.category != "spam", *where)
            .order_by(Comment.id)
        ).all()
    return start_runs_for([(comment_id, f"respond-{channel_key}-{external_id}-{found_at.timestamp():.0f}")
                           for comment_id, channel_key, external_id, found_at in waiting])


@task(task_run_name="lanjutkan-kasus-tertunda")
def restart_stalled_cases() -> list[str]:
    """Keep every unfinished case moving: a new run where its run ended or was lost, and the
    scheduled retry for a case parked with a `retry_at` that has passed."""
    with session_scope() as session:
        open_cases = session.execute(
            select(Comment.id, Comment.respond_flow_run_id)
            .where(Comment.status != CaseStatus.ARCHIVED, Comment.respond_flow_run_id.is_not(None))
        ).all()
    if not open_cases:
        return []
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[row.respond_flow_run_id for row in open_cases])))
        state_of = {str(run.id): run.state for run in runs}
        now = utcnow()
        restart, resume = [], []
        for comment_id, run_id in open_cases:
            state = state_of.get(run_id)
            if state is not None and state.type == StateType.PENDING and now - state.timestamp > STUCK_PENDING:
                client.set_flow_run_state(run_id, Crashed(message="Tanggap: run tertahan di Pending tanpa proses"),
                                          force=True)
                state = Crashed()
            if state is None or state.type in _FINAL:
                # Its process is known to be gone unless only its heartbeats stopped (it may live on).
                gone = state is not None and not (state.message or "").startswith(NO_HEARTBEAT)
                restart.append((comment_id, run_id, state.name if state else "dihapus", gone))
            elif state.type == StateType.PAUSED:
                resume.append((comment_id, run_id))
        resumed = [run_id for comment_id, run_id in resume if _retry_is_due(comment_id, now)]
        for run_id in resumed:
            client.resume_flow_run(run_id, run_input=AUTOMATIC_RETRY)
    return resumed + list(start_runs_for(_to_restart(restart)).values())


def _retry_is_due(comment_id: int, now) -> bool:
    with session_scope() as session:
        case = load_case(session, comment_id)
        return case.status == CaseStatus.NEEDS_ATTENTION and case.retry_at is not None and case.retry_at <= now


def _to_restart(ended: list[tuple[int, str, str, bool]]) -> list[tuple[int, str]]:
    """The cases to give a new run, each noted; a case restarted too often waits for operations."""
    runs = []
    now = utcnow()
    for comment_id, run_id, how, gone in ended:
        with session_scope() as session:
            case = load_case(session, comment_id, for_update=True)
            if case.respond_flow_run_id != run_id or case.status == CaseStatus.ARCHIVED:
                continue  # another check got here first
            if case.claimed_until is not None and case.claimed_until > now:
                if case.claimed_by != run_id or not gone:
                    continue  # a run is sending right now; it finishes the case, or its lease runs out
                release(case)  # the holder was this ended run, whose process is gone: nobody is sending
            if case.restarts >= MAX_RESTARTS and case.status in WORKING:
                case.needs_attention(step=STEP_OF_STATUS[case.status], retry_at=None, error=(
                    f"Run kasus berakhir ({how}) {case.restarts + 1} kali berturut-turut tanpa selesai; "
                    "periksa log run di Prefect UI"))
            case.restarts += 1
            events.record(session, "restart", "end", comment_id=comment_id,
                          detail=f"run {run_id} berakhir ({how}); run baru dimulai (ke-{case.restarts})")
        events.operations_log().warning("Kasus %s dilanjutkan: run %s berakhir %s", comment_id, run_id, how)
        runs.append((comment_id, f"respond-{comment_id}-after-{run_id}"))
    return runs


def ensure_crash_detection() -> str:
    """Prefect's automation for runs left Running by a dead process (a killed `serve`, a lost
    machine): after HEARTBEATS_MISSED heartbeat intervals without a heartbeat or a new state, the
    run is marked Crashed, and the next check restarts its case. Says what it set up."""
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.settings import get_current_settings

    seconds = get_current_settings().flows.heartbeat_frequency
    states = ("Completed", "Failed", "Cancelled", "Crashed", "Suspended", "Paused")  # a waiting run sends none
    wanted = AutomationCore(
        name=CRASH_DETECTION_AUTOMATION,
        description="Run yang prosesnya mati bersama serve ditandai Crashed; pemeriksaan berikutnya melanjutkan kasusnya.",
        trigger=EventTrigger(after={"prefect.flow-run.heartbeat"},
                             expect={"prefect.flow-run.heartbeat", *(f"prefect.flow-run.{s}" for s in states)},
                             match={"prefect.resource.id": "prefect.flow-run.*"},
                             for_each={"prefect.resource.id"}, posture=Posture.Proactive, threshold=1,
                             within=timedelta(seconds=HEARTBEATS_MISSED * (seconds or 0))),
        actions=[ChangeFlowRunState(state=StateType.CRASHED,
                                    message=f"{NO_HEARTBEAT} selama {HEARTBEATS_MISSED * (seconds or 0)} detik")],
    )
    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(CRASH_DETECTION_AUTOMATION)
        # Kept as it is when unchanged: a new automation would forget the heartbeats it has seen,
        # and the runs that died with the `serve` being restarted now would never be found.
        if seconds and len(existing) == 1 and _same_automation(existing[0], wanted):
            return f"a run without heartbeats for {HEARTBEATS_MISSED * seconds} s is marked Crashed"
        for old in existing:
            client.delete_automation(old.id)
        if not seconds:
            return "run heartbeats are off (PREFECT_FLOWS_HEARTBEAT_FREQUENCY): a run whose serve died stays Running"
        client.create_automation(wanted)
    return f"a run without heartbeats for {HEARTBEATS_MISSED * seconds} s is marked Crashed"


def _same_automation(existing, wanted) -> bool:
    def shape(automation) -> tuple:
        trigger = automation.trigger
        return (trigger.within, set(trigger.expect), set(trigger.after), trigger.posture, automation.enabled,
                [action.model_dump(exclude={"id"}) for action in automation.actions])
    return shape(existing) == shape(wanted)
