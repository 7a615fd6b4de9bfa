"""SOP step 1 for the website, on the simulator and a real WordPress: what becomes a case, once."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from db.models import Comment
from db.session import session_scope
from tanggap.settings import get_settings
from tasks.inventory import fetch_new_comments, open_check_run, publish_inventory, store_comments
from tests.harness import tanggap_environment


@pytest.fixture
def wp(wordpress_site, tmp_path, monkeypatch):
    """Tanggap set up for the website only, on its own SQLite database."""
    env = tanggap_environment(tmp_path, wordpress_site.base_url, secrets={"wordpress-app-password": wordpress_site.password})
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from db.session import migrate

    migrate()
    return wordpress_site


def check() -> int:
    check_id = open_check_run.fn()
    config = get_settings().channels()[0]
    store_comments.fn(check_id, config, fetch_new_comments.fn(config))
    return check_id


def cases() -> dict[str, Comment]:
    with session_scope() as session:
        return {c.external_id: c for c in session.scalars(select(Comment))}


def test_a_comment_held_at_one_check_and_approved_hours_later_is_one_case_that_follows_its_state(wp):
    """Issue 6, finding 1: held comments are cases; one approved later (its old date is behind
    the cursor) stays one case, and its moderation state follows the site's."""
    check()
    seeded_held = str(wp.seed_comment("hold-1"))
    assert cases()[seeded_held].awaiting_moderation

    written = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=5)
    late = str(wp.add_comment(wp.seed_post("hortikultura"), "Ditahan Dulu", "Kuota peserta berapa?",
                              date=written, status="hold"))
    check()
    assert cases()[late].awaiting_moderation and cases()[late].posted_at == written

    wp.set_status(int(late), "approve")
    wp.set_status(int(seeded_held), "approve")
    before = len(cases())
    check()
    after = cases()
    assert len(after) == before
    assert not after[late].awaiting_moderation and not after[seeded_held].awaiting_moderation
    with session_scope() as session:
        rows = session.scalar(select(func.count()).select_from(Comment).where(Comment.external_id == late))
    assert rows == 1


def test_the_case_text_is_what_the_citizen_typed(wp):
    """Issue 6, finding 2: the case keeps content.raw, not the curled, emoji-fied rendering."""
    typed = 'Apakah "gratis"? :)\nSaya tulis <b>tebal</b> & jelas.'
    cid = str(wp.add_comment(wp.seed_post("kunjungan"), "Warga Teliti", typed))
    check()
    case = cases()[cid]
    assert case.text == typed
    assert "&#8220;gratis&#8221;" in case.raw_payload["content"]["rendered"]


def test_the_inventory_shows_held_comments_as_menunggu_moderasi(wp, prefect_api):
    from prefect import flow
    from prefect.artifacts import Artifact

    @flow
    def periksa():
        publish_inventory(check())

    periksa()
    rows = json.loads(Artifact.get("daftar-inventaris-komentar").data)
    held = {r["Penulis"]: r["Status di kanal"] for r in rows}
    assert held["Bambang Sutejo"] == held["Dana Kilat"] == "menunggu moderasi"
    assert held["Rina Wulandari"] == "tampil"
    assert "2 menunggu moderasi" in Artifact.get("daftar-inventaris-komentar").description
