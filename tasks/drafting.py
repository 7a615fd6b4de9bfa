"""SOP step 2: the draft answer, from the reply template of the comment's category."""

from __future__ import annotations

from prefect import task

from db.models import CaseStatus
from db.session import session_scope

from . import events
from .cases import load_case
from .rendering import render

DRAFTER_ROLE = "Ketua Tim Kerja Kepegawaian dan Tata Usaha"
DRAFTER_NAME = "Tanggap (draf otomatis dari templat)"


def salutation(author_name: str) -> str:
    name = " ".join(author_name.split())
    return f"Bapak/Ibu {name[:60]}" if name and name != "Anonim" else "Bapak/Ibu"


@task(task_run_name="susun-draf-{comment_id}")
def draft_reply(comment_id: int) -> None:
    """Write the first reply version; a replayed run finds it done and does nothing."""
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if case.status != CaseStatus.NEW:
            return
        events.start_once(session, "draft", comment_id=comment_id)
        text = render(f"replies/{case.category}.txt.j2", sapaan=salutation(case.author_name)).strip()
        case.add_version("draft", text, author_name=DRAFTER_NAME, role=DRAFTER_ROLE)
        case.move_to(CaseStatus.DRAFTED)
        events.record(session, "draft", "end", comment_id=comment_id, detail=f"kategori {case.category}")
