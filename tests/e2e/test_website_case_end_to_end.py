"""One website comment travels the whole SOP: served deployments, a real Prefect server,
the WordPress simulator, resumed through the Prefect client API like the UI's form does."""

from __future__ import annotations

import hashlib
import json

import pytest
from prefect import get_client
from prefect.artifacts import Artifact
from prefect.deployments import run_deployment
from prefect.flow_runs import resume_flow_run
from pypdf import PdfReader
from sqlalchemy import select

from db.models import CaseStatus, Comment, Publication, SpamWave
from db.session import session_scope
from tasks.records.archive_store import resolve
from tests.harness import wait_until

OFFICIAL_USER_ID = 2
HOSTILE_AUTHOR = '<img src=x onerror=alert(1)> Pengunjung "Uji" [link](javascript:alert(2))'
HOSTILE_TEXT = (
    "&lt;script&gt;alert('serang')&lt;/script&gt; **tebal** [klik](http://judi.example) 🌾🙏🏽 "
    + "Kapan jadwal pelatihan berikutnya? " * 580  # about 20 kB
)


def flow_run(run_id):
    with get_client(sync_client=True) as client:
        return client.read_flow_run(run_id)


def form_saved(run_id, pause_key: str) -> bool:
    with get_client(sync_client=True) as client:
        try:
            client.read_flow_run_input(run_id, f"suspended-{pause_key}-schema")
        except Exception:  # noqa: BLE001 - not there yet
            return False
    return True


def wait_suspended(run_id, pause_key: str, timeout: float = 180):
    """Wait for the run to be suspended at `pause_key` with its form saved (saved just after the state)."""
    def suspended():
        state = flow_run(run_id).state
        if state.is_final():
            raise AssertionError(f"run {run_id} ended as {state.name}: {state.message}")
        return state.is_paused() and state.state_details.pause_key == pause_key and form_saved(run_id, pause_key)

    wait_until(suspended, timeout=timeout, what=f"run {run_id} waiting at {pause_key}")


def wait_final(run_id, timeout: float = 240):
    return wait_until(lambda: (s := flow_run(run_id).state).is_final() and s, timeout=timeout,
                      what=f"run {run_id} to finish")


def form_description(run_id, pause_key: str) -> str:
    with get_client(sync_client=True) as client:
        return json.loads(client.read_flow_run_input(run_id, f"suspended-{pause_key}-description"))


def cases() -> dict[int, Comment]:
    with session_scope() as session:
        return {c.id: c for c in session.scalars(select(Comment)).all()}


def our_replies_under(site, comment_external_id: str) -> list[dict]:
    return [c for c in site.comments if c["user_id"] == OFFICIAL_USER_ID and str(c["parent"]) == comment_external_id]


def wave_run(case: Comment) -> str:
    """The moderation run of the spam wave `case` is in (spam never gets a run of its own)."""
    with session_scope() as session:
        wave_id = session.get(Comment, case.id).spam_wave_id
        assert wave_id is not None, f"case {case.id} is in no spam wave"
        return session.get(SpamWave, wave_id).flow_run_id


def run_check():
    check = run_deployment("check-comments/periodic", timeout=240)
    assert check.state.is_completed(), check.state.message
    return check


