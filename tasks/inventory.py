"""SOP step 1: check every channel, keep each new comment, list them in the inventory."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db.models import Channel, CheckRun, Comment, Publication, utcnow
from db.session import session_scope
from tanggap.settings import ChannelConfig, get_settings

from . import events
from .channel_access import channel_client
from .channels.base import Listing
from .channels.text import excerpt
from .rendering import waktu
from .retrying import NETWORK_RETRIES, is_transient_failure
from .triage import CATEGORY_LABELS, classify_many

INVENTORY_ARTIFACT_KEY = "daftar-inventaris-komentar"


@task(task_run_name="buka-pemeriksaan")
def open_check_run() -> int:
    """Start a check: register the configured channels and note the start time."""
    with session_scope() as session:
        for config in get_settings().channels():
            channel = session.scalar(select(Channel).where(Channel.key == config.key))
            if channel is None:
                session.add(Channel(key=config.key, kind=config.kind, name=config.name))
            else:
                channel.kind, channel.name = config.kind, config.name
        check = CheckRun(flow_run_id=events.current_flow_run_id())
        session.add(check)
        session.flush()
        events.record(session, "check", "start", check_run_id=check.id, at=check.started_at)
        return check.id


@task(task_run_name="ambil-komentar-{config.key}", retries=NETWORK_RETRIES,
      retry_delay_seconds=[2, 10, 30], retry_condition_fn=is_transient_failure)
def fetch_new_comments(config: ChannelConfig) -> Listing:
    """Ask one channel for comments since its stored cursor."""
    with session_scope() as session:
        cursor = session.scalar(select(Channel.cursor).where(Channel.key == config.key))
    with channel_client(config) as client:
        return client.list_new_comments(cursor)


@task(task_run_name="simpan-komentar-{config.key}")
def store_comments(check_run_id: int, config: ChannelConfig, listing: Listing) -> int:
    """Keep what is new (one row per channel + external id), then move the cursor."""
    with session_scope() as session:
        channel = session.scalar(select(Channel).where(Channel.key == config.key))
        check = session.get(CheckRun, check_run_id)
        ids = [c.ref.external_id for c in listing.comments]
        known = set(session.scalars(
            select(Comment.external_id).where(Comment.channel_id == channel.id, Comment.external_id.in_(ids))))
        # Belt and braces: whatever the connector says, a reply we published is never a new comment.
        ours = set(session.scalars(
            select(Publication.external_reply_id).join(Comment)
            .where(Comment.channel_id == channel.id, Publication.external_reply_id.in_(ids))))
        fresh = []
        for incoming in listing.comments:
            if incoming.ref.external_id not in known and incoming.ref.external_id not in ours:
                known.add(incoming.ref.external_id)
                fresh.append(incoming)
        new = 0
        for incoming, verdict in zip(fresh, classify_many([c.text for c in fresh], config.kind)):
            external_id = incoming.ref.external_id
            comment = Comment(
                channel=channel, external_id=external_id, thread_id=incoming.ref.thread_id,
                parent_external_id=incoming.ref.parent_external_id, author_name=incoming.author_name[:300],
                author_external_id=incoming.author_external_id, text=incoming.text, link=incoming.link,
                posted_at=incoming.posted_at, raw_payload=incoming.raw, check_run_id=check_run_id,
                category=verdict.category, triage=verdict.as_record(),
            )
            try:
                with session.begin_nested():  # a concurrent check may have stored it a moment ago
                    session.add(comment)
            except IntegrityError:
                continue
            events.record(session, "check", "start", comment_id=comment.id, at=check.started_at)
            events.record(session, "check", "end", comment_id=comment.id, detail=f"pemeriksaan #{check_run_id}")
            new += 1
        channel.cursor = listing.cursor or channel.cursor
        check.seen_count += len(listing.comments)
        check.new_count += new
        if listing.problems:
            check.errors = {**check.errors, config.key: "; ".join(listing.problems)[:4000]}
        return new


@task(task_run_name="catat-kegagalan-{config.key}")
def record_channel_failure(check_run_id: int, config: ChannelConfig, message: str) -> None:
    """A channel that could not be read is noted; the rest of the check goes on."""
    events.operations_log().error("Kanal %s gagal diperiksa: %s", config.key, message)
    with session_scope() as session:
        check = session.get(CheckRun, check_run_id)
        check.errors = {**check.errors, config.key: message[:4000]}


@task(task_run_name="tutup-pemeriksaan")
def close_check_run(check_run_id: int) -> dict:
    with session_scope() as session:
        check = session.get(CheckRun, check_run_id)
        check.finished_at = utcnow()
        events.record(session, "check", "end", check_run_id=check_run_id,
                      detail=f"{check.new_count} baru dari {check.seen_count} terbaca")
        return {"check_run_id": check.id, "new": check.new_count, "seen": check.seen_count,
                "errors": dict(check.errors)}


@task(task_run_name="terbitkan-daftar-inventaris")
def publish_inventory(check_run_id: int) -> None:
    """The Daftar Inventaris Komentar Masuk of this check, as a table artifact."""
    with session_scope() as session:
        check = session.get(CheckRun, check_run_id)
        comments = session.scalars(
            select(Comment).where(Comment.check_run_id == check_run_id).order_by(Comment.posted_at)
        ).all()
        rows = [
            {
                "No": number,
                "Waktu ditemukan": waktu(comment.found_at),
                "Kanal": comment.channel.name,
                "Penulis": comment.author_name,
                "Kutipan komentar": excerpt(comment.text),
                "Kategori": CATEGORY_LABELS.get(comment.category, comment.category),
                "Tautan": comment.link or "-",
                "Kasus": f"#{comment.id}",
            }
            for number, comment in enumerate(comments, start=1)
        ]
        failures = "; ".join(f"{key}: {msg}" for key, msg in check.errors.items())
        description = (
            f"**Daftar Inventaris Komentar Masuk** — pemeriksaan #{check.id}, {waktu(check.started_at)}. "
            f"{len(rows)} komentar baru."
            + (f"\n\n**Kanal bermasalah:** {failures}" if failures else "")
        )
    create_table_artifact(key=INVENTORY_ARTIFACT_KEY, table=rows, description=description)

