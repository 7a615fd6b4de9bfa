import pytest

from db.models import CaseStatus, Comment, InvalidTransition


def case_at(status: CaseStatus) -> Comment:
    return Comment(id=1, status=status)


def test_a_case_walks_the_answered_path_in_sop_order():
    case = case_at(CaseStatus.NEW)
    for status in (CaseStatus.DRAFTED, CaseStatus.AWAITING_CORRECTION, CaseStatus.AWAITING_DECISION,
                   CaseStatus.APPROVED, CaseStatus.PUBLISHED, CaseStatus.CONFIRMED, CaseStatus.ARCHIVED):
        case.move_to(status)
    assert case.status == CaseStatus.ARCHIVED


def test_a_closed_case_is_never_published():
    case = case_at(CaseStatus.CLOSED)
    with pytest.raises(InvalidTransition):
        case.move_to(CaseStatus.PUBLISHED)


def test_an_uncorrected_draft_cannot_be_published():
    case = case_at(CaseStatus.AWAITING_CORRECTION)
    with pytest.raises(InvalidTransition):
        case.move_to(CaseStatus.PUBLISHED)


def test_an_archived_case_does_not_move_again():
    case = case_at(CaseStatus.ARCHIVED)
    for status in CaseStatus:
        with pytest.raises(InvalidTransition):
            case.move_to(status)


def test_reply_versions_are_numbered_in_order():
    case = Comment(id=1, status=CaseStatus.NEW)
    case.add_version("draft", "a", "x", "r")
    case.add_version("correction", "b", "y", "r")
    assert [v.number for v in case.versions] == [1, 2]
    assert case.current_reply.text == "b"
