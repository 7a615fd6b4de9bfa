"""SOP steps 2 and 3 as people do them: the Ketua Tim Kerja follows the draft up (when that stage
is on), the Kepala Bagian Umum corrects it, and internal policy goes to the Kepala Balai.

The flow run waits for each of them with `suspend_flow_run`: no process is held while a
case waits, and the run starts again from the top once someone answers the form in the
Prefect UI. Everything before the wait is therefore safe to run twice.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import ClassVar, Literal

import pydantic
from prefect import task
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from pydantic import ConfigDict, Field

from db.lifecycle import STATUS_OF_STAGE
from db.models import CaseStatus, Comment, utcnow
from db.session import session_scope
from tanggap import sop
from tanggap.failpoints import crash_point

from . import events, inbox
from .approval_queue import refresh_approval_queue
from .carried_answers import earlier_answer
from .cases import load_case
from .channels import CONNECTORS
from .rendering import render
from .composing import NEEDS_MANUAL
from .triage import CATEGORY_LABELS, HIGH_CONFIDENCE, classify

HEAD_OF_GENERAL_AFFAIRS = sop.HEAD_OF_GENERAL_AFFAIRS.title
HEAD_OF_CENTRE = sop.HEAD_OF_CENTRE.title
TEAM_LEAD = sop.TEAM_LEAD.title
FOLLOW_UP_ACTIONS = ("teruskan", "tutup")
CORRECTION_ACTIONS = ("setujui", "eskalasi", "kembalikan", "tutup", "sembunyikan")
DECISION_ACTIONS = ("kirim", "kembalikan", "tutup")
FORM_KEYS = {"follow_up": "tindak-lanjut", "correction": "koreksi", "decision": "keputusan"}
_PLACEHOLDER = re.compile(r"\[[^\]]*(Tuliskan|Saran:)[^\]]*\]")
_NIP = re.compile(r"\d{18}")
_DECLARED = "Dicatat di arsip sebagaimana diisi (sistem tidak memverifikasi identitas)."
_NIP_HELP = "18 angka tanpa spasi, dicatat di arsip. Boleh dikosongkan."


def _mark_required(schema: dict, model: type) -> None:
    """Fields a person must fill stay marked required even when pre-filled or pre-set to empty.

    A field with a default shows as "(Optional)" in the UI, and one without a default is refused
    by the UI in English naming its internal key. Listed as required but given a default (an
    empty name), the UI labels it plainly and sends it; Tanggap then checks it and answers in
    Indonesian above the form, keeping what was typed.
    """
    wanted = [name for name in getattr(model, "always_required", ()) if name in schema.get("properties", {})]
    schema["required"] = sorted(set(schema.get("required", [])) | set(wanted))


class ApprovalForm(RunInput):
    """A form answered in the Prefect UI; `always_required` lists what a person must fill."""

    model_config = ConfigDict(json_schema_extra=_mark_required)
    always_required: ClassVar[tuple[str, ...]] = ()


class FollowUpForm(ApprovalForm):
    """Tindak lanjut draf jawaban oleh Ketua Tim Kerja."""

    always_required = ("action", "reply_text", "approver_name")
    reply_text: str = Field(title="Teks jawaban", description="Draf jawaban, teks polos. Boleh diubah.")
    action: Literal["teruskan", "tutup"] = Field(
        title="Tindakan", description="teruskan = ke Kepala Bagian Umum untuk koreksi; tutup = tidak dijawab.")
    note: str = Field("", title="Catatan", description="Untuk Kepala Bagian Umum (boleh kosong).")
    approver_name: str = Field("", title="Nama Ketua Tim Kerja", description=_DECLARED)
    nip: str = Field("", title="NIP", description=_NIP_HELP)


class CorrectionForm(ApprovalForm):
    """Koreksi draf jawaban oleh Kepala Bagian Umum."""

    always_required = ("action", "reply_text", "approver_name")
    reply_text: str = Field(title="Teks jawaban", description="Teks polos yang akan dikirim. Boleh diubah.")
    action: Literal["setujui", "eskalasi", "kembalikan", "tutup", "sembunyikan"] = Field(
        title="Tindakan",
        description="setujui = kirim teks di atas; eskalasi = ke Kepala Balai (kebijakan internal); kembalikan = "
        "ke Ketua Tim Kerja dengan catatan; tutup = tidak dijawab; sembunyikan = tutup dan sembunyikan komentar.",
    )
    note: str = Field("", title="Catatan koreksi",
                      description="Alasan perubahan, eskalasi, pengembalian atau penutupan.")
    approver_name: str = Field("", title="Nama Kepala Bagian Umum", description=_DECLARED)
    nip: str = Field("", title="NIP", description=_NIP_HELP)


class DecisionForm(ApprovalForm):
    """Keputusan Kepala Balai atas jawaban yang menyangkut kebijakan internal."""

    always_required = ("action", "decision", "reply_text", "decider_name")
    reply_text: str = Field(title="Jawaban akhir", description="Teks polos yang akan dikirim. Boleh diubah.")
    action: Literal["kirim", "kembalikan", "tutup"] = Field(
        title="Keputusan", description="kirim = jawaban akhir di atas dikirim; kembalikan = ke Kepala Bagian "
        "Umum dengan disposisi; tutup = tidak dijawab.")
    decision: str = Field("", title="Isi keputusan / disposisi", description="Dicatat di arsip kasus.")
    decider_name: str = Field("", title="Nama Kepala Balai", description=_DECLARED)
    nip: str = Field("", title="NIP", description=_NIP_HELP)


FORMS = {"follow_up": FollowUpForm, "correction": CorrectionForm, "decision": DecisionForm}
_NAME_FIELDS = ("approver_name", "decider_name", "operator_name", "moderator_name")


def prefilled(form: type[RunInput], description: str, *, choices: tuple[str, ...] | None = None,
              descriptions: dict[str, str] | None = None, **defaults) -> type[RunInput]:
    """The form with defaults and Markdown above it, keeping the Indonesian titles.

    `RunInput.with_initial_data` drops each field's title and help text, so the UI would
    show English field names; rebuild the fields with their metadata instead. `choices`
    narrows the `action` field to what this case allows (e.g. no hiding where the channel
    cannot); `descriptions` replaces a field's help text for this case.
    """
    descriptions = descriptions or {}
    fields = {}
    for name in dict.fromkeys([*defaults, *(["action"] if choices else []), *descriptions]):
        info = form.model_fields[name]
        annotation = Literal[choices] if name == "action" and choices else info.annotation
        default = defaults.get(name, info.default)
        fields[name] = (annotation, Field(default=default, title=info.title,
                                          description=descriptions.get(name, info.description)))
    model = pydantic.create_model(form.__name__, __base__=form, **fields)
    model._description = description
    return model


def problems_with(answer: RunInput, reply_limit: int | None = None, measure=len) -> list[str]:
    """What a person must fix before the answer can be accepted, in Indonesian."""
    values = answer.model_dump()
    fields = type(answer).model_fields
    found = []
    for name in _NAME_FIELDS:
        if name in values and not values[name].strip():
            found.append(f"{fields[name].title} wajib diisi.")
    if not nip_is_valid(values.get("nip", "")):
        nip = values["nip"].strip()
        found.append(f"NIP harus 18 angka; yang tertulis «{nip}» ({len(nip)} karakter). Kosongkan bila tidak ada.")
    if "decision" in values and not values["decision"].strip():
        found.append("Isi keputusan / disposisi wajib diisi.")
    if values["action"] == "kembalikan" and not (values.get("note") or values.get("decision") or "").strip():
        found.append("Tuliskan catatan untuk tahap sebelumnya: apa yang perlu diperbaiki.")
    if values["action"] in ("setujui", "kirim", "teruskan"):
        text = values["reply_text"].strip()
        if not text:
            found.append("Teks jawaban kosong.")
        if _PLACEHOLDER.search(text):
            found.append("Teks jawaban masih memuat bagian [ ... ] dari templat yang belum diganti.")
        if reply_limit is not None and measure(text) > reply_limit:
            found.append(f"Teks jawaban {measure(text)} karakter, melebihi batas kanal {reply_limit} karakter.")
    return found


def nip_is_valid(nip: str) -> bool:
    """Empty (not given) or 18 digits, spaces allowed between them."""
    nip = nip.replace(" ", "")
    return not nip or bool(_NIP.fullmatch(nip))


def wait_for_person(form: type[RunInput], *, key: str, description: str, defaults: dict,
                    channel_kind: str | None = None, choices: tuple[str, ...] | None = None,
                    descriptions: dict[str, str] | None = None, check: Callable[[dict], list[str]] | None = None,
                    earlier_runs: Sequence[str] = ()) -> dict:
    """Suspend until the form is answered acceptably; the one place Tanggap waits for people.

    Each attempt has its own key, so a replayed run gets every earlier answer back in order
    and waits only where no answer has come yet. A refused answer comes back as the next
    form's defaults, so nothing typed is lost. The accepted answer comes back with
    `answer_ref` ("<run id>:<key>"), which tells a replayed answer from a second one.
    `check` adds the form's own problems (e.g. numbers that name no item of a spam wave).
    An answer one of the case's `earlier_runs` received under the same key is taken instead of
    asking again (tasks/carried_answers.py), checked the same way, with that run's answer_ref.
    """
    connector = CONNECTORS[channel_kind] if channel_kind else None
    banner = ""
    for attempt in itertools.count(1):
        shown = prefilled(form, banner + description, choices=choices, descriptions=descriptions, **defaults)
        attempt_key = f"{key}-{attempt}"
        try:
            answer, answered_in = earlier_answer(shown, attempt_key, earlier_runs) or (
                suspend_flow_run(wait_for_input=shown, key=attempt_key, timeout=None), events.current_flow_run_id())
        except pydantic.ValidationError as exc:
            # The server checked the answer against the form it showed; this model can still
            # refuse it (e.g. the form changed with an upgrade while the case waited).
            found = [f"{_field_title(form, e['loc'])}: isian tidak dapat diterima ({e['msg']})" for e in exc.errors()]
        else:
            found = problems_with(answer, connector.reply_limit, connector.reply_length) if connector else \
                problems_with(answer)
            found += check(answer.model_dump()) if check else []
            if not found:
                return {**answer.model_dump(), "answer_ref": f"{answered_in}:{attempt_key}"}
            defaults = {**defaults, **answer.model_dump()}  # everything typed comes back ...
            if not nip_is_valid(defaults.get("nip", "")):
                # ... but a wrong NIP, quoted in the banner: the UI sends a cleared field as absent,
                # which would bring a pre-filled wrong NIP back.
                defaults["nip"] = ""
        banner = "#### ⚠️ Isian belum dapat diterima\n" + "\n".join(f"- {p}" for p in found) + "\n\n"


def _field_title(form: type[RunInput], location: tuple) -> str:
    field = form.model_fields.get(str(location[0])) if location else None
    return field.title if field and field.title else "Formulir"


@task(task_run_name="siapkan-formulir-{stage}-{comment_id}")
def prepare_form(comment_id: int, stage: Literal["follow_up", "correction", "decision"]) -> dict:
    """Mark the case as waiting at `stage`, name its run for the inbox and build what the person sees."""
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if case.status == CaseStatus.DRAFTED:
            case.await_follow_up() if stage == "follow_up" else case.await_correction()
        events.start_once(session, stage, comment_id=comment_id)
        session.flush()
        role = sop.STEPS[stage].role
        inbox.label_run(inbox.run_name(stage, case), inbox.run_tags(role, case, stage))
        details = inbox.publish_case_details(session, case)
        reply = case.current_reply.text
        connector = CONNECTORS[case.channel.kind]
        # Cases stored before triage was recorded are triaged again here.
        triage = case.triage or classify(case.text, case.channel.kind).as_record()
        basis = (case.versions[0].basis if case.versions else None) or {}
        length, limit = connector.reply_length(reply), connector.reply_limit
        description = render(
            f"forms/{stage}.md.j2",
            case=case,
            channel=case.channel,
            category=CATEGORY_LABELS.get(case.category, case.category),
            policy_hint=triage["policy"],
            triage=triage,
            basis=basis,
            needs_manual_label=NEEDS_MANUAL,
            decisions=case.accepted_decisions,
            returned=_returned_note(case),
            due=sop.deadline(case.status_since or utcnow(), stage),
            details_url=details,
            previous=sop.previous_stage(stage),
            now=utcnow(),
        )
        size = f"{length} dari maks. {limit} karakter di kanal ini" + (" — terlalu panjang" if length > limit else "")
        descriptions = {"reply_text": f"Teks polos yang akan dikirim ({size}). Boleh diubah."}
        choices = _choices(stage, case)
        defaults = {"action": _suggested_action(stage, case.category, triage["confidence"], case.can_hide),
                    "reply_text": reply}
        # Names and the decision text are pre-set to empty: the form shows them as required.
        form = {"description": description, "defaults": defaults, "channel_kind": case.channel.kind,
                "choices": choices, "descriptions": descriptions,
                "key": _round_key(FORM_KEYS[stage], case.correction_round),
                "earlier_runs": list(case.earlier_flow_run_ids or [])}
    refresh_approval_queue()
    return form


def _choices(stage: str, case: Comment) -> tuple[str, ...]:
    """The actions this case allows at `stage`: no hiding where the channel cannot, no sending back at the first stage."""
    allowed = {"follow_up": FOLLOW_UP_ACTIONS, "correction": CORRECTION_ACTIONS, "decision": DECISION_ACTIONS}[stage]
    if not case.can_hide:
        allowed = tuple(a for a in allowed if a != "sembunyikan")
    if sop.previous_stage(stage) is None:
        allowed = tuple(a for a in allowed if a != "kembalikan")
    return allowed


def _returned_note(case: Comment):
    """The latest *Kembalikan* that brought the case back to where it waits now, if that is how it got here."""
    accepted = case.accepted_decisions
    if accepted and accepted[-1].action == "kembalikan":
        return accepted[-1]
    return None


def _round_key(key: str, correction_round: int) -> str:
    """A case sent back (to correction, or one stage) is asked afresh: its forms get keys of their own."""
    return key if not correction_round else f"{key}-r{correction_round}"


def ask(comment_id: int, stage: str) -> dict:
    """Wait for the person of `stage` (follow-up, correction or decision) to answer the case's form."""
    form = prepare_form(comment_id, stage)
    crash_point("while_suspending", comment_id)  # crash suite: the form is ready, the run not yet waiting
    answer = wait_for_person(FORMS[stage], key=form["key"], description=form["description"],
                             defaults=form["defaults"], channel_kind=form["channel_kind"], choices=form["choices"],
                             descriptions=form["descriptions"], earlier_runs=form["earlier_runs"])
    crash_point("while_resuming", comment_id)  # crash suite: answered, the answer not yet recorded
    return answer


