"""Perlu penanganan: a case whose step failed waits in its own run for a person from operations.

The form says, in Indonesian, what failed and what was already done on the channel, and offers
what can still be done: coba lagi (try the failed step again), kembalikan ke koreksi (only while
nothing was sent) or tutup (end the case as it stands; it is archived with what was done).
A failure that may pass on its own is tried again by the next check after its `retry_at`,
which answers this same form with "coba lagi" (see `tasks.respond_runs`).
"""

from __future__ import annotations

from typing import Literal

from prefect import task
from pydantic import Field

from db.lifecycle import UNSENT
from db.models import CaseStatus
from db.session import session_scope
from tanggap import sop

from . import events, inbox
from .approval_queue import refresh_approval_queue
from .cases import load_case
from .rendering import render
from .review import ApprovalForm, is_first_answer, wait_for_person

OPERATIONS = sop.OPERATIONS.title
OPERATIONS_ACTIONS = ("coba_lagi", "kembalikan_ke_koreksi", "tutup")
# The answer the scheduled retry gives in place of a person.
AUTOMATIC_RETRY = {"action": "coba_lagi", "note": "jadwal coba lagi otomatis",
                   "operator_name": "Tanggap (coba lagi terjadwal)"}


class OperationsForm(ApprovalForm):
    """Penanganan kasus yang langkahnya gagal."""

    always_required = ("action", "operator_name")
    action: Literal["coba_lagi", "kembalikan_ke_koreksi", "tutup"] = Field(
        title="Tindakan",
        description="coba_lagi = ulangi langkah yang gagal; kembalikan_ke_koreksi = draf kembali ke Kepala "
        "Bagian Umum (hanya bila belum ada yang terkirim); tutup = kasus diakhiri apa adanya dan diarsipkan.",
    )
    note: str = Field("", title="Catatan", description="Apa yang diperiksa atau diperbaiki.")
    operator_name: str = Field(
        "", title="Nama petugas",
        description="Dicatat di arsip sebagaimana diisi (sistem tidak memverifikasi identitas).",
    )
    nip: str = Field("", title="NIP", description="18 angka tanpa spasi, dicatat di arsip. Boleh dikosongkan.")


@task(task_run_name="siapkan-formulir-penanganan-{comment_id}")
def prepare_operations_form(comment_id: int) -> dict:
    with session_scope() as session:
        case = load_case(session, comment_id)
        unsent = case.resume_status in UNSENT and not case.was_answered
        choices = OPERATIONS_ACTIONS if unsent else ("coba_lagi", "tutup")
        inbox.label_run(inbox.run_name("attention", case),
                        inbox.run_tags(sop.OPERATIONS, case, "attention"))
        description = render("forms/operations.md.j2", case=case, channel=case.channel,
                             events=events.for_case(session, comment_id), unsent=unsent,
                             details_url=inbox.publish_case_details(session, case))
        key = f"penanganan-{case.attention_count}"
    refresh_approval_queue()
    return {"description": description, "choices": choices, "key": key}


def ask_operations(comment_id: int) -> dict:
    """Wait for operations to say what happens to a case that needs attention."""
    form = prepare_operations_form(comment_id)
    return wait_for_person(OperationsForm, key=form["key"], description=form["description"],
                           defaults={"action": "coba_lagi"}, choices=form["choices"])


@task(task_run_name="catat-penanganan-{comment_id}")
def record_operations_choice(comment_id: int, answer: dict) -> str:
    """Apply what operations chose; the case leaves *perlu penanganan*."""
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        name, action = answer["operator_name"].strip(), answer["action"]
        if not is_first_answer(session, case, "attention", CaseStatus.NEEDS_ATTENTION, answer, name, OPERATIONS):
            return case.status.value
        step = case.attention_step
        case.add_decision(stage="attention", actor_name=name, role=OPERATIONS, action=action,
                          note=answer["note"].strip(), answer_ref=answer["answer_ref"],
                          actor_nip=(answer.get("nip") or "").replace(" ", "") or None)
        {"coba_lagi": case.retry, "kembalikan_ke_koreksi": case.return_to_correction,
         "tutup": case.end_after_attention}[action]()
        events.record(session, "attention", "end", comment_id=comment_id,
                      detail=f"{action} oleh {name} (langkah {step})")
    refresh_approval_queue()
    return case.status.value
