"""SOP steps 2-5 for one comment: draft, correction (and decision), send, confirm, archive.

The run waits for people without holding a process; when resumed it starts again from the
top and every step consults the case in the database, so what is done is not done again.
A step that fails for good puts the case into *perlu penanganan*; the run then waits for
operations (or for the scheduled retry) and carries on with what they chose.
"""

from prefect import flow

from db.models import CaseStatus
from tasks.archiving import archive_case
from tasks.cases import case_status
from tasks.drafting import draft_reply
from tasks.failures import put_aside
from tasks.operations import ask_operations, record_operations_choice
from tasks.inbox import label_finished_run
from tasks.publishing import confirm_reply, hide_comment, publish_reply
from tasks.review import ask, record_answer, waiting_stage


# No flow_run_name: the engine would rename the run each time it starts again, and the inbox
# names it for its stage instead (tasks/inbox.py); new runs are named when created (respond_runs).
@flow(name="respond", description="Tanggapi satu komentar: draf, koreksi/keputusan, kirim, konfirmasi, arsipkan.")
def respond(comment_id: int) -> str:
    """SOP steps 2-5 for one comment: draft, correction or decision, publish, confirm, archive."""
    while True:
        if case_status(comment_id) == CaseStatus.NEEDS_ATTENTION:
            choice = ask_operations(comment_id)  # waits: coba lagi / kembalikan ke koreksi / tutup
            record_operations_choice(comment_id, choice)
        try:
            return follow_the_sop(comment_id)
        except Exception as exc:  # noqa: BLE001 - every failure is parked where people see it
            if put_aside(comment_id, exc) != CaseStatus.NEEDS_ATTENTION:  # perlu penanganan, or retried later
                raise  # the case was finished meanwhile: nothing to park


def follow_the_sop(comment_id: int) -> str:
    draft_reply(comment_id)  # step 2: the draft from the knowledge base and the template

    # Step 2's follow-up by the Ketua Tim Kerja (when on), step 3's correction by the Kepala Bagian
    # Umum and, for internal policy, the Kepala Balai's decision; *Kembalikan* goes one stage back.
    while stage := waiting_stage(case_status(comment_id)):
        record_answer(comment_id, stage, ask(comment_id, stage))

    note = publish_reply(comment_id)  # step 4: only an approved answer is sent, and only once
    if note:
        return note  # another run holds the case and finishes it
    confirm_reply(comment_id)  # step 5: the answer is visible to the commenter
    hide_comment(comment_id)  # only when a person closed it as spam or abuse
    outcome = archive_case(comment_id)  # softfile + hardfile, answered or closed
    label_finished_run(comment_id)  # off every role's queue
    return outcome
