"""Facebook Page simulator (Graph API, reference section 2): a Page, its posts and comments.

Served by ``python -m simulator`` (port 8402) with the other platforms.

What it does like Facebook (shared Graph behaviour is described in simulator/graph.py):

- ``GET /{page-id}/feed`` (also ``/posts``): the Page's posts, newest first.
- ``GET /{post-id}/comments``: ``filter=toplevel`` (default) or ``stream`` (replies too, each
  with ``parent``); ``order=chronological`` (default) or ``reverse_chronological``; ``since``
  / ``until`` (unix seconds or a date); ``limit`` default 25, capped at ``site.limit_cap``.
  With ``site.ranked_order`` set the comments come in "most relevant" order whatever ``order``
  says, as Facebook may do.
- ``from`` is missing for people whose profile the Page may not see (``public_profile=False``).
- Two levels: ``POST /{comment-id}/comments`` on a reply files the new reply under the reply's
  top-level comment. Replies are written by the Page; the same text as the Page's latest reply
  in the same place is refused with code 368 (see simulator/graph.py).
- ``POST /{comment-id}`` with ``is_hidden=true|false`` hides or shows a visitor's comment;
  the Page's own comments cannot be hidden (``can_hide`` false).
- Replies longer than 8,000 characters (UTF-16 units), and replies on a post whose comments
  the Page turned off, are refused with code 100.
- The "rate_limit" fault answers code 32 ("Page request limit reached") with HTTP 400 by
  default (``site.rate_limit_code`` / ``rate_limit_status`` change it).
"""

from __future__ import annotations

import zlib
from datetime import datetime, timezone

from simulator.common import run_seed
from simulator.graph import (OMIT, GraphError, GraphHandler, GraphRequest, GraphSimulatorBase, GraphSite,
                             duplicate_error, graph_time, invalid_parameter, list_answer, paginate,
                             permission_error, project, render_item, render_document, too_long, utf16_length)

FACEBOOK_PAGE_ID = "104857362918470"
FACEBOOK_PAGE_NAME = "BBPP Ketindan"
FACEBOOK_DEMO_TOKEN = "EAAKetindanDemoPageToken2026"
FACEBOOK_REPLY_LIMIT = 8_000
# The first visitor question already carries the Page's reply; see seed_facebook.
SEED_VISITOR_COMMENTS = 11
SEED_OFFICIAL_REPLIES = 1
SEED_AWAITING_ANSWER = SEED_VISITOR_COMMENTS - SEED_OFFICIAL_REPLIES  # 10

_COMMENT_DEFAULT = ("created_time", "from", "message", "id")
_POST_DEFAULT = ("created_time", "message", "id")
_COMMENTS_OFF = "(#100) Comments on this post have been turned off by the Page"


