"""The website channel end to end on a real WordPress: served deployments, a real Prefect server,
Debian's WordPress on MariaDB, runs resumed through the Prefect client API like the UI's form."""

from __future__ import annotations

import hashlib
import json

import pytest
import requests
from prefect.artifacts import Artifact
from prefect.flow_runs import resume_flow_run
from sqlalchemy import select

from db.models import CaseStatus, Comment
from db.session import session_scope
from simulator.seed import SEED_AWAITING_ANSWER, SEED_HELD_COMMENTS
from tasks.records.archive_store import resolve
from tests.e2e.test_website_case_end_to_end import run_check, wait_final, wait_suspended, wave_run
from tests.harness import start_serve, stop, tanggap_environment

APPROVER = "Kepala Bagian Umum (uji)"


@pytest.fixture
def real_site(real_wordpress):
    real_wordpress.reset()
    return real_wordpress


@pytest.fixture
def served_on_real_site(prefect_api, real_site, tmp_path, monkeypatch):
    """Tanggap pointed at the real WordPress, its deployments served from their own process."""
    env = tanggap_environment(tmp_path, real_site.base_url,
                              secrets={"wordpress-app-password": real_site.official_password})
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from db.session import migrate

    migrate()
    process = start_serve({**env, "PREFECT_API_URL": prefect_api["url"], "PREFECT_HOME": prefect_api["home"]},
                          tmp_path / "serve.log")
    yield process
    stop(process)


def cases() -> dict[str, Comment]:
    """The cases by the comment's id on the site."""
    with session_scope() as session:
        return {c.external_id: c for c in session.scalars(select(Comment))}


def public_replies(site, parent: str) -> list[dict]:
    """What any visitor of the site sees under a comment: no credentials."""
    response = requests.get(f"{site.api_base}/comments", params={"parent": parent, "per_page": 100}, timeout=10)
    response.raise_for_status()
    return response.json()


def comment_as_moderator(site, comment_id: str) -> dict:
    return requests.get(f"{site.api_base}/comments/{comment_id}", params={"context": "edit"}, timeout=10,
                        auth=("humas-bbpp", site.official_password)).json()


def test_a_website_comment_is_answered_on_a_real_wordpress_and_archived(served_on_real_site, real_site):
    run_check()
    found = cases()
    assert len(found) == SEED_AWAITING_ANSWER
    assert sum(c.awaiting_moderation for c in found.values()) == SEED_HELD_COMMENTS
    rows = json.loads(Artifact.get("daftar-inventaris-komentar").data)
    assert [r["Status di kanal"] for r in rows].count("menunggu moderasi") == SEED_HELD_COMMENTS

    question = found[str(real_site.comment_ids["approve-1"])]  # asks about the requirements
    held = found[str(real_site.comment_ids["hold-1"])]  # asks about fees, held for moderation
    spam = found[str(real_site.comment_ids["approve-3"])]  # gambling spam
    # The case keeps what the citizen typed, not WordPress's rendering.
    assert "Error 500" in found[str(real_site.comment_ids["approve-2"])].text
    assert '"Error 500" waktu unggah KTP...' in found[str(real_site.comment_ids["approve-2"])].text
    for case in (question, held):
        wait_suspended(case.respond_flow_run_id, "koreksi-1")
    wait_suspended(wave_run(spam), "moderasi-1")  # all spam in one moderation run

    answer = "Cukup rekomendasi dinas, Ibu Rina. Surat keterangan desa tidak wajib 🙏"
    fee_answer = "Pelatihan ini tidak dipungut biaya. Abaikan tawaran berbayar lewat WhatsApp."
    resume_flow_run(question.respond_flow_run_id, run_input={
        "action": "setujui", "reply_text": answer, "note": "", "approver_name": APPROVER})
    resume_flow_run(held.respond_flow_run_id, run_input={
        "action": "setujui", "reply_text": fee_answer, "note": "", "approver_name": APPROVER})
    resume_flow_run(wave_run(spam), run_input={"action": "sembunyikan", "note": "spam judi",
                                               "moderator_name": APPROVER})
    for case in (question, held, spam):
        state = wait_final(wave_run(case) if case is spam else case.respond_flow_run_id)
        assert state.is_completed(), f"case {case.id}: {state.name} {state.message}"

    # Visible on the real site, to anyone, exactly once, under the right comment and post.
    for case, text in ((question, answer), (held, fee_answer)):
        visible = public_replies(real_site, case.external_id)
        assert [(r["author"], r["post"], r["status"]) for r in visible] == [
            (real_site.official_id, int(case.thread_id), "approved")]
        assert comment_as_moderator(real_site, str(visible[0]["id"]))["content"]["raw"] == text
    # Approve and Reply: the held question is public now; the spam is held, not deleted.
    assert comment_as_moderator(real_site, held.external_id)["status"] == "approved"
    assert comment_as_moderator(real_site, spam.external_id)["status"] == "hold"
    assert public_replies(real_site, spam.external_id) == []

    with session_scope() as session:
        for case in (question, held, spam):
            record = session.get(Comment, case.id)
            assert record.status == CaseStatus.ARCHIVED
            assert {a.kind for a in record.archives} == {"softfile", "hardfile"}
            for archive in record.archives:
                assert hashlib.sha256(resolve(archive.path).read_bytes()).hexdigest() == archive.sha256
        assert session.get(Comment, question.id).publication.external_reply_id == str(
            public_replies(real_site, question.external_id)[0]["id"])

    # The next check: nothing new, our replies never come back as comments, and the states
    # follow the site (the answered held question is public, the hidden spam is held).
    run_check()
    after = cases()
    assert len(after) == len(found)
    assert not after[held.external_id].awaiting_moderation and after[spam.external_id].awaiting_moderation
    with session_scope() as session:
        assert session.scalar(select(Comment).where(Comment.author_external_id == str(real_site.official_id))) is None