def test_seeded_comments_are_answered_escalated_or_closed_and_archived(served, wordpress, tanggap_env):
    from simulator.seed import SEED_AWAITING_ANSWER

    site = wordpress.site
    post_id = site.comments[0]["post"]
    hostile_id = site.add_comment(post_id, author_name=HOSTILE_AUTHOR, content=HOSTILE_TEXT)
    own_before = len([c for c in site.comments if c["user_id"] == OFFICIAL_USER_ID])

    run_check()
    found = cases()
    assert len(found) == SEED_AWAITING_ANSWER + 1
    assert all(c.author_external_id != str(OFFICIAL_USER_ID) for c in found.values())
    spam = [c for c in found.values() if c.category == "spam"]
    for case in found.values():
        if case.category != "spam":
            wait_suspended(case.respond_flow_run_id, "koreksi-1")
    # All the spam waits in one moderation run, none in a run of its own: it is never answered.
    assert spam and {wave_run(c) for c in spam} == {wave_run(spam[0])}
    assert all(c.respond_flow_run_id is None for c in spam)
    wait_suspended(wave_run(spam[0]), "moderasi-1")
    queue = Artifact.get("antrean-persetujuan").data
    assert all(f"[koreksi #{c.id}](" in queue for c in found.values() if c.category != "spam")
    assert "| Kepala Bagian Umum |" in queue and "moderasi-spam gelombang #" in queue

    # Operations see the inventory of this check and the approval queue as artifacts.
    inventory = Artifact.get("daftar-inventaris-komentar")
    rows = json.loads(inventory.data)
    assert len(rows) == len(found) and {r["Kanal"] for r in rows} == {"Website BBPP Ketindan"}
    by_category = {}
    for case in found.values():
        by_category.setdefault(case.category, case)
    answered, escalated, closed = by_category["pertanyaan"], by_category["keluhan"], by_category["spam"]
    hostile = next(c for c in found.values() if c.external_id == str(hostile_id))

    # The form shows hostile text escaped, its start above the form and in full in the case's
    # details artifact, with the channel limit beside the reply field.
    description = form_description(hostile.respond_flow_run_id, "koreksi-1")
    assert "<script>" not in description and "&lt;script&gt;" in description
    assert "<img" not in description and "\\[link\\]" in description
    assert "🌾🙏🏽" in description and "Kapan jadwal pelatihan berikutnya" in description and len(description) < 2000
    details = Artifact.get(f"kasus-{hostile.id}").data
    assert "<script>" not in details and details.count("Kapan jadwal pelatihan berikutnya") == 580
    with get_client(sync_client=True) as client:
        schema = client.read_flow_run_input(hostile.respond_flow_run_id, "suspended-koreksi-1-schema")
    assert "dari maks. 65525 karakter" in schema

    # The server checks the form's schema: without the approver's name the run keeps waiting.
    with pytest.raises(RuntimeError, match="(?i)reason|invalid|validat"):
        resume_flow_run(answered.respond_flow_run_id, run_input={"action": "tutup", "reply_text": ""})
    assert flow_run(answered.respond_flow_run_id).state.is_paused()
    with pytest.raises(RuntimeError, match="(?i)reason|invalid|validat"):
        resume_flow_run(wave_run(closed), run_input={"action": "tutup"})
    assert flow_run(wave_run(closed)).state.is_paused()

    edited = "Terima kasih. Pendaftaran dibuka 1 Desember 2026 melalui website resmi."
    resume_flow_run(answered.respond_flow_run_id, run_input={
        "action": "setujui", "reply_text": edited, "note": "tanggal ditambahkan",
        "approver_name": "Kepala Bagian Umum (uji)"})
    resume_flow_run(escalated.respond_flow_run_id, run_input={
        "action": "eskalasi", "reply_text": "Mohon maaf, aduan sedang kami tindak lanjuti.",
        "note": "menyangkut fasilitas asrama", "approver_name": "Kepala Bagian Umum (uji)"})
    resume_flow_run(wave_run(closed), run_input={
        "action": "sembunyikan", "note": "spam judi", "moderator_name": "Kepala Bagian Umum (uji)"})
    resume_flow_run(hostile.respond_flow_run_id, run_input={
        "action": "setujui", "reply_text": "Terima kasih <b>Bapak/Ibu</b> & salam <script>x</script>",
        "note": "", "approver_name": "Kepala Bagian Umum (uji)"})

    wait_suspended(escalated.respond_flow_run_id, "keputusan-1")
    resume_flow_run(escalated.respond_flow_run_id, run_input={
        "action": "kirim", "decision": "Perbaikan AC asrama dijadwalkan pekan ini.",
        "reply_text": "Mohon maaf. Perbaikan AC asrama dijadwalkan pekan ini.", "decider_name": "Kepala Balai (uji)"})

    for case in (answered, escalated, closed, hostile):
        state = wait_final(wave_run(case) if case is closed else case.respond_flow_run_id)
        assert state.is_completed(), f"case {case.id}: {state.name} {state.message}"

    after = cases()
    assert {after[c.id].status for c in (answered, escalated, hostile, *spam)} == {CaseStatus.ARCHIVED}
    untouched = set(after) - {answered.id, escalated.id, hostile.id} - {c.id for c in spam}
    assert {after[i].status for i in untouched} == {CaseStatus.AWAITING_CORRECTION}

    # Exactly one official reply under each answered comment, none under the closed one.
    replies = {c.id: our_replies_under(site, c.external_id) for c in (answered, escalated, closed, hostile)}
    assert [len(replies[c.id]) for c in (answered, escalated, closed, hostile)] == [1, 1, 0, 1]
    assert replies[answered.id][0]["content"] == edited
    assert "Perbaikan AC asrama" in replies[escalated.id][0]["content"]
    # The spam was hidden from the public (held for moderation), not deleted.
    assert next(c for c in site.comments if str(c["id"]) == closed.external_id)["status"] == "hold"
    # Plain text: what the approver typed shows as text, never as markup.
    hostile_reply = replies[hostile.id][0]
    assert "<b>" not in hostile_reply["content"] and "&lt;b&gt;" in hostile_reply["content"]

    with session_scope() as session:
        for case in (answered, escalated, closed, hostile):
            record = session.get(Comment, case.id)
            for archive in record.archives:
                data = resolve(archive.path).read_bytes()
                assert hashlib.sha256(data).hexdigest() == archive.sha256
            assert {a.kind for a in record.archives} == {"softfile", "hardfile"}
            softfile = json.loads(resolve(next(a.path for a in record.archives if a.kind == "softfile")).read_text())
            assert softfile["answered"] is (case.id != closed.id)
            steps = {(e["step"], e["phase"]) for e in softfile["events"]}
            decided = ("moderation", "end") if case is closed else ("correction", "end")
            assert {("check", "start"), ("check", "end"), decided} <= steps
        escalated_record = session.get(Comment, escalated.id)
        assert [d.role for d in escalated_record.decisions] == ["Kepala Bagian Umum", "Kepala Balai"]
        assert [v.kind for v in escalated_record.versions] == ["draft", "correction", "decision"]
        hostile_pdf = resolve(next(a.path for a in session.get(Comment, hostile.id).archives if a.kind == "hardfile"))
    # pypdf hands back some runs as UTF-16 with NUL bytes, and garbles the curly quotes.
    pdf_text = "".join(page.extract_text() for page in PdfReader(hostile_pdf).pages).replace("\x00", "")
    assert "<script>alert(" in pdf_text and ")</script> **tebal** [klik](http://judi.example)" in pdf_text
    assert "<img src=x onerror=alert(1)>" in pdf_text

    # A second check finds nothing new, and our replies never come back as comments.
    run_check()
    assert len(cases()) == len(found)
    assert len([c for c in site.comments if c["user_id"] == OFFICIAL_USER_ID]) == own_before + 3


