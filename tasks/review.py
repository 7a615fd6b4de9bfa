"""SOP step 3: the Kepala Bagian Umum corrects the draft; internal policy goes to the Kepala Balai.

The flow run waits for each of them with `suspend_flow_run`: no process is held while a
case waits, and the run starts again from the top once someone answers the form in the
Prefect UI. Everything before the wait is therefore safe to run twice.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import Literal

import pydantic
from prefect import task
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from pydantic import Field

from db.models import CaseStatus, Comment, utcnow
from db.session import session_scope

from . import events
from .approval_queue import refresh_approval_queue
from .cases import load_case
from .channels import CONNECTORS
from .rendering import render
from .composing import NEEDS_MANUAL
from .triage import CATEGORY_LABELS, HIGH_CONFIDENCE, classify

HEAD_OF_GENERAL_AFFAIRS = "Kepala Bagian Umum"
CORRECTION_ACTIONS = ("setujui", "eskalasi", "tutup", "sembunyikan")
FORM_KEYS = {"correction": "koreksi", "decision": "keputusan"}
HEAD_OF_CENTRE = "Kepala Balai"
SOP_TOTAL_MINUTES = 65  # 10 + 30 + 15 + 5 + 5 minutes of the SOP's service standard
_PLACEHOLDER = re.compile(r"\[[^\]]*(Tuliskan|Saran:)[^\]]*\]")


class CorrectionForm(RunInput):
    """Koreksi draf jawaban oleh Kepala Bagian Umum."""

    action: Literal["setujui", "eskalasi", "tutup", "sembunyikan"] = Field(
        title="Tindakan",
        description="setujui = kirim teks jawaban di bawah; eskalasi = teruskan ke Kepala Balai "
        "(menyangkut kebijakan internal); tutup = tidak dijawab; sembunyikan = tidak dijawab dan "
        "komentar disembunyikan dari publik (spam, judi online, kata kasar).",
    )
    reply_text: str = Field(title="Teks jawaban", description="Teks polos yang akan dikirim. Boleh diubah.")
    note: str = Field("", title="Catatan koreksi", description="Alasan perubahan, eskalasi atau penutupan.")
    approver_name: str = Field(
        min_length=1,
        title="Nama Kepala Bagian Umum",
        description="Dicatat di arsip sebagaimana diisi (sistem tidak memverifikasi identitas).",
    )


class DecisionForm(RunInput):
    """Keputusan Kepala Balai atas jawaban yang menyangkut kebijakan internal."""

    action: Literal["kirim", "tutup"] = Field(
        title="Keputusan", description="kirim = jawaban akhir di bawah dikirim; tutup = tidak dijawab."
    )
    decision: str = Field(min_length=1, title="Isi keputusan / disposisi", description="Dicatat di arsip kasus.")
    reply_text: str = Field(title="Jawaban akhir", description="Teks polos yang akan dikirim. Boleh diubah.")
    decider_name: str = Field(
        min_length=1,
        title="Nama Kepala Balai",
        description="Dicatat di arsip sebagaimana diisi (sistem tidak memverifikasi identitas).",
    )


def prefilled(form: type[RunInput], description: str, *, choices: tuple[str, ...] | None = None,
              **defaults) -> type[RunInput]:
    """The form with defaults and Markdown above it, keeping the Indonesian titles.

    `RunInput.with_initial_data` drops each field's title and help text, so the UI would
    show English field names; rebuild the fields with their metadata instead. `choices`
    narrows the `action` field to what this case allows (e.g. no hiding where the channel cannot).
    """
    fields = {}
    for name in dict.fromkeys([*defaults, *(["action"] if choices else [])]):
        info = form.model_fields[name]
        annotation = Literal[choices] if name == "action" and choices else info.annotation
        default = defaults.get(name, info.default)
        fields[name] = (annotation, Field(default=default, title=info.title, description=info.description))
    model = pydantic.create_model(form.__name__, __base__=form, **fields)
    model._description = description
    return model


def problems_with(answer: RunInput, reply_limit: int | None = None, measure=len) -> list[str]:
    """What a person must fix before the answer can be accepted (beyond the schema's checks)."""
    values = answer.model_dump()
    found = []
    name = values.get("approver_name", values.get("decider_name", values.get("operator_name", "")))
    if not name.strip():
        found.append("Nama wajib diisi.")
    if "decision" in values and not values["decision"].strip():
        found.append("Isi keputusan wajib diisi.")
    if values["action"] in ("setujui", "kirim"):
        text = values["reply_text"].strip()
        if not text:
            found.append("Teks jawaban kosong.")
        if _PLACEHOLDER.search(text):
            found.append("Teks jawaban masih memuat bagian [ ... ] dari templat yang belum diganti.")
        if reply_limit is not None and measure(text) > reply_limit:
            found.append(f"Teks jawaban {measure(text)} karakter, melebihi batas kanal {reply_limit} karakter.")
    return found


def wait_for_person(form: type[RunInput], *, key: str, description: str, defaults: dict,
                    channel_kind: str | None = None, choices: tuple[str, ...] | None = None) -> dict:
    """Suspend until the form is answered acceptably; the one place Tanggap waits for people.

    Each attempt has its own key, so a replayed run gets every earlier answer back in order
    and waits only where no answer has come yet. The answer comes back with `answer_ref`
    ("<run id>:<key>"), which tells a replayed answer from a second one.
    """
    connector = CONNECTORS[channel_kind] if channel_kind else None
    banner = ""
    for attempt in itertools.count(1):
        shown = prefilled(form, banner + description, choices=choices, **defaults)
        attempt_key = f"{key}-{attempt}"
        try:
            answer = suspend_flow_run(wait_for_input=shown, key=attempt_key, timeout=None)
        except pydantic.ValidationError as exc:
            # The server checked the answer against the form it showed; this model can still
            # refuse it (e.g. the form changed with an upgrade while the case waited).
            found = [f"{_field_title(form, e['loc'])}: isian tidak dapat diterima ({e['msg']})" for e in exc.errors()]
        else:
            found = problems_with(answer, connector.reply_limit, connector.reply_length) if connector else \
                problems_with(answer)
            if not found:
                return {**answer.model_dump(), "answer_ref": f"{events.current_flow_run_id()}:{attempt_key}"}
            defaults = {name: getattr(answer, name) for name in defaults}
        banner = "### ⚠️ Isian belum dapat diterima\n" + "\n".join(f"- {p}" for p in found) + "\n\n---\n\n"


def _field_title(form: type[RunInput], location: tuple) -> str:
    field = form.model_fields.get(str(location[0])) if location else None
    return field.title if field and field.title else "Formulir"


@task(task_run_name="siapkan-formulir-{stage}-{comment_id}")
def prepare_form(comment_id: int, stage: Literal["correction", "decision"]) -> dict:
    """Mark the case as waiting and build what the approver sees above the form."""
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if stage == "correction" and case.status == CaseStatus.DRAFTED:
            case.await_correction()
        events.start_once(session, stage, comment_id=comment_id)
        reply = case.current_reply.text
        connector = CONNECTORS[case.channel.kind]
        waited = utcnow() - case.found_at
        # Cases stored before triage was recorded are triaged again here.
        triage = case.triage or classify(case.text, case.channel.kind).as_record()
        basis = (case.versions[0].basis if case.versions else None) or {}
        description = render(
            f"forms/{stage}.md.j2",
            case=case,
            channel=case.channel,
            category=CATEGORY_LABELS.get(case.category, case.category),
            policy_hint=triage["policy"],
            triage=triage,
            basis=basis,
            needs_manual_label=NEEDS_MANUAL,
            reply=reply,
            reply_length=connector.reply_length(reply),
            reply_limit=connector.reply_limit,
            decisions=case.accepted_decisions,
            waited_minutes=int(waited / timedelta(minutes=1)),
            sop_minutes=SOP_TOTAL_MINUTES,
        )
        if stage == "correction":
            choices = CORRECTION_ACTIONS if case.can_hide else tuple(a for a in CORRECTION_ACTIONS if a != "sembunyikan")
            default_action = _suggested_action(case.category, triage["confidence"], case.can_hide)
            defaults = {"action": default_action, "reply_text": reply}
        else:
            choices, defaults = None, {"action": "kirim", "reply_text": reply}
        # Names and the decision text get no default: the form shows them as required.
        form = {"description": description, "defaults": defaults, "channel_kind": case.channel.kind,
                "choices": choices, "key": _round_key(FORM_KEYS[stage], case.correction_round)}
    refresh_approval_queue()
    return form


def _round_key(key: str, correction_round: int) -> str:
    """A case sent back to correction is asked afresh: its forms get keys of their own."""
    return key if not correction_round else f"{key}-r{correction_round}"


def ask_for_correction(comment_id: int) -> dict:
    """Wait for the Kepala Bagian Umum's correction (approve, escalate or close)."""
    form = prepare_form(comment_id, "correction")
    return wait_for_person(CorrectionForm, key=form["key"], description=form["description"],
                           defaults=form["defaults"], channel_kind=form["channel_kind"], choices=form["choices"])


def ask_for_decision(comment_id: int) -> dict:
    """Wait for the Kepala Balai's decision on an escalated case."""
    form = prepare_form(comment_id, "decision")
    return wait_for_person(DecisionForm, key=form["key"], description=form["description"],
                           defaults=form["defaults"], channel_kind=form["channel_kind"])


@task(task_run_name="catat-koreksi-{comment_id}")
def record_correction(comment_id: int, answer: dict) -> None:
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        name, action, note = answer["approver_name"].strip(), answer["action"], answer["note"].strip()
        if not is_first_answer(session, case, "correction", CaseStatus.AWAITING_CORRECTION, answer, name,
                             HEAD_OF_GENERAL_AFFAIRS):
            return
        signed = {"by": name, "role": HEAD_OF_GENERAL_AFFAIRS, "note": note, "answer_ref": answer["answer_ref"]}
        if action == "setujui":
            case.approve(answer["reply_text"], stage="correction", action=action, **signed)
        elif action == "eskalasi":
            case.escalate(answer["reply_text"], **signed)
        else:
            case.close(stage="correction", action=action, hide=action == "sembunyikan", **signed)
        events.record(session, "correction", "end", comment_id=comment_id, detail=f"{action} oleh {name}")
    refresh_approval_queue()


@task(task_run_name="catat-keputusan-{comment_id}")
def record_decision(comment_id: int, answer: dict) -> None:
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        name, action = answer["decider_name"].strip(), answer["action"]
        if not is_first_answer(session, case, "decision", CaseStatus.AWAITING_DECISION, answer, name, HEAD_OF_CENTRE):
            return
        signed = {"by": name, "role": HEAD_OF_CENTRE, "note": answer["decision"].strip(),
                  "answer_ref": answer["answer_ref"]}
        if action == "kirim":
            case.approve(answer["reply_text"], stage="decision", action=action, **signed)
        else:
            case.close(stage="decision", action=action, **signed)
        events.record(session, "decision", "end", comment_id=comment_id, detail=f"{action} oleh {name}")
    refresh_approval_queue()


def is_first_answer(session, case: Comment, stage: str, waiting: CaseStatus, answer: dict, name: str,
                  role: str) -> bool:
    """True when this answer decides the step. A replay of the same answer does nothing; a second
    answer to a step already decided (another run, another approver) is kept as refused, with who
    and what, and changes nothing."""
    ref = answer["answer_ref"]
    if any(d.answer_ref == ref for d in case.decisions):
        return False  # recorded before the run was replayed
    if case.status == waiting:
        return True
    text = answer.get("reply_text", "")
    case.add_decision(stage=stage, actor_name=name, role=role, action=answer["action"], answer_ref=ref,
                      refused=True, note=f"Ditolak: langkah ini sudah diputuskan (status kasus {case.status.value}). "
                      f"Isian yang ditolak: {answer.get('note') or answer.get('decision') or ''} | teks: {text}"[:4000])
    events.record(session, stage, "refused", comment_id=case.id,
                  detail=f"jawaban kedua dari {name} ({answer['action']}) ditolak: langkah sudah diputuskan")
    events.operations_log().warning("Kasus %s: jawaban kedua untuk langkah %s dari %s ditolak", case.id, stage, name)
    return False


def _suggested_action(category: str, confidence: float, can_hide: bool) -> str:
    """Hiding is pre-selected only for spam we are sure of, on a channel that can hide it."""
    if category == "spam":
        return "sembunyikan" if confidence >= HIGH_CONFIDENCE and can_hide else "tutup"
    return "setujui"