class FacebookSite(GraphSite):
    """One Facebook Page in memory."""

    container_key = "post"
    default_rate_limit_code = 32
    usage_type = "pages"

    def __init__(self, page_id: str = FACEBOOK_PAGE_ID, page_name: str = FACEBOOK_PAGE_NAME,
                 token: str = FACEBOOK_DEMO_TOKEN) -> None:
        super().__init__(page_id, page_name, token)
        self.ranked_order = False

    def _new_thread_id(self) -> str:
        return f"{self.account_id}_{1142469655830000 + self._thread_seq}"

    def _new_comment_id(self, thread: dict) -> str:
        return f"{thread['id'].split('_')[1]}_{1164870100250000 + self._comment_seq}"

    # -- content -------------------------------------------------------------------------
    def add_post(self, message: str, created: datetime | None = None, *, comments_allowed: bool = True) -> str:
        return self._store_thread({"message": message, "created": created, "comments_allowed": comments_allowed})

    def set_comments_allowed(self, post_id: str, allowed: bool) -> None:
        with self.lock:
            self._threads[post_id]["comments_allowed"] = allowed
            self.save()

    def add_comment(self, post_id: str, text: str, *, author_name: str = "Pengguna Facebook",
                    author_id: str | None = None, parent: str | None = None, created: datetime | None = None,
                    public_profile: bool = True) -> str:
        """A visitor's comment (or reply, with `parent`); `created` is an aware datetime."""
        author_id = author_id or str(100004457015000 + zlib.crc32(author_name.encode()))
        return self._store_comment(post_id, author_id=author_id, author_name=author_name, text=text, parent=parent,
                                   created=created, public_profile=public_profile)

    def add_page_reply(self, parent: str, text: str, created: datetime | None = None) -> str:
        """A reply written by the Page itself (what the office typed by hand)."""
        with self.lock:
            post_id = self._comments[parent]["thread"]
        return self._store_comment(post_id, author_id=self.account_id, author_name=self.account_name, text=text,
                                   parent=parent, created=created)

    @property
    def posts(self) -> list[dict]:
        with self.lock:
            return [dict(p) for p in sorted(self._threads.values(), key=lambda p: p["created"], reverse=True)]

    def post_link(self, post_id: str) -> str:
        return f"{self.base_url}/{self.account_id}/posts/{post_id.split('_')[1]}"

    def comment_link(self, comment: dict) -> str:
        number = comment["id"].split("_")[1]
        if comment["parent"]:
            top = comment["parent"].split("_")[1]
            return f"{self.post_link(comment['thread'])}?comment_id={top}&reply_comment_id={number}"
        return f"{self.post_link(comment['thread'])}?comment_id={number}"


# --------------------------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------------------------


def _time_param(params: dict, name: str) -> datetime | None:
    value = str(params.get(name, "")).strip()
    if not value:
        return None
    if value.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(value), timezone.utc)
    for candidate in (value.replace("Z", "+00:00"), value):
        try:
            moment = datetime.fromisoformat(candidate)
        except ValueError:
            try:
                moment = datetime.strptime(candidate, "%Y-%m-%dT%H:%M:%S%z")
            except ValueError:
                continue
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    raise invalid_parameter(f"The parameter {name} is not a valid date or unix timestamp")


