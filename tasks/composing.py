"""Writing the draft answer: a pure function from the comment and its triage to the text the approver corrects.

Questions are answered from the knowledge base, with the source named; when nothing there
answers well the draft says so plainly and asks for a manual answer. No template placeholder
is ever produced. Spam gets no draft at all: it is never answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import regex

from tanggap.settings import Office

from .channels import CONNECTORS
from .knowledge import Match, knowledge_base
from tanggap.dates import WIB

from .rendering import environment, render

SHORT_REPLY_LIMIT = 500  # channels whose replies must be shorter (X: 280) get the short templates
LAPOR_URL = "https://www.lapor.go.id"
NEEDS_MANUAL = "perlu jawaban manual"
# Complaints and policy questions quote the knowledge base only when it clearly concerns them: a
# loosely related fact reads as a brush-off, and a policy matter is the head of office's to answer.
CLEAR_MATCH = 0.5
_LEGACY_CATEGORIES = {"aduan": "keluhan", "umum": "apresiasi"}  # cases triaged before the six categories


@dataclass(frozen=True)
class Draft:
    """A draft answer and what the approver should know about it."""

    text: str  # empty for spam: nothing is ever sent
    source: str | None  # where the facts come from, shown in the form
    needs_manual: bool  # the draft could not answer: a person must write the answer
    answer_id: str | None = None  # the knowledge-base entry used
    notes: list[str] = field(default_factory=list)

    def as_record(self) -> dict:
        return {"source": self.source, "needs_manual": self.needs_manual, "answer_id": self.answer_id,
                "notes": list(self.notes)}


def greeting(now: datetime) -> str:
    """The time-of-day greeting in WIB, as an Indonesian office writes it."""
    hour = now.astimezone(WIB).hour
    if 3 <= hour < 11:
        return "Selamat pagi"
    if 11 <= hour < 15:
        return "Selamat siang"
    if 15 <= hour < 18:
        return "Selamat sore"
    return "Selamat malam"


def salutation(author_name: str) -> str:
    """'Bapak/Ibu <name>', with nothing in the name that a platform could turn into a mention or a link."""
    name = regex.sub(r"https?://\S+|[@#＠]", " ", author_name)
    name = " ".join(name.split())[:60].strip(" .,-")
    return f"Bapak/Ibu {name}" if name and name != "Anonim" else "Bapak/Ibu"


def _render_fact(text: str, office: Office) -> str:
    return environment().from_string(text).render(kantor=office).strip()


def compose_draft(*, text: str, category: str, policy: bool, channel_kind: str, author_name: str,
                  now: datetime, office: Office) -> Draft:
    """The first version of the answer to one comment, fitted to the channel's limit."""
    category = _LEGACY_CATEGORIES.get(category, category)
    if category == "spam":
        return Draft(text="", source=None, needs_manual=False,
                     notes=["spam: tidak pernah dijawab; sembunyikan atau tutup"])
    connector = CONNECTORS[channel_kind]
    short = connector.reply_limit < SHORT_REPLY_LIMIT
    match: Match | None = None
    # A suggestion or a thank-you may also ask something ("Mantap! Kapan angkatan berikutnya?").
    also_asks = category in ("saran", "apresiasi") and "?" in text
    if category == "pertanyaan" or (category == "keluhan" and not short) or also_asks:
        match = knowledge_base().best(text)
        if (category != "pertanyaan" or policy) and match and match.score < CLEAR_MATCH:
            match = None
    notes = []
    if also_asks and match:
        notes.append("komentar ini juga bertanya: jawaban dari basis pengetahuan disertakan, periksa kecocokannya")
    if policy:
        notes.append("menyangkut kebijakan internal: jawaban akhir diputuskan Kepala Balai")
    if category == "kasar":
        notes.append("kata kasar: bila tidak ada hal yang perlu ditanggapi, pilih tutup atau sembunyikan")

    def draft_text(with_answer: bool, with_source: bool = True) -> str:
        entry = match.entry if match and with_answer else None
        facts = _render_fact(entry.short if short else entry.answer, office) if entry else ""
        cited = "" if entry is None else (entry.link or entry.source) if short else entry.citation
        return render(
            f"replies/{'singkat/' if short else ''}{category}.txt.j2",
            salam=greeting(now),
            sapaan="Bapak/Ibu" if short else salutation(author_name),  # X: a name must never become a mention
            jawaban=facts, sumber=cited if with_source else "", kantor=office, lapor=LAPOR_URL,
        ).strip()

    body = draft_text(with_answer=True)
    if match and connector.reply_length(body) > connector.reply_limit:
        body = draft_text(with_answer=True, with_source=False)
    answered = match is not None and connector.reply_length(body) <= connector.reply_limit
    if not answered:
        body = draft_text(with_answer=False)
    needs_manual = category == "pertanyaan" and not answered
    if needs_manual:
        notes.insert(0, f"{NEEDS_MANUAL}: tidak ada jawaban yang cocok di basis pengetahuan")
    if connector.reply_length(body) > connector.reply_limit:  # only a misconfigured office text gets here
        notes.insert(0, f"{NEEDS_MANUAL}: draf melebihi batas kanal, harus dipersingkat")
        needs_manual = True
    source = f"Basis pengetahuan: {match.entry.title} — {match.entry.citation}" if answered else None
    return Draft(text=body, source=source, needs_manual=needs_manual,
                 answer_id=match.entry.id if answered else None, notes=notes)
