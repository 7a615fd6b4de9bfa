"""SOP step 1: check every channel, keep each new comment, list them in the inventory."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import replace

from prefect import task
from prefect.artifacts import create_table_artifact
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from db.models import Channel, CheckRun, Comment, Publication, UnreadableItem, utcnow
from db.session import lock_for_writing, session_scope
from tanggap.settings import ChannelConfig, get_settings

from . import events
from .channel_access import channel_client
from .channels.base import ChannelError, IncomingComment, Listing, NotFound, RateLimited, Unreadable
from .channels.text import excerpt
from .rendering import waktu
from .retrying import NETWORK_RETRIES, is_transient_failure
from .triage import CATEGORY_LABELS, classify_many

INVENTORY_ARTIFACT_KEY = "daftar-inventaris-komentar"
# An unreadable item is fetched again at each check, this many times, then left for a person.
UNREADABLE_RETRIES = 24


@contextmanager
def _cycle_collector_paused():
    """A listing is thousands of small acyclic objects (JSON items, comments, rows): while they
    are made, the cyclic collector would walk the whole heap (Prefect, the triage model) again
    and again, half of a store's time. Plain reference counting still frees them."""
    if not gc.isenabled():  # already paused (another channel's task in this process)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@task(task_run_name="buka-pemeriksaan")
def open_check_run() -> int:
    """Start a check: register the configured channels and note the start time."""
    with session_scope() as session:
        for config in get_settings().channels():
            channel = session.scalar(select(Channel).where(Channel.key == config.key))
            if channel is None:
                try:
                    with session.begin_nested():  # a check started at the same moment may add it first
                        session.add(Channel(key=config.key, kind=config.kind, name=config.name))
                except IntegrityError:
                    channel = session.scalar(select(Channel).where(Channel.key == config.key))
            if channel is not None:
                channel.kind, channel.name = config.kind, config.name
        check = CheckRun(flow_run_id=events.current_flow_run_id())
        session.add(check)
        session.flush()
        events.record(session, "check", "start", check_run_id=check.id, at=check.started_at)
        return check.id


@task(task_run_name="ambil-komentar-{config.key}", retries=NETWORK_RETRIES,
      retry_delay_seconds=[2, 10, 30], retry_condition_fn=is_transient_failure)
def fetch_new_comments(config: ChannelConfig) -> Listing:
    """Ask one channel for comments since its stored cursor, and fetch again what was unreadable."""
    with session_scope() as session:
        cursor = session.scalar(select(Channel.cursor).where(Channel.key == config.key))
        pending = session.execute(
            select(UnreadableItem.external_id, UnreadableItem.thread_id).join(Channel)
            .where(Channel.key == config.key, UnreadableItem.outcome.is_(None),
                   UnreadableItem.external_id.is_not(None), UnreadableItem.attempts < UNREADABLE_RETRIES)
            .order_by(UnreadableItem.id)
        ).all()
    with channel_client(config) as client, _cycle_collector_paused():
        listing = client.list_new_comments(cursor)
        recovered, still, gone = _fetch_again(client, pending)
    return replace(listing, comments=listing.comments + recovered, unreadable=listing.unreadable + still,
                   gone=gone, started_from=cursor)


def _fetch_again(client, pending) -> tuple[list[IncomingComment], list[Unreadable], list[str]]:
    recovered, still, gone = [], [], []
    for number, (external_id, thread_id) in enumerate(pending):
        try:
            recovered.append(client.fetch_comment(external_id, thread_id))
        except NotFound:
            gone.append(external_id)
        except RateLimited as exc:  # the platform wants a pause: the rest waits for the next check
            still.extend(Unreadable(reason=f"belum dicoba lagi: {exc}", excerpt="", external_id=e, thread_id=t)
                         for e, t in pending[number:])
            break
        except ChannelError as exc:
            still.append(Unreadable(reason=str(exc)[:1000], excerpt="", external_id=external_id,
                                    thread_id=thread_id))
    return recovered, still, gone


