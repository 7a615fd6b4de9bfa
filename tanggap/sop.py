"""The SOP in one place: its steps with their standard minutes, the roles, and the chain of people
a draft passes through. Forms, the event log, the approval queue, the deadline watch and the
records all read it from here.

The minutes are a setting (`TANGGAP_SOP_MINUTES`, "10/30/15/5/5" for SOP steps 1-5) and the
Ketua Tim Kerja's follow-up of the draft can be switched off (`TANGGAP_TEAM_LEAD_FOLLOW_UP=0`)
when the drafts are trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tanggap.settings import get_settings


@dataclass(frozen=True)
class Role:
    title: str  # as the SOP and the archive name it
    slug: str  # in run tags: menunggu:<slug>


TEAM_LEAD = Role("Ketua Tim Kerja Kepegawaian dan Tata Usaha", "ketua-tim-kerja")
HEAD_OF_GENERAL_AFFAIRS = Role("Kepala Bagian Umum", "kepala-bagian-umum")
HEAD_OF_CENTRE = Role("Kepala Balai", "kepala-balai")
OPERATIONS = Role("Petugas operasional", "petugas-operasional")
PUBLIC_RELATIONS = Role("Pranata Humas", "pranata-humas")
ROLES = (TEAM_LEAD, HEAD_OF_GENERAL_AFFAIRS, HEAD_OF_CENTRE, OPERATIONS)


@dataclass(frozen=True)
class Step:
    key: str  # as in the event log
    number: int | None  # the SOP's step number; None for the house's own steps
    label: str
    role: Role | None = None  # who acts, where a person does

    @property
    def minutes(self) -> int | None:
        """The SOP's standard time for this step (from the settings), None where the SOP sets none."""
        return sop_minutes()[self.number - 1] if self.number else None


STEPS: dict[str, Step] = {s.key: s for s in (
    Step("check", 1, "Pemeriksaan & inventarisasi komentar", PUBLIC_RELATIONS),
    Step("draft", 2, "Penyusunan draf jawaban"),
    Step("follow_up", 2, "Tindak lanjut draf oleh Ketua Tim Kerja", TEAM_LEAD),
    # Spam is followed up a wave at a time, by the first person of the chain (see moderator()).
    Step("moderation", 2, "Moderasi spam (satu keputusan per gelombang)"),
    Step("correction", 3, "Koreksi oleh Kepala Bagian Umum", HEAD_OF_GENERAL_AFFAIRS),
    Step("decision", 3, "Keputusan Kepala Balai (kebijakan internal)", HEAD_OF_CENTRE),
    Step("publish", 4, "Pengiriman jawaban", PUBLIC_RELATIONS),
    Step("confirm", 5, "Konfirmasi jawaban diterima"),
    Step("hide", None, "Penyembunyian komentar dari publik"),
    Step("archive", None, "Pengarsipan softfile & hardfile"),
    Step("attention", None, "Penanganan kasus bermasalah oleh petugas", OPERATIONS),
    Step("restart", None, "Run dimulai ulang oleh pemeriksaan"),
)}

# The stages where a run waits for a person, by their form's name (also the run's name prefix).
STAGE_NAMES = {"follow_up": "tindak-lanjut", "correction": "koreksi", "decision": "keputusan",
               "attention": "perlu-penanganan", "moderation": "moderasi-spam"}


def sop_minutes() -> tuple[int, ...]:
    """The standard minutes of SOP steps 1-5."""
    return get_settings().sop_minutes


def total_minutes() -> int:
    """From a comment found to the commenter having the answer (65 with the SOP's own figures)."""
    return sum(sop_minutes())


def chain() -> tuple[str, ...]:
    """The people a draft passes through before it is sent, in order (escalation adds "decision")."""
    return ("follow_up", "correction") if get_settings().team_lead_follow_up else ("correction",)


def moderator() -> Role:
    """Who settles a spam wave: the first person a comment goes to for follow-up (the Ketua Tim
    Kerja, or the Kepala Bagian Umum when that stage is off)."""
    return STEPS[chain()[0]].role


def previous_stage(stage: str) -> str | None:
    """Where *Kembalikan* sends a case from `stage`: one stage back, None at the first."""
    order = (*chain(), "decision")
    at = order.index(stage)
    return order[at - 1] if at > 0 else None


def deadline(since: datetime, step: str) -> datetime | None:
    """When a step handed over at `since` is due under the SOP (None: the SOP sets no time)."""
    minutes = STEPS[step].minutes
    return since + timedelta(minutes=minutes) if minutes is not None else None
