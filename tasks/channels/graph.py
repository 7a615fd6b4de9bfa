"""What the Facebook and Instagram connectors share: the Meta Graph API itself.

One requests.Session per client, a pinned API version, the token as the `access_token`
parameter (query for reads, form body for writes), cursor paging that follows the server's own
`paging.next` until there is none, and one mapping from Graph error bodies to our error family.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Iterator
from urllib.parse import parse_qsl, urlencode

import requests

from tanggap.settings import ChannelConfig

from .base import (
    AuthError,
    ChannelError,
    CommentRef,
    Duplicate,
    NotFound,
    PublishedReply,
    RateLimited,
    Rejected,
    Unavailable,
)
from .transport import bounded_wait, json_body, on_our_host, parsed_json, send
from .reading import checked_id, read_item, sample

GRAPH_VERSION = "v25.0"  # pinned: a new Graph version changes fields and defaults
# Throttling, by error.code (the HTTP status is usually 400, sometimes 403): app (4), user (17),
# page (32), app limit (341), per-call (613), business use case (80000-80099; 80001 Pages,
# 80002 Instagram).
_THROTTLE_CODES = frozenset({4, 17, 32, 341, 613})
_AUTH_CODES = frozenset({102, 104, 190, 10})  # session, token missing, token invalid/expired, permission
_USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Page-Usage", "X-Ad-Account-Usage")


def utf16_length(text: str) -> int:
    """Characters as Meta's clients count them: an emoji outside the BMP counts 2. Never less
    than the number of code points, so a reply within the limit here is within it there."""
    return len(text.encode("utf-16-le")) // 2


def parse_graph_time(value: str) -> datetime:
    """'2025-03-04T09:15:00+0000' (or '+00:00', or 'Z') to an aware UTC datetime."""
    return datetime.strptime(value.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S%z").astimezone(timezone.utc)


def retry_after_from_usage(headers) -> float | None:
    """Seconds until access returns, from `estimated_time_to_regain_access` (minutes) in the
    usage headers; None when no header says so. Graph never sends Retry-After."""
    minutes: list[float] = []

    def collect(value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "estimated_time_to_regain_access" and isinstance(inner, (int, float)):
                    minutes.append(float(inner))
                else:
                    collect(inner)
        elif isinstance(value, list):
            for inner in value:
                collect(inner)

    for name in _USAGE_HEADERS:
        raw = headers.get(name)
        if raw:
            try:
                collect(json.loads(raw))
            except ValueError:
                continue
    longest = max(minutes, default=0.0)
    return bounded_wait(longest * 60) if longest > 0 else None


def error_for(response: requests.Response) -> ChannelError:
    """Map a Graph error answer to our family, branching on error.code, not the HTTP status."""
    status = response.status_code
    body = parsed_json(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        detail = f"HTTP {status}, jawaban bukan galat Graph: {response.text[:160]!r}"
        if status == 429:
            return RateLimited(detail, retry_after=retry_after_from_usage(response.headers))
        if status in (401, 403):
            return AuthError(detail)
        return Unavailable(detail)  # a proxy's or load balancer's page: try again later
    try:
        code = int(error.get("code") or 0)
    except (TypeError, ValueError, OverflowError):
        code = 0
    subcode = error.get("error_subcode")
    message = str(error.get("message") or "")
    user_message = str(error.get("error_user_msg") or "")
    detail = (f"HTTP {status}, Graph code {code}{f'/{subcode}' if subcode else ''} ({error.get('type', '?')}): "
              f"{message}" + (f" — {user_message}" if user_message and user_message != message else "")
              + (f" [fbtrace_id {error['fbtrace_id']}]" if error.get("fbtrace_id") else ""))
    if code in _THROTTLE_CODES or 80000 <= code < 80100:
        return RateLimited(detail, retry_after=retry_after_from_usage(response.headers))
    if code in (1, 2) or error.get("is_transient") is True:
        return Unavailable(detail)
    if code in _AUTH_CODES or 200 <= code <= 299:
        return AuthError(detail)
    if code == 506 or (code in (100, 368) and _says_duplicate(message + " " + user_message)):
        return Duplicate(detail)
    if (code == 100 and subcode == 33) or code == 803:
        return NotFound(detail)
    if status >= 500:
        return Unavailable(detail)
    return Rejected(detail)  # 100 invalid parameter, 368 policy block, 2500 unknown path, ...


def _says_duplicate(text: str) -> bool:
    text = text.lower()
    return "duplicate" in text or "already posted" in text or "same content" in text


class GraphClient:
    """HTTP for one Graph account; FacebookClient and InstagramClient add the platform."""

    platform = "Graph"
    # Replies to replies are filed under the top-level comment: which is ours is told by text and time.
    threads_exactly = False
    reply_edge = "comments"  # where replies to a top-level comment live (Instagram: "replies")
    scan_option = ""  # the channel option saying how many of the newest posts (or media) a listing reads

    @staticmethod
    def reply_length(text: str) -> int:
        """Meta does not say how it counts; UTF-16 units never undercount."""
        return utf16_length(text)

    def __init__(self, config: ChannelConfig, token: str, *, lookback_days: int = 30, timeout: float = 20.0,
                 ledger=None) -> None:  # Graph has no daily quota: the ledger is not used
        self.config = config
        self.lookback = timedelta(days=lookback_days)
        self.account = str(config.account)
        self.to_scan = max(1, int(config.options.get(self.scan_option, 25)))
        self.version = str(config.options.get("graph_version", GRAPH_VERSION))
        self.root = f"{config.base_url.rstrip('/')}/{self.version}"
        self.timeout = timeout
        self._token = token
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "Tanggap/0.1 (+BBPP Ketindan)"

    # --- requests ------------------------------------------------------------------
    def _request(self, method: str, route: str | None = None, *, url: str | None = None,
                 params: dict | None = None, data: dict | None = None) -> requests.Response:
        """One call; `route` is relative to the versioned root, `url` a paging link.

        The token travels in the query for reads and in the form body for writes; errors name
        the route, never a URL (paging links carry the token).
        """
        where = f"{method} {route}" if route else f"{method} halaman berikutnya"
        if url is None:
            url = f"{self.root}/{route}"
        if method == "GET":
            params = {**(params or {}), "access_token": self._token}
        else:
            data = {**(data or {}), "access_token": self._token}
        return send(self.http, method, url, params=params, data=data, timeout=self.timeout, where=where,
                    error_for=error_for)

    def _get(self, route: str, params: dict | None = None) -> dict:
        return json_body(self._request("GET", route, params=params), dict)

    def _post(self, route: str, data: dict) -> dict:
        return json_body(self._request("POST", route, data=data), dict)

    # --- paging --------------------------------------------------------------------
    def _payloads(self, route: str | None = None, params: dict | None = None, *,
                  first: dict | None = None) -> Iterator[dict]:
        """Each page of a list, following `paging.next` until it is absent.

        A page may be empty and still have `next` (Graph drops deleted or filtered items
        after cutting the page), so emptiness never ends the walk; only a missing `next` does.
        `first` is a list already in hand, such as the `replies` inside a comment.
        """
        payload = first if first is not None else self._get(route, params)
        seen: set[str] = set()
        while True:
            if not isinstance(payload.get("data"), list):
                raise Unavailable(f"daftar Graph tanpa larik 'data' ({route or 'halaman berikutnya'})")
            yield payload
            paging = payload.get("paging")
            next_link = paging.get("next") if isinstance(paging, dict) else None
            if not next_link or not isinstance(next_link, str):
                return
            url, query = self._same_origin(next_link)
            if url + "?" + urlencode(sorted(query.items())) in seen:
                raise Unavailable(f"paging Graph berputar di tempat ({route or 'halaman berikutnya'})")
            seen.add(url + "?" + urlencode(sorted(query.items())))
            payload = json_body(self._request("GET", url=url, params=query), dict)

    def _items(self, route: str | None = None, params: dict | None = None, *, first: dict | None = None
               ) -> Iterator[dict]:
        for payload in self._payloads(route, params, first=first):
            yield from payload["data"]

    def _same_origin(self, link: str) -> tuple[str, dict]:
        """A paging link, pointed at our configured host: the token goes nowhere else."""
        url, query = on_our_host(link, self.root)
        return url, {k: v for k, v in parse_qsl(query, keep_blank_values=True) if k != "access_token"}

    def _newest(self, route: str, fields: str, count: int, page_size: int) -> list[dict]:
        """The first `count` items of an edge (posts of a page, media of an account)."""
        items: list[dict] = []
        for item in self._items(route, {"fields": fields, "limit": min(count, page_size)}):
            items.append(item)
            if len(items) >= count:
                break
        return items

    def _hide(self, comment_id: str, field: str) -> None:
        """Hide a comment (`is_hidden` on Facebook, `hide` on Instagram); Graph answers {"success": true}."""
        result = self._post(comment_id, {field: "true"})
        if result.get("success") is not True:
            raise Rejected(f"Graph tidak mengonfirmasi penyembunyian komentar {comment_id}: {str(result)[:200]}")

    def _post_reply(self, to: CommentRef, text: str) -> str:
        """POST a reply to the top-level comment (a reply to a reply goes there too); returns its id."""
        target = to.parent_external_id or to.external_id
        created = self._post(f"{target}/{self.reply_edge}", {"message": text})
        try:
            return checked_id(created.get("id"))
        except (TypeError, ValueError):
            raise Unavailable(f"Graph tidak mengembalikan id balasan: {sample(created)}") from None

    def our_replies(self, to: CommentRef) -> list[PublishedReply]:
        """Our replies under the top-level comment of `to`, where any answer to it is filed."""
        root = to.parent_external_id or to.external_id
        unreadable: list = []
        found = [reply for item in self._items(f"{root}/{self.reply_edge}", self._reply_query())
                 if isinstance(item, dict) and self._is_ours(item)
                 and (reply := read_item(lambda i: self._as_reply(i, to), item, "balasan akun resmi", unreadable))]
        if unreadable:  # one of ours we cannot read could be this answer: never post on a guess
            raise Unavailable(unreadable[0].reason)
        return found

    # Each platform says how it lists replies, which are ours, and how one reads as a PublishedReply.
    def _reply_query(self) -> dict: ...

    def _is_ours(self, item: dict) -> bool: ...

    def _as_reply(self, item: dict, to: CommentRef) -> PublishedReply: ...
