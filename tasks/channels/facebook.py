"""Facebook Page channel: comments on the Page's posts through the Graph API (reference section 2).

`config.account` is the Page id, `config.base_url` the Graph root (https://graph.facebook.com;
the version is added here). The secret is a Page access token with pages_read_engagement,
pages_read_user_engagement and pages_manage_engagement.

Options: `posts_to_scan` (default 25) — how many of the Page's most recent posts each listing
reads comments from. Comments keep arriving on older posts, so the scan cannot stop at posts
newer than the cursor; it reads the newest N posts every time, which costs N+1 calls a listing.
Comments on posts older than that are not seen. `graph_version` overrides the pinned "v25.0".
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .base import ChannelError, CommentRef, IncomingComment, Listing, NotFound, PublishedReply
from .graph import GraphClient, parse_graph_time
from .reading import checked_id, read_again, read_item
from .text import clean_text

# `since` is a coarse filter and a comment can show up in the API a little after its
# created_time: step back and let the database's (channel, external id) key drop repeats.
OVERLAP = timedelta(minutes=5)
PAGE_SIZE = 100
POST_FIELDS = "id,message,created_time,permalink_url"
COMMENT_FIELDS = ("id,message,from{id,name},created_time,permalink_url,parent{id},comment_count,is_hidden,"
                  "can_hide")
NO_TEXT = "(komentar tanpa teks, misalnya foto atau stiker)"


class FacebookClient(GraphClient):
    kind = "facebook"
    platform = "Facebook"
    reply_limit = 8_000  # UNCONFIRMED in Meta's documentation; counted in UTF-16 units
    scan_option = "posts_to_scan"

    # --- public interface ----------------------------------------------------------
    def list_new_comments(self, cursor: dict | None) -> Listing:
        if cursor and cursor.get("since") is not None:
            since = int(cursor["since"]) - int(OVERLAP.total_seconds())
        else:
            since = int((datetime.now(timezone.utc) - self.lookback).timestamp())
        params = {"filter": "stream", "order": "reverse_chronological", "since": since, "limit": PAGE_SIZE,
                  "fields": COMMENT_FIELDS}
        found: dict[str, IncomingComment] = {}
        answered_by_us: set[str] = set()
        skipped, problems, lost_posts = [], [], []
        newest = int(cursor["since"]) if cursor and cursor.get("since") is not None else None
        for post in self._newest(f"{self.account}/feed", POST_FIELDS, self.to_scan, PAGE_SIZE):
            post_id = read_item(lambda post: checked_id(post["id"]), post, "kiriman Facebook", lost_posts)
            if post_id is None:
                continue
            try:
                # Ranked order may override `order`: read every page, never stop on a date.
                for item in self._items(f"{post_id}/comments", params):
                    comment = read_item(lambda item: self._parse(item, post), item, "komentar Facebook", skipped,
                                        thread_id=post_id)
                    if comment is None:
                        continue
                    newest = max(newest or 0, int(comment.posted_at.timestamp()))
                    if comment.author_external_id == self.account:  # our own replies are never new comments
                        if comment.ref.parent_external_id:
                            answered_by_us.add(comment.ref.parent_external_id)
                        continue
                    if item.get("is_hidden"):  # hidden by the office (or Facebook's filter): not public
                        continue
                    found.setdefault(comment.ref.external_id, comment)
            except NotFound as exc:  # the post went away between the feed and its comments
                problems.append(f"komentar kiriman {post_id} tidak dapat dibaca: {exc.detail}")
        # A comment the Page already answered (by hand, or by us earlier) needs no new case.
        comments = [c for c in found.values() if c.ref.external_id not in answered_by_us]
        problems += [f"{post.reason}, komentarnya tidak dapat dibaca: {post.excerpt}" for post in lost_posts]
        next_cursor = {"since": newest} if newest is not None else dict(cursor or {})
        return Listing(comments=comments, cursor=next_cursor, unreadable=skipped, problems=problems)

    def fetch_comment(self, external_id: str, thread_id: str | None = None) -> IncomingComment:
        item = self._get(external_id, {"fields": COMMENT_FIELDS})
        return read_again(lambda i: self._parse(i, {"id": thread_id or str(external_id).split("_")[0]}), item,
                          f"komentar Facebook {external_id}")

    def reply(self, to: CommentRef, text: str) -> PublishedReply:
        # Facebook has two levels: a reply to a reply goes under its top-level comment.
        reply_id = self._post_reply(to, text)
        return PublishedReply(external_id=reply_id, link=self._permalink(reply_id), text=text)

    def hide(self, to: CommentRef) -> None:
        """Hide the comment: gone for the public, still visible to its author and friends."""
        self._hide(to.external_id, "is_hidden")

    # --- helpers -------------------------------------------------------------------
    def _reply_query(self) -> dict:
        return {"filter": "stream", "order": "chronological", "limit": PAGE_SIZE,
                "fields": "id,message,from{id},created_time,permalink_url,parent{id}"}

    def _is_ours(self, item: dict) -> bool:
        return str((item.get("from") or {}).get("id")) == self.account

    def _as_reply(self, item: dict, to: CommentRef) -> PublishedReply:
        created = item.get("created_time")
        return PublishedReply(external_id=str(item["id"]), link=item.get("permalink_url"),
                              text=clean_text(str(item.get("message") or "")),
                              posted_at=parse_graph_time(created) if isinstance(created, str) else None)

    def _permalink(self, object_id: str) -> str | None:
        """Best effort: the reply is already posted, a failure here must not look like a failed post."""
        try:
            link = self._get(object_id, {"fields": "permalink_url"}).get("permalink_url")
        except ChannelError:
            return None
        return link if isinstance(link, str) else None

    def _parse(self, item: dict, post: dict) -> IncomingComment:
        sender = item.get("from") or {}  # missing for people whose profile the Page may not see
        parent = (item.get("parent") or {}).get("id")
        text = clean_text(str(item.get("message") or ""))
        return IncomingComment(
            ref=CommentRef(external_id=checked_id(item["id"]), thread_id=checked_id(post["id"]),
                           parent_external_id=checked_id(parent) if parent else None),
            author_name=clean_text(str(sender.get("name") or "")) or "Pengguna Facebook",
            author_external_id=checked_id(sender["id"]) if sender.get("id") else None,
            text=text or NO_TEXT,
            link=item.get("permalink_url") or post.get("permalink_url"),
            posted_at=parse_graph_time(item["created_time"]),
            raw=item,
            can_hide=item.get("can_hide") is not False,  # Facebook says per comment whether the Page may hide it
        )
