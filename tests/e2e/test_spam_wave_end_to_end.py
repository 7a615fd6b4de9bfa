"""A spam wave end to end: 200 spam comments over three channels wait in exactly one run, a
second check adds no run, a cancelled run is replaced, one refused answer comes back with the
problem, and one resume settles everything: two comments the moderator kept become normal
cases with their own runs, the rest are hidden on the simulators (where the platform can) and
archived one by one. Spam is never answered. Served deployments, a real Prefect server, the
WordPress, Facebook and X simulators over HTTP."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from prefect import get_client
from prefect.artifacts import Artifact
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from prefect.flow_runs import resume_flow_run
from prefect.states import Cancelled
from sqlalchemy import func, select

from db.models import CaseStatus, Channel, Comment, Event, Publication, SpamWave
from db.session import migrate, session_scope
from simulator.platforms import PLATFORMS, channel_entry, start
from tests.e2e.test_website_case_end_to_end import flow_run, form_description, run_check, wait_final, wait_suspended
from tests.harness import start_serve, stop, tanggap_environment

KINDS = ("wordpress", "facebook", "x")
GAMBLING = "Slot gacor hari ini pasti maxwin! Daftar di gacor88.example, WA 0812-3456-7890 (kode {})"
LOAN = "Pinjaman online cair 5 menit tanpa jaminan, hubungi WA 0813 9988 7766 di danacepat.example ({})"
MODERATOR = "Kepala Bagian Umum (uji)"


@pytest.fixture
def three_channels(prefect_api, tmp_path, monkeypatch):
    platforms = [p for p in PLATFORMS if p.kind in KINDS]
    simulators = {p.kind: start(p, port=0) for p in platforms}
    env = tanggap_environment(tmp_path, simulators["wordpress"].base_url,
                              channels=[channel_entry(p, simulators[p.kind].base_url) for p in platforms],
                              secrets={p.channel["secret"]: p.token for p in platforms})
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    migrate()
    served = start_serve({**env, "PREFECT_API_URL": prefect_api["url"], "PREFECT_HOME": prefect_api["home"]},
                         tmp_path / "serve.log")
    yield simulators
    stop(served)
    for simulator in simulators.values():
        simulator.stop()


def add_spam(simulators, count: int, tag: str) -> dict[str, list[str]]:
    """`count` spam comments spread over the channels; on X half are mentions (X cannot hide those)."""
    wordpress, facebook, x = (simulators[k].site for k in KINDS)
    post, page_post = wordpress.posts[0]["id"], facebook.posts[0]["id"]
    ours = x.add_post(f"Info pelatihan ({tag})")
    added = {kind: [] for kind in KINDS}
    for n in range(count):
        text = (GAMBLING if n % 2 else LOAN).format(f"{tag}{n}")
        kind = KINDS[n % 3]
        if kind == "wordpress":
            added[kind].append(str(wordpress.add_comment(post, author_name=f"Promo {tag}{n}", content=text)))
        elif kind == "facebook":
            added[kind].append(facebook.add_comment(page_post, text, author_name=f"Promo {tag}{n}"))
        else:
            added[kind].append(x.add_comment(text, author=f"promo_{tag}{n}", reply_to=ours if n % 2 else None))
    return added


def moderation_runs(since: datetime) -> list:
    """This test's moderation runs: the Prefect server is shared with the other e2e tests, whose
    checks form spam waves too."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["moderate-spam"])))
    return [r for r in runs if r.created and r.created >= since]


def spam_cases() -> dict[str, Comment]:
    with session_scope() as session:
        return {c.external_id: c for c in session.scalars(select(Comment).where(Comment.category == "spam"))}


