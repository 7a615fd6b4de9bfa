"""Pieces the two Meta Graph API simulators (Facebook Page, Instagram business) share.

Follows /work/shared/reference/channel-apis.md sections 2 and 3. What both platforms do alike:

- API paths carry a version prefix (``/v25.0/...``; any ``/vNN.N`` is accepted). Paths without
  one are the simulator's public HTML pages. (Real Graph also answers unversioned paths.)
- The token comes as the ``access_token`` query or form parameter, or ``Authorization: OAuth``
  / ``Bearer``. A missing token is code 104, an unknown one code 190, both HTTP 400.
- ``fields`` is parsed like Graph does (``from{id,name}``, ``replies.limit(5){id,text}``): only
  the requested fields come back (plus ``id``), an unknown field is a code 100 error.
- Lists are cursor pages: ``{"data": [...], "paging": {"cursors": {...}, "next": ...}}``. The
  cursors are opaque and anchored on an item, ``next`` repeats the query *including the
  access token*, and deleted comments still take their slot in a page window before they are
  dropped, so a page can be empty and still have ``next``. ``limit`` is silently capped.
- Errors: ``{"error": {"message", "type", "code", "error_subcode", "is_transient",
  "error_user_title", "error_user_msg", "fbtrace_id"}}`` plus a ``WWW-Authenticate`` header.
- Every API answer carries ``X-App-Usage`` and ``X-Business-Use-Case-Usage`` (JSON,
  percentages); there is never a ``Retry-After``. The "rate_limit" fault answers HTTP 400 with
  the site's throttling code (4, 17, 32, 613, 80001, 80002) and both headers at 100 %, the
  business use case one with ``estimated_time_to_regain_access`` in minutes.
- A duplicate reply (the account's latest reply under the same comment has the same text) is
  refused with code 368 and the message Graph users report for it ("You've already posted
  this. Posting the same content repeatedly on Facebook isn't allowed."); the documented
  error-code table lists 368 as a temporary policy block, 506 as "Duplicate Post".
"""

from __future__ import annotations

import base64
import html
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlencode

from simulator.common import JsonHandler, SimulatorBase, SiteBase, tanggal

GRAPH_VERSION = "v25.0"
GRAPH_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"
_VERSIONED = re.compile(r"^/(v\d+\.\d+)(/.*)?$")

RATE_LIMIT_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, "
           "please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
    80002: "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. For more "
           "info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
}
DUPLICATE_MESSAGE = "You've already posted this. Posting the same content repeatedly on Facebook isn't allowed."


def graph_time(moment: datetime) -> str:
    """Graph's timestamp form: UTC with a '+0000' offset."""
    return moment.astimezone(timezone.utc).strftime(GRAPH_TIME_FORMAT)