def record_answer(comment_id: int, stage: str, answer: dict) -> None:
    """Apply the answer given at `stage`."""
    {"follow_up": record_follow_up, "correction": record_correction, "decision": record_decision}[stage](
        comment_id, answer)


def _signed(answer: dict, name: str, role: str, note: str) -> dict:
    nip = (answer.get("nip") or "").replace(" ", "") or None
    return {"by": name, "role": role, "note": note, "answer_ref": answer["answer_ref"], "actor_nip": nip}


def _record(comment_id: int, answer: dict, stage: str, role: str, name: str, note: str, apply) -> None:
    """Apply the first answer to `stage` through `apply(case, action, signed)`; a replay or a
    second answer changes nothing (is_first_answer)."""
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if not is_first_answer(session, case, stage, STATUS_OF_STAGE[stage], answer, name, role):
            return
        apply(case, answer["action"], _signed(answer, name, role, note))
        events.record(session, stage, "end", comment_id=comment_id, detail=f"{answer['action']} oleh {name}")
    refresh_approval_queue()


@task(task_run_name="catat-tindak-lanjut-{comment_id}")
def record_follow_up(comment_id: int, answer: dict) -> None:
    def apply(case: Comment, action: str, signed: dict) -> None:
        if action == "teruskan":
            case.forward_to_correction(answer["reply_text"], **signed)
        else:
            case.close(stage="follow_up", action=action, **signed)

    _record(comment_id, answer, "follow_up", TEAM_LEAD, answer["approver_name"].strip(), answer["note"].strip(), apply)


