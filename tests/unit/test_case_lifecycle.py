"""The case life cycle without a database: the transition table, the verbs and their preconditions."""

from datetime import datetime, timezone

import pytest

from db.lifecycle import ALLOWED_MOVES, UNSENT, WORKING
from db.models import CaseStatus, Comment, InvalidTransition, Publication

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
SOP_MOVES = {
    (CaseStatus.NEW, CaseStatus.DRAFTED), (CaseStatus.NEW, CaseStatus.CLOSED),
    (CaseStatus.DRAFTED, CaseStatus.AWAITING_CORRECTION), (CaseStatus.DRAFTED, CaseStatus.AWAITING_FOLLOW_UP),
    (CaseStatus.AWAITING_FOLLOW_UP, CaseStatus.AWAITING_CORRECTION), (CaseStatus.AWAITING_FOLLOW_UP, CaseStatus.CLOSED),
    (CaseStatus.AWAITING_CORRECTION, CaseStatus.APPROVED), (CaseStatus.AWAITING_CORRECTION, CaseStatus.AWAITING_DECISION),
    (CaseStatus.AWAITING_CORRECTION, CaseStatus.CLOSED), (CaseStatus.AWAITING_CORRECTION, CaseStatus.AWAITING_FOLLOW_UP),
    (CaseStatus.AWAITING_DECISION, CaseStatus.APPROVED), (CaseStatus.AWAITING_DECISION, CaseStatus.CLOSED),
    (CaseStatus.AWAITING_DECISION, CaseStatus.AWAITING_CORRECTION),
    (CaseStatus.APPROVED, CaseStatus.PUBLISHED), (CaseStatus.PUBLISHED, CaseStatus.CONFIRMED),
    (CaseStatus.CONFIRMED, CaseStatus.ARCHIVED), (CaseStatus.CLOSED, CaseStatus.ARCHIVED),
}


def case_at(status: CaseStatus, **fields) -> Comment:
    case = Comment(id=1, status=status, can_hide=True, correction_round=0, attention_count=0, restarts=0, **fields)
    case.add_version("draft", "Terima kasih atas pertanyaannya.", "Tanggap", "Ketua Tim")
    return case


@pytest.mark.parametrize("start", list(CaseStatus))
@pytest.mark.parametrize("end", list(CaseStatus))
def test_every_pair_of_statuses_is_allowed_exactly_as_the_table_says(start, end):
    expected = (start, end) in SOP_MOVES or (start in WORKING and end == CaseStatus.NEEDS_ATTENTION) \
        or (start == CaseStatus.NEEDS_ATTENTION and end in WORKING)
    assert (end in ALLOWED_MOVES[start]) == expected
    case = case_at(start)
    if expected:
        case._move(end)
        assert case.status == end
    else:
        with pytest.raises(InvalidTransition):
            case._move(end)
        assert case.status == start


def test_a_case_walks_the_answered_path_in_sop_order_through_its_verbs():
    case = Comment(id=1, status=CaseStatus.NEW, can_hide=True)
    case.write_draft("Draf", by="Tanggap", role="Ketua Tim")
    case.await_correction()
    case.escalate("Draf dikoreksi", by="Kabag", role="Kepala Bagian Umum", note="kebijakan")
    case.approve("Jawaban akhir", stage="decision", by="Kabalai", role="Kepala Balai", action="kirim")
    case.publication = Publication(text="Jawaban akhir", attempts=1)
    case.record_publication(external_reply_id="r1", link=None, channel_text=None, at=NOW)
    case.confirm(at=NOW)
    case.archive()
    assert case.status == CaseStatus.ARCHIVED
    assert [v.kind for v in case.versions] == ["draft", "correction", "decision"]
    assert [(d.stage, d.action) for d in case.decisions] == [("correction", "eskalasi"), ("decision", "kirim")]


def test_approving_an_unchanged_draft_adds_no_version():
    case = case_at(CaseStatus.AWAITING_CORRECTION)
    case.approve("Terima kasih atas pertanyaannya.", stage="correction", by="Kabag", role="r", action="setujui")
    assert len(case.versions) == 1 and case.status == CaseStatus.APPROVED


def test_a_closed_case_is_never_published():
    case = case_at(CaseStatus.CLOSED)
    with pytest.raises(InvalidTransition):
        case.record_publication(external_reply_id="r1", link=None, channel_text=None, at=NOW)


def test_an_uncorrected_draft_cannot_be_published():
    with pytest.raises(InvalidTransition):
        case_at(CaseStatus.AWAITING_CORRECTION).record_publication(external_reply_id="r", link=None,
                                                                   channel_text=None, at=NOW)


