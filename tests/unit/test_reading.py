from db.models import Comment
from tasks.channels.base import CommentRef, IncomingComment
from tasks.channels.reading import ID_LIMIT, LINK_LIMIT, NAME_LIMIT, read_item, storable, unreadable
from datetime import datetime, timezone


def comment(**changes) -> IncomingComment:
    fields = dict(ref=CommentRef("1", "2"), author_name="Jane", author_external_id=None, text="Halo",
                  link="https://example.go.id/#c1", posted_at=datetime(2025, 3, 4, tzinfo=timezone.utc), raw={})
    fields.update(changes)
    return IncomingComment(**fields)


def test_the_reading_limits_are_the_comment_tables_columns():
    columns = Comment.__table__.c
    assert ID_LIMIT == columns.external_id.type.length == columns.thread_id.type.length
    assert ID_LIMIT == columns.parent_external_id.type.length == columns.author_external_id.type.length
    assert NAME_LIMIT == columns.author_name.type.length and LINK_LIMIT == columns.link.type.length


def test_a_name_too_long_is_cut_to_its_column_and_a_link_too_long_is_dropped():
    kept = storable(comment(author_name="N" * 1000, link="https://x/" + "a" * 2000))
    assert kept.author_name == "N" * NAME_LIMIT and kept.link is None


def test_an_unreadable_item_is_kept_with_its_id_a_sentence_naming_the_missing_field_and_a_short_sample():
    skipped: list = []
    assert read_item(lambda item: item["date_gmt"], {"id": 412, "x": "y" * 10_000}, "komentar website", skipped) is None
    assert skipped == [unreadable("komentar website", {"id": 412, "x": "y" * 10_000}, KeyError("date_gmt"))]
    assert skipped[0].reason == "komentar website tidak terbaca (kolom 'date_gmt' tidak ada)"
    assert skipped[0].external_id == "412"  # so a later check can fetch it again
    assert skipped[0].excerpt.startswith("{") and len(skipped[0].excerpt) <= 300