def utc_seconds(moment: datetime | None = None) -> datetime:
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        raise ValueError("give an aware datetime")
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def utf16_length(text: str) -> int:
    """Characters as JavaScript counts them (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def trace_id() -> str:
    return "A" + secrets.token_urlsafe(16)[:22]


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class GraphError(Exception):
    """One Graph error answer."""

    def __init__(self, code: int, message: str, *, status: int = 400, type: str = "OAuthException",
                 subcode: int | None = None, transient: bool | None = None, user_title: str | None = None,
                 user_msg: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.type = code, message, status, type
        self.subcode, self.transient, self.user_title, self.user_msg = subcode, transient, user_title, user_msg

    def body(self) -> dict:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.transient is not None:
            error["is_transient"] = self.transient
        if self.user_title:
            error["error_user_title"] = self.user_title
        if self.user_msg:
            error["error_user_msg"] = self.user_msg
        error["fbtrace_id"] = trace_id()
        return {"error": error}

    def www_authenticate(self) -> str:
        kind = "invalid_token" if self.code in (102, 104, 190) else (
            "insufficient_scope" if self.code == 10 or 200 <= self.code <= 299 else "invalid_request")
        return f'OAuth "Facebook Platform" "{kind}" "{self.message}"'


def invalid_token() -> GraphError:
    return GraphError(190, "Invalid OAuth access token - Cannot parse access token")


def missing_token() -> GraphError:
    return GraphError(104, "An access token is required to request this resource.")


def unsupported(method: str, object_id: str) -> GraphError:
    return GraphError(
        100, f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, cannot be loaded "
        "due to missing permissions, or does not support this operation. Please read the Graph API documentation "
        "at https://developers.facebook.com/docs/graph-api", type="GraphMethodException", subcode=33)


def unknown_path(components: str) -> GraphError:
    return GraphError(2500, f"Unknown path components: {components}")


def nonexisting_field(name: str, node_type: str) -> GraphError:
    return GraphError(100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})")


def invalid_parameter(message: str, **kwargs) -> GraphError:
    return GraphError(100, f"(#100) {message}", **kwargs)


def permission_error(permission: str) -> GraphError:
    return GraphError(200, f"(#200) Requires {permission} permission to manage the object", status=403)


def service_error() -> GraphError:
    return GraphError(2, "An unexpected error has occurred. Please retry your request later.", status=500,
                      transient=True)


def duplicate_error() -> GraphError:
    return GraphError(368, DUPLICATE_MESSAGE, transient=False, user_title="Duplicate Comment",
                      user_msg=DUPLICATE_MESSAGE)


def too_long(limit: int) -> GraphError:
    return invalid_parameter(f"Param message must be at most {limit} characters long.")


# --------------------------------------------------------------------------------------------
# fields=...
# --------------------------------------------------------------------------------------------


@dataclass
class Field:
    sub: dict[str, "Field"] | None = None  # requested subfields, None when none were given
    raw: str | None = None  # the subfield list as written, for nested paging links
    limit: int | None = None  # .limit(n)


_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*")
_MODIFIER = re.compile(r"\.([a-z_]+)\(([^()]*)\)\s*")


def parse_fields(text: str) -> dict[str, Field]:
    def syntax(position: int, expected: str) -> GraphError:
        return invalid_parameter(f'Syntax error "Expected {expected}." at character {position}: {text}')

    def parse_list(position: int, depth: int) -> tuple[dict[str, Field], int]:
        found: dict[str, Field] = {}
        while True:
            match = _NAME.match(text, position)
            if not match:
                raise syntax(position, "name")
            name, position, spec = match.group(1), match.end(), Field()
            while (modifier := _MODIFIER.match(text, position)) is not None:
                if modifier.group(1) == "limit":
                    if not modifier.group(2).strip().isdigit():
                        raise syntax(modifier.start(2), "an integer")
                    spec.limit = int(modifier.group(2))
                position = modifier.end()
            if text.startswith("{", position):
                spec.sub, end = parse_list(position + 1, depth + 1)
                spec.raw, position = text[position + 1:end], end + 1
            found[name] = spec
            while position < len(text) and text[position] == " ":
                position += 1
            if position < len(text) and text[position] == ",":
                position += 1
                continue
            if depth and position < len(text) and text[position] == "}":
                return found, position
            if not depth and position >= len(text):
                return found, position
            raise syntax(position, "end of string" if not depth else '"}"')

    if not text.strip():
        return {}
    return parse_list(0, 0)[0]


OMIT = object()  # a field the node does not have in this instance (e.g. `parent` of a top-level comment)


def project(node_type: str, available: dict[str, Any], requested: dict[str, Field] | None,
            default: tuple[str, ...]) -> dict:
    """The node as Graph answers it: requested fields in order, `id` always there.

    `available` maps field names to values, OMIT, or callables taking the Field (for edges
    and nested objects).
    """
    wanted = requested if requested else {name: Field() for name in default}
    out: dict[str, Any] = {}
    for name, spec in wanted.items():
        if name not in available:
            raise nonexisting_field(name, node_type)
        value = available[name]
        if callable(value):
            value = value(spec)
        if value is not OMIT:
            out[name] = value
    if "id" in available and "id" not in out:
        out["id"] = available["id"]
    return out


# --------------------------------------------------------------------------------------------
# Cursor paging
# --------------------------------------------------------------------------------------------


def encode_cursor(item_id: str) -> str:
    return base64.urlsafe_b64encode(f"c:{item_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise invalid_parameter("Invalid cursor") from None
    if not raw.startswith("c:"):
        raise invalid_parameter("Invalid cursor")
    return raw[2:]


def parse_limit(params: dict, default: int, cap: int) -> int:
    value = params.get("limit", "")
    if value == "":
        return min(default, cap)
    if not str(value).strip().lstrip("-").isdigit():
        raise invalid_parameter("Param limit must be an integer")
    return max(1, min(int(value), cap))  # Graph caps silently instead of refusing


def paginate(items: list[dict], params: dict, next_url: Callable[[dict], str], *, default_limit: int,
             cap: int, limit: int | None = None, visible: Callable[[dict], bool] = lambda item: True
             ) -> tuple[list[dict], dict]:
    """One window of `items` (already ordered) and the Graph `paging` object for it.

    Items that are not `visible` (deleted) keep their slot in the window, so a page may hold
    fewer than `limit` items, none at all, and still have `next`.
    """
    size = limit if limit is not None else parse_limit(params, default_limit, cap)
    ids = [str(item["id"]) for item in items]
    if params.get("after"):
        anchor = decode_cursor(params["after"])
        if anchor not in ids:
            raise invalid_parameter("Invalid cursor")
        start = ids.index(anchor) + 1
    elif params.get("before"):
        anchor = decode_cursor(params["before"])
        if anchor not in ids:
            raise invalid_parameter("Invalid cursor")
        start = max(0, ids.index(anchor) - size)
    else:
        start = 0
    window = items[start:start + size]
    paging: dict[str, Any] = {}
    if window:
        paging["cursors"] = {"before": encode_cursor(window[0]["id"]), "after": encode_cursor(window[-1]["id"])}
        if start > 0:
            paging["previous"] = next_url({"limit": size, "before": paging["cursors"]["before"]})
        if start + size < len(items):
            paging["next"] = next_url({"limit": size, "after": paging["cursors"]["after"]})
    return [item for item in window if visible(item)], paging


def list_answer(data: list[dict], paging: dict) -> dict:
    return {"data": data, "paging": paging} if paging else {"data": data}


# --------------------------------------------------------------------------------------------
# Site state shared by both platforms: one account, containers (posts/media) and comments
# --------------------------------------------------------------------------------------------


class GraphSite(SiteBase):
    """An account with its posts (or media) and their two-level comment threads."""

    container_key = "thread"  # "post" or "media" in the comments snapshot
    default_rate_limit_code = 4
    default_limit_cap = 100
    usage_type = "pages"

    def __init__(self, account_id: str, account_name: str, token: str) -> None:
        super().__init__()
        self.account_id, self.account_name = account_id, account_name
        self.tokens: dict[str, bool] = {token: True}  # token -> may manage (reply, hide)
        self.rate_limit_code = self.default_rate_limit_code
        self.rate_limit_status = 400  # Graph throttles with 400 (sometimes 403), never 429
        self.regain_minutes = 1  # estimated_time_to_regain_access in the throttled usage headers
        self.limit_cap = self.default_limit_cap  # the most items one page holds, whatever `limit` says
        self.duplicate_check = True
        self._threads: dict[str, dict] = {}
        self._comments: dict[str, dict] = {}
        self._thread_seq = 0
        self._comment_seq = 0

    # -- tokens ---------------------------------------------------------------------------
    def add_token(self, token: str, *, can_manage: bool = True) -> None:
        """Another token; `can_manage=False` lacks the permission to reply and hide."""
        with self.lock:
            self.tokens[token] = can_manage

    # -- comments ------------------------------------------------------------------------
    def _new_thread_id(self) -> str:
        raise NotImplementedError

    def _new_comment_id(self, thread: dict) -> str:
        raise NotImplementedError

    def _store_thread(self, record: dict) -> str:
        with self.lock:
            self._thread_seq += 1
            record["id"] = self._new_thread_id()
            record["created"] = utc_seconds(record.get("created"))
            self._threads[record["id"]] = record
            self.save()
            return record["id"]

    def _store_comment(self, thread_id: str, *, author_id: str | None, author_name: str, text: str,
                       parent: str | None = None, created: datetime | None = None, **extra) -> str:
        with self.lock:
            if thread_id not in self._threads:
                raise KeyError(f"no post or media {thread_id}")
            if parent is not None:
                if parent not in self._comments:
                    raise KeyError(f"no comment {parent}")
                # Two levels only: a reply to a reply joins its top-level comment's thread.
                parent = self._comments[parent]["parent"] or parent
            self._comment_seq += 1
            comment_id = self._new_comment_id(self._threads[thread_id])
            self._comments[comment_id] = {
                "id": comment_id, "thread": thread_id, "parent": parent, "author_id": author_id,
                "author_name": author_name, "text": text, "created": utc_seconds(created), "hidden": False,
                "deleted": False, "like_count": 0, "seq": self._comment_seq, **extra,
            }
            self.save()
            return comment_id

    def set_hidden(self, comment_id: str, hidden: bool = True) -> None:
        with self.lock:
            self._comments[comment_id]["hidden"] = hidden
            self.save()

    def delete_comment(self, comment_id: str) -> None:
        """Gone from the API, but its slot in a page window stays (see paginate)."""
        with self.lock:
            self._comments[comment_id]["deleted"] = True
            self.save()

    def set_like_count(self, comment_id: str, likes: int) -> None:
        with self.lock:
            self._comments[comment_id]["like_count"] = likes
            self.save()

    @property
    def comments(self) -> list[dict]:
        """Snapshot of every comment (deleted ones too), oldest first."""
        with self.lock:
            rows = sorted(self._comments.values(), key=lambda c: (c["created"], c["seq"]))
            return [{**c, self.container_key: c["thread"], "official": c["author_id"] == self.account_id}
                    for c in rows]

    def replies_by_us(self) -> list[dict]:
        return [c for c in self.comments if c["official"] and not c["deleted"]]

    def _live_replies(self, comment_id: str) -> list[dict]:
        return sorted((c for c in self._comments.values() if c["parent"] == comment_id and not c["deleted"]),
                      key=lambda c: (c["created"], c["seq"]))

    def _is_duplicate(self, thread_id: str, parent: str | None, text: str) -> bool:
        """The account's latest comment in the same place says exactly the same."""
        if not self.duplicate_check:
            return False
        ours = [c for c in self._comments.values() if c["thread"] == thread_id and c["parent"] == parent
                and c["author_id"] == self.account_id and not c["deleted"]]
        if not ours:
            return False
        latest = max(ours, key=lambda c: (c["created"], c["seq"]))
        return latest["text"].strip() == text.strip()

    # -- persistence ---------------------------------------------------------------------
    def to_state(self) -> dict:
        return {
            "threads": [{**t, "created": t["created"].isoformat()} for t in self._threads.values()],
            "comments": [{**c, "created": c["created"].isoformat()} for c in self._comments.values()],
            "thread_seq": self._thread_seq,
            "comment_seq": self._comment_seq,
        }

    def from_state(self, state: dict) -> None:
        self._threads = {t["id"]: {**t, "created": datetime.fromisoformat(t["created"])} for t in state["threads"]}
        self._comments = {c["id"]: {**c, "created": datetime.fromisoformat(c["created"])}
                          for c in state["comments"]}
        self._thread_seq, self._comment_seq = state["thread_seq"], state["comment_seq"]


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