class _FacebookHandler(GraphHandler):
    account_kind, thread_kind, me_alias = "page", "post", True

    @property
    def fb(self) -> FacebookSite:
        return self.server.site  # type: ignore[return-value]

    # -- nodes ---------------------------------------------------------------------------
    def _page_fields(self) -> dict:
        site = self.fb
        return {"id": site.account_id, "name": site.account_name, "link": f"{site.base_url}/",
                "category": "Government Organization"}

    def _post_fields(self, post: dict) -> dict:
        site = self.fb
        latest = max([post["created"], *(c["created"] for c in site._comments.values()
                                          if c["thread"] == post["id"] and not c["deleted"])])
        return {
            "id": post["id"], "message": post["message"], "created_time": graph_time(post["created"]),
            "updated_time": graph_time(latest), "permalink_url": site.post_link(post["id"]),
            "from": lambda f: project("Page", {"id": site.account_id, "name": site.account_name}, f.sub,
                                      ("name", "id")),
            "is_hidden": False, "status_type": "mobile_status_update",
        }

    def _comment_fields(self, comment: dict) -> dict:
        site = self.fb
        parent = site._comments.get(comment["parent"]) if comment["parent"] else None
        author = {"id": comment["author_id"], "name": comment["author_name"]}
        return {
            "id": comment["id"], "message": comment["text"], "created_time": graph_time(comment["created"]),
            "from": (lambda f: project("User", author, f.sub, ("name", "id")))
            if comment.get("public_profile", True) else OMIT,
            "permalink_url": site.comment_link(comment),
            "parent": (lambda f: project("Comment", self._comment_fields(parent), f.sub, _COMMENT_DEFAULT))
            if parent else OMIT,
            "comment_count": len(site._live_replies(comment["id"])),
            "is_hidden": comment["hidden"],
            "can_hide": comment["author_id"] != site.account_id,
            "can_remove": True,
            "can_comment": parent is None,
            "like_count": comment["like_count"],
            "object": lambda f: project("Post", self._post_fields(site._threads[comment["thread"]]), f.sub,
                                        _POST_DEFAULT),
        }

    def _get_page_node(self, req: GraphRequest, _record) -> dict:
        return project("Page", self._page_fields(), req.fields, ("name", "id"))

    def _get_post_node(self, req: GraphRequest, post: dict) -> dict:
        return project("Post", self._post_fields(post), req.fields, _POST_DEFAULT)

    def _get_comment_node(self, req: GraphRequest, comment: dict) -> dict:
        return project("Comment", self._comment_fields(comment), req.fields, _COMMENT_DEFAULT)

    # -- lists ---------------------------------------------------------------------------
    def _get_page_feed(self, req: GraphRequest, _record) -> dict:
        site = self.fb
        posts = sorted(site._threads.values(), key=lambda p: (p["created"], p["id"]), reverse=True)
        data, paging = paginate(posts, req.params, req.next_url(f"{site.account_id}/feed"), default_limit=25,
                                cap=site.limit_cap)
        return list_answer([project("Post", self._post_fields(p), req.fields, _POST_DEFAULT) for p in data], paging)

    _get_page_posts = _get_page_feed
    _get_page_published_posts = _get_page_feed

    def _get_post_comments(self, req: GraphRequest, post: dict) -> dict:
        return self._comments_of(req, f"{post['id']}/comments", post_id=post["id"])

    def _get_comment_comments(self, req: GraphRequest, comment: dict) -> dict:
        return self._comments_of(req, f"{comment['id']}/comments", parent_id=comment["id"])

    def _comments_of(self, req: GraphRequest, path: str, *, post_id: str | None = None,
                     parent_id: str | None = None) -> dict:
        site, params = self.fb, req.params
        stream = params.get("filter", "toplevel")
        if stream not in ("toplevel", "stream"):
            raise invalid_parameter("Param filter must be one of {toplevel, stream}")
        order = params.get("order", "chronological")
        if order not in ("chronological", "reverse_chronological", "ranked"):
            raise invalid_parameter("Param order must be one of {chronological, reverse_chronological}")
        since, until = _time_param(params, "since"), _time_param(params, "until")
        if parent_id is not None:
            pool = [c for c in site._comments.values() if c["parent"] == parent_id]
        else:
            pool = [c for c in site._comments.values()
                    if c["thread"] == post_id and (stream == "stream" or c["parent"] is None)]
        pool = [c for c in pool
                if (since is None or c["created"] >= since) and (until is None or c["created"] <= until)]
        if site.ranked_order or order == "ranked":
            # "Most relevant": engagement first, then a shuffle that is stable between requests.
            pool.sort(key=lambda c: (-(c["like_count"] + 2 * len(site._live_replies(c["id"]))), c["seq"] * 7 % 11,
                                     c["seq"]))
        else:
            pool.sort(key=lambda c: (c["created"], c["seq"]), reverse=order == "reverse_chronological")
        data, paging = paginate(pool, params, req.next_url(path), default_limit=25, cap=site.limit_cap,
                                visible=lambda c: not c["deleted"])
        return list_answer([project("Comment", self._comment_fields(c), req.fields, _COMMENT_DEFAULT) for c in data],
                           paging)

    # -- writes --------------------------------------------------------------------------
    def _post_post_comments(self, req: GraphRequest, post: dict) -> dict:
        return self._write_comment(req, post, None)

    def _post_comment_comments(self, req: GraphRequest, comment: dict) -> dict:
        site = self.fb
        top = comment["parent"] or comment["id"]  # two levels: a reply to a reply joins the thread
        return self._write_comment(req, site._threads[comment["thread"]], top)

    def _write_comment(self, req: GraphRequest, post: dict, parent: str | None) -> dict:
        site = self.fb
        if not req.can_manage:
            raise permission_error("pages_manage_engagement")
        message = req.params.get("message", "")
        if not message.strip() and not req.params.get("attachment_url"):
            raise invalid_parameter("Missing message or attachment")
        if utf16_length(message) > FACEBOOK_REPLY_LIMIT:
            raise too_long(FACEBOOK_REPLY_LIMIT)
        if not post.get("comments_allowed", True):
            raise GraphError(100, _COMMENTS_OFF, user_title="Komentar dinonaktifkan",
                             user_msg="Komentar untuk kiriman ini telah dinonaktifkan.")
        if site._is_duplicate(post["id"], parent, message):
            raise duplicate_error()
        new_id = site._store_comment(post["id"], author_id=site.account_id, author_name=site.account_name,
                                     text=message, parent=parent)
        return {"id": new_id}

    def _post_comment_node(self, req: GraphRequest, comment: dict) -> dict:
        site, params = self.fb, req.params
        if not req.can_manage:
            raise permission_error("pages_manage_engagement")
        if "is_hidden" in params:
            value = str(params["is_hidden"]).lower()
            if value not in ("true", "false", "1", "0"):
                raise invalid_parameter("Param is_hidden must be a boolean")
            if comment["author_id"] == site.account_id:
                raise invalid_parameter("This comment cannot be hidden: it was posted by the Page")
            site.set_hidden(comment["id"], value in ("true", "1"))
            return {"success": True}
        if "message" in params:
            if comment["author_id"] != site.account_id:
                raise permission_error("pages_manage_engagement")
            with site.lock:
                comment["text"] = params["message"]
                site.save()
            return {"success": True}
        raise invalid_parameter("At least one of is_hidden or message is required")

    def _delete_comment_node(self, req: GraphRequest, comment: dict) -> dict:
        if not req.can_manage:
            raise permission_error("pages_manage_engagement")
        self.fb.delete_comment(comment["id"])
        return {"success": True}

    # -- public pages --------------------------------------------------------------------
    def public_page(self, path: str) -> str | None:
        site = self.fb
        with site.lock:
            posts = sorted(site._threads.values(), key=lambda p: p["created"], reverse=True)
            if path not in ("/", "/index.html"):
                wanted = path.rstrip("/")
                posts = [p for p in posts if site.post_link(p["id"]).endswith(wanted)
                         and wanted.startswith(f"/{site.account_id}/posts/")]
                if not posts:
                    return None
            body = "".join(self._render_post(p) for p in posts) or "<p>Belum ada kiriman.</p>"
            return render_document(f"{site.account_name} | Facebook (simulator)",
                                   f"{site.account_name} — Simulator Halaman Facebook",
                                   "Simulasi Halaman Facebook Balai Besar Pelatihan Pertanian Ketindan untuk uji "
                                   "coba Tanggap. Muat ulang halaman untuk melihat balasan terbaru.", body)

    def _render_post(self, post: dict) -> str:
        return render_item(self.fb, element_id=f"kiriman-{post['id']}", author=self.fb.account_name,
                           link=self.fb.post_link(post["id"]), created=post["created"], text=post["message"],
                           thread_id=post["id"], comments_open=post.get("comments_allowed", True))


class FacebookSimulator(GraphSimulatorBase):
    """Serves a FacebookSite: Graph API under /v25.0/, public page at /."""

    handler = _FacebookHandler


# --------------------------------------------------------------------------------------------
# Seed
# --------------------------------------------------------------------------------------------

def seed_facebook(site: FacebookSite, now: datetime | None = None) -> FacebookSite:
    """3 posts and 12 comments, all within the last 3 days:

    - 9 top-level visitor comments (questions, complaints, praise, a gambling spam, emoji, and
      one from a person whose profile the Page cannot see: no ``from``);
    - a thread: a visitor question 2 days 20 hours old, the Page's reply to it (2 days 18
      hours), and a newer visitor reply under it (1 day 3 hours) that still awaits an answer.
    So 11 visitor comments, 1 already answered: SEED_AWAITING_ANSWER = 10.
    """
    return run_seed(site, "facebook", now, account=FACEBOOK_PAGE_ID)
