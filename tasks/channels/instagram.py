"""Instagram channel: comments on a business account's media through the Graph API (section 3).

`config.account` is the Instagram user id, `config.base_url` the Graph root
(https://graph.facebook.com; the version is added here). The secret is a token with
instagram_basic and instagram_manage_comments.

Options:
- `username`: the account's own username, so its replies are recognised even where `from`
  is absent.
- `media_to_scan` (default 25): how many of the newest media each listing reads comments from.
- `graph_version` overrides the pinned "v25.0".

There is no `since` on Instagram. Top-level comments come newest first; replies come inside
them. Each media's comments are paged until a whole page is older than the watermark minus an
overlap. A new reply under an older comment would hide behind that rule, so the cursor also
keeps every media's `comments_count` (which counts replies): when it grew by more than the
new comments the pages read so far hold, the walk goes on back to the lookback window.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterator

from tanggap.settings import ChannelConfig

from .base import ChannelError, CommentRef, IncomingComment, Listing, NotFound, PublishedReply
from .graph import GraphClient, parse_graph_time
from .reading import checked_id, read_again, read_item, unreadable
from .text import clean_text

OVERLAP = timedelta(minutes=5)
PAGE_SIZE = 50
MEDIA_FIELDS = "id,caption,timestamp,permalink,comments_count"
REPLY_FIELDS = "id,text,timestamp,username,from{id,username},parent_id"
COMMENT_FIELDS = f"id,text,timestamp,username,from{{id,username}},like_count,hidden,parent_id,replies{{{REPLY_FIELDS}}}"


class InstagramClient(GraphClient):
    kind = "instagram"
    platform = "Instagram"
    reply_edge = "replies"
    reply_limit = 2_200  # UNCONFIRMED in Meta's documentation; counted in UTF-16 units
    scan_option = "media_to_scan"

    def __init__(self, config: ChannelConfig, token: str, **kwargs):
        super().__init__(config, token, **kwargs)
        self.username = str(config.options.get("username", "")).lstrip("@").lower()
        self._media_links: dict[str, str | None] = {}

    # --- public interface ----------------------------------------------------------
    def list_new_comments(self, cursor: dict | None) -> Listing:
        cursor = cursor or {}
        lookback_start = datetime.now(timezone.utc) - self.lookback
        watermark = datetime.fromisoformat(cursor["watermark"]) if cursor.get("watermark") else None
        known_counts = cursor.get("comments_count") or {}
        newest = watermark
        counts: dict[str, int] = {}
        found: dict[str, IncomingComment] = {}
        answered_by_us: set[str] = set()
        skipped, problems, lost_media = [], [], []
        for media in self._newest(f"{self.account}/media", MEDIA_FIELDS, self.to_scan, PAGE_SIZE):
            media_id = read_item(lambda media: checked_id(media["id"]), media, "media Instagram", lost_media)
            if media_id is None:
                continue
            count = media.get("comments_count")
            if isinstance(media.get("permalink"), str):
                self._media_links[media_id] = media["permalink"]
            if count == 0:
                counts[media_id] = 0
                continue
            known = known_counts.get(media_id)
            expected_new = count - known if isinstance(count, int) and isinstance(known, int) else None
            try:
                newest = self._scan_media(media, watermark, lookback_start, expected_new, found, answered_by_us,
                                          skipped, newest)
            except NotFound as exc:  # the media went away between the list and its comments
                problems.append(f"komentar media {media_id} tidak dapat dibaca: {exc.detail}")
                continue
            if isinstance(count, int):
                counts[media_id] = count
        comments = [c for c in found.values() if c.ref.external_id not in answered_by_us]
        problems += [f"{media.reason}, komentarnya tidak dapat dibaca: {media.excerpt}" for media in lost_media]
        next_cursor: dict = {"comments_count": counts}
        if newest is not None:
            next_cursor["watermark"] = newest.isoformat()
        return Listing(comments=comments, cursor=next_cursor, unreadable=skipped, problems=problems)

    def _scan_media(self, media: dict, watermark: datetime | None, lookback_start: datetime,
                    expected_new: int | None, found: dict, answered_by_us: set, skipped: list,
                    newest: datetime | None) -> datetime | None:
        """Read one media's comments, newest first, only as far as needed.

        Normally the walk stops at the first page whose comments (replies included) are all
        older than the watermark minus the overlap. But a new reply under an older comment sits
        on a later page: when the pages read so far hold fewer comments newer than the
        watermark than `comments_count` grew by (or the growth is unknown), the walk goes on
        to the lookback window and takes everything there (the database drops repeats).
        """
        recent_from = watermark - OVERLAP if watermark else lookback_start
        seen_new, digging = 0, False
        for page in self._payloads(f"{media['id']}/comments", {"fields": COMMENT_FIELDS, "limit": PAGE_SIZE}):
            entries = []
            for entry, parent in self._with_replies(page["data"], skipped, media["id"]):
                comment = read_item(lambda entry: self._parse(entry, media, parent), entry, "komentar Instagram",
                                    skipped, thread_id=media["id"])
                if comment is not None:
                    entries.append((entry, comment))
            for entry, comment in entries:
                newest = max(newest, comment.posted_at) if newest else comment.posted_at
                if watermark is None or comment.posted_at > watermark:
                    seen_new += 1
                if self._is_ours(entry) and comment.ref.parent_external_id:  # ours: never new comments
                    answered_by_us.add(comment.ref.parent_external_id)
            page_is_old = bool(entries) and all(c.posted_at < recent_from for _, c in entries)
            more_to_find = watermark is not None and (expected_new is None or seen_new < expected_new)
            digging = digging or (page_is_old and more_to_find)
            since = lookback_start if digging else recent_from
            for entry, comment in entries:
                if self._is_ours(entry) or entry.get("hidden") or comment.posted_at < since:
                    continue  # hidden by the office: not public, and cannot be answered
                found.setdefault(comment.ref.external_id, comment)
            # Newest first: once a whole page is older than the threshold, so is the rest.
            if page_is_old and (not more_to_find or all(c.posted_at < lookback_start for _, c in entries)):
                break
        return newest

    def fetch_comment(self, external_id: str, thread_id: str | None = None) -> IncomingComment:
        item = self._get(external_id, {"fields": COMMENT_FIELDS.split(",replies")[0] + ",media{id,permalink}"})
        media = item.get("media") if isinstance(item.get("media"), dict) else {"id": thread_id}
        return read_again(lambda i: self._parse(i, media, None), item, f"komentar Instagram {external_id}")

    def reply(self, to: CommentRef, text: str) -> PublishedReply:
        # Only top-level comments take replies: a reply to a reply goes to its top-level comment.
        reply_id = self._post_reply(to, text)
        return PublishedReply(external_id=reply_id, link=self._media_link(to.thread_id), text=text)

    def hide(self, to: CommentRef) -> None:
        """Hide the comment: gone for the public, still visible to its author."""
        self._hide(to.external_id, "hide")

    # --- helpers -------------------------------------------------------------------
    def _with_replies(self, items: list, skipped: list, media_id: str) -> Iterator[tuple[dict, str | None]]:
        """Each top-level comment, then its replies (following the replies' own paging)."""
        for item in items:
            if not isinstance(item, dict):
                skipped.append(unreadable("komentar Instagram", item, TypeError("bukan objek JSON"), thread_id=media_id))
                continue
            yield item, None
            replies = item.get("replies")
            if isinstance(replies, dict) and isinstance(replies.get("data"), list) and item.get("id"):
                for reply in self._items(first=replies):
                    yield reply, item["id"]

    def _is_ours(self, item: dict) -> bool:
        sender = item.get("from") if isinstance(item.get("from"), dict) else {}
        if sender.get("id") is not None and str(sender["id"]) == self.account:
            return True
        username = str(item.get("username") or sender.get("username") or "").lower()
        return bool(self.username) and username == self.username

    def _reply_query(self) -> dict:
        return {"fields": REPLY_FIELDS, "limit": PAGE_SIZE}

    def _as_reply(self, item: dict, to: CommentRef) -> PublishedReply:
        stamp = item.get("timestamp")
        return PublishedReply(external_id=str(item["id"]), link=self._media_link(to.thread_id),
                              text=clean_text(str(item.get("text") or "")),
                              posted_at=parse_graph_time(stamp) if isinstance(stamp, str) else None)

    def _media_link(self, media_id: str) -> str | None:
        """The media's permalink (Instagram comments have none of their own); best effort."""
        if media_id not in self._media_links:
            try:
                self._media_links[media_id] = self._get(media_id, {"fields": "permalink"}).get("permalink")
            except ChannelError:
                return None
        link = self._media_links[media_id]
        return link if isinstance(link, str) else None

    def _parse(self, item: dict, media: dict, parent: str | None) -> IncomingComment:
        sender = item.get("from") or {}
        parent_id = item.get("parent_id") or parent
        username = str(item.get("username") or sender.get("username") or "")
        return IncomingComment(
            ref=CommentRef(external_id=checked_id(item["id"]), thread_id=checked_id(media["id"]),
                           parent_external_id=checked_id(parent_id) if parent_id else None),
            author_name=clean_text(username) or "Pengguna Instagram",
            author_external_id=checked_id(sender["id"]) if sender.get("id") else None,
            text=clean_text(str(item.get("text") or "")),
            link=media.get("permalink"),
            posted_at=parse_graph_time(item["timestamp"]),
            raw=item,
        )