@dataclass
class GraphRequest:
    method: str
    version: str
    segments: list[str]
    params: dict
    token: str
    can_manage: bool
    api_root: str  # e.g. http://127.0.0.1:8402/v25.0
    fields: dict[str, Field] | None = field(default=None)

    def link(self, path: str, params: dict, cursor: dict) -> str:
        """A paging link as Graph writes it: the same query with the new cursor, the token included."""
        query = {k: v for k, v in params.items() if k not in ("after", "before", "access_token", "limit")}
        return f"{self.api_root}/{path}?{urlencode({**query, **cursor, 'access_token': self.token})}"

    def next_url(self, path: str, params: dict | None = None) -> Callable[[dict], str]:
        return lambda cursor: self.link(path, self.params if params is None else params, cursor)


def usage_headers(site: GraphSite, throttled: bool) -> list[tuple[str, str]]:
    # X-App-Usage holds percentages only; the regain time is in the business use case header.
    if throttled:
        app = {"call_count": 100, "total_cputime": 100, "total_time": 100}
        regain = site.regain_minutes
    else:
        share = min(95, site.request_count("GET") + site.request_count("POST")) // 5
        app = {"call_count": share, "total_cputime": max(1, share // 2), "total_time": max(1, share // 2)}
        regain = 0
    business = {site.account_id: [{"type": site.usage_type, "call_count": app["call_count"],
                                   "total_cputime": app["total_cputime"], "total_time": app["total_time"],
                                   "estimated_time_to_regain_access": regain}]}
    return [("X-App-Usage", json.dumps(app, separators=(",", ":"))),
            ("X-Business-Use-Case-Usage", json.dumps(business, separators=(",", ":")))]


class GraphHandler(JsonHandler):
    """Routing, token check, faults and answers. Subclasses implement `public_page` and, for each
    node kind and edge, `_<method>_<kind>_<edge>(request, record)` (edge "node": the node itself)."""

    server_version = "Graph"
    sys_version = ""
    account_kind = "account"  # the account node's kind in route names ("page", "user")
    thread_kind = "thread"  # a post's or medium's kind in route names ("post", "media")
    me_alias = False  # whether "/me" names the account

    # -- subclass hooks ------------------------------------------------------------------
    def public_page(self, path: str) -> str | None:
        raise NotImplementedError

    def api(self, req: GraphRequest) -> dict:
        site = self.site
        with site.lock:
            if not req.segments:
                raise unknown_path("/")
            if len(req.segments) > 2:
                raise unknown_path("/" + "/".join(req.segments[2:]))
            node_id = site.account_id if self.me_alias and req.segments[0] == "me" else req.segments[0]
            edge = req.segments[1] if len(req.segments) == 2 else "node"
            if node_id == site.account_id:
                kind, record = self.account_kind, None
            elif node_id in site._threads:
                kind, record = self.thread_kind, site._threads[node_id]
            elif node_id in site._comments and not site._comments[node_id]["deleted"]:
                kind, record = "comment", site._comments[node_id]
            else:
                raise unsupported(req.method, node_id)
            route = getattr(self, f"_{req.method.lower()}_{kind}_{edge}", None)
            if route is None:
                if edge != "node":
                    raise unknown_path(f"/{edge}")
                raise unsupported(req.method, node_id)
            return route(req, record)

    # -- plumbing ------------------------------------------------------------------------
    @property
    def site(self) -> GraphSite:
        return self.server.site  # type: ignore[return-value]

    def handle_request(self) -> None:
        body = self.read_body()
        path, query = self.split_url()
        versioned = _VERSIONED.match(path)
        if not versioned:
            if self.command != "GET":
                return self.send(405, b"Method Not Allowed", "text/plain; charset=utf-8")
            page = self.public_page(path)
            if page is None:
                return self.send_html(404, render_document("Halaman tidak ditemukan", "Halaman tidak ditemukan",
                                                           "", "<p>Halaman tidak ditemukan.</p>"))
            return self.send_html(200, page)
        site = self.site
        site.count_request(self.command)
        fault = site.faults.take(self.command)
        if fault == "rate_limit":
            code = site.rate_limit_code
            error = GraphError(code, RATE_LIMIT_MESSAGES.get(code, f"(#{code}) Rate limit reached"),
                               status=site.rate_limit_status, transient=True)
            return self._send_error(error, throttled=True)
        if fault == "http500":
            return self._send_error(service_error())
        if fault == "timeout":
            self.wait_for_timeout_fault()
        try:
            request = self._request(versioned.group(1), versioned.group(2) or "/", {**query, **self.body_params(body)})
            payload = self.api(request)
        except GraphError as error:
            return self._send_error(error, garbage=fault == "garbage")
        if fault == "post_then_500":  # the write above happened; the answer is lost
            return self._send_error(service_error())
        self.send_json(200, payload, self._headers(), garbage=fault == "garbage")

    def _request(self, version: str, rest: str, params: dict) -> GraphRequest:
        token = params.pop("access_token", "") or ""
        header = self.headers.get("Authorization", "")
        if not token and header.split(" ", 1)[0].lower() in ("oauth", "bearer"):
            token = header.split(" ", 1)[1].strip() if " " in header else ""
        if not token:
            raise missing_token()
        with self.site.lock:
            if token not in self.site.tokens:
                raise invalid_token()
            can_manage = self.site.tokens[token]
        request = GraphRequest(method=self.command, version=version, segments=[s for s in rest.split("/") if s],
                               params=params, token=token, can_manage=can_manage,
                               api_root=f"{self.site.base_url}/{version}")
        request.fields = parse_fields(params.get("fields", "")) if params.get("fields") else None
        return request

    def _headers(self, throttled: bool = False) -> list[tuple[str, str]]:
        return [("facebook-api-version", GRAPH_VERSION), ("x-fb-trace-id", trace_id()[:11]),
                ("Cache-Control", "private, no-cache, no-store, must-revalidate"),
                *usage_headers(self.site, throttled)]

    def _send_error(self, error: GraphError, *, throttled: bool = False, garbage: bool = False) -> None:
        headers = [*self._headers(throttled), ("WWW-Authenticate", error.www_authenticate())]
        self.send_json(error.status, error.body(), headers, garbage=garbage)


class GraphSimulatorBase(SimulatorBase):
    """SimulatorBase for a Graph API host."""

    @property
    def api_root(self) -> str:
        return f"{self.base_url}/{GRAPH_VERSION}"


# --------------------------------------------------------------------------------------------
# Public pages
# --------------------------------------------------------------------------------------------

PAGE_STYLE = """
body{font-family:system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem 1.25rem;color:#1c1e21;
background:#f0f2f5}
header.site{border-bottom:3px solid var(--brand);margin-bottom:1.5rem}
header.site h1{margin:.2rem 0;color:var(--brand)}
.note,.meta{color:#65676b;font-size:.85rem}
article.post{background:#fff;border:1px solid #dddfe2;border-radius:8px;padding:1rem 1.25rem;margin-bottom:1.5rem}
.entry{white-space:normal;margin:.6rem 0}
.comment{border-left:3px solid #dddfe2;padding:.35rem .8rem;margin:.5rem 0;background:#f7f8fa;border-radius:4px}
.comment.official{border-left-color:var(--brand);background:#eef3fb}
.children{margin-left:1.75rem}
.badge{display:inline-block;background:var(--brand);color:#fff;border-radius:4px;padding:0 .4rem;font-size:.75rem;
margin-left:.4rem}
.comment .author{font-weight:600}
"""


def text_html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>\n")


def render_document(title: str, heading: str, note: str, body: str, brand: str = "#1877f2") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>:root{{--brand:{brand}}}{PAGE_STYLE}</style>\n</head>\n<body>\n"
        f'<header class="site"><h1>{html.escape(heading)}</h1><p class="note">{html.escape(note)}</p></header>\n'
        f"<main>{body}</main>\n</body>\n</html>\n"
    )


def render_item(site: GraphSite, *, element_id: str, author: str, link: str, created, text: str, thread_id: str,
                comments_open: bool) -> str:
    """One post or media with its threaded comments, as the public page shows it."""
    closed = "" if comments_open else '<p class="note">Komentar dinonaktifkan.</p>'
    return (
        f'<article class="post" id="{element_id}">'
        f'<div class="meta"><strong>{text_html(author)}</strong> · '
        f'<a href="{link}"><time datetime="{created.isoformat()}">{tanggal(created)}</time></a></div>'
        f'<div class="entry">{text_html(text)}</div>{render_comments(site, thread_id)}{closed}'
        f"</article>"
    )


def render_comments(site: GraphSite, thread_id: str) -> str:
    """The public thread: top-level comments oldest first, replies under them; hidden and
    deleted comments are not shown; the account's own comments carry the official badge."""
    shown = [c for c in site._comments.values() if c["thread"] == thread_id and not c["deleted"] and not c["hidden"]]
    shown.sort(key=lambda c: (c["created"], c["seq"]))
    ids = {c["id"] for c in shown}

    def one(comment: dict, children: str = "") -> str:
        official = comment["author_id"] == site.account_id
        badge = '<span class="badge">Balasan resmi</span>' if official else ""
        return (
            f'<div class="comment{" official" if official else ""}" id="komentar-{html.escape(comment["id"])}">'
            f'<div class="meta"><span class="author">{html.escape(comment["author_name"])}</span>{badge} · '
            f'<time datetime="{comment["created"].isoformat()}">{tanggal(comment["created"])}</time></div>'
            f'<div class="content">{text_html(comment["text"])}</div>{children}</div>'
        )

    parts = []
    for top in (c for c in shown if c["parent"] is None or c["parent"] not in ids):
        replies = "".join(one(r) for r in shown if r["parent"] == top["id"])
        parts.append(one(top, f'<div class="children">{replies}</div>' if replies else ""))
    return f'<section class="comments"><h3>{len(shown)} komentar</h3>{"".join(parts)}</section>'
