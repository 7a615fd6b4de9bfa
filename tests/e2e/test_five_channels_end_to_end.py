"""All five channels at once: one check inventories every seeded comment, an approved answer
goes back to the right place on each platform, exactly once, and nothing of ours returns."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from prefect import get_client
from prefect.deployments import run_deployment
from prefect.flow_runs import resume_flow_run
from sqlalchemy import select

from db.models import CaseStatus, Channel, Comment, QuotaUsage
from db.session import migrate, session_scope
from simulator.platforms import PLATFORMS, channel_entry, start
from tests.e2e.test_website_case_end_to_end import form_description, wait_final, wait_suspended
from tests.harness import start_serve, stop, tanggap_environment


def official_replies_to(platform, site, external_id: str) -> list[dict]:
    account = "2" if platform.kind == "wordpress" else platform.channel["account"]
    author = "user_id" if platform.kind == "wordpress" else "author_id"
    return [c for c in site.comments if str(c[author]) == account and str(c.get("parent")) == external_id]


def assert_answered_once_and_archived(platform, site, case) -> None:
    """Exactly one official reply under the case's comment, and the archived case records it."""
    replies = official_replies_to(platform, site, case.external_id)
    assert len(replies) == 1, platform.kind
    with session_scope() as session:
        record = session.get(Comment, case.id)
        assert record.status == CaseStatus.ARCHIVED
        assert record.publication.external_reply_id == str(replies[0]["id"])


@pytest.fixture
def five_channels(prefect_api, tmp_path, monkeypatch):
    simulators = {p.kind: start(p, port=0) for p in PLATFORMS}
    env = tanggap_environment(
        tmp_path, simulators["wordpress"].base_url,
        channels=[channel_entry(p, simulators[p.kind].base_url) for p in PLATFORMS],
        secrets={p.channel["secret"]: p.token for p in PLATFORMS},
    )
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    migrate()
    served = start_serve({**env, "PREFECT_API_URL": prefect_api["url"], "PREFECT_HOME": prefect_api["home"]},
                         tmp_path / "serve.log")
    yield {**simulators, "serve_log": tmp_path / "serve.log"}
    stop(served)
    for simulator in simulators.values():
        simulator.stop()


def cases_by_channel() -> dict[str, list[Comment]]:
    with session_scope() as session:
        rows = session.execute(select(Channel.kind, Comment).join(Comment.channel).order_by(Comment.id)).all()
    found: dict[str, list[Comment]] = {}
    for kind, comment in rows:
        found.setdefault(kind, []).append(comment)
    return found


def test_every_channel_is_inventoried_answered_once_and_never_reads_its_own_replies(five_channels):
    check = run_deployment("check-comments/periodic", timeout=300)
    assert check.state.is_completed(), check.state.message
    found = cases_by_channel()
    assert {kind: len(cases) for kind, cases in found.items()} == {p.kind: p.awaiting_answer for p in PLATFORMS}
    for cases in found.values():
        for case in cases:
            if case.category != "spam":  # spam waits in one moderation run (tests/e2e/test_spam_wave_end_to_end.py)
                wait_suspended(case.respond_flow_run_id, "koreksi-1", timeout=600)
    assert len({c.spam_wave_id for cases in found.values() for c in cases if c.category == "spam"}) == 1

    # One top-level question per channel is approved; the reply must land under that comment.
    chosen = {kind: next(c for c in cases if c.parent_external_id is None and c.category == "pertanyaan")
              for kind, cases in found.items()}

    # X counts 280 weighted characters: a longer answer is sent back to the approver, not to X.
    too_long = "Terima kasih atas pertanyaannya. " * 9  # 297 characters
    resume_flow_run(chosen["x"].respond_flow_run_id, run_input={
        "action": "setujui", "reply_text": too_long, "note": "", "approver_name": "Kepala Bagian Umum (uji)"})
    wait_suspended(chosen["x"].respond_flow_run_id, "koreksi-2")
    banner = form_description(chosen["x"].respond_flow_run_id, "koreksi-2")
    assert "melebihi batas kanal 280 karakter" in banner and "Isian belum dapat diterima" in banner

    for platform in PLATFORMS:
        case = chosen[platform.kind]
        resume_flow_run(case.respond_flow_run_id, run_input={
            "action": "setujui", "reply_text": f"Terima kasih. Jadwal pelatihan diumumkan pekan depan ({platform.kind}).",
            "note": "", "approver_name": "Kepala Bagian Umum (uji)"})
    for kind, case in chosen.items():
        state = wait_final(case.respond_flow_run_id, timeout=300)
        assert state.is_completed(), f"{kind}: {state.name} {state.message}"

    for platform in PLATFORMS:
        assert_answered_once_and_archived(platform, five_channels[platform.kind].site, chosen[platform.kind])

    # YouTube calls were booked against the daily quota: list pages 1 unit; the reply 50 and the two
    # reads that send and confirm it (look before posting, read back) come from the reply budget.
    with session_scope() as session:
        spent = dict(session.execute(select(QuotaUsage.purpose, QuotaUsage.units).join(Channel)
                                     .where(Channel.kind == "youtube")).all())
    assert spent["write"] == 52 and spent["read"] >= 1

    # Tokens live in secrets only: never in the database, the logs or the artifacts.
    database = Path(os.environ["TANGGAP_DATABASE_URL"].removeprefix("sqlite:///")).read_bytes()
    serve_log = five_channels["serve_log"].read_text()
    with get_client(sync_client=True) as client:
        artifacts = " ".join(str(a.data) + str(a.description) for a in client.read_artifacts())
    for platform in PLATFORMS:
        assert platform.token.encode() not in database and platform.token not in serve_log, platform.kind
        assert platform.token not in artifacts, platform.kind

    # The second check finds nothing new: none of the five replies comes back as a comment.
    again = run_deployment("check-comments/periodic", timeout=300)
    assert again.state.is_completed(), again.state.message
    assert {kind: len(cases) for kind, cases in cases_by_channel().items()} == {
        p.kind: p.awaiting_answer for p in PLATFORMS}