def test_a_resumed_run_whose_reply_already_landed_does_not_post_again(served, wordpress, tanggap_env):
    """The run crashed after its POST: the reply is on the site, the database only has the intent."""
    from tasks.cases import channel_config, load_case, ref_of
    from tasks.channels import connect
    from tasks.review import record_correction

    site = wordpress.site
    run_check()
    case = next(c for c in cases().values() if c.category == "pertanyaan")
    wait_suspended(case.respond_flow_run_id, "koreksi-1")
    answer = {"action": "setujui", "reply_text": "Jadwal diumumkan pekan depan.", "note": "",
              "approver_name": "Kepala Bagian Umum (uji)"}

    # What the crashed attempt did: recorded the correction and the intent, then posted.
    record_correction.fn(case.id, {**answer, "answer_ref": f"{case.respond_flow_run_id}:koreksi-1"})
    with session_scope() as session:
        record = load_case(session, case.id)
        record.publication = Publication(text=answer["reply_text"], attempts=1, channel_id=record.channel_id)
        config, ref = channel_config(record.channel), ref_of(record)
    connect(config).reply(ref, answer["reply_text"])
    posts_before = site.request_count("POST")

    resume_flow_run(case.respond_flow_run_id, run_input=answer)
    state = wait_final(case.respond_flow_run_id)
    assert state.is_completed(), state.message

    assert site.request_count("POST") == posts_before
    assert len(our_replies_under(site, case.external_id)) == 1
    with session_scope() as session:
        record = load_case(session, case.id)
        assert record.status == CaseStatus.ARCHIVED
        assert record.publication.attempts == 2
        assert record.publication.external_reply_id == str(our_replies_under(site, case.external_id)[0]["id"])