def test_hiding_is_refused_where_the_channel_cannot_hide():
    case = case_at(CaseStatus.AWAITING_CORRECTION)
    case.can_hide = False
    with pytest.raises(InvalidTransition):
        case.close(stage="correction", by="Kabag", role="r", action="sembunyikan", hide=True)
    case.close(stage="correction", by="Kabag", role="r", action="tutup")
    assert case.status == CaseStatus.CLOSED and not case.hide_requested


@pytest.mark.parametrize("status", sorted(WORKING, key=lambda s: s.value))
def test_a_failure_in_any_working_status_waits_and_coba_lagi_goes_back_there(status):
    case = case_at(status)
    case.needs_attention(step="publish", error="Kanal mati", retry_at=NOW)
    assert (case.status, case.resume_status, case.attention_count) == (CaseStatus.NEEDS_ATTENTION, status, 1)
    assert case.last_error == "Kanal mati" and case.retry_at == NOW
    case.retry()
    assert case.status == status and case.last_error is None and case.retry_at is None


@pytest.mark.parametrize("status", sorted(UNSENT - {CaseStatus.NEW}, key=lambda s: s.value))
def test_an_unsent_case_can_go_back_to_correction_with_a_new_round(status):
    case = case_at(status)
    case.needs_attention(step="publish", error="x", retry_at=None)
    case.return_to_correction()
    assert case.status == CaseStatus.DRAFTED and case.correction_round == 1


def test_a_case_whose_answer_is_on_the_channel_cannot_go_back_to_correction():
    case = case_at(CaseStatus.PUBLISHED)
    case.publication = Publication(text="x", external_reply_id="r1")
    case.needs_attention(step="confirm", error="x", retry_at=None)
    with pytest.raises(InvalidTransition):
        case.return_to_correction()
    case.end_after_attention()
    assert case.status == CaseStatus.CLOSED


def test_an_archived_case_never_needs_attention_and_does_not_move_again():
    case = case_at(CaseStatus.ARCHIVED)
    with pytest.raises(InvalidTransition):
        case.needs_attention(step="archive", error="x", retry_at=None)
    for status in CaseStatus:
        with pytest.raises(InvalidTransition):
            case._move(status)


def test_operations_verbs_need_a_case_that_waits_for_them():
    with pytest.raises(InvalidTransition):
        case_at(CaseStatus.APPROVED).retry()


def test_reply_versions_are_numbered_in_order():
    case = Comment(id=1, status=CaseStatus.NEW)
    case.add_version("draft", "a", "x", "r")
    case.add_version("correction", "b", "y", "r")
    assert [v.number for v in case.versions] == [1, 2]
    assert case.current_reply.text == "b"


def test_the_full_chain_follow_up_correction_decision_then_kembalikan_goes_back_one_stage_each_time():
    case = case_at(CaseStatus.DRAFTED)
    case.await_follow_up()
    case.forward_to_correction("Draf diperbaiki", by="Katim", role="Ketua Tim Kerja", note="cek tanggal")
    assert case.status == CaseStatus.AWAITING_CORRECTION and case.current_reply.kind == "follow_up"
    case.escalate("Draf diperbaiki", by="Kabag", role="Kepala Bagian Umum", note="kebijakan")
    case.send_back(stage="decision", by="Kabalai", role="Kepala Balai", note="lengkapi data asrama")
    assert case.status == CaseStatus.AWAITING_CORRECTION and case.correction_round == 1
    case.send_back(stage="correction", by="Kabag", role="Kepala Bagian Umum", note="perbaiki sapaan")
    assert case.status == CaseStatus.AWAITING_FOLLOW_UP and case.correction_round == 2
    assert [(d.stage, d.action, d.note) for d in case.decisions][-2:] == [
        ("decision", "kembalikan", "lengkapi data asrama"), ("correction", "kembalikan", "perbaiki sapaan")]


@pytest.mark.parametrize("status", sorted(set(CaseStatus) - {CaseStatus.AWAITING_CORRECTION, CaseStatus.AWAITING_DECISION},
                                          key=lambda s: s.value))
def test_kembalikan_is_refused_where_there_is_no_earlier_stage_to_go_back_to(status):
    case = case_at(status)
    with pytest.raises(InvalidTransition):
        case.send_back(stage="correction", by="Kabag", role="r", note="x")
    assert case.status == status and not case.decisions


def test_every_move_restarts_the_sop_clock_and_forgets_an_earlier_breach():
    case = case_at(CaseStatus.DRAFTED)
    case.overdue_at = NOW
    case.await_correction()
    assert case.overdue_at is None and case.status_since > NOW
