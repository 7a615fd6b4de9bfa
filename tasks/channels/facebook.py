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

from tanggap.settings import ChannelConfig

from .base import ChannelError, CommentRef, IncomingComment, Listing, NotFound, PublishedReply
from .graph import GraphClient, parse_graph_time, same_text
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
    can_hide = True

    def __init__(self, config: ChannelConfig, token: str, **kwargs):
        super().__init__(config, token, **kwargs)
        self.page_id = self.account
        self.posts_to_scan = max(1, int(config.options.get("posts_to_scan", 25)))

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
        problems: list[str] = []
        newest = int(cursor["since"]) if cursor and cursor.get("since") is not None else None
        for post in self._newest(f"{self.page_id}/feed", POST_FIELDS, self.posts_to_scan, PAGE_SIZE):
            post_id = str(post.get("id") or "")
            if not post_id:
                problems.append(f"kiriman Facebook tanpa id: {str(post)[:200]}")
                continue
            try:
                # Ranked order may override `order`: read every page, never stop on a date.
                for item in self._items(f"{post_id}/comments", params):
                    try:
                        comment = self._parse(item, post)
                    except (KeyError, TypeError, ValueError) as exc:
                        problems.append(f"komentar Facebook tidak terbaca ({type(exc).__name__}: {exc}): "
                                        f"{str(item)[:200]}")
                        continue
                    newest = max(newest or 0, int(comment.posted_at.timestamp()))
                    if comment.author_external_id == self.page_id:  # our own replies are never new comments
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
        next_cursor = {"since": newest} if newest is not None else dict(cursor or {})
        return Listing(comments=comments, cursor=next_cursor, problems=problems)

    def reply(self, to: CommentRef, text: str) -> PublishedReply:
        # Facebook has two levels: a reply to a reply goes under its top-level comment.
        reply_id = self._post_reply(to, text, "comments")
        return PublishedReply(external_id=reply_id, link=self._permalink(reply_id))

    def find_our_reply(self, to: CommentRef, text: str | None = None) -> PublishedReply | None:
        """Our reply in the thread of `to`.

        Replies to a top-level comment and to its replies all sit under the top-level comment,
        so `text` picks ours for this comment. Without `text`: for a top-level comment any reply
        of ours counts; for a reply, the first of ours posted after it.
        """
        root = to.parent_external_id or to.external_id
        params = {"filter": "stream", "order": "chronological", "limit": PAGE_SIZE,
                  "fields": "id,message,from{id},created_time,permalink_url,parent{id}"}
        ours = [item for item in self._items(f"{root}/comments", params)
                if str((item.get("from") or {}).get("id")) == self.page_id]
        ours.sort(key=lambda item: parse_graph_time(item["created_time"]))
        if text is not None:
            # No fallback to other replies of ours: under a top-level comment they may answer
            # its replies, and taking one of those for this answer would leave it unanswered.
            matches = [item for item in ours if same_text(item.get("message") or "", text)]
        elif to.parent_external_id is None:
            matches = ours
        else:
            posted = parse_graph_time(self._get(to.external_id, {"fields": "created_time"})["created_time"])
            matches = [item for item in ours if parse_graph_time(item["created_time"]) >= posted]
        if not matches:
            return None
        return PublishedReply(external_id=str(matches[0]["id"]), link=matches[0].get("permalink_url"))

    def hide(self, to: CommentRef) -> None:
        """Hide the comment: gone for the public, still visible to its author and friends."""
        self._hide(to.external_id, "is_hidden")

    # --- helpers -------------------------------------------------------------------
    def _permalink(self, object_id: str) -> str | None:
        """Best effort: the reply is already posted, a failure here must not look like a failed post."""
        try:
            return self._get(object_id, {"fields": "permalink_url"}).get("permalink_url")
        except ChannelError:
            return None

    def _parse(self, item: dict, post: dict) -> IncomingComment:
        sender = item.get("from") or {}  # missing for people whose profile the Page may not see
        parent = (item.get("parent") or {}).get("id")
        text = clean_text(str(item.get("message") or ""))
        return IncomingComment(
            ref=CommentRef(external_id=str(item["id"]), thread_id=str(post["id"]),
                           parent_external_id=str(parent) if parent else None),
            author_name=clean_text(str(sender.get("name") or "")) or "Pengguna Facebook",
            author_external_id=str(sender["id"]) if sender.get("id") else None,
            text=text or NO_TEXT,
            link=item.get("permalink_url") or post.get("permalink_url"),
            posted_at=parse_graph_time(item["created_time"]),
            raw=item,
        )
