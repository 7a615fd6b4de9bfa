"""SOP step 2: the draft answer, from the reply template of the comment's category."""

from __future__ import annotations

from prefect import task

from db.models import CaseStatus
from db.session import session_scope

from . import events
from .cases import load_case
from .channels import CONNECTORS
from .rendering import render

DRAFTER_ROLE = "Ketua Tim Kerja Kepegawaian dan Tata Usaha"
DRAFTER_NAME = "Tanggap (draf otomatis dari templat)"


def salutation(author_name: str) -> str:
    name = " ".join(author_name.split())
    return f"Bapak/Ibu {name[:60]}" if name and name != "Anonim" else "Bapak/Ibu"


# Channels whose replies must be short (X: 280 weighted characters) get the short templates.
SHORT_REPLY_LIMIT = 500


def draft_template(category: str, channel_kind: str) -> str:
    short = CONNECTORS[channel_kind].reply_limit < SHORT_REPLY_LIMIT
    return f"replies/{'singkat/' if short else ''}{category}.txt.j2"


@task(task_run_name="susun-draf-{comment_id}")
def draft_reply(comment_id: int) -> None:
    """Write the first reply version; a replayed run finds it done and does nothing."""
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if case.status != CaseStatus.NEW:
            return
        events.start_once(session, "draft", comment_id=comment_id)
        text = render(draft_template(case.category, case.channel.kind), sapaan=salutation(case.author_name)).strip()
        case.write_draft(text, by=DRAFTER_NAME, role=DRAFTER_ROLE)
        events.record(session, "draft", "end", comment_id=comment_id, detail=f"kategori {case.category}")
