"""A spam wave against a real database and the X simulator over HTTP: the spam of a check is
gathered once, the moderator's one decision gives each comment its own outcome (hidden where
X allows, refused and archived where it does not, left visible where the moderator says so),
and spam is never answered. Prefect runs are started in tests/e2e/test_spam_wave_end_to_end.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import CaseStatus, Comment, Publication, SpamWave
from db.session import session_scope
from tasks.moderation import prepare_moderation_form, record_moderation, wave_items
from tasks.spam_settling import settle_wave
from tasks.spam_waves import gather_wave
from tests.integration.test_case_reliability import channel, inventory  # noqa: F401 - the fixture

SPAM = "sl0t g4c0r maxwin hari ini, daftar sekarang di gacor88.example WA 0812 3456 7890 ({})"


def by_external_id() -> dict[str, Comment]:
    with session_scope() as session:
        return {c.external_id: c for c in session.scalars(select(Comment))}


@pytest.mark.parametrize("channel", ["x"], indirect=True)
def test_one_decision_settles_every_spam_comment_of_the_wave_each_with_its_own_outcome(channel):
    site = channel.site
    ours = site.add_post("Pendaftaran pelatihan hortikultura dibuka pekan depan.")
    stranger = site.add_tweet("akun_lain", "Ada yang tahu jadwal pelatihan BBPP?")
    mentions = [site.add_comment(SPAM.format(f"m{i}"), author=f"promo_judi{i}") for i in range(3)]
    under_ours = [site.add_comment(SPAM.format(f"r{i}"), author=f"promo_slot{i}", reply_to=ours) for i in range(4)]
    refused = site.add_comment(SPAM.format("asing"), author="promo_lain", reply_to=stranger)
    inventory()
    wave_id = gather_wave()
    assert wave_id is not None and gather_wave() == wave_id  # the open wave (no run yet), never a second one

    later = site.add_comment(SPAM.format("nanti"), author="promo_nanti", reply_to=ours)
    inventory()
    assert gather_wave() == wave_id
    found = by_external_id()
    assert found[later].spam_wave_id is None and found[later].status == CaseStatus.NEW  # waits for the next wave
    ours_in_wave = mentions + under_ours + [refused]
    assert all(found[e].spam_wave_id == wave_id and found[e].respond_flow_run_id is None for e in ours_in_wave)

    with session_scope() as session:
        items = {i.comment_id: i for i in wave_items(session, wave_id)}
    number = {e: items[found[e].id].number for e in ours_in_wave}
    assert all(not items[found[e].id].hide_by_default for e in mentions)  # X cannot hide a mention
    form = prepare_moderation_form.fn(wave_id)
    assert form["defaults"] == {"action": "sembunyikan"}
    assert f"{len(items)} komentar" in form["description"] and "☐ hanya ditutup" in form["description"]
    unhideable = sum(not i.hide_by_default for i in items.values())
    assert f"| X @bbppketindan | {len(items)} | {len(items) - unhideable} | {unhideable} |" in form["description"]

    visible = under_ours[0]
    answer = {"action": "sembunyikan", "biarkan_tampil": str(number[visible]), "bukan_spam": "",
              "sembunyikan_juga": "", "note": "serbuan judi", "moderator_name": "Kepala Bagian Umum (uji)",
              "nip": "", "kategori_bukan_spam": "pertanyaan", "answer_ref": "uji:moderasi-1"}
    assert record_moderation.fn(wave_id, answer)["hidden"] >= 4
    assert record_moderation.fn(wave_id, answer) == {"note": "sudah diputuskan"}  # a replay changes nothing
    next_wave = gather_wave()  # decided: the spam that came meanwhile forms the next wave, settling or not
    assert next_wave not in (None, wave_id) and by_external_id()[later].spam_wave_id == next_wave
    result = settle_wave.fn(wave_id)
    assert result["selesai"] is True and result["refused"] >= 1

    done = by_external_id()
    for external_id in ours_in_wave:
        case = done[external_id]
        assert case.status == CaseStatus.ARCHIVED and case.respond_flow_run_id is None
        with session_scope() as session:
            record = session.get(Comment, case.id)
            assert {a.kind for a in record.archives} == {"softfile", "hardfile"}
            assert [(d.stage, d.role) for d in record.decisions] == [("moderation", "Kepala Bagian Umum")]
    tweets = site.tweets
    for external_id in under_ours[1:]:
        assert done[external_id].hide_result == "hidden" and tweets[external_id]["hidden"]
    assert done[visible].hide_result is None and not tweets[visible]["hidden"]
    assert done[refused].hide_result == "refused"  # X: not our conversation; archived all the same
    assert all(done[e].hide_result is None and not done[e].hide_requested for e in mentions)
    with session_scope() as session:
        assert session.scalar(select(func.count(Publication.id))) == 0  # spam is never answered
        assert session.get(SpamWave, wave_id).finished_at is not None
    assert gather_wave() == next_wave  # still waiting for its decision (its run is not started here)


@pytest.mark.parametrize("channel", ["x"], indirect=True)
def test_a_wave_whose_runs_keep_ending_is_handed_to_runs_of_its_own_waiting_for_operations(channel):
    from tasks.respond_runs import MAX_RESTARTS
    from tasks.spam_waves import note_ended_run

    for i in range(3):
        channel.site.add_comment(SPAM.format(f"m{i}"), author=f"promo_judi{i}")
    inventory()
    wave_id = gather_wave()
    for attempt in range(1, MAX_RESTARTS + 2):
        run_id = f"run-{attempt}"
        with session_scope() as session:
            session.get(SpamWave, wave_id).flow_run_id = run_id  # as _start_wave_run records each new run
        assert note_ended_run(wave_id, "another-run", "Crashed") is False  # a stale report changes nothing
        assert note_ended_run(wave_id, run_id, "Crashed") == (attempt <= MAX_RESTARTS)
    with session_scope() as session:
        wave = session.get(SpamWave, wave_id)
        cases = session.scalars(select(Comment).where(Comment.spam_wave_id == wave_id)).all()
        assert wave.finished_at is not None and wave.restarts == MAX_RESTARTS + 1
        assert all(c.respond_flow_run_id is None for c in cases)  # hand_on_parked starts their runs at each check
        assert {c.status for c in cases} == {CaseStatus.NEEDS_ATTENTION}
        assert all(c.attention_step == "moderation" and "4 kali" in c.last_error for c in cases)
    assert gather_wave() is None  # nothing left unassigned: the handed cases are not gathered again
