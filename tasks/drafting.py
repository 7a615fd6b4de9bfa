"""SOP step 2: the draft answer, composed from the knowledge base and the reply template of the comment's category."""

from __future__ import annotations

from prefect import task

from db.models import CaseStatus, utcnow
from db.session import session_scope
from tanggap.settings import get_settings
from tanggap.sop import TEAM_LEAD

from . import events
from .cases import load_case
from .composing import compose_draft

DRAFTER_ROLE = TEAM_LEAD.title
DRAFTER_NAME = "Tanggap (draf otomatis dari basis pengetahuan)"


@task(task_run_name="susun-draf-{comment_id}")
def draft_reply(comment_id: int) -> None:
    """Write the first reply version; a replayed run finds it done and does nothing."""
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if case.status != CaseStatus.NEW:
            return
        events.start_once(session, "draft", comment_id=comment_id)
        draft = compose_draft(text=case.text, category=case.category, policy=bool((case.triage or {}).get("policy")),
                              channel_kind=case.channel.kind, author_name=case.author_name, now=utcnow(),
                              office=get_settings().office)
        version = case.write_draft(draft.text, by=DRAFTER_NAME, role=DRAFTER_ROLE)
        version.basis = draft.as_record()
        events.record(session, "draft", "end", comment_id=comment_id, detail=f"kategori {case.category}")