def test_a_case_whose_channel_asked_us_to_wait_is_sent_when_a_later_check_retries_it(served, wordpress,
                                                                                   tanggap_env):
    """The platform said "come back in an hour": the case waits in perlu penanganan with that time,
    in its own run, and the first check after it answers the run's form with "coba lagi"."""
    from datetime import timedelta

    from db.models import Channel, utcnow

    run_check()
    case = next(c for c in cases().values() if c.category == "pertanyaan")
    wait_suspended(case.respond_flow_run_id, "koreksi-1")
    with session_scope() as session:
        channel = session.scalar(select(Channel))
        channel.blocked_until = utcnow() + timedelta(hours=1)
        channel.blocked_reason = "HTTP 429 dari proxy situs (uji)"
    posts_before = wordpress.site.request_count("POST")

    resume_flow_run(case.respond_flow_run_id, run_input={
        "action": "setujui", "reply_text": "Jadwal diumumkan pekan depan.", "note": "",
        "approver_name": "Kepala Bagian Umum (uji)"})
    wait_suspended(case.respond_flow_run_id, "penanganan-1-1")
    with session_scope() as session:
        parked = session.get(Comment, case.id)
        assert parked.status == CaseStatus.NEEDS_ATTENTION and parked.resume_status == CaseStatus.APPROVED
        assert parked.attention_step == "publish" and parked.retry_at is not None
        assert "dibatasi" in parked.last_error
    description = form_description(case.respond_flow_run_id, "penanganan-1-1")
    assert "Perlu penanganan" in description and "dicoba lagi otomatis" in description
    run_check()  # too early: operations see the case and when it will be tried again
    queue = Artifact.get("antrean-persetujuan").data
    assert f"| [#{case.id}](" in queue and "dicoba lagi otomatis" in queue
    assert flow_run(case.respond_flow_run_id).state.is_paused()
    assert wordpress.site.request_count("POST") == posts_before  # the platform was left alone

    with session_scope() as session:  # an hour later: the platform's window is over, the retry is due
        session.scalar(select(Channel)).blocked_until = utcnow() - timedelta(seconds=1)
        session.get(Comment, case.id).retry_at = utcnow() - timedelta(seconds=1)
    run_check()
    assert wait_final(case.respond_flow_run_id).is_completed()  # the same run, resumed by the check
    with session_scope() as session:
        done = session.get(Comment, case.id)
        assert done.status == CaseStatus.ARCHIVED
        assert [(d.stage, d.action, d.actor_name) for d in done.decisions][-1] == \
            ("attention", "coba_lagi", "Tanggap (coba lagi terjadwal)")
    assert len(our_replies_under(wordpress.site, case.external_id)) == 1


def test_channel_secrets_come_from_prefect_secret_blocks(prefect_api, monkeypatch):
    from prefect.blocks.system import Secret

    from tasks.channels.credentials import MissingSecret, env_name, load_secret

    monkeypatch.delenv(env_name("tanggap-uji-rahasia"), raising=False)
    Secret(value="token-dari-blok").save("tanggap-uji-rahasia", overwrite=True)
    assert load_secret("tanggap-uji-rahasia") == "token-dari-blok"
    with pytest.raises(MissingSecret, match="TANGGAP_SECRET_TIDAK_ADA"):
        load_secret("tidak-ada")