def test_two_hundred_spam_comments_wait_as_one_run_and_one_resume_settles_each(three_channels):
    since = datetime.now(timezone.utc)
    added = add_spam(three_channels, 200, "a")
    run_check()
    spam = spam_cases()
    assert set().union(*added.values()) <= set(spam)
    waves = {c.spam_wave_id for c in spam.values()}
    assert len(waves) == 1 and None not in waves
    assert all(c.respond_flow_run_id is None for c in spam.values())  # spam never gets a run of its own
    (run,) = moderation_runs(since)
    wait_suspended(str(run.id), "moderasi-1", timeout=300)
    (wave_id,) = waves
    waiting = flow_run(run.id)
    assert waiting.name == f"moderasi-spam · {len(spam)} komentar · gelombang #{wave_id}"
    assert "menunggu:kepala-bagian-umum" in waiting.tags

    # A second check, and more spam meanwhile: still one run for the wave; the newcomers wait for the next.
    late = add_spam(three_channels, 3, "b")
    run_check()
    assert [str(r.id) for r in moderation_runs(since)] == [str(run.id)]
    assert all(spam_cases()[e].spam_wave_id is None for e in set().union(*late.values()))
    queue = Artifact.get("antrean-persetujuan").data
    assert f"moderasi-spam gelombang #{wave_id}" in queue and f"{len(spam)} komentar spam dari 3 kanal" in queue

    # A cancelled moderation run is replaced by the next check, waiting at the same form.
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(run.id, Cancelled(message="dibatalkan dari UI (uji)"), force=True)
    run_check()
    with session_scope() as session:
        wave = session.get(SpamWave, wave_id)
        restarts = session.scalar(select(func.count(Event.id)).where(Event.step == "restart"))
    assert wave.flow_run_id != str(run.id) and wave.restarts == 1 and restarts == len(spam)
    run_id = wave.flow_run_id
    assert len(moderation_runs(since)) == 2
    wait_suspended(run_id, "moderasi-1", timeout=300)

    # The form: a summary per channel, what needs a look, and the whole numbered list as an artifact.
    description = form_description(run_id, "moderasi-1")
    assert "Website BBPP Ketindan" in description and "X @bbppketindan" in description
    assert "kanal tidak dapat menyembunyikan" in description and "lainnya di daftar lengkap" in description
    rows = json.loads(Artifact.get(f"moderasi-spam-{wave_id}").data)
    assert len(rows) == len(spam) and [r["No"] for r in rows] == list(range(1, len(spam) + 1))
    number_of = {int(r["Kasus"].lstrip("#")): r["No"] for r in rows}
    kept = [spam[added["wordpress"][0]], spam[added["facebook"][0]]]
    visible = spam[added["wordpress"][1]]

    # Numbers that name no item come back with the problem, everything typed still in place.
    answer = {"action": "sembunyikan", "bukan_spam": f"{number_of[kept[0].id]}, 9999", "moderator_name": MODERATOR,
              "note": "serbuan judi dan pinjol"}
    resume_flow_run(run_id, run_input=answer)
    wait_suspended(run_id, "moderasi-2")
    assert "di luar daftar" in form_description(run_id, "moderasi-2")

    # The website fails the first hide: that one case waits for operations in a run of its own.
    three_channels["wordpress"].site.fault("http500", times=1, methods=("POST",))
    resume_flow_run(run_id, run_input={**answer, "bukan_spam": ", ".join(str(number_of[c.id]) for c in kept),
                                       "biarkan_tampil": str(number_of[visible.id])})
    state = wait_final(run_id, timeout=900)
    assert state.is_completed(), f"{state.name}: {state.message}"
    with session_scope() as session:
        (troubled,) = session.scalars(select(Comment).where(Comment.spam_wave_id == wave_id,
                                                            Comment.status == CaseStatus.NEEDS_ATTENTION)).all()
        assert session.get(SpamWave, wave_id).finished_at is not None
    assert troubled.respond_flow_run_id and troubled.retry_at and "500" in troubled.last_error
    wait_suspended(troubled.respond_flow_run_id, "penanganan-1-1")
    resume_flow_run(troubled.respond_flow_run_id, run_input={"action": "coba_lagi", "operator_name": "Petugas (uji)"})
    assert wait_final(troubled.respond_flow_run_id).is_completed()

    done = spam_cases()
    for case in kept:  # not spam after all: a normal case, waiting for its correction in a run of its own
        with session_scope() as session:
            now = session.get(Comment, case.id)
            assert now.category == "pertanyaan" and now.respond_flow_run_id
            wait_suspended(now.respond_flow_run_id, "koreksi-1")
    settled = {e: c for e, c in done.items() if c.spam_wave_id == wave_id}
    assert {c.status for c in settled.values()} == {CaseStatus.ARCHIVED}
    wordpress, facebook, x = (three_channels[k].site for k in KINDS)
    wp_status = {str(c["id"]): c["status"] for c in wordpress.comments}
    fb_hidden = {c["id"]: c["hidden"] for c in facebook.comments}
    with session_scope() as session:
        kinds = dict(session.execute(select(Comment.external_id, Channel.kind).join(Channel)
                                     .where(Comment.spam_wave_id == wave_id)).all())
        archived = session.scalar(select(func.count(func.distinct(Comment.id))).where(
            Comment.spam_wave_id == wave_id, Comment.archives.any()))
        assert session.scalar(select(func.count(Publication.id))) == 0  # spam is never answered
    assert archived == len(settled)
    mine = set().union(*added.values())
    for external_id, case in settled.items():
        kind = kinds[external_id]
        shown = {"wordpress": lambda: wp_status[external_id] == "approve",
                 "facebook": lambda: not fb_hidden[external_id],
                 "x": lambda: not x.tweets[external_id]["hidden"]}[kind]()
        if case.hide_requested:
            assert case.hide_result in ("hidden", "refused"), external_id
            assert case.hide_result == "refused" or not shown, (kind, external_id)
        else:
            assert case.hide_result is None, external_id
        if external_id in mine:  # sure spam: hidden where the channel can, unless the moderator said no
            assert case.hide_requested == (case.can_hide and external_id != visible.external_id), external_id
            assert shown != (case.hide_result == "hidden"), (kind, external_id)
    assert sum(not settled[e].can_hide for e in mine if e in settled) == 33  # X mentions: closed, left visible

    # The next check gathers the spam that arrived meanwhile into a new wave: again one run.
    run_check()
    after = spam_cases()
    new_waves = {after[e].spam_wave_id for e in set().union(*late.values())}
    assert len(new_waves) == 1 and wave_id not in new_waves and None not in new_waves
    assert len(moderation_runs(since)) == 3
