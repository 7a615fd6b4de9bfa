"""Issue 6: a run killed while resuming (the approver's answer stored by Prefect, not yet recorded
by Tanggap) is restarted by the check, and the new run takes that answer: the approver answers
once. Served deployments, a real Prefect server, the WordPress simulator, a SIGKILL from
tanggap/failpoints.py."""

from __future__ import annotations

from prefect import get_client
from prefect.flow_runs import resume_flow_run

from db.models import CaseStatus, Comment
from db.session import session_scope
from tests.e2e.test_website_case_end_to_end import (cases, flow_run, form_saved, our_replies_under, run_check,
                                                    wait_final, wait_suspended)
from tests.harness import start_serve, stop, wait_until

APPROVED = "Terima kasih. Pendaftaran angkatan berikutnya dibuka 1 Desember 2026 (dijawab sekali)."


def settled(run_id):
    """The run's state once it has ended or waits for a person."""
    state = flow_run(run_id).state
    return state if state.is_final() or state.is_paused() else None


def test_an_answer_given_once_is_applied_after_the_run_died_while_resuming(prefect_api, tanggap_env, wordpress,
                                                                           tmp_path):
    crash_log = tmp_path / "crashes.log"
    env = {**tanggap_env, "PREFECT_API_URL": prefect_api["url"], "PREFECT_HOME": prefect_api["home"],
           "TANGGAP_CRASH_AT": "while_resuming", "TANGGAP_CRASH_LOG": str(crash_log)}
    serve = start_serve(env, tmp_path / "serve.log")
    try:
        run_check()
        case = next(c for c in cases().values() if c.category == "pertanyaan")
        first_run = case.respond_flow_run_id
        wait_suspended(first_run, "koreksi-1")
        resume_flow_run(first_run, run_input={"action": "setujui", "reply_text": APPROVED, "note": "",
                                              "approver_name": "Kepala Bagian Umum (uji)"})

        # The run's process kills itself between taking the answer and recording it.
        assert wait_final(first_run).is_crashed()
        assert crash_log.read_text() == f"while_resuming {case.id}\n"
        with session_scope() as session:
            assert session.get(Comment, case.id).status == CaseStatus.AWAITING_CORRECTION
            assert session.get(Comment, case.id).decisions == []

        run_check()  # restarts the case in a new run, which finds the answer and goes on
        with session_scope() as session:
            restarted = session.get(Comment, case.id)
            second_run, earlier = restarted.respond_flow_run_id, restarted.earlier_flow_run_ids
        assert second_run != first_run and earlier == [first_run]
        state = wait_until(lambda: settled(second_run), timeout=240, what=f"run {second_run} to finish or wait")
        assert not state.is_paused(), f"the restarted run asks again: form {state.state_details.pause_key}"
        assert state.is_completed(), f"{state.name}: {state.message}"

        # No second form: the new run never waited, and never saved a form to answer.
        with get_client(sync_client=True) as client:
            assert not any(s.is_paused() for s in client.read_flow_run_states(second_run))
        assert not form_saved(second_run, "koreksi-1")
        assert flow_run(first_run).state.is_crashed()
        with session_scope() as session:
            done = session.get(Comment, case.id)
            assert done.status == CaseStatus.ARCHIVED
            assert [(d.stage, d.action, d.answer_ref, d.refused) for d in done.decisions] == [
                ("correction", "setujui", f"{first_run}:koreksi-1", False)]
        assert [r["content"] for r in our_replies_under(wordpress.site, case.external_id)] == [APPROVED]
        # The other cases still wait for their own first answer.
        others = [c for c in cases().values() if c.id != case.id and c.category != "spam"]
        assert others and all(c.status == CaseStatus.AWAITING_CORRECTION for c in others)
    finally:
        stop(serve)

