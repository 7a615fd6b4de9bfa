"""Website channel: a WordPress site through its core REST API (wp/v2).

With an account that may moderate comments (an editor), the connector reads what the citizen
typed (`content.raw`, context=edit) and also the comments held for moderation: they are what
the office must look at, and one approved later keeps its old date, behind the cursor. The
cursor therefore follows the held ones by id until they are approved or thrown away.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone

import requests

from tanggap.settings import ChannelConfig

from .base import (AuthError, ChannelError, CommentRef, Duplicate, IncomingComment, Listing, NotFound,
                   PublishedReply, RateLimited, Rejected, Unavailable)
from .transport import json_body, on_our_host, parsed_json, retry_after_seconds, send
from .reading import read_item, sample
from .text import clean_text, html_to_text

# `after` compares with the local comment date, exclusive, to the second: step back a little
# and let the database's (channel, external id) key drop what was already seen.
OVERLAP = timedelta(minutes=5)
PAGE_SIZE = 100  # the API's maximum
FLOOD_PAUSE = 60.0  # seconds: WordPress's default flood interval is 15
LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"
# The edit context adds the commenter's e-mail, IP and browser: not ours to keep in the record.
PRIVATE_FIELDS = ("author_email", "author_ip", "author_user_agent")


class WordPressClient:
    kind = "wordpress"
    threads_exactly = True  # a reply names its parent comment
    reply_limit = 65_525  # bytes of the stored (escaped) content: WordPress counts UTF-8 bytes

    @staticmethod
    def reply_length(text: str) -> int:
        return len(html.escape(text, quote=False).encode("utf-8"))

    def __init__(self, config: ChannelConfig, password: str, *, lookback_days: int = 30, timeout: float = 20.0,
                 ledger=None):  # WordPress has no quota: the ledger is not used
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        # Sites without pretty permalinks only answer on /?rest_route=/wp/v2/...
        self.pretty_permalinks = config.options.get("pretty_permalinks", True)
        self.lookback = timedelta(days=lookback_days)
        self.timeout = timeout
        self.http = requests.Session()
        self.http.auth = (config.account, password)
        self.http.headers["User-Agent"] = "Tanggap/0.1 (+BBPP Ketindan)"
        self._me: dict | None = None  # users/me in edit context: our id and capabilities

    # --- public interface ----------------------------------------------------------
    def list_new_comments(self, cursor: dict | None) -> Listing:
        cursor = cursor or {}
        me, moderator = self.my_user_id(), self.may_moderate()
        context = "edit" if moderator else "view"  # edit adds content.raw
        if cursor.get("after_local"):  # `after` is read in the site's time, to the second
            after = (datetime.strptime(cursor["after_local"], LOCAL_FORMAT) - OVERLAP).strftime(LOCAL_FORMAT)
        else:
            after = self._lookback_start()
        fresh = list(self._pages("comments", {"after": after, "order": "asc", "orderby": "date_gmt",
                                              "per_page": PAGE_SIZE, "context": context}))
        held, released = [], []
        if moderator:
            held = list(self._pages("comments", {"status": "hold", "after": self._lookback_start(),
                                                 "per_page": PAGE_SIZE, "context": "edit"}))
            still_held = {str(item.get("id")) for item in held}
            # Held at an earlier check and no longer: approved (it comes back), or spam/trash (it does not).
            released = self._comments_by_id([i for i in cursor.get("held", []) if i not in still_held], context)

        found, skipped, answered_by_us = {}, [], set()
        newest_local = cursor.get("after_local")
        # Released first: a comment handed over while held is a case already, and comes back
        # only to tell its new state, even when it has been answered since.
        for origin, items in (("released", released), ("fresh", fresh), ("held", held)):
            for item in items:
                comment = read_item(self._parse, item, "komentar website", skipped)
                if comment is None:
                    continue
                if origin == "fresh":  # only the date-ordered listing moves the cursor
                    newest_local = max(newest_local or "", _local_date(item))
                if item.get("author") == me:  # our own replies are never new comments ...
                    answered_by_us.add(comment.ref.parent_external_id)
                    continue
                found.setdefault(comment.ref.external_id, (origin, comment))
        # ... and a comment the office already answered by hand needs no new case.
        comments = [comment for origin, comment in found.values()
                    if origin == "released" or comment.ref.external_id not in answered_by_us]
        next_cursor = {"after_local": newest_local} if newest_local else {}
        if moderator:  # the held ones handed over, followed until a moderator decides
            next_cursor["held"] = [c.ref.external_id for c in comments if c.awaiting_moderation]
        return Listing(comments=comments, cursor=next_cursor, unreadable=skipped)

    def fetch_comment(self, external_id: str, thread_id: str | None = None) -> IncomingComment:
        context = "edit" if self.may_moderate() else "view"
        item = json_body(self._request("GET", f"comments/{int(external_id)}", params={"context": context}), dict)
        try:
            return self._parse(item)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise Unavailable(f"komentar website {external_id} masih tidak terbaca ({type(exc).__name__}: {exc})"
                              ) from None

    def reply(self, to: CommentRef, text: str) -> PublishedReply:
        if self.may_moderate():
            self._approve_if_held(to)
        # Plain text: escape it so WordPress shows it as written instead of as markup.
        body = {"post": int(to.thread_id), "parent": int(to.external_id), "content": html.escape(text, quote=False)}
        item = json_body(self._request("POST", "comments", json=body), dict)
        if isinstance(item.get("id"), bool) or not isinstance(item.get("id"), int):
            raise Unavailable(f"jawaban POST comments tanpa id komentar: {sample(item)}")
        return self._published(item)

    def our_replies(self, to: CommentRef) -> list[PublishedReply]:
        params = {"post": to.thread_id, "parent": to.external_id, "author": self.my_user_id(), "per_page": PAGE_SIZE}
        unreadable: list = []
        found = [reply for item in self._pages("comments", params)
                 if isinstance(item, dict) and item.get("author") == self.my_user_id()
                 and (reply := read_item(self._published, item, "balasan akun resmi", unreadable))]
        if unreadable:  # one of ours we cannot read could be this answer: never post on a guess
            raise Unavailable(unreadable[0].reason)
        return found

    def hide(self, to: CommentRef) -> None:
        """Put the comment back in moderation ("hold"): gone from the page, kept on the site."""
        self._request("POST", f"comments/{int(to.external_id)}", json={"status": "hold"})

    def my_user_id(self) -> int:
        return int(self._account()["id"])

    def may_moderate(self) -> bool:
        """Whether our account may read held comments and raw text (an editor or administrator)."""
        capabilities = self._account().get("capabilities")
        return isinstance(capabilities, dict) and capabilities.get("moderate_comments") is True

    def _account(self) -> dict:
        if self._me is None:
            # A wrong password is not refused by WordPress: the request just goes on as a
            # visitor's, so users/me ("not logged in") is where it shows.
            me = json_body(self._request("GET", "users/me", params={"context": "edit"}), dict)
            if isinstance(me.get("id"), bool) or not isinstance(me.get("id"), int):
                raise Unavailable(f"jawaban users/me tanpa id pengguna: {sample(me.get('id'))}")
            self._me = me
        return self._me

    def _approve_if_held(self, to: CommentRef) -> None:
        """Approve and Reply, as wp-admin does: a reply under a held comment would show alone."""
        parent = json_body(self._request("GET", f"comments/{int(to.external_id)}", params={"context": "edit"}), dict)
        status = parent.get("status")
        if status in ("spam", "trash"):
            raise Rejected(f"komentar {to.external_id} sudah ditandai {status} oleh moderator situs")
        if status == "hold":
            self._request("POST", f"comments/{int(to.external_id)}", json={"status": "approved"})

    def _lookback_start(self) -> str:
        # With an offset WordPress converts to site time itself; we need not know its time zone.
        return (datetime.now(timezone.utc) - self.lookback).strftime(LOCAL_FORMAT) + "Z"

    def _comments_by_id(self, ids: list[str], context: str) -> list[dict]:
        """Approved comments among `ids` (the default status); the rest are left out by WordPress."""
        found = []
        for start in range(0, len(ids), PAGE_SIZE):
            chunk = ",".join(str(int(i)) for i in ids[start:start + PAGE_SIZE])
            found += self._pages("comments", {"include": chunk, "per_page": PAGE_SIZE, "context": context})
        return found

    # --- HTTP ----------------------------------------------------------------------
    def _url(self, route: str) -> tuple[str, dict]:
        if self.pretty_permalinks:
            return f"{self.base_url}/wp-json/wp/v2/{route}", {}
        return f"{self.base_url}/", {"rest_route": f"/wp/v2/{route}"}

    def _pages(self, route: str, params: dict):
        """Yield items page by page, following the server's own rel="next" links."""
        url, extra = self._url(route)
        response = self._request("GET", url=url, params={**extra, **params})
        while True:
            items = json_body(response)
            if not isinstance(items, list):
                raise Unavailable(f"daftar komentar bukan larik JSON: {str(items)[:200]}")
            yield from items
            next_link = response.links.get("next", {}).get("url")
            if not next_link or not items:
                return
            response = self._request("GET", url=self._on_our_site(next_link))

    def _on_our_site(self, link: str) -> str:
        """A paging link, pointed at the configured site: the password goes nowhere else."""
        url, query = on_our_host(link, self.base_url)
        return f"{url}?{query}" if query else url

    def _request(self, method: str, route: str | None = None, *, url: str | None = None,
                 params: dict | None = None, **kwargs) -> requests.Response:
        if url is None:
            url, extra = self._url(route)
            params = {**extra, **(params or {})}
        return send(self.http, method, url, params=params, timeout=self.timeout, where=f"{method} {route or url}",
                    error_for=_error_for, **kwargs)

    # --- parsing -------------------------------------------------------------------
    @staticmethod
    def _published(item: dict) -> PublishedReply:
        content = item.get("content") if isinstance(item.get("content"), dict) else {}
        date_gmt = item.get("date_gmt")
        return PublishedReply(
            external_id=str(item["id"]), link=_text_or_none(item.get("link")),
            text=html_to_text(str(content.get("rendered") or "")) if content else None,
            posted_at=datetime.fromisoformat(date_gmt).replace(tzinfo=timezone.utc) if isinstance(date_gmt, str) else None)

    def _parse(self, item: dict) -> IncomingComment:
        _local_date(item)  # the cursor is made of it: it must read back
        parent = int(item.get("parent") or 0)
        posted = datetime.fromisoformat(item["date_gmt"]).replace(tzinfo=timezone.utc)
        author = int(item.get("author") or 0)
        content = item["content"]
        rendered = content["rendered"]
        # What the citizen typed, as WordPress stored it (kses has run on it); the rendered HTML
        # curls quotes and turns ":)" into an emoji, so it serves only without edit rights.
        typed = content.get("raw")
        return IncomingComment(
            ref=CommentRef(external_id=str(int(item["id"])), thread_id=str(int(item["post"])),
                           parent_external_id=str(parent) if parent else None),
            author_name=html.unescape(str(item.get("author_name") or "")).strip() or "Anonim",
            author_external_id=str(author) if author else None,
            text=clean_text(html.unescape(typed)) if isinstance(typed, str) else html_to_text(rendered),
            link=item.get("link"),
            posted_at=posted,
            raw={key: value for key, value in item.items() if key not in PRIVATE_FIELDS},
            awaiting_moderation=item.get("status") == "hold",
        )


