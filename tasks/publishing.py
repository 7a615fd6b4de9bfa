"""SOP steps 4 and 5: send the approved answer on the comment's own channel, then see it there.

No platform offers idempotency keys, so the intent is recorded before each POST and every
attempt looks for our reply on the channel before posting.
"""

from __future__ import annotations

from datetime import timedelta

from prefect import task

from db.models import CaseStatus, Publication, utcnow
from db.session import session_scope

from . import events
from .cases import channel_config, load_case, ref_of
from .channel_access import channel_client
from .channels.base import ChannelError, Unavailable
from .retrying import is_transient_failure


class NotYetVisible(Unavailable):
    reason = "Jawaban belum terlihat di kanal"


@task(task_run_name="kirim-jawaban-{comment_id}", retries=4, retry_delay_seconds=[5, 30, 120, 600],
      retry_condition_fn=is_transient_failure)
def publish_reply(comment_id: int) -> str | None:
    """Post the final answer once; returns the platform's id of our reply."""
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if case.status != CaseStatus.APPROVED:
            return case.publication.external_reply_id if case.publication else None
        events.start_once(session, "publish", comment_id=comment_id)
        if case.publication is None:
            case.publication = Publication(text=case.current_reply.text, attempts=0)
        publication = case.publication
        earlier_attempts = publication.attempts
        publication.attempts += 1  # the intent is committed before anything is sent
        config, ref, text = channel_config(case.channel), ref_of(case), publication.text

    try:
        with channel_client(config) as client:
            # Look before posting: after a crash or an unanswered POST, or when someone answered
            # by hand meanwhile, our reply is already there.
            existing = client.find_our_reply(ref, text)
            reply = existing or client.reply(ref, text)
    except ChannelError as exc:
        _note_failure(comment_id, "publish", exc)
        raise

    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        case.publication.external_reply_id = reply.external_id
        case.publication.reply_link = reply.link
        case.publication.published_at = utcnow()
        case.publication.last_error = case.last_error = case.retry_at = None
        case.move_to(CaseStatus.PUBLISHED)
        events.record(session, "publish", "end", comment_id=comment_id,
                      detail=f"id balasan {reply.external_id}, percobaan ke-{earlier_attempts + 1}"
                      + (", balasan resmi sudah ada di kanal: tidak dikirim lagi" if existing else ""))
    return reply.external_id


@task(task_run_name="konfirmasi-jawaban-{comment_id}", retries=3, retry_delay_seconds=[10, 60, 300],
      retry_condition_fn=is_transient_failure)
def confirm_reply(comment_id: int) -> None:
    """Read the thread back from the channel and find our reply there."""
    with session_scope() as session:
        case = load_case(session, comment_id)
        if case.status != CaseStatus.PUBLISHED:
            return
        events.start_once(session, "confirm", comment_id=comment_id)
        config, ref = channel_config(case.channel), ref_of(case)
        expected, text = case.publication.external_reply_id, case.publication.text
    try:
        with channel_client(config) as client:
            seen = client.find_our_reply(ref, text)
        if seen is None or seen.external_id != expected:
            raise NotYetVisible(f"balasan {expected} belum tampil di bawah komentar {ref.external_id}")
    except ChannelError as exc:
        _note_failure(comment_id, "confirm", exc)
        raise
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        case.publication.confirmed_at = utcnow()
        case.move_to(CaseStatus.CONFIRMED)
        events.record(session, "confirm", "end", comment_id=comment_id, detail="balasan tampil di kanal")


@task(task_run_name="sembunyikan-komentar-{comment_id}", retries=3, retry_delay_seconds=[10, 60, 300],
      retry_condition_fn=is_transient_failure)
def hide_comment(comment_id: int) -> bool:
    """Hide a closed comment from the public when the approver chose "sembunyikan"."""
    with session_scope() as session:
        case = load_case(session, comment_id)
        chose_to_hide = any(d.action == "sembunyikan" for d in case.decisions)
        hidden = any(e.step == "hide" and e.phase == "end" for e in events.for_case(session, comment_id))
        if case.status != CaseStatus.CLOSED or not chose_to_hide or hidden:
            return hidden
        events.start_once(session, "hide", comment_id=comment_id)
        config, ref = channel_config(case.channel), ref_of(case)
    try:
        with channel_client(config) as client:
            client.hide(ref)  # hiding twice is harmless on every platform
    except ChannelError as exc:
        _note_failure(comment_id, "hide", exc)
        raise
    with session_scope() as session:
        events.record(session, "hide", "end", comment_id=comment_id, detail="komentar disembunyikan di kanal")
    return True


def _note_failure(comment_id: int, step: str, exc: ChannelError) -> None:
    """Keep the error where operations look: on the case, in the event log and in the run log."""
    events.operations_log().warning("Kasus %s, langkah %s: %s", comment_id, step, exc)
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        case.last_error = str(exc)
        # A passing failure may be tried again by a later run (see restart_stalled_cases).
        case.retry_at = utcnow() + timedelta(seconds=exc.retry_after or 600) if exc.transient else None
        if case.publication is not None:
            case.publication.last_error = str(exc)
        events.record(session, step, "error", comment_id=comment_id, detail=str(exc)[:2000])
