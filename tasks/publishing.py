"""SOP steps 4 and 5: send the approved answer on the comment's own channel, then see it there.

No platform offers idempotency keys. So the run first takes the case's sending lease, records
its intent, looks for our reply on the channel (`tasks.reply_matching`), and posts only when
there is none; the platform's id is stored in the transaction that marks the case published.
"""

from __future__ import annotations

from prefect import task
from sqlalchemy import select

from db.models import CaseStatus, Publication, utcnow
from db.session import session_scope
from tanggap.failpoints import crash_point

from . import events, lease
from .cases import channel_config, load_case, ref_of
from .channel_access import channel_client
from .channels.base import AuthError, ChannelError, Duplicate, NotFound, PublishedReply, Rejected, Unavailable
from .reply_matching import pick_our_reply, same_text
from .retrying import is_transient_failure


class NotYetVisible(Unavailable):
    reason = "Jawaban belum terlihat di kanal"


@task(task_run_name="kirim-jawaban-{comment_id}", retries=4, retry_delay_seconds=[5, 30, 120, 600],
      retry_condition_fn=is_transient_failure)
def publish_reply(comment_id: int) -> str | None:
    """Post the final answer once. Returns a note when another run holds the case (this run stops)."""
    me = lease.holder()
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if case.status != CaseStatus.APPROVED:
            return None
        other = lease.claim(session, case, me)
        if other is not None:
            note = (f"Kasus #{comment_id} tidak dikirim oleh run ini: run {other.claimed_by} sedang mengirim "
                    f"jawaban di utas yang sama (kasus #{other.id}). Run itu yang menyelesaikannya.")
            events.record(session, "publish", "note", comment_id=comment_id, detail=note)
            return note
        events.start_once(session, "publish", comment_id=comment_id)
        if case.publication is None:
            case.publication = Publication(text=case.current_reply.text, attempts=0, channel_id=case.channel_id,
                                           intent_at=utcnow())
        publication = case.publication
        publication.attempts += 1  # the intent is committed before anything is sent
        attempt, text, intent_at = publication.attempts, publication.text, publication.intent_at
        config, ref = channel_config(case.channel), ref_of(case)
    crash_point("after_intent", comment_id)  # crash suite: the intent is committed, nothing sent

    try:
        with channel_client(config, sending=True) as client:
            # Look before posting: after a crash or an unanswered POST, or when someone answered
            # by hand meanwhile, our reply is already there.
            def ours() -> PublishedReply | None:
                candidates = client.our_replies(ref)
                return pick_our_reply(candidates, text=text, intent_at=intent_at,
                                      threads_exactly=client.threads_exactly,
                                      taken=_recorded_for_other_cases(comment_id, candidates))
            existing = ours()
            if existing is None:
                try:
                    reply = client.reply(ref, text)
                    crash_point("after_post", comment_id)  # crash suite: posted, not yet recorded
                except Duplicate:
                    reply = ours()  # the platform says it is there already: it must be ours
                    if reply is None:
                        raise
            else:
                reply = existing
    except ChannelError as exc:
        _release(comment_id, me, "publish", exc)
        raise

    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if case.status != CaseStatus.APPROVED or not lease.holds(case, me):
            note = f"Kasus #{comment_id} sudah diselesaikan run lain selama pengiriman ini; tidak dicatat dua kali."
            events.record(session, "publish", "note", comment_id=comment_id, detail=note)
            return note
        channel_text = reply.text if reply.text is not None and not same_text(reply.text, text) else None
        case.record_publication(external_reply_id=reply.external_id, link=reply.link, channel_text=channel_text,
                                at=utcnow())
        lease.release(case)
        detail = f"id balasan {reply.external_id}, percobaan ke-{attempt}"
        if existing is not None:
            detail += ", balasan resmi sudah ada di kanal: tidak dikirim lagi"
        if channel_text is not None:
            detail += "; teks di kanal berbeda dari yang disetujui (diketik langsung di kanal), yang di kanal dicatat"
        events.record(session, "publish", "end", comment_id=comment_id, detail=detail)
    return None


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
        with channel_client(config, sending=True) as client:
            seen = next((r for r in client.our_replies(ref) if r.external_id == expected), None)
        if seen is None:
            raise NotYetVisible(f"balasan {expected} belum tampil di bawah komentar {ref.external_id}")
    except ChannelError as exc:
        _note_failure(comment_id, "confirm", exc)
        raise
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if case.status != CaseStatus.PUBLISHED:
            return
        differs = seen.text is not None and not same_text(seen.text, text)
        case.confirm(at=utcnow(), channel_text=seen.text if differs else None)
        events.record(session, "confirm", "end", comment_id=comment_id,
                      detail="balasan tampil di kanal" + ("; teksnya berbeda dari yang disetujui" if differs else ""))


@task(task_run_name="sembunyikan-komentar-{comment_id}", retries=3, retry_delay_seconds=[10, 60, 300],
      retry_condition_fn=is_transient_failure)
def hide_comment(comment_id: int) -> str | None:
    """Hide a closed comment from the public when a person chose "sembunyikan".

    A platform that refuses (X outside our own conversations, a comment already gone) is noted
    on the case, and the case is archived all the same.
    """
    with session_scope() as session:
        case = load_case(session, comment_id)
        if case.status != CaseStatus.CLOSED or not case.hide_requested or case.hide_result:
            return case.hide_result
        events.start_once(session, "hide", comment_id=comment_id)
        config, ref = channel_config(case.channel), ref_of(case)
    try:
        with channel_client(config, sending=True) as client:
            client.hide(ref)  # hiding twice is harmless on every platform
        result, detail = "hidden", "komentar disembunyikan di kanal"
    except (Rejected, AuthError, NotFound) as exc:
        result, detail = "refused", f"kanal menolak menyembunyikan komentar, kasus tetap diarsipkan: {exc}"
        events.operations_log().warning("Kasus %s: %s", comment_id, detail)
    except ChannelError as exc:
        _note_failure(comment_id, "hide", exc)
        raise
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        case.hide_result = result
        events.record(session, "hide", "end", comment_id=comment_id, detail=detail[:2000])
    return result


def _recorded_for_other_cases(comment_id: int, candidates: list[PublishedReply]) -> set[str]:
    """Which of `candidates` are already recorded as another case's reply: never ours to adopt."""
    if not candidates:
        return set()
    with session_scope() as session:
        channel_id = session.scalar(select(Publication.channel_id).where(Publication.comment_id == comment_id))
        return set(session.scalars(select(Publication.external_reply_id).where(
            Publication.channel_id == channel_id, Publication.comment_id != comment_id,
            Publication.external_reply_id.in_([c.external_id for c in candidates]))))


def _release(comment_id: int, me: str, step: str, exc: ChannelError) -> None:
    """After a failed attempt the lease goes back: a retry (ours or another run's) looks first."""
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if lease.holds(case, me):
            lease.release(case)
    _note_failure(comment_id, step, exc)


def _note_failure(comment_id: int, step: str, exc: ChannelError) -> None:
    """Keep each failed attempt where operations look: in the event log and the run log.

    Whether the case then needs a person is decided once, by `tasks.failures`, when the step
    has no retries left.
    """
    events.operations_log().warning("Kasus %s, langkah %s: %s", comment_id, step, exc)
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        case.last_error = str(exc)
        if case.publication is not None:
            case.publication.last_error = str(exc)
        events.record(session, step, "error", comment_id=comment_id, detail=str(exc)[:2000])