def _local_date(item: dict) -> str:
    """The comment's local date in the one form the cursor compares as text."""
    return datetime.strptime(item["date"], LOCAL_FORMAT).strftime(LOCAL_FORMAT)


def _text_or_none(value) -> str | None:
    return value if isinstance(value, str) else None


def _error_for(response: requests.Response) -> ChannelError:
    """Map a WordPress error body ({"code","message","data":{"status"}}) to our family."""
    status = response.status_code
    body = parsed_json(response)
    if isinstance(body, dict):
        code, message = str(body.get("code") or ""), html.unescape(str(body.get("message") or ""))
    else:
        code, message = "", response.text[:200]
    detail = f"HTTP {status}" + (f" {code}" if code else "") + (f": {message}" if message else "")
    if status == 429:  # WordPress itself has no rate limit: a proxy or WAF said so
        return RateLimited(detail, retry_after=retry_after_seconds(response.headers.get("Retry-After")))
    if status >= 500:
        return Unavailable(detail)
    if code == "comment_duplicate":
        return Duplicate(detail)
    if code == "comment_flood":  # "posting too quickly": it passes, so it is tried again later
        return RateLimited(detail, retry_after=FLOOD_PAUSE)
    if status in (401, 403) and code not in ("rest_comment_closed", "rest_comment_invalid_post_id"):
        return AuthError(detail)
    if status == 404:
        return NotFound(detail)
    return Rejected(detail)
