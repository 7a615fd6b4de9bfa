"""The one decision a spam wave needs: a compact form over a numbered list of the wave's comments.

A thousand comments cannot be a thousand checkboxes in the Prefect UI's resume dialog. The
form shows a summary per channel, the items that need a look (low confidence, or a channel
that cannot hide) and the first of the rest; the whole numbered list is a table artifact on
the run. The moderator names by number what is not spam (it becomes a normal case) or must
stay visible, and everything else is settled as the form says: hidden where triage was sure
and the channel can hide (`sembunyikan` pre-selected only then), closed without an answer
everywhere. Spam is never answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from prefect import task
from prefect.artifacts import create_table_artifact
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from db.models import CaseStatus, Comment, SpamWave, utcnow
from db.session import lock_for_writing, session_scope
from tanggap import sop

from . import events, inbox
from .approval_queue import refresh_approval_queue
from .channels.text import excerpt
from .rendering import render
from .review import ApprovalForm, wait_for_person
from .triage import HIGH_CONFIDENCE

NOT_SPAM = "bukan_spam"
# Items listed above the form (those needing a look first); all of them are in the artifact.
SHOWN_TO_LOOK_AT, SHOWN_SURE = 20, 10
_NUMBER = re.compile(r"#?(\d+)(?:\s*-\s*#?(\d+))?")


class SpamModerationForm(ApprovalForm):
    """Moderasi satu gelombang spam."""

    always_required = ("action", "moderator_name")
    action: Literal["sembunyikan", "tutup"] = Field(
        title="Tindakan",
        description="sembunyikan = yang bertanda 🚫 disembunyikan dari publik; tutup = tidak ada yang "
        "disembunyikan. Keduanya: semua ditutup tanpa jawaban (spam tidak pernah dijawab) dan diarsipkan.")
    bukan_spam: str = Field("", title="Bukan spam (nomor)", description=(
        "Nomor komentar yang ternyata bukan spam, mis. 3, 17, 40-42: menjadi kasus biasa dan dijawab "
        "lewat draf dan koreksi."))
    kategori_bukan_spam: Literal["pertanyaan", "keluhan", "saran", "apresiasi", "kasar"] = Field(
        "pertanyaan", title="Kategori untuk yang bukan spam")
    biarkan_tampil: str = Field("", title="Jangan disembunyikan (nomor)",
                                description="Spam yang ditutup tanpa disembunyikan (tetap tampil).")
    sembunyikan_juga: str = Field("", title="Sembunyikan juga (nomor)",
                                  description="Nomor bertanda ☐ (keyakinan rendah) yang tetap disembunyikan.")
    note: str = Field("", title="Catatan", description="Dicatat pada setiap kasus gelombang ini.")
    moderator_name: str = Field("", title="Nama", description=(
        "Dicatat di arsip sebagaimana diisi (sistem tidak memverifikasi identitas)."))
    nip: str = Field("", title="NIP", description="18 angka tanpa spasi, dicatat di arsip. Boleh dikosongkan.")


@dataclass(frozen=True)
class Item:
    number: int
    comment_id: int
    channel: str
    author: str
    text: str
    reasons: list[str]
    confidence: float
    can_hide: bool
    link: str | None

    @property
    def hide_by_default(self) -> bool:
        """Hiding is pre-selected only where triage is sure and the channel can hide."""
        return self.can_hide and self.confidence >= HIGH_CONFIDENCE

    @property
    def doubtful(self) -> bool:
        """Triage was not sure: the likeliest citizens among the spam, listed first in the form."""
        return self.confidence < HIGH_CONFIDENCE

    @property
    def evidence(self) -> str:
        """Triage's reasons without the model's own line (the confidence is shown beside it)."""
        return "; ".join(r for r in self.reasons if not r.startswith("model:")) or "; ".join(self.reasons)

    @property
    def mark(self) -> str:
        if self.hide_by_default:
            return "🚫 sembunyikan"
        return "☐ tutup saja (kanal tidak dapat menyembunyikan)" if not self.can_hide else \
            "☐ tutup saja (keyakinan rendah)"


def wave_items(session, wave_id: int) -> list[Item]:
    """The wave's comments, numbered as the form and the artifact show them (by case id, fixed)."""
    cases = session.scalars(select(Comment).where(Comment.spam_wave_id == wave_id).order_by(Comment.id)
                            .options(selectinload(Comment.channel))).all()
    return [Item(number=n, comment_id=c.id, channel=c.channel.name, author=c.author_name, text=c.text,
                 reasons=list((c.triage or {}).get("reasons") or []), confidence=float((c.triage or {}).get(
                     "confidence") or 0.0), can_hide=c.can_hide, link=c.link)
            for n, c in enumerate(cases, start=1)]


