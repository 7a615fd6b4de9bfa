"""The Prefect UI as the office's inbox: what a waiting run is called, how it is tagged, where
its details live, and the links that open a role's queue or a case.

A waiting run's name says the stage, category, channel and case (`koreksi · pertanyaan ·
website · #12`); its tags say who must act (`menunggu:kepala-bagian-umum`), on which channel
and category. Both change with the stage, so the UI's run list, filtered on one tag and
sorted oldest first, is that role's queue. The newer UI (`/v2`) is linked throughout: its
resume dialog shows the Markdown and the form in one scroll, where the classic dialog gives
the Markdown a box about 38 px tall on a 1366x768 screen.
"""

from __future__ import annotations

import difflib
import json
from urllib.parse import quote

from prefect import get_client, task
from prefect.artifacts import create_markdown_artifact
from prefect.settings import PREFECT_UI_URL
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CaseStatus, Comment
from db.session import session_scope
from tanggap import sop

from . import events
from .rendering import render

WAITING_TAG = "menunggu:"
# Tags this module owns on a respond run; any other tag on the run is left alone.
_OWN_TAG_PREFIXES = (WAITING_TAG, "kanal:", "kategori:", "tahap:")


def ui_base() -> str:
    """The UI's address for links in artifacts and forms (empty: links relative to the UI itself)."""
    return (PREFECT_UI_URL.value() or "").rstrip("/")


def case_url(flow_run_id: str | None) -> str:
    return f"{ui_base()}/v2/runs/flow-run/{flow_run_id}"


def queue_url(role: sop.Role, ui: str | None = None) -> str:
    """The runs waiting for `role`, oldest first, over all time (the classic list shows 7 days)."""
    states = quote(json.dumps(["PAUSED"]))
    tags = quote(WAITING_TAG + role.slug)  # one tag as plain text: the /v2 list refuses a JSON list here
    return f"{ui_base() if ui is None else ui}/v2/runs?state-types={states}&tags={tags}&sort=START_TIME_ASC"


def run_name(stage: str, case: Comment) -> str:
    """`koreksi · pertanyaan · website · #12`: the stage, what and where, which case."""
    return f"{sop.STAGE_NAMES.get(stage, stage)} · {case.category} · {case.channel.key} · #{case.id}"


def run_tags(role: sop.Role | None, case: Comment, stage: str) -> list[str]:
    tags = [f"kanal:{case.channel.key}", f"kategori:{case.category}", f"tahap:{sop.STAGE_NAMES.get(stage, stage)}"]
    return ([WAITING_TAG + role.slug] if role else []) + tags


def label_run(name: str, tags: list[str]) -> None:
    """Rename and retag the run this is called in (the case's run: its link in the database may
    not be written yet); tags of ours from an earlier stage are replaced."""
    flow_run_id = events.current_flow_run_id()
    if not flow_run_id:
        return
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
        kept = [t for t in run.tags if not t.startswith(_OWN_TAG_PREFIXES)]
        client.update_flow_run(flow_run_id, name=name, tags=kept + tags)


def publish_case_details(session: Session, case: Comment) -> str | None:
    """The case's details as a Markdown artifact on its run's page; returns a link to it."""
    if not events.in_prefect_run():
        return None
    markdown = render("forms/case_details.md.j2", case=case, channel=case.channel,
                      parent=_parent(session, case), thread=_thread(session, case),
                      earlier=_earlier_cases(session, case), redlines=_redlines(case),
                      events=events.for_case(session, case.id), steps=events.SOP_STEPS)
    artifact_id = create_markdown_artifact(key=f"kasus-{case.id}", markdown=markdown,
                                           description=f"Rincian kasus #{case.id}")
    return f"{ui_base()}/v2/artifacts/artifact/{artifact_id}"


def _parent(session: Session, case: Comment) -> Comment | None:
    if not case.parent_external_id:
        return None
    return session.scalar(select(Comment).where(Comment.channel_id == case.channel_id,
                                                Comment.external_id == case.parent_external_id))


def _thread(session: Session, case: Comment, limit: int = 5) -> list[Comment]:
    """The latest other comments under the same post, newest last."""
    rows = session.scalars(select(Comment).where(Comment.channel_id == case.channel_id,
                                                 Comment.thread_id == case.thread_id, Comment.id != case.id)
                           .order_by(Comment.posted_at.desc()).limit(limit)).all()
    return list(reversed(rows))


def _earlier_cases(session: Session, case: Comment, limit: int = 5) -> list[Comment]:
    """Earlier cases of the same person on the same channel, with what we answered them."""
    same_person = (Comment.author_external_id == case.author_external_id) if case.author_external_id \
        else (Comment.author_name == case.author_name)
    return list(session.scalars(select(Comment).where(Comment.channel_id == case.channel_id, same_person,
                                                      Comment.id < case.id)
                                .order_by(Comment.id.desc()).limit(limit)).all())


def _redlines(case: Comment) -> list[dict]:
    """Each later version against the one before it, as a unified diff by word."""
    out = []
    for before, after in zip(case.versions, case.versions[1:]):
        diff = difflib.unified_diff(before.text.split(), after.text.split(), lineterm="", n=3)
        out.append({"version": after, "diff": "\n".join(list(diff)[2:])})
    return out


@task(task_run_name="tandai-selesai-{comment_id}")
def label_finished_run(comment_id: int) -> None:
    """The case is archived: its run leaves every role's queue and says how it ended."""
    from .cases import load_case

    with session_scope() as session:
        case = load_case(session, comment_id)
        outcome = "dijawab" if case.was_answered else "ditutup"
        if case.status == CaseStatus.ARCHIVED:
            label_run(f"{outcome} · {case.category} · {case.channel.key} · #{case.id}", run_tags(None, case, outcome))
