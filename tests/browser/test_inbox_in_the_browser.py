"""The Prefect UI as the office's inbox, in Debian's Chromium at 1366x768: each role opens its
queue link, sees the case without scrolling, answers the form, and the reply lands on the
channel; a refused form keeps what was typed; an overdue step sends a reminder to a webhook.

Screenshots go to var/test-output/browser/. The server asks for an API auth string: the
browser logs in with it, and the served flows and this test's client use it.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from prefect import get_client
from prefect.deployments import run_deployment
from prefect.flow_runs import resume_flow_run
from sqlalchemy import select

from db.models import CaseStatus, Comment, Decision, Event, utcnow
from db.session import session_scope
from tanggap import sop
from tasks.cases import load_case
from tasks.inbox import queue_url
from tests.browser.conftest import AUTH_STRING
from tests.harness import wait_until

pytestmark = pytest.mark.browser
OFFICIAL_USER_ID = 2
KEPT_SEED_COMMENTS = {401, 402, 403, 405, 412}


def run_of(case_id: int):
    with session_scope() as session:
        run_id = session.get(Comment, case_id).respond_flow_run_id
    with get_client(sync_client=True) as client:
        return client.read_flow_run(run_id)


def wait_waiting(case_id: int, stage_key: str, timeout: float = 120):
    """The case's run is suspended at the form `stage_key` and its form is saved."""
    def waiting():
        run = run_of(case_id)
        if run.state.is_final():
            raise AssertionError(f"case {case_id}: run ended {run.state.name} {run.state.message}")
        if not (run.state.is_paused() and run.state.state_details.pause_key == stage_key):
            return None
        with get_client(sync_client=True) as client:
            try:
                client.read_flow_run_input(run.id, f"suspended-{stage_key}-schema")
            except Exception:  # noqa: BLE001 - not saved yet
                return None
        return run
    try:
        return wait_until(waiting, timeout=timeout, interval=0.3, what=f"case {case_id} waiting at {stage_key}")
    except TimeoutError:
        run = run_of(case_id)
        shown = ""
        if run.state.is_paused():
            with get_client(sync_client=True) as client:
                shown = client.read_flow_run_input(run.id, f"suspended-{run.state.state_details.pause_key}-description")
        raise AssertionError(f"case {case_id} not waiting at {stage_key} but {run.state.name} "
                             f"{run.state.state_details.pause_key}: {shown[:600]}") from None


def reply_on_site(site, case: Comment):
    return next((c for c in site.comments if c["user_id"] == OFFICIAL_USER_ID
                 and str(c["parent"]) == case.external_id), None)