def parse_numbers(text: str, total: int) -> tuple[set[int], list[str]]:
    """"3, 17, 40-42" -> {3, 17, 40, 41, 42}, and what could not be read, in Indonesian."""
    numbers, problems = set(), []
    for piece in re.split(r"[,;\s]+", re.sub(r"\s*-\s*", "-", text.strip())):
        piece = piece.strip()
        if not piece:
            continue
        match = _NUMBER.fullmatch(piece)
        if match is None:
            problems.append(f"«{piece}» bukan nomor atau rentang nomor (contoh: 3, 17, 40-42).")
            continue
        first, last = int(match[1]), int(match[2] or match[1])
        if not 1 <= first <= last <= total:
            problems.append(f"«{piece}» di luar daftar: nomor 1 sampai {total}.")
            continue
        numbers.update(range(first, last + 1))
    return numbers, problems


@dataclass(frozen=True)
class Choice:
    """What happens to each numbered item, from the moderator's answer."""

    kept: set[int]  # not spam: a normal case
    hidden: set[int]  # closed and hidden
    closed: set[int]  # closed, left visible


def read_answer(answer: dict, items: list[Item]) -> tuple[Choice, list[str]]:
    total = len(items)
    kept, p1 = parse_numbers(answer.get(NOT_SPAM, ""), total)
    visible, p2 = parse_numbers(answer.get("biarkan_tampil", ""), total)
    extra, p3 = parse_numbers(answer.get("sembunyikan_juga", ""), total)
    problems = [f"Bukan spam: {p}" for p in p1] + [f"Jangan disembunyikan: {p}" for p in p2] + \
        [f"Sembunyikan juga: {p}" for p in p3]
    if both := sorted(kept & (visible | extra)):
        problems.append(f"Nomor {_list(both)} ditulis sebagai bukan spam dan juga di isian lain; pilih satu.")
    if both := sorted(visible & extra):
        problems.append(f"Nomor {_list(both)} ditulis di «jangan disembunyikan» dan «sembunyikan juga»; pilih satu.")
    if extra and answer.get("action") == "tutup":
        problems.append("Tindakan «tutup» tidak menyembunyikan apa pun: kosongkan «sembunyikan juga» atau pilih "
                        "«sembunyikan».")
    if cannot := sorted(n for n in extra if not items[n - 1].can_hide):
        problems.append(f"Nomor {_list(cannot)} tidak dapat disembunyikan di kanalnya; hanya dapat ditutup.")
    hidden = set()
    if answer.get("action") == "sembunyikan":
        hidden = ({i.number for i in items if i.hide_by_default} | extra) - visible - kept
    closed = {i.number for i in items} - kept - hidden
    return Choice(kept=kept, hidden=hidden, closed=closed), problems


def _list(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:20])) + (" …" if len(numbers) > 20 else "")


@task(task_run_name="siapkan-formulir-moderasi-spam-{wave_id}")
def prepare_moderation_form(wave_id: int) -> dict:
    """Name the run for the moderator's queue, publish the numbered list, and build the form."""
    role = sop.moderator()
    with session_scope() as session:
        wave = session.get(SpamWave, wave_id)
        items = wave_items(session, wave_id)
        inbox.label_run(f"{sop.STAGE_NAMES['moderation']} · {len(items)} komentar · gelombang #{wave_id}",
                        [inbox.WAITING_TAG + role.slug, "kategori:spam", f"tahap:{sop.STAGE_NAMES['moderation']}"])
        created = wave.created_at
    table_url = _publish_items(wave_id, items)
    now = utcnow()
    description = moderation_description(wave_id, items, table_url=table_url, role=role,
                                         due=sop.deadline(created, "moderation"), now=now)
    default = "sembunyikan" if any(i.hide_by_default for i in items) else "tutup"
    refresh_approval_queue()
    return {"description": description, "defaults": {"action": default},
            "descriptions": {"moderator_name": f"{role.title}. Dicatat di arsip sebagaimana diisi "
                                               "(sistem tidak memverifikasi identitas)."}}


