"""A cancelled or deleted run never strands its case: the next check gives the case a new run,
named and tagged for the inbox, waiting at the same stage, and the restart is on the case's record."""

from __future__ import annotations

from prefect import get_client
from prefect.states import Cancelled
from sqlalchemy import select

from db.models import CaseStatus, Event
from db.session import session_scope
from tests.e2e.test_website_case_end_to_end import cases, flow_run, run_check, wait_suspended


def test_a_cancelled_and_a_deleted_waiting_run_are_replaced_and_their_cases_wait_again(served, wordpress, tanggap_env):
    run_check()
    first, second = sorted(cases().values(), key=lambda c: c.id)[:2]
    for case in (first, second):
        wait_suspended(case.respond_flow_run_id, "koreksi-1")
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(first.respond_flow_run_id, Cancelled(message="dibatalkan dari UI (uji)"),
                                  force=True)  # the UI's Cancel beside Resume
        client.delete_flow_run(second.respond_flow_run_id)

    run_check()
    after = cases()
    for old in (first, second):
        case = after[old.id]
        assert case.respond_flow_run_id != old.respond_flow_run_id and case.status == CaseStatus.AWAITING_CORRECTION
        wait_suspended(case.respond_flow_run_id, "koreksi-1")
        run = flow_run(case.respond_flow_run_id)
        assert run.name == f"koreksi · {case.category} · website · #{case.id}"
        assert "menunggu:kepala-bagian-umum" in run.tags
    with session_scope() as session:
        restarts = session.scalars(select(Event.detail).where(Event.step == "restart").order_by(Event.comment_id)).all()
    assert len(restarts) == 2 and "Cancelled" in restarts[0] and "dihapus" in restarts[1]