def test_approvers_work_their_queues_in_the_browser_and_overdue_steps_send_reminders(stack, page, screenshots):
    from tests.browser.ui import choose, field, log_in, open_resume_dialog, submit, visible_pixels

    ui, site = stack["ui"], stack["wordpress"].site
    # Three cases keep the run short: a question replying to a comment we answered already, a
    # complaint, and praise with an "&" the queue must show cleanly.
    for comment in site.comments:
        if comment["id"] not in KEPT_SEED_COMMENTS:
            site.set_comment_status(comment["id"], "trash")
    started = time.monotonic()
    check = run_deployment("check-comments/periodic", timeout=240, _sync=True)
    assert check.state.is_completed(), check.state.message
    with session_scope() as session:
        found = {c.category: c for c in session.scalars(select(Comment).order_by(Comment.id.desc())).all()}
    question, complaint, other = found["pertanyaan"], found["keluhan"], found["apresiasi"]
    for case in (question, complaint, other):
        wait_waiting(case.id, "tindak-lanjut-1")

    # Each waiting run says who must act and on what.
    run = run_of(question.id)
    assert run.name == f"tindak-lanjut · pertanyaan · website · #{question.id}"
    assert {"menunggu:ketua-tim-kerja", "kanal:website", "kategori:pertanyaan"} <= set(run.tags)

    print(f"\n[{time.monotonic() - started:.0f}s] cases waiting for the follow-up")
    log_in(page, ui, AUTH_STRING)
    page.screenshot(path=screenshots / "00-setelah-masuk.png")

    # --- Ketua Tim Kerja: the follow-up queue, oldest first, then forward the question. ---
    page.goto(queue_url(sop.TEAM_LEAD, ui))
    page.get_by_text(f"#{question.id}", exact=False).first.wait_for()
    page.screenshot(path=screenshots / "01-antrean-ketua-tim-kerja.png")
    dialog = open_resume_dialog(page, f"{ui}/v2/runs/flow-run/{run.id}")
    field(dialog, "Nama Ketua Tim Kerja").fill("Ketua Tim Kerja (uji)")
    page.screenshot(path=screenshots / "02-tindak-lanjut-terbuka.png")
    submit(dialog)
    with session_scope() as session:
        complaint_draft = load_case(session, complaint.id).current_reply.text
    resume_flow_run(run_of(complaint.id).id, _sync=True, run_input={
        "action": "teruskan", "reply_text": complaint_draft, "note": "", "approver_name": "Ketua Tim Kerja (uji)",
        "nip": ""})
    question_run = wait_waiting(question.id, "koreksi-1")
    wait_waiting(complaint.id, "koreksi-1")
    assert "menunggu:kepala-bagian-umum" in question_run.tags and "menunggu:ketua-tim-kerja" not in question_run.tags
    assert question_run.name.startswith("koreksi · pertanyaan")

    print(f"[{time.monotonic() - started:.0f}s] cases waiting for correction")
    # --- Kepala Bagian Umum: queue link, the case in view at 1366x768, approve; timed. ---
    timer = time.monotonic()
    page.goto(queue_url(sop.HEAD_OF_GENERAL_AFFAIRS, ui))
    page.get_by_role("link", name=question_run.name).click()
    page.wait_for_url(f"**/flow-run/{question_run.id}**")
    dialog = open_resume_dialog(page, page.url, expecting="batas")
    comment = dialog.locator("blockquote").first
    draft = field(dialog, "Teks jawaban")
    assert question.text[:40] in comment.inner_text().replace("\n", " ")
    shown, height = visible_pixels(comment)
    assert shown == height > 0, f"the comment is cut off: {shown} of {height} px visible"
    draft_shown, _ = visible_pixels(draft)
    assert draft_shown >= 60, f"only {draft_shown} px of the draft is visible without scrolling"
    assert draft.input_value().strip() and "batas" in dialog.locator("h3").first.inner_text()
    assert "(Optional)" not in dialog.inner_text().split("Catatan koreksi")[0]
    page.screenshot(path=screenshots / "03-kasus-terbuka-koreksi.png")
    field(dialog, "Nama Kepala Bagian Umum").fill("Kepala Bagian Umum (uji)")
    field(dialog, "NIP").fill("198501012010011001")
    submit(dialog)
    wait_until(lambda: reply_on_site(site, question), timeout=90, interval=0.3, what="the reply on the website")
    approver_seconds = time.monotonic() - timer
    page.goto(question.link or stack["wordpress"].base_url)
    page.screenshot(path=screenshots / "04-jawaban-di-kanal.png")

    print(f"[{time.monotonic() - started:.0f}s] first reply on the channel")
    # --- A refused form keeps what was typed; then escalation to the Kepala Balai. ---
    dialog = open_resume_dialog(page, f"{ui}/v2/runs/flow-run/{run_of(complaint.id).id}")
    choose(page, dialog, "Tindakan", "eskalasi")
    field(dialog, "Catatan koreksi").fill("Menyangkut fasilitas asrama")
    field(dialog, "NIP").fill("12345")
    submit(dialog)
    wait_waiting(complaint.id, "koreksi-2")
    dialog = open_resume_dialog(page, page.url, expecting="Isian belum dapat diterima")
    text = dialog.inner_text()
    assert "Isian belum dapat diterima" in text and "Nama Kepala Bagian Umum wajib diisi." in text
    assert "NIP harus 18 angka" in text
    assert field(dialog, "Catatan koreksi").input_value() == "Menyangkut fasilitas asrama"
    page.screenshot(path=screenshots / "05-formulir-ditolak.png")
    assert field(dialog, "NIP").input_value() == ""  # the wrong NIP is quoted above, not kept in the field
    field(dialog, "Nama Kepala Bagian Umum").fill("Kepala Bagian Umum (uji)")
    submit(dialog)
    escalated = wait_waiting(complaint.id, "keputusan-1")
    assert "menunggu:kepala-balai" in escalated.tags

    page.goto(queue_url(sop.HEAD_OF_CENTRE, ui))
    page.get_by_role("link", name=escalated.name).click()
    page.wait_for_url(f"**/flow-run/{escalated.id}**")
    dialog = open_resume_dialog(page, page.url, expecting="Menyangkut fasilitas asrama")  # the escalation note
    field(dialog, "Isi keputusan / disposisi").fill("Perbaikan AC asrama dijadwalkan pekan ini.")
    field(dialog, "Jawaban akhir").fill("Mohon maaf. Perbaikan AC asrama dijadwalkan pekan ini.")
    field(dialog, "Nama Kepala Balai").fill("Kepala Balai (uji)")
    page.screenshot(path=screenshots / "06-keputusan-kepala-balai.png")
    submit(dialog)
    reply = wait_until(lambda: reply_on_site(site, complaint), timeout=90, interval=0.3, what="the escalated reply")
    assert "Perbaikan AC asrama" in reply["content"]

    # --- The approval queue opens on its table, first column a link to decide. ---
    page.goto(f"{ui}/v2/artifacts/key/antrean-persetujuan")
    first_row_link = page.locator("table").first.locator("tbody tr").first.locator("td").first.locator("a")
    assert first_row_link.get_attribute("href").startswith(f"{ui}/v2/runs/flow-run/")
    assert "&amp;" not in page.locator("table").first.inner_text() and "\\" not in page.locator("table").first.inner_text()
    page.screenshot(path=screenshots / "07-antrean-persetujuan.png")

    # --- The SOP clock: a follow-up waiting past its 30 minutes is recorded once, announced, reminded. ---
    with session_scope() as session:
        waiting = session.get(Comment, other.id)
        waiting.status_since = utcnow() - timedelta(minutes=31)
    assert run_deployment("watch-deadlines/sop-clock", timeout=120, _sync=True).state.is_completed()
    received = wait_until(lambda: stack["receiver"].received, timeout=60, interval=0.5, what="the reminder")
    assert f"kasus #{other.id}" in received[0]["subjek"] and "Ketua Tim Kerja" in received[0]["pesan"]
    assert f"/v2/runs/flow-run/{run_of(other.id).id}" in received[0]["pesan"]
    assert run_deployment("watch-deadlines/sop-clock", timeout=120, _sync=True).state.is_completed()
    time.sleep(2)
    assert len(stack["receiver"].received) == 1  # the second watch found the breach recorded: no new reminder
    with session_scope() as session:
        assert session.get(Comment, other.id).overdue_at is not None
        assert session.scalars(select(Event.step).where(Event.comment_id == other.id,
                                                         Event.phase == "terlambat")).all() == ["follow_up"]
    assert run_of(other.id).state.is_paused()  # the run keeps waiting: no timeout, no failure
    page.goto(stack["receiver"].url)
    page.screenshot(path=screenshots / "08-pengingat-diterima.png")

    with session_scope() as session:
        assert session.get(Comment, question.id).status == CaseStatus.ARCHIVED
        nips = session.scalars(select(Decision.actor_nip).where(Decision.comment_id == question.id,
                                                                Decision.stage == "correction")).all()
        assert nips == ["198501012010011001"]
    print(f"\nscripted approver, queue opened to reply visible on the channel: {approver_seconds:.1f} s; "
          f"whole test {time.monotonic() - started:.0f} s; screenshots in {screenshots}")


def test_the_api_refuses_clients_without_the_auth_string(stack):
    assert requests.get(f"{stack['api']}/flow_runs/count", timeout=5).status_code == 401
    assert requests.post(f"{stack['api']}/flow_runs/count", auth=tuple(AUTH_STRING.split(":", 1)),
                         timeout=5).status_code == 200
