"""Instagram business account simulator (Graph API, reference section 3).

Served by ``python -m simulator`` (port 8403) with the other platforms.

What it does like Instagram (shared Graph behaviour is described in simulator/graph.py):

- ``GET /{ig-user-id}/media``: the account's media, newest first (``limit`` default 25).
- ``GET /{ig-media-id}/comments``: top-level comments only, **newest first**, cursor pages
  (``limit`` default 25, capped at ``site.limit_cap`` = 50). There is no ``since``. Replies
  come inside each comment through the ``replies`` field, oldest first, at most
  ``site.nested_limit`` (25, or ``replies.limit(n)``) with a ``paging.next`` link to
  ``/{ig-comment-id}/replies`` for the rest. ``parent_id`` exists on replies only.
- ``comments_count`` on a media counts every live comment, replies included.
- The account owner sees hidden comments, with ``hidden: true``.
- ``POST /{ig-comment-id}/replies`` (``message``): only top-level comments take replies; a
  reply to a reply is filed under its top-level comment. A hidden comment cannot be replied
  to, nor can a media with comments turned off (both code 100). Longer than 2,200
  characters (UTF-16 units): code 100. The same text as the account's latest reply under the
  same comment: code 368 (UNCONFIRMED for Instagram; the Graph-wide spam rule).
- ``POST /{ig-comment-id}`` with ``hide=true|false``; the account's own comments cannot be hidden.
- The "rate_limit" fault answers code 4 ("Application request limit reached") with HTTP 400
  by default (``site.rate_limit_code`` = 80002 gives the account-level throttle).
"""

from __future__ import annotations

import zlib
from datetime import datetime

from simulator.common import run_seed
from simulator.graph import (OMIT, Field, GraphError, GraphHandler, GraphRequest, GraphSimulatorBase,
                             GraphSite, duplicate_error, graph_time, invalid_parameter, list_answer, paginate,
                             permission_error, project, render_item, render_document, too_long, utf16_length)

INSTAGRAM_USER_ID = "17841405822304914"
INSTAGRAM_USERNAME = "bbppketindan"
INSTAGRAM_NAME = "BBPP Ketindan"
INSTAGRAM_DEMO_TOKEN = "EAAKetindanDemoInstagramToken2026"
INSTAGRAM_REPLY_LIMIT = 2_200
SEED_VISITOR_COMMENTS = 10
SEED_OFFICIAL_REPLIES = 1
SEED_AWAITING_ANSWER = SEED_VISITOR_COMMENTS - SEED_OFFICIAL_REPLIES  # 9

_COMMENT_DEFAULT = ("timestamp", "text", "id")
_MEDIA_DEFAULT = ("id",)


class InstagramSite(GraphSite):
    """One Instagram professional account in memory."""

    container_key = "media"
    default_rate_limit_code = 4
    default_limit_cap = 50
    usage_type = "instagram"

    def __init__(self, user_id: str = INSTAGRAM_USER_ID, username: str = INSTAGRAM_USERNAME,
                 token: str = INSTAGRAM_DEMO_TOKEN) -> None:
        super().__init__(user_id, username, token)
        self.username = username
        self.nested_limit = 25  # replies shown inside a comment before paging.next

    def _new_thread_id(self) -> str:
        return str(17895695668004000 + self._thread_seq)

    def _new_comment_id(self, thread: dict) -> str:
        return str(17870913679156000 + self._comment_seq)

    # -- content -------------------------------------------------------------------------
    def add_media(self, caption: str, created: datetime | None = None, *, media_type: str = "IMAGE",
                  comments_enabled: bool = True) -> str:
        shortcode = f"DK{self._thread_seq + 1:03d}bbppKtd"
        return self._store_thread({"caption": caption, "created": created, "media_type": media_type,
                                   "comments_enabled": comments_enabled, "shortcode": shortcode})

    def set_comments_enabled(self, media_id: str, enabled: bool) -> None:
        with self.lock:
            self._threads[media_id]["comments_enabled"] = enabled
            self.save()

    def add_comment(self, media_id: str, text: str, *, username: str, user_id: str | None = None,
                    parent: str | None = None, created: datetime | None = None) -> str:
        """A visitor's comment (or reply, with `parent`); `created` is an aware datetime."""
        user_id = user_id or str(17841400000000000 + zlib.crc32(username.encode()))
        return self._store_comment(media_id, author_id=user_id, author_name=username, text=text, parent=parent,
                                   created=created)

    def add_own_reply(self, parent: str, text: str, created: datetime | None = None) -> str:
        """A reply written by the account itself (what the office typed in the app)."""
        with self.lock:
            media_id = self._comments[parent]["thread"]
        return self._store_comment(media_id, author_id=self.account_id, author_name=self.username, text=text,
                                   parent=parent, created=created)

    @property
    def media(self) -> list[dict]:
        with self.lock:
            return [dict(m) for m in sorted(self._threads.values(), key=lambda m: m["created"], reverse=True)]

    def media_link(self, media: dict) -> str:
        return f"{self.base_url}/p/{media['shortcode']}/"

    def comments_count(self, media_id: str) -> int:
        with self.lock:
            return sum(1 for c in self._comments.values() if c["thread"] == media_id and not c["deleted"])


