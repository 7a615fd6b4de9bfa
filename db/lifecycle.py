"""The life cycle of one case (one incoming comment): its states, the moves the SOP allows, and
the verbs that make them.

No Prefect, HTTP or SQL here. `Comment` carries these verbs; tasks load a case inside their
transaction and call a verb, which raises `InvalidTransition` on a move the SOP does not allow.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone


class CaseStatus(str, enum.Enum):
    NEW = "new"  # in the inventory (SOP step 1)
    DRAFTED = "drafted"  # draft answer written (step 2)
    AWAITING_FOLLOW_UP = "awaiting_follow_up"  # with the Ketua Tim Kerja (step 2), when that stage is on
    AWAITING_CORRECTION = "awaiting_correction"  # with the Kepala Bagian Umum (step 3)
    AWAITING_DECISION = "awaiting_decision"  # escalated to the Kepala Balai (step 3)
    APPROVED = "approved"  # final answer fixed, not yet sent
    CLOSED = "closed"  # decided: no reply (or operations ended the case)
    PUBLISHED = "published"  # sent on the channel (step 4)
    CONFIRMED = "confirmed"  # seen on the channel (step 5)
    ARCHIVED = "archived"  # softfile and hardfile written
    NEEDS_ATTENTION = "needs_attention"  # perlu penanganan: a step failed; retried on schedule or by operations


# Statuses in which a step is still to be done: each can fail into NEEDS_ATTENTION.
WORKING = frozenset(CaseStatus) - {CaseStatus.ARCHIVED, CaseStatus.NEEDS_ATTENTION}
# Nothing has been sent yet: the answer can still go back to correction or be withheld.
UNSENT = frozenset({CaseStatus.NEW, CaseStatus.DRAFTED, CaseStatus.AWAITING_FOLLOW_UP,
                    CaseStatus.AWAITING_CORRECTION, CaseStatus.AWAITING_DECISION, CaseStatus.APPROVED})
WAITING_FOR_PEOPLE = frozenset({CaseStatus.AWAITING_FOLLOW_UP, CaseStatus.AWAITING_CORRECTION,
                                CaseStatus.AWAITING_DECISION, CaseStatus.NEEDS_ATTENTION})
# The stage (form) a case waits at in each waiting status.
STAGE_OF_STATUS = {CaseStatus.AWAITING_FOLLOW_UP: "follow_up", CaseStatus.AWAITING_CORRECTION: "correction",
                   CaseStatus.AWAITING_DECISION: "decision", CaseStatus.NEEDS_ATTENTION: "attention"}
STATUS_OF_STAGE = {stage: status for status, stage in STAGE_OF_STATUS.items()}

_SOP_MOVES: dict[CaseStatus, set[CaseStatus]] = {
    CaseStatus.NEW: {CaseStatus.DRAFTED, CaseStatus.CLOSED},  # CLOSED: spam settled in one moderation
    CaseStatus.DRAFTED: {CaseStatus.AWAITING_FOLLOW_UP, CaseStatus.AWAITING_CORRECTION},
    # Forward to correction, or close (spam needs no one further up).
    CaseStatus.AWAITING_FOLLOW_UP: {CaseStatus.AWAITING_CORRECTION, CaseStatus.CLOSED},
    # ... or Kembalikan: back one stage, to the Ketua Tim Kerja.
    CaseStatus.AWAITING_CORRECTION: {CaseStatus.APPROVED, CaseStatus.AWAITING_DECISION, CaseStatus.CLOSED,
                                     CaseStatus.AWAITING_FOLLOW_UP},
    CaseStatus.AWAITING_DECISION: {CaseStatus.APPROVED, CaseStatus.CLOSED, CaseStatus.AWAITING_CORRECTION},
    CaseStatus.APPROVED: {CaseStatus.PUBLISHED},
    CaseStatus.PUBLISHED: {CaseStatus.CONFIRMED},
    CaseStatus.CONFIRMED: {CaseStatus.ARCHIVED},
    CaseStatus.CLOSED: {CaseStatus.ARCHIVED},
    CaseStatus.ARCHIVED: set(),
    # Back to where it stopped (coba lagi), back to correction (only while unsent), or ended (tutup).
    CaseStatus.NEEDS_ATTENTION: set(WORKING),
}
ALLOWED_MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {
    status: frozenset(moves | ({CaseStatus.NEEDS_ATTENTION} if status in WORKING else set()))
    for status, moves in _SOP_MOVES.items()
}

# The SOP step a case in each status is working on: where a failure is recorded.
STEP_OF_STATUS = {
    CaseStatus.NEW: "draft",
    CaseStatus.DRAFTED: "correction",
    CaseStatus.AWAITING_FOLLOW_UP: "follow_up",
    CaseStatus.AWAITING_CORRECTION: "correction",
    CaseStatus.AWAITING_DECISION: "decision",
    CaseStatus.APPROVED: "publish",
    CaseStatus.PUBLISHED: "confirm",
    CaseStatus.CONFIRMED: "archive",
    CaseStatus.CLOSED: "archive",
}


class InvalidTransition(Exception):
    """A case was asked to move in a way the SOP does not allow."""


class CaseLifeCycle:
    """The verbs of a case. `Comment` mixes this in and supplies `add_version` and `add_decision`."""

    status: CaseStatus
    resume_status: CaseStatus | None
    attention_step: str | None
    attention_count: int
    last_error: str | None
    retry_at: datetime | None
    correction_round: int
    status_since: datetime | None
    overdue_at: datetime | None

    def _move(self, new: CaseStatus) -> None:
        if new not in ALLOWED_MOVES[self.status]:
            raise InvalidTransition(f"case {getattr(self, 'id', '?')}: {self.status.value} -> {new.value} "
                                    "is not allowed")
        self.status = new
        # The SOP clock of the new status starts now; an earlier breach belonged to the old one.
        self.status_since, self.overdue_at = datetime.now(timezone.utc), None

    # --- SOP steps 2 and 3 ------------------------------------------------------------
    def write_draft(self, text: str, *, by: str, role: str):
        self._move(CaseStatus.DRAFTED)
        return self.add_version("draft", text, author_name=by, role=role)

    def await_follow_up(self) -> None:
        """The draft goes to the Ketua Tim Kerja first (SOP step 2)."""
        self._move(CaseStatus.AWAITING_FOLLOW_UP)

    def await_correction(self) -> None:
        self._move(CaseStatus.AWAITING_CORRECTION)

    def forward_to_correction(self, text: str, *, by: str, role: str, note: str = "", **decision) -> None:
        """The Ketua Tim Kerja has followed the draft up: on to the Kepala Bagian Umum."""
        self._move(CaseStatus.AWAITING_CORRECTION)
        self.add_decision(stage="follow_up", actor_name=by, role=role, action="teruskan", note=note, **decision)
        self._keep_if_changed("follow_up", text, by, role)

    def send_back(self, *, stage: str, by: str, role: str, note: str, **decision) -> None:
        """Kembalikan: the case goes back one stage with the note; the earlier stage is asked afresh."""
        back = {CaseStatus.AWAITING_CORRECTION: CaseStatus.AWAITING_FOLLOW_UP,
                CaseStatus.AWAITING_DECISION: CaseStatus.AWAITING_CORRECTION}.get(self.status)
        if back is None:
            raise InvalidTransition(f"case {getattr(self, 'id', '?')}: nothing to send back to from "
                                    f"{self.status.value}")
        self._move(back)
        self.add_decision(stage=stage, actor_name=by, role=role, action="kembalikan", note=note, **decision)
        self.correction_round = (self.correction_round or 0) + 1

    def approve(self, text: str, *, stage: str, by: str, role: str, action: str, note: str = "", **decision) -> None:
        """The answer is final: it goes out as `text` (a new version when someone changed it)."""
        self._move(CaseStatus.APPROVED)
        self.add_decision(stage=stage, actor_name=by, role=role, action=action, note=note, **decision)
        self._keep_if_changed(stage, text, by, role)

    def escalate(self, text: str, *, by: str, role: str, note: str = "", **decision) -> None:
        """Internal policy: the Kepala Balai decides (SOP step 3)."""
        self._move(CaseStatus.AWAITING_DECISION)
        self.add_decision(stage="correction", actor_name=by, role=role, action="eskalasi", note=note, **decision)
        self._keep_if_changed("correction", text, by, role)

    def close(self, *, stage: str, by: str, role: str, action: str, note: str = "", hide: bool = False,
              **decision) -> None:
        """No answer is sent; with `hide`, the comment is also hidden from the public where the channel can."""
        if hide and not self.can_hide:
            raise InvalidTransition(f"case {getattr(self, 'id', '?')}: the channel cannot hide this comment")
        self._move(CaseStatus.CLOSED)
        self.add_decision(stage=stage, actor_name=by, role=role, action=action, note=note, **decision)
        self.hide_requested = hide

    def _keep_if_changed(self, kind: str, text: str, by: str, role: str) -> None:
        text = text.strip()
        if self.current_reply is None or text != self.current_reply.text:
            self.add_version(kind, text, author_name=by, role=role)

    # --- SOP steps 4 and 5, and the record ---------------------------------------------
    def record_publication(self, *, external_reply_id: str, link: str | None, channel_text: str | None,
                           at: datetime) -> None:
        self._move(CaseStatus.PUBLISHED)
        publication = self.publication
        publication.external_reply_id, publication.reply_link, publication.published_at = external_reply_id, link, at
        publication.channel_text = channel_text
        publication.last_error = None
        self._clear_trouble()

    def confirm(self, *, at: datetime, channel_text: str | None = None) -> None:
        self._move(CaseStatus.CONFIRMED)
        self.publication.confirmed_at = at
        if channel_text is not None:
            self.publication.channel_text = channel_text

    def archive(self) -> None:
        self._move(CaseStatus.ARCHIVED)
        self._clear_trouble()

    # --- perlu penanganan ----------------------------------------------------------------
    def needs_attention(self, *, step: str, error: str, retry_at: datetime | None) -> None:
        """A step failed: the case waits here, for a scheduled retry (`retry_at`) or for operations."""
        resume = self.status
        self._move(CaseStatus.NEEDS_ATTENTION)
        self.resume_status, self.attention_step = resume, step
        self.last_error, self.retry_at = error, retry_at
        self.attention_count = (self.attention_count or 0) + 1

    def retry(self) -> None:
        """Coba lagi: back to the step that failed."""
        self._leave_attention(self.resume_status)

    def return_to_correction(self) -> None:
        """Kembalikan ke koreksi: the draft goes back to the Kepala Bagian Umum (only while unsent)."""
        if self.resume_status not in UNSENT or self.was_answered:
            raise InvalidTransition(f"case {getattr(self, 'id', '?')}: the answer is already on the channel")
        self._leave_attention(CaseStatus.DRAFTED if self.current_reply else CaseStatus.NEW)
        self.correction_round = (self.correction_round or 0) + 1

    def end_after_attention(self) -> None:
        """Tutup: operations ends the case as it stands; it is archived with what was done."""
        self._leave_attention(CaseStatus.CLOSED)

    def _leave_attention(self, status: CaseStatus | None) -> None:
        if self.status != CaseStatus.NEEDS_ATTENTION or status is None:
            raise InvalidTransition(f"case {getattr(self, 'id', '?')}: not waiting for operations")
        self._move(status)
        self.resume_status = self.attention_step = None
        self._clear_trouble()

    def _clear_trouble(self) -> None:
        self.last_error = self.retry_at = None