@task(task_run_name="catat-koreksi-{comment_id}")
def record_correction(comment_id: int, answer: dict) -> None:
    def apply(case: Comment, action: str, signed: dict) -> None:
        if action == "setujui":
            case.approve(answer["reply_text"], stage="correction", action=action, **signed)
        elif action == "eskalasi":
            case.escalate(answer["reply_text"], **signed)
        elif action == "kembalikan":
            case.send_back(stage="correction", **signed)
        else:
            case.close(stage="correction", action=action, hide=action == "sembunyikan", **signed)

    _record(comment_id, answer, "correction", HEAD_OF_GENERAL_AFFAIRS, answer["approver_name"].strip(),
            answer["note"].strip(), apply)


@task(task_run_name="catat-keputusan-{comment_id}")
def record_decision(comment_id: int, answer: dict) -> None:
    def apply(case: Comment, action: str, signed: dict) -> None:
        if action == "kirim":
            case.approve(answer["reply_text"], stage="decision", action=action, **signed)
        elif action == "kembalikan":
            case.send_back(stage="decision", **signed)
        else:
            case.close(stage="decision", action=action, **signed)

    _record(comment_id, answer, "decision", HEAD_OF_CENTRE, answer["decider_name"].strip(),
            answer["decision"].strip(), apply)


def waiting_stage(status: CaseStatus) -> str | None:
    """The stage a case in `status` waits at next: a fresh draft goes to the chain's first person."""
    if status == CaseStatus.DRAFTED:
        return sop.chain()[0]
    stage = {v: k for k, v in STATUS_OF_STAGE.items()}.get(status)
    return stage if stage in FORMS else None


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


def _suggested_action(stage: str, category: str, confidence: float, can_hide: bool) -> str:
    """Hiding is pre-selected only for spam we are sure of, on a channel that can hide it."""
    if stage == "follow_up":
        return "tutup" if category == "spam" else "teruskan"
    if stage == "decision":
        return "kirim"
    if category == "spam":
        return "sembunyikan" if confidence >= HIGH_CONFIDENCE and can_hide else "tutup"
    return "setujui"