@task(task_run_name="simpan-komentar-{config.key}")
def store_comments(check_run_id: int, config: ChannelConfig, listing: Listing) -> int:
    """Keep what is new (one row per channel + external id) and what was unreadable, then move
    the cursor, but only from where this listing started: two checks at once lose nothing."""
    with _cycle_collector_paused(), session_scope() as session:
        lock_for_writing(session)
        channel = session.scalar(select(Channel).where(Channel.key == config.key).with_for_update())
        check = session.get(CheckRun, check_run_id)
        ids = [c.ref.external_id for c in listing.comments]
        known = {c.external_id: c for c in session.scalars(
            select(Comment).where(Comment.channel_id == channel.id, Comment.external_id.in_(ids)))}
        # Belt and braces: whatever the connector says, a reply we published is never a new comment.
        ours = set(session.scalars(
            select(Publication.external_reply_id).where(Publication.channel_id == channel.id,
                                                        Publication.external_reply_id.in_(ids))))
        fresh = {}
        for incoming in listing.comments:
            external_id = incoming.ref.external_id
            if external_id in known:
                # Seen before: a moderator may have approved (or held) it on the platform since.
                known[external_id].awaiting_moderation = incoming.awaiting_moderation
            elif external_id not in ours:
                fresh.setdefault(external_id, incoming)
        rows = [
            dict(channel_id=channel.id, external_id=incoming.ref.external_id, thread_id=incoming.ref.thread_id,
                 parent_external_id=incoming.ref.parent_external_id, author_name=incoming.author_name[:300],
                 author_external_id=incoming.author_external_id, text=incoming.text, link=incoming.link,
                 posted_at=incoming.posted_at, raw_payload=incoming.raw, check_run_id=check_run_id,
                 category=verdict.category, triage=verdict.as_record(), can_hide=incoming.can_hide,
                 awaiting_moderation=incoming.awaiting_moderation)
            for incoming, verdict in zip(fresh.values(), classify_many([c.text for c in fresh.values()], config.kind))
        ]
        stored = _insert_new(session, rows)
        events.record_many(session, "check", "start", comment_ids=stored, at=check.started_at)
        events.record_many(session, "check", "end", comment_ids=stored, detail=f"pemeriksaan #{check_run_id}")
        new = len(stored)
        _keep_unreadable(session, channel, check_run_id, listing)
        if listing.cursor and channel.cursor == listing.started_from:
            channel.cursor = listing.cursor
        check.seen_count += len(listing.comments)
        check.new_count += new
        notes = [f"{len(listing.unreadable)} item tidak terbaca"] if listing.unreadable else []
        if notes or listing.problems:
            check.errors = {**check.errors, config.key: "; ".join(notes + listing.problems)[:4000]}
        return new


def _insert_new(session, rows: list[dict]) -> list[int]:
    """Insert a whole listing in one statement; returns the new case ids. Only when a concurrent
    check stored some of them a moment ago, fall back to one savepoint per comment."""
    if not rows:
        return []
    statement = insert(Comment).returning(Comment.id, sort_by_parameter_order=True)
    try:
        with session.begin_nested():
            return list(session.scalars(statement, rows))
    except IntegrityError:
        kept = []
        for row in rows:
            try:
                with session.begin_nested():
                    kept.append(session.scalar(insert(Comment).returning(Comment.id), row))
            except IntegrityError:
                continue
        return kept


def _keep_unreadable(session, channel: Channel, check_run_id: int, listing: Listing) -> None:
    """Every unreadable item stays in the inventory until it is read (it becomes a case) or gone."""
    now = utcnow()
    stored = {item.external_id or item.excerpt: item for item in session.scalars(
        select(UnreadableItem).where(UnreadableItem.channel_id == channel.id, UnreadableItem.outcome.is_(None)))}
    for item in listing.unreadable:
        row = stored.get(item.external_id or item.excerpt)
        if row is None:
            row = UnreadableItem(channel=channel, external_id=item.external_id, thread_id=item.thread_id,
                                 reason=item.reason, excerpt=item.excerpt, check_run_id=check_run_id, attempts=0)
            session.add(row)
            stored[item.external_id or item.excerpt] = row
        row.attempts += 1
        row.last_tried_at, row.reason = now, item.reason or row.reason
    read = {c.ref.external_id for c in listing.comments}
    for key, row in stored.items():
        if row.external_id in read:
            row.outcome = "read"
            row.comment_id = session.scalar(select(Comment.id).where(
                Comment.channel_id == channel.id, Comment.external_id == row.external_id))
        elif row.external_id in listing.gone:
            row.outcome = "gone"


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
                "Status di kanal": "menunggu moderasi" if comment.awaiting_moderation else "tampil",
                "Kategori": CATEGORY_LABELS.get(comment.category, comment.category),
                "Tautan": comment.link or "-",
                "Kasus": f"#{comment.id}",
            }
            for number, comment in enumerate(comments, start=1)
        ]
        # Items no check could read yet stay listed until they are read or gone: nothing drops silently.
        unread = session.scalars(select(UnreadableItem).where(UnreadableItem.outcome.is_(None))
                                 .order_by(UnreadableItem.id)).all()
        rows += [
            {
                "No": number,
                "Waktu ditemukan": waktu(item.first_seen_at),
                "Kanal": item.channel.name,
                "Penulis": "-",
                "Kutipan komentar": excerpt(f"{item.reason} — {item.excerpt}"),
                "Status di kanal": "tidak terbaca",
                "Kategori": "tidak terbaca" + (f" (dicoba {item.attempts}×)" if item.attempts > 1 else ""),
                "Tautan": "-",
                "Kasus": f"id {item.external_id}" if item.external_id else "-",
            }
            for number, item in enumerate(unread, start=len(rows) + 1)
        ]
        failures = "; ".join(f"{key}: {msg}" for key, msg in check.errors.items())
        held = sum(comment.awaiting_moderation for comment in comments)
        description = (
            f"**Daftar Inventaris Komentar Masuk** — pemeriksaan #{check.id}, {waktu(check.started_at)}. "
            f"{len(comments)} komentar baru"
            + (f", {held} menunggu moderasi di kanal (belum tampil untuk publik)" if held else "")
            + (f", {len(unread)} item belum terbaca (dicoba lagi setiap pemeriksaan)" if unread else "") + "."
            + (f"\n\n**Kanal bermasalah:** {failures}" if failures else "")
        )
    create_table_artifact(key=INVENTORY_ARTIFACT_KEY, table=rows, description=description)

