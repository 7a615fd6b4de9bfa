"""A question the knowledge base answers: the draft quotes the matched entry and its source, the
approver sends it unchanged, and exactly that answer is what the channel shows."""

from sqlalchemy import select

from db.models import Comment
from db.session import session_scope
from tasks.drafting import draft_reply
from tasks.knowledge import knowledge_base
from tasks.publishing import confirm_reply, publish_reply
from tasks.review import prepare_form, record_correction
from tests.integration.test_case_steps import inventory_once

QUESTION = "Saya juga dari NTB pak, minggu lalu sudah daftar. Tapi sampai sekarang belum ada email konfirmasi"


def test_a_knowledge_base_answer_reaches_the_published_reply(tanggap_env, wordpress):
    inventory_once()
    with session_scope() as session:
        case_id = session.scalars(select(Comment.id).where(Comment.text.startswith(QUESTION))).one()
    draft_reply.fn(case_id)
    form = prepare_form.fn(case_id, "correction")

    entry = next(e for e in knowledge_base().entries if e.id == "konfirmasi")
    with session_scope() as session:
        case = session.get(Comment, case_id)
        basis, draft = case.versions[0].basis, case.current_reply.text
    assert basis["answer_id"] == "konfirmasi" and not basis["needs_manual"]
    assert "paling lama 7 hari kerja" in draft and f"Sumber: {entry.source}" in draft
    assert form["defaults"]["reply_text"] == draft and "[" not in draft  # no placeholder to fill

    record_correction.fn(case_id, {"action": "setujui", "reply_text": draft, "note": "",
                                   "approver_name": "Kepala Bagian Umum (uji)", "answer_ref": "uji:koreksi-1"})
    publish_reply.fn(case_id)
    confirm_reply.fn(case_id)

    with session_scope() as session:
        case = session.get(Comment, case_id)
        reply_id = int(case.publication.external_reply_id)
    published = next(c for c in wordpress.site.comments if c["id"] == reply_id)
    assert published["parent"] == int(case.external_id) and published["user_id"] == 2
    assert "paling lama 7 hari kerja" in published["content"] and entry.source in published["content"]
