"""Website channel: a WordPress site through its core REST API (wp/v2)."""

from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone

import requests

from tanggap.settings import ChannelConfig

from .base import (
    AuthError,
    ChannelError,
    CommentRef,
    Duplicate,
    IncomingComment,
    Listing,
    NotFound,
    PublishedReply,
    RateLimited,
    Rejected,
    Unavailable,
)
from .http import json_body, send
from .text import html_to_text

# `after` compares with the local comment date, exclusive, to the second: step back a little
# and let the database's (channel, external id) key drop what was already seen.
OVERLAP = timedelta(minutes=5)
PAGE_SIZE = 100  # the API's maximum
LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"


class WordPressClient:
    kind = "wordpress"
    reply_limit = 65_525  # bytes of the stored (escaped) content: WordPress counts UTF-8 bytes
    can_hide = True

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
        self._me: int | None = None

    # --- public interface ----------------------------------------------------------
    def list_new_comments(self, cursor: dict | None) -> Listing:
        me = self.my_user_id()
        if cursor and cursor.get("after_local"):
            since = datetime.strptime(cursor["after_local"], LOCAL_FORMAT) - OVERLAP
        else:
            since = datetime.now(timezone.utc).replace(tzinfo=None) - self.lookback
        params = {"after": since.strftime(LOCAL_FORMAT), "order": "asc", "orderby": "date_gmt",
                  "per_page": PAGE_SIZE}
        comments, problems, answered_by_us = [], [], set()
        newest_local = cursor.get("after_local") if cursor else None
        for item in self._pages("comments", params):
            try:
                comment = self._parse(item)
            except (KeyError, TypeError, ValueError) as exc:
                problems.append(f"komentar website tidak terbaca ({type(exc).__name__}: {exc}): {str(item)[:200]}")
                continue
            newest_local = max(newest_local or "", item["date"])
            if item.get("author") == me:  # our own replies are never new comments ...
                answered_by_us.add(comment.ref.parent_external_id)
                continue
            comments.append(comment)
        # ... and a comment the office already answered by hand needs no new case.
        comments = [c for c in comments if c.ref.external_id not in answered_by_us]
        return Listing(comments=comments, cursor={"after_local": newest_local} if newest_local else {},
                       problems=problems)

    def reply(self, to: CommentRef, text: str) -> PublishedReply:
        # Plain text: escape it so WordPress shows it as written instead of as markup.
        body = {"post": int(to.thread_id), "parent": int(to.external_id), "content": html.escape(text, quote=False)}
        try:
            item = json_body(self._request("POST", "comments", json=body), dict)
        except Duplicate:
            # The same content is already there: our earlier attempt landed.
            found = self.find_our_reply(to)
            if found is None:
                raise
            return found
        return PublishedReply(external_id=str(item["id"]), link=item.get("link"))

    def find_our_reply(self, to: CommentRef, text: str | None = None) -> PublishedReply | None:
        # WordPress threads replies exactly, so the parent alone identifies our answer.
        params = {"post": to.thread_id, "parent": to.external_id, "author": self.my_user_id(), "per_page": PAGE_SIZE}
        for item in self._pages("comments", params):
            if item.get("author") == self.my_user_id():
                return PublishedReply(external_id=str(item["id"]), link=item.get("link"))
        return None

    def hide(self, to: CommentRef) -> None:
        """Put the comment back in moderation ("hold"): gone from the page, kept on the site."""
        self._request("POST", f"comments/{int(to.external_id)}", json={"status": "hold"})

    def my_user_id(self) -> int:
        if self._me is None:
            self._me = int(json_body(self._request("GET", "users/me"))["id"])
        return self._me

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
            response = self._request("GET", url=next_link)

    def _request(self, method: str, route: str | None = None, *, url: str | None = None,
                 params: dict | None = None, **kwargs) -> requests.Response:
        if url is None:
            url, extra = self._url(route)
            params = {**extra, **(params or {})}
        return send(self.http, method, url, params=params, timeout=self.timeout, where=f"{method} {route or url}",
                    error_for=_error_for, **kwargs)

    # --- parsing -------------------------------------------------------------------
    def _parse(self, item: dict) -> IncomingComment:
        parent = int(item.get("parent") or 0)
        posted = datetime.fromisoformat(item["date_gmt"]).replace(tzinfo=timezone.utc)
        author = int(item.get("author") or 0)
        return IncomingComment(
            ref=CommentRef(external_id=str(int(item["id"])), thread_id=str(int(item["post"])),
                           parent_external_id=str(parent) if parent else None),
            author_name=html.unescape(str(item.get("author_name") or "")).strip() or "Anonim",
            author_external_id=str(author) if author else None,
            text=html_to_text(item["content"]["rendered"]),
            link=item.get("link"),
            posted_at=posted,
            raw=item,
        )


def _error_for(response: requests.Response) -> ChannelError:
    """Map a WordPress error body ({"code","message","data":{"status"}}) to our family."""
    status = response.status_code
    try:
        body = response.json()
        code, message = body.get("code", ""), html.unescape(body.get("message", ""))
    except (ValueError, AttributeError):
        code, message = "", response.text[:200]
    detail = f"HTTP {status} {code}: {message}".strip()
    if status == 429:  # WordPress itself has no rate limit: a proxy or WAF said so
        retry_after = response.headers.get("Retry-After")
        return RateLimited(detail, retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None)
    if status >= 500:
        return Unavailable(detail)
    if code == "comment_duplicate":
        return Duplicate(detail)
    if status in (401, 403) and code not in ("rest_comment_closed", "rest_comment_invalid_post_id"):
        return AuthError(detail)
    if status == 404:
        return NotFound(detail)
    return Rejected(detail)