def moderation_description(wave_id: int, items: list[Item], *, table_url: str | None, role: sop.Role, due,
                           now) -> str:
    """The Markdown above the form: per channel, the doubtful items first, then the first of the rest."""
    per_channel: dict[str, list[int]] = {}
    for item in items:
        counts = per_channel.setdefault(item.channel, [0, 0, 0])
        counts[0] += 1
        counts[1 if item.hide_by_default else 2] += 1
    doubtful = [i for i in items if i.doubtful]
    sure = [i for i in items if not i.doubtful]
    return render("forms/moderation.md.j2", wave_id=wave_id, items=items, per_channel=per_channel,
                  look=doubtful[:SHOWN_TO_LOOK_AT], look_total=len(doubtful), sure=sure[:SHOWN_SURE],
                  sure_total=len(sure), table_url=table_url, role=role, due=due, now=now)


def _publish_items(wave_id: int, items: list[Item]) -> str | None:
    """Every item of the wave, numbered, as a table artifact on the run: the list to decide from."""
    if not events.in_prefect_run():
        return None
    rows = [{"No": i.number, "Usulan": i.mark, "Kanal": i.channel, "Penulis": excerpt(i.author, 60),
             "Komentar": excerpt(i.text, 200), "Alasan": "; ".join(i.reasons)[:400],
             "Keyakinan": f"{i.confidence:.2f}", "Tautan": i.link or "-", "Kasus": f"#{i.comment_id}"}
            for i in items]
    artifact_id = create_table_artifact(key=f"moderasi-spam-{wave_id}", table=rows,
                                        description=f"Gelombang spam #{wave_id}: {len(items)} komentar, bernomor "
                                                    "seperti pada formulir moderasi.")
    return f"{inbox.ui_base()}/v2/artifacts/artifact/{artifact_id}"


def ask_moderator(wave_id: int) -> dict:
    """Wait for the one decision of the wave (its numbers checked against the wave's list)."""
    form = prepare_moderation_form(wave_id)
    with session_scope() as session:
        items = wave_items(session, wave_id)
    return wait_for_person(SpamModerationForm, key="moderasi", description=form["description"],
                           defaults=form["defaults"], descriptions=form["descriptions"],
                           check=lambda values: read_answer(values, items)[1])


def undecided(wave_id: int) -> bool:
    """True while the wave's comments still wait for the moderator (a restarted run asks again)."""
    with session_scope() as session:
        wave = session.get(SpamWave, wave_id)
        return wave.decided_at is None and wave.finished_at is None


@task(task_run_name="catat-moderasi-spam-{wave_id}", retries=3, retry_delay_seconds=[2, 10, 30])
def record_moderation(wave_id: int, answer: dict) -> dict:
    """Apply the decision to every comment of the wave in one transaction: each gets its decision."""
    role = sop.moderator()
    with session_scope() as session:
        lock_for_writing(session)
        wave = session.get(SpamWave, wave_id, with_for_update=True)
        if wave.decided_at is not None:
            return {"note": "sudah diputuskan"}  # a replayed run: the decision is in the database
        items = wave_items(session, wave_id)
        choice, _ = read_answer(answer, items)
        by_id = {c.id: c for c in session.scalars(select(Comment).where(Comment.spam_wave_id == wave_id))}
        name, note = answer["moderator_name"].strip(), answer.get("note", "").strip()
        signed = dict(by=name, role=role.title, note=note, answer_ref=answer["answer_ref"],
                      actor_nip=(answer.get("nip") or "").replace(" ", "") or None)
        for item in items:
            case = by_id[item.comment_id]
            if case.status != CaseStatus.NEW:
                continue  # handed on meanwhile (e.g. to operations): not this decision's any more
            if item.number in choice.kept:
                case.add_decision(stage="moderation", actor_name=name, role=role.title, action=NOT_SPAM,
                                  note=note, answer_ref=answer["answer_ref"], actor_nip=signed["actor_nip"])
                case.category = answer.get("kategori_bukan_spam") or "pertanyaan"
                detail = f"bukan spam menurut {name}: kasus biasa ({case.category})"
            else:
                action = "sembunyikan" if item.number in choice.hidden else "tutup"
                case.close(stage="moderation", action=action, hide=action == "sembunyikan", **signed)
                detail = f"{action} oleh {name} (gelombang #{wave_id})"
            events.record(session, "moderation", "end", comment_id=case.id, detail=detail)
        wave.decided_at = utcnow()
    refresh_approval_queue()
    return {"kept": len(choice.kept), "hidden": len(choice.hidden), "closed": len(choice.closed)}