class _InstagramHandler(GraphHandler):
    account_kind, thread_kind = "user", "media"

    @property
    def ig(self) -> InstagramSite:
        return self.server.site  # type: ignore[return-value]

    # -- nodes ---------------------------------------------------------------------------
    def _user_fields(self) -> dict:
        site = self.ig
        return {"id": site.account_id, "username": site.username, "name": INSTAGRAM_NAME,
                "media_count": len(site._threads), "followers_count": 12840,
                "biography": "Balai Besar Pelatihan Pertanian Ketindan — Kementerian Pertanian RI"}

    def _media_fields(self, media: dict) -> dict:
        site = self.ig
        return {
            "id": media["id"], "caption": media["caption"], "timestamp": graph_time(media["created"]),
            "permalink": site.media_link(media), "comments_count": site.comments_count(media["id"]),
            "like_count": 0, "media_type": media["media_type"], "media_product_type": "FEED",
            "shortcode": media["shortcode"], "username": site.username,
            "is_comment_enabled": media["comments_enabled"],
            "owner": lambda f: project("IGUser", {"id": site.account_id}, f.sub, ("id",)),
        }

    def _comment_fields(self, req: GraphRequest, comment: dict) -> dict:
        site = self.ig
        author = {"id": comment["author_id"], "username": comment["author_name"]}
        return {
            "id": comment["id"], "text": comment["text"], "timestamp": graph_time(comment["created"]),
            "username": comment["author_name"],
            "from": lambda f: project("IGCommentFromUser", author, f.sub, ("id", "username")),
            "like_count": comment["like_count"], "hidden": comment["hidden"],
            "parent_id": comment["parent"] if comment["parent"] else OMIT,
            "replies": (lambda f: self._nested_replies(req, comment, f)) if not comment["parent"] else OMIT,
            "media": lambda f: project("IGMedia", self._media_fields(site._threads[comment["thread"]]), f.sub,
                                       ("id",)),
        }

    def _nested_replies(self, req: GraphRequest, comment: dict, spec: Field) -> dict:
        site = self.ig
        size = spec.limit or site.nested_limit
        link_params = {"fields": spec.raw} if spec.raw else {}
        data, paging = paginate(self._replies(comment["id"]), {}, req.next_url(f"{comment['id']}/replies", link_params),
                                default_limit=size, cap=site.limit_cap, limit=min(size, site.limit_cap),
                                visible=lambda c: not c["deleted"])
        return list_answer([project("IGComment", self._comment_fields(req, r), spec.sub, _COMMENT_DEFAULT)
                            for r in data], paging)

    def _replies(self, comment_id: str) -> list[dict]:
        return sorted((c for c in self.ig._comments.values() if c["parent"] == comment_id),
                      key=lambda c: (c["created"], c["seq"]))

    def _get_user_node(self, req: GraphRequest, _record) -> dict:
        return project("IGUser", self._user_fields(), req.fields, ("id",))

    def _get_media_node(self, req: GraphRequest, media: dict) -> dict:
        return project("IGMedia", self._media_fields(media), req.fields, _MEDIA_DEFAULT)

    def _get_comment_node(self, req: GraphRequest, comment: dict) -> dict:
        return project("IGComment", self._comment_fields(req, comment), req.fields, _COMMENT_DEFAULT)

    # -- lists ---------------------------------------------------------------------------
    def _get_user_media(self, req: GraphRequest, _record) -> dict:
        site = self.ig
        media = sorted(site._threads.values(), key=lambda m: (m["created"], m["id"]), reverse=True)
        data, paging = paginate(media, req.params, req.next_url(f"{site.account_id}/media"), default_limit=25,
                                cap=site.limit_cap)
        return list_answer([project("IGMedia", self._media_fields(m), req.fields, _MEDIA_DEFAULT) for m in data],
                           paging)

    def _get_media_comments(self, req: GraphRequest, media: dict) -> dict:
        site = self.ig
        top = sorted((c for c in site._comments.values() if c["thread"] == media["id"] and c["parent"] is None),
                     key=lambda c: (c["created"], c["seq"]), reverse=True)  # newest first
        data, paging = paginate(top, req.params, req.next_url(f"{media['id']}/comments"), default_limit=25,
                                cap=site.limit_cap, visible=lambda c: not c["deleted"])
        return list_answer([project("IGComment", self._comment_fields(req, c), req.fields, _COMMENT_DEFAULT)
                            for c in data], paging)

    def _get_comment_replies(self, req: GraphRequest, comment: dict) -> dict:
        site = self.ig
        if comment["parent"]:
            return {"data": []}
        data, paging = paginate(self._replies(comment["id"]), req.params, req.next_url(f"{comment['id']}/replies"),
                                default_limit=25, cap=site.limit_cap, visible=lambda c: not c["deleted"])
        return list_answer([project("IGComment", self._comment_fields(req, c), req.fields, _COMMENT_DEFAULT)
                            for c in data], paging)

    # -- writes --------------------------------------------------------------------------
    def _check_message(self, req: GraphRequest, media: dict) -> str:
        if not req.can_manage:
            raise permission_error("instagram_manage_comments")
        message = req.params.get("message", "")
        if not message.strip():
            raise invalid_parameter("The parameter message is required")
        if utf16_length(message) > INSTAGRAM_REPLY_LIMIT:
            raise too_long(INSTAGRAM_REPLY_LIMIT)
        if not media["comments_enabled"]:
            raise GraphError(100, "(#100) Comments are disabled for this media", user_title="Komentar dinonaktifkan",
                             user_msg="Komentar untuk postingan ini dinonaktifkan.")
        return message

    def _post_media_comments(self, req: GraphRequest, media: dict) -> dict:
        site = self.ig
        message = self._check_message(req, media)
        if site._is_duplicate(media["id"], None, message):
            raise duplicate_error()
        return {"id": site._store_comment(media["id"], author_id=site.account_id, author_name=site.username,
                                          text=message)}

    def _post_comment_replies(self, req: GraphRequest, comment: dict) -> dict:
        site = self.ig
        top = site._comments[comment["parent"]] if comment["parent"] else comment
        message = self._check_message(req, site._threads[top["thread"]])
        if top["hidden"] or comment["hidden"]:
            raise GraphError(100, "(#100) Cannot reply to a hidden comment", user_title="Komentar disembunyikan",
                             user_msg="Komentar yang disembunyikan tidak dapat dibalas.")
        if site._is_duplicate(top["thread"], top["id"], message):
            raise duplicate_error()
        return {"id": site._store_comment(top["thread"], author_id=site.account_id, author_name=site.username,
                                          text=message, parent=top["id"])}

    def _post_comment_node(self, req: GraphRequest, comment: dict) -> dict:
        site = self.ig
        if not req.can_manage:
            raise permission_error("instagram_manage_comments")
        if "hide" not in req.params:
            raise invalid_parameter("The parameter hide is required")
        value = str(req.params["hide"]).lower()
        if value not in ("true", "false", "1", "0"):
            raise invalid_parameter("Param hide must be a boolean")
        if comment["author_id"] == site.account_id:
            raise invalid_parameter("Comments made by the media owner cannot be hidden")
        site.set_hidden(comment["id"], value in ("true", "1"))
        return {"success": True}

    def _delete_comment_node(self, req: GraphRequest, comment: dict) -> dict:
        if not req.can_manage:
            raise permission_error("instagram_manage_comments")
        self.ig.delete_comment(comment["id"])
        return {"success": True}

    # -- public pages --------------------------------------------------------------------
    def public_page(self, path: str) -> str | None:
        site = self.ig
        with site.lock:
            media = sorted(site._threads.values(), key=lambda m: m["created"], reverse=True)
            if path not in ("/", "/index.html"):
                media = [m for m in media if path.rstrip("/") + "/" == f"/p/{m['shortcode']}/"]
                if not media:
                    return None
            body = "".join(self._render_media(m) for m in media) or "<p>Belum ada postingan.</p>"
            return render_document(f"@{site.username} • Instagram (simulator)",
                                   f"@{site.username} — Simulator Instagram",
                                   "Simulasi akun Instagram Balai Besar Pelatihan Pertanian Ketindan untuk uji coba "
                                   "Tanggap. Muat ulang halaman untuk melihat balasan terbaru.", body, brand="#c13584")

    def _render_media(self, media: dict) -> str:
        return render_item(self.ig, element_id=f"media-{media['id']}", author=self.ig.username,
                           link=self.ig.media_link(media), created=media["created"], text=media["caption"],
                           thread_id=media["id"], comments_open=media["comments_enabled"])


class InstagramSimulator(GraphSimulatorBase):
    """Serves an InstagramSite: Graph API under /v25.0/, public profile at /."""

    handler = _InstagramHandler


# --------------------------------------------------------------------------------------------
# Seed
# --------------------------------------------------------------------------------------------

def seed_instagram(site: InstagramSite, now: datetime | None = None) -> InstagramSite:
    """3 media and 11 comments, all within the last 3 days:

    - 8 top-level visitor comments (questions, complaints, praise, a gambling spam, emoji);
    - a thread: a visitor question 2 days 22 hours old, the account's reply to it (2 days 21
      hours), and a newer visitor reply under it (1 day 2 hours) that still awaits an answer.
    So 10 visitor comments, 1 already answered: SEED_AWAITING_ANSWER = 9.
    """
    return run_seed(site, "instagram", now, account=INSTAGRAM_USER_ID)
