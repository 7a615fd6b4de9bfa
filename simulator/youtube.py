"""A local YouTube Data API v3 for the comment endpoints Tanggap uses, with its quirks.

Served on loopback (`python -m simulator` serves it on port 8404):

- `GET  /youtube/v3/commentThreads` (part=id,snippet,replies; exactly one filter of
  allThreadsRelatedToChannelId, videoId, id, channelId; maxResults 1..100, default 20;
  order=time|relevance; textFormat=html|plainText; moderationStatus; searchTerms; pageToken)
- `GET  /youtube/v3/comments` (part=id,snippet; parentId or id; paging as above)
- `POST /youtube/v3/comments?part=snippet` (a reply: {"snippet":{"parentId","textOriginal"}})
- `POST /youtube/v3/comments/setModerationStatus?id=...&moderationStatus=...` -> 204
- `GET  /` and `GET /watch?v=...`: the public channel page with the comment threads.
- `/__sim/...`: the control route every simulator shares (simulator/common.py).

Quirks kept on purpose:
- order=time sorts threads by the *top-level* comment's publishedAt, newest first: a new reply
  does not bring an old thread back to the top.
- A thread carries at most 5 replies (the oldest five here; which ones the real API picks is
  not documented): `snippet.totalReplyCount` tells when comments.list?parentId is needed.
- A reply to a reply is filed under the top-level comment (parentId is always top-level).
- `pageInfo.totalResults` is the number of items on *this* page, as the real API reports it.
- Timestamps are RFC 3339 UTC to the second with a `Z`.
- textFormat=html (the default) escapes the text, turns newlines into <br> and links into <a>.
- Errors are Google's {"error":{"code","message","errors":[{"domain","reason",...}]}}; some
  messages hold HTML, as the real ones do. No rate-limit headers at all.
- Quota: list = 1 unit, insert and setModerationStatus = 50, `daily_quota` (10,000) per day,
  the day turning at midnight America/Los_Angeles; exhausted -> 403 quotaExceeded.
- YouTube has no duplicate-content error: posting the same reply twice stores it twice.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import string
from datetime import datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from simulator.common import JsonHandler, SimulatorBase, SiteBase, answer_network_fault, run_seed, tanggal

PACIFIC = ZoneInfo("America/Los_Angeles")
DEFAULT_DAILY_QUOTA = 10_000
MAX_COMMENT_CHARACTERS = 10_000  # UNCONFIRMED limit; counted in code points here
INLINE_REPLIES = 5
API_PREFIX = "/youtube/v3"

# The official account and its OAuth tokens (demo values, loopback only).
YOUTUBE_CHANNEL_ID = "UCbbppKetindanKementan01"
YOUTUBE_CHANNEL_TITLE = "BBPP Ketindan"
YOUTUBE_CHANNEL_HANDLE = "@bbppketindan"
YOUTUBE_DEMO_TOKEN = "ya29.demo-bbpp-ketindan-youtube"  # scope youtube.force-ssl: read and write
YOUTUBE_READONLY_TOKEN = "ya29.demo-bbpp-ketindan-hanya-baca"  # scope youtube.readonly: no replies

COSTS = {"commentThreads.list": 1, "comments.list": 1, "comments.insert": 50, "comments.setModerationStatus": 50}
_ALPHABET = string.ascii_letters + string.digits + "-_"
_URL = re.compile(r"https?://[^\s<>\"]+")


def _chars(seed: str, n: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest() + hashlib.sha256(seed.encode() + b"+").digest()
    return "".join(_ALPHABET[b % 64] for b in digest)[:n]


def channel_id_for(name: str) -> str:
    """A stable, realistic-looking channel id for a visitor."""
    return "UC" + _chars("channel:" + name, 22)


def handle_for(name: str) -> str:
    return "@" + (re.sub(r"[^a-z0-9._-]", "", name.lower()) or "pengguna")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("dates must be timezone-aware")
    return moment.astimezone(timezone.utc)


class ApiError(Exception):
    """An error answer in Google's shape."""

    def __init__(self, status: int, reason: str, message: str, *, domain: str = "youtube.api",
                 location: str | None = None, location_type: str = "parameter", google_status: str | None = None,
                 detail_message: str | None = None, headers: tuple = ()):
        super().__init__(message)
        self.status, self.reason, self.message, self.domain = status, reason, message, domain
        self.location, self.location_type, self.google_status = location, location_type, google_status
        self.detail_message = detail_message or message
        self.headers = list(headers)

    def body(self) -> dict:
        error = {"message": self.detail_message, "domain": self.domain, "reason": self.reason}
        if self.location:
            error.update(location=self.location, locationType=self.location_type)
        body = {"code": self.status, "message": self.message, "errors": [error]}
        if self.google_status:
            body["status"] = self.google_status
        return {"error": body}


def quota_exceeded() -> ApiError:
    message = ('The request cannot be completed because you have exceeded your '
               '<a href="/youtube/v3/getting-started#quota">quota</a>.')
    return ApiError(403, "quotaExceeded", message, domain="youtube.quota")


def backend_error() -> ApiError:
    return ApiError(500, "backendError", "Backend Error", domain="global")


def _bad_value(name: str, value: str, message: str | None = None) -> ApiError:
    text = message or f"Invalid value '{value}'."
    return ApiError(400, "invalidParameter", text, domain="global", location=name, google_status="INVALID_ARGUMENT")


# --- the site ----------------------------------------------------------------------------------
class YouTubeSite(SiteBase):
    """One channel, its videos and their comments, the tokens it accepts and its daily quota."""

    def __init__(self, channel_id: str = YOUTUBE_CHANNEL_ID, title: str = YOUTUBE_CHANNEL_TITLE,
                 handle: str = YOUTUBE_CHANNEL_HANDLE, daily_quota: int = DEFAULT_DAILY_QUOTA) -> None:
        super().__init__()
        self.channel = {"id": channel_id, "title": title, "handle": handle}
        self.tokens = {YOUTUBE_DEMO_TOKEN: {"write": True}, YOUTUBE_READONLY_TOKEN: {"write": False}}
        self.daily_quota = daily_quota
        self.clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
        self._videos: dict[str, dict] = {}
        self._comments: dict[str, dict] = {}
        self._seq = 0
        self._quota_day = ""
        self._quota_used = 0

    # -- content ---------------------------------------------------------------------------
    def add_video(self, title: str, *, description: str = "", published: datetime | None = None,
                  comments_disabled: bool = False, video_id: str | None = None) -> str:
        with self.lock:
            self._seq += 1
            video_id = video_id or _chars(f"video:{self._seq}", 11)
            self._videos[video_id] = {"id": video_id, "title": title, "description": description,
                                      "published": _utc(published or self.clock()),
                                      "comments_disabled": comments_disabled, "seq": self._seq}
            self.save()
            return video_id

    def set_comments_disabled(self, video_id: str, disabled: bool = True) -> None:
        with self.lock:
            self._videos[video_id]["comments_disabled"] = disabled
            self.save()

    def add_comment(self, video_id: str, text: str, *, author_name: str | None = None, author_id: str | None = None,
                    parent: str | None = None, created: datetime | None = None, moderation: str = "published",
                    likes: int = 0) -> str:
        """A top-level comment, or a reply when `parent` is given (filed under its top-level)."""
        with self.lock:
            if video_id not in self._videos:
                raise KeyError(f"unknown video {video_id}")
            if author_id == self.channel["id"]:
                author_name = self.channel["handle"]
            elif not author_name:
                raise ValueError("a visitor comment needs author_name")
            author_name = author_name if author_name.startswith("@") else handle_for(author_name)
            author_id = author_id or channel_id_for(author_name)
            if parent is not None:
                top = self._comments[parent]
                parent = top["parent"] or top["id"]  # YouTube threads are one level deep
            self._seq += 1
            if parent is None:
                comment_id = "Ug" + "xyzw"[self._seq % 4] + _chars(f"comment:{self._seq}", 16) + "4AaABAg"
            else:
                comment_id = f"{parent}.{_chars(f'reply:{self._seq}', 22)}"
            moment = _utc(created or self.clock())
            self._comments[comment_id] = {
                "id": comment_id, "seq": self._seq, "video_id": video_id, "parent": parent,
                "author_id": author_id, "author_name": author_name, "text": text,
                "published": moment, "updated": moment, "moderation": moderation, "likes": likes,
            }
            self.save()
            return comment_id

    def set_moderation(self, comment_id: str, status: str) -> None:
        with self.lock:
            self._comments[comment_id]["moderation"] = status
            self.save()

    @property
    def videos(self) -> list[dict]:
        with self.lock:
            return [dict(v) for v in sorted(self._videos.values(), key=lambda v: v["seq"])]

    def video(self, video_id: str) -> dict | None:
        with self.lock:
            video = self._videos.get(video_id)
            return dict(video) if video else None

    @property
    def comments(self) -> list[dict]:
        """Snapshot, oldest first; `hidden` is True for anything the public does not see."""
        with self.lock:
            return [self._public(c) for c in sorted(self._comments.values(), key=lambda c: (c["published"], c["seq"]))]

    def comment(self, comment_id: str) -> dict | None:
        with self.lock:
            record = self._comments.get(comment_id)
            return self._public(record) if record else None

    def _public(self, record: dict) -> dict:
        video = self._videos[record["video_id"]]
        top = self._comments.get(record["parent"]) if record["parent"] else None
        hidden = (record["moderation"] != "published" or video["comments_disabled"]
                  or (top is not None and top["moderation"] != "published"))
        return {**record, "hidden": hidden}

    def replies_of(self, top_id: str) -> list[dict]:
        with self.lock:
            return [self._public(c) for c in sorted(self._comments.values(), key=lambda c: (c["published"], c["seq"]))
                    if c["parent"] == top_id]

    def by_official_account(self) -> list[dict]:
        return [c for c in self.comments if c["author_id"] == self.channel["id"]]

    # -- quota -----------------------------------------------------------------------------
    def _roll_quota_day(self) -> None:
        day = self.clock().astimezone(PACIFIC).date().isoformat()
        if day != self._quota_day:
            self._quota_day, self._quota_used = day, 0

    @property
    def quota_used(self) -> int:
        with self.lock:
            self._roll_quota_day()
            return self._quota_used

    def set_quota_used(self, units: int) -> None:
        with self.lock:
            self._roll_quota_day()
            self._quota_used = units
            self.save()

    def charge(self, units: int) -> None:
        """Book the units of one request, or answer quotaExceeded once the day's quota is gone."""
        with self.lock:
            self._roll_quota_day()
            if self._quota_used + units > self.daily_quota:
                raise quota_exceeded()
            self._quota_used += units
            self.save()

    # -- persistence -----------------------------------------------------------------------
    def to_state(self) -> dict:
        def dated(record: dict, *fields: str) -> dict:
            return {**record, **{f: record[f].isoformat() for f in fields}}

        return {
            "channel": self.channel, "seq": self._seq, "daily_quota": self.daily_quota,
            "quota": {"day": self._quota_day, "used": self._quota_used},
            "videos": [dated(v, "published") for v in self._videos.values()],
            "comments": [dated(c, "published", "updated") for c in self._comments.values()],
        }

    def from_state(self, state: dict) -> None:
        def dated(record: dict, *fields: str) -> dict:
            return {**record, **{f: datetime.fromisoformat(record[f]) for f in fields}}

        self.channel = dict(state["channel"])
        self._seq = int(state["seq"])
        self.daily_quota = int(state.get("daily_quota", DEFAULT_DAILY_QUOTA))
        self._quota_day, self._quota_used = state["quota"]["day"], int(state["quota"]["used"])
        self._videos = {v["id"]: dated(v, "published") for v in state["videos"]}
        self._comments = {c["id"]: dated(c, "published", "updated") for c in state["comments"]}


# --- resources ---------------------------------------------------------------------------------
def _html_text(text: str) -> str:
    escaped = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
               .replace('"', "&quot;").replace("'", "&#39;"))
    escaped = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
    return escaped.replace("\n", "<br>")


def _etag(*parts: object) -> str:
    return _chars("etag:" + "|".join(map(str, parts)), 27)


def comment_resource(site: YouTubeSite, record: dict, text_format: str = "html", *,
                     with_moderation: bool = False) -> dict:
    snippet = {
        "channelId": site.channel["id"],
        "videoId": record["video_id"],
        "textDisplay": record["text"] if text_format == "plainText" else _html_text(record["text"]),
        "textOriginal": record["text"],
        "authorDisplayName": record["author_name"],
        "authorProfileImageUrl": f"https://yt3.ggpht.com/ytc/{_chars('avatar:' + record['author_id'], 40)}=s48-c-k",
        "authorChannelUrl": f"http://www.youtube.com/{record['author_name']}",
        "authorChannelId": {"value": record["author_id"]},
        "canRate": True,
        "viewerRating": "none",
        "likeCount": record["likes"],
        "publishedAt": rfc3339(record["published"]),
        "updatedAt": rfc3339(record["updated"]),
    }
    if record["parent"]:
        snippet["parentId"] = record["parent"]
    if with_moderation:
        snippet["moderationStatus"] = record["moderation"]
    return {"kind": "youtube#comment", "etag": _etag(record["id"], record["updated"], record["moderation"]),
            "id": record["id"], "snippet": snippet}


def thread_resource(site: YouTubeSite, top: dict, parts: set[str], text_format: str, status: str) -> dict:
    visible = ("published",) if status == "published" else ("published", status)
    replies = [r for r in site.replies_of(top["id"]) if r["moderation"] in visible]
    video = site.video(top["video_id"])
    moderated = status != "published"
    item = {"kind": "youtube#commentThread", "etag": _etag("thread", top["id"], len(replies)), "id": top["id"]}
    if "snippet" in parts:
        item["snippet"] = {
            "channelId": site.channel["id"], "videoId": top["video_id"],
            "topLevelComment": comment_resource(site, top, text_format, with_moderation=moderated),
            "canReply": not video["comments_disabled"] and top["moderation"] == "published",
            "totalReplyCount": len(replies), "isPublic": True,
        }
    if "replies" in parts and replies:
        item["replies"] = {"comments": [comment_resource(site, r, text_format, with_moderation=moderated)
                                        for r in replies[:INLINE_REPLIES]]}
    return item


# --- request parsing ---------------------------------------------------------------------------
def _parts(query: dict, allowed: set[str]) -> set[str]:
    if not query.get("part"):
        raise ApiError(400, "required", "Required parameter: part", domain="global", location="part",
                       google_status="INVALID_ARGUMENT")
    parts = {p.strip() for p in query["part"].split(",") if p.strip()}
    for part in parts:
        if part not in allowed:
            raise ApiError(400, "unknownPart", f"'{part}'", domain="youtube.part", location="part")
    return parts


def _max_results(query: dict) -> int:
    raw = query.get("maxResults", "20")
    try:
        value = int(raw)
    except ValueError:
        raise _bad_value("maxResults", raw) from None
    if not 1 <= value <= 100:
        raise _bad_value("maxResults", raw, f"Invalid value '{raw}'. Values must be within the range: [1, 100]")
    return value


def _choice(query: dict, name: str, options: tuple[str, ...], default: str) -> str:
    value = query.get(name, default)
    if value not in options:
        raise _bad_value(name, value)
    return value


def _encode_token(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_token(token: str, kind: str) -> dict:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(data, dict) or data.get("t") != kind:
            raise ValueError(token)
        return data
    except ValueError:
        raise ApiError(400, "invalidPageToken", "The request specifies an invalid page token.",
                       domain="youtube.parameter", location="pageToken") from None


def _page(records: list[dict], query: dict, kind: str, key: Callable[[dict], list], per_page: int,
          descending: bool) -> tuple[list[dict], str | None]:
    """Keyset paging: the token holds the sort key of the last item, so inserts do not shift pages."""
    if query.get("pageToken"):
        after = _decode_token(query["pageToken"], kind)["k"]
        records = [r for r in records if (key(r) < after if descending else key(r) > after)]
    page = records[:per_page]
    token = _encode_token({"t": kind, "k": key(page[-1])}) if len(records) > per_page else None
    return page, token


def _time_key(record: dict) -> list:
    return [record["published"].timestamp(), record["seq"]]


# --- endpoints ---------------------------------------------------------------------------------
def list_threads(site: YouTubeSite, auth: dict, query: dict, body: bytes) -> tuple[int, dict | None]:
    parts = _parts(query, {"id", "snippet", "replies"})
    filters = [f for f in ("allThreadsRelatedToChannelId", "channelId", "id", "videoId") if f in query]
    if not filters:
        raise ApiError(400, "missingRequiredParameter",
                       "No filter selected. Expected one of: allThreadsRelatedToChannelId, channelId, id, videoId",
                       domain="youtube.parameter")
    if len(filters) > 1:
        raise ApiError(400, "incompatibleParameters",
                       f"Incompatible parameters specified in the request: {', '.join(filters)}",
                       domain="youtube.parameter")
    per_page = _max_results(query)
    order = _choice(query, "order", ("time", "relevance"), "time")
    text_format = _choice(query, "textFormat", ("html", "plainText"), "html")
    status = _choice(query, "moderationStatus", ("published", "heldForReview", "likelySpam"), "published")
    search = query.get("searchTerms", "").lower()

    channel_id = site.channel["id"]
    tops = [c for c in site.comments if c["parent"] is None]
    if "allThreadsRelatedToChannelId" in query or "channelId" in query:
        wanted = query.get("allThreadsRelatedToChannelId", query.get("channelId"))
        if wanted != channel_id:
            raise ApiError(404, "channelNotFound",
                           'The channel identified by the <code>channelId</code> parameter cannot be found.',
                           domain="youtube.commentThread", location="channelId")
        if "channelId" in query:
            tops = []  # channel discussion comments (not under a video): this channel has none
    elif "videoId" in query:
        video = site.video(query["videoId"])
        if video is None:
            raise ApiError(404, "videoNotFound",
                           'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">'
                           'videoId</a></code> parameter could not be found.',
                           domain="youtube.commentThread", location="videoId")
        if video["comments_disabled"]:
            raise ApiError(403, "commentsDisabled",
                           'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">'
                           'videoId</a></code> parameter has disabled comments.',
                           domain="youtube.commentThread", location="videoId")
        tops = [c for c in tops if c["video_id"] == query["videoId"]]
    else:
        ids = [i for i in query["id"].split(",") if i]
        tops = [c for c in tops if c["id"] in ids]

    def matches(top: dict) -> bool:
        if site.video(top["video_id"])["comments_disabled"]:
            return False
        if status == "published":
            found = top["moderation"] == "published"
        else:
            found = top["moderation"] == status or any(r["moderation"] == status for r in site.replies_of(top["id"]))
        return found and (not search or search in top["text"].lower())

    tops = [t for t in tops if matches(t)]
    if order == "time":
        tops.sort(key=_time_key, reverse=True)
        page, token = _page(tops, query, "time", _time_key, per_page, descending=True)
    else:
        def relevance_key(t: dict) -> list:
            return [-t["likes"], -t["published"].timestamp(), -t["seq"]]
        tops.sort(key=relevance_key)
        page, token = _page(tops, query, "relevance", relevance_key, per_page, descending=False)
    items = [thread_resource(site, t, parts, text_format, status) for t in page]
    return 200, _list_response("youtube#commentThreadListResponse", "threads", items, token, per_page)


def list_comments(site: YouTubeSite, auth: dict, query: dict, body: bytes) -> tuple[int, dict | None]:
    _parts(query, {"id", "snippet"})
    if "id" in query and "parentId" in query:
        raise ApiError(400, "incompatibleParameters",
                       "Incompatible parameters specified in the request: id, parentId", domain="youtube.parameter")
    text_format = _choice(query, "textFormat", ("html", "plainText"), "html")
    if "id" in query:
        if "maxResults" in query:
            raise ApiError(400, "incompatibleParameters",
                           "Incompatible parameters specified in the request: id, maxResults",
                           domain="youtube.parameter")
        ids = [i for i in query["id"].split(",") if i]
        page, token, per_page = [c for c in site.comments if c["id"] in ids], None, 20
    elif "parentId" in query:
        per_page = _max_results(query)
        # An unknown parent simply has no replies.
        replies = [r for r in site.replies_of(query["parentId"]) if not r["hidden"]]
        page, token = _page(replies, query, "replies", _time_key, per_page, descending=False)
    else:
        raise ApiError(400, "missingRequiredParameter", "No filter selected. Expected one of: id, parentId",
                       domain="youtube.parameter")
    items = [comment_resource(site, c, text_format) for c in page]
    return 200, _list_response("youtube#commentListResponse", "comments", items, token, per_page)


def _list_response(kind: str, etag_key: str, items: list, token: str | None, per_page: int) -> dict:
    """A list answer in YouTube's key order: kind, etag, nextPageToken (when more), pageInfo, items."""
    payload = {"kind": kind, "etag": _etag(etag_key, len(items), token)}
    if token:
        payload["nextPageToken"] = token
    payload["pageInfo"] = {"totalResults": len(items), "resultsPerPage": per_page}
    payload["items"] = items
    return payload


def _require_write(auth: dict) -> None:
    if not auth["write"]:
        raise ApiError(403, "insufficientPermissions", "Request had insufficient authentication scopes.",
                       domain="global", detail_message="Insufficient Permission", google_status="PERMISSION_DENIED")


def insert_comment(site: YouTubeSite, auth: dict, query: dict, body: bytes) -> tuple[int, dict | None]:
    _parts(query, {"id", "snippet"})
    _require_write(auth)
    try:
        resource = json.loads(body or b"{}")
    except ValueError:
        raise ApiError(400, "parseError", "Parse Error", domain="global", google_status="INVALID_ARGUMENT") from None
    snippet = resource.get("snippet") if isinstance(resource, dict) else None
    if not isinstance(snippet, dict):
        raise ApiError(400, "invalidCommentMetadata", "The request metadata is invalid.", domain="youtube.comment")
    parent_id, text = snippet.get("parentId"), snippet.get("textOriginal")
    if not parent_id:
        raise ApiError(400, "parentIdMissing",
                       "The comment must be linked to a parent comment: snippet.parentId is missing.",
                       domain="youtube.comment")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "commentTextRequired",
                       "The <code>comment</code> resource that is being inserted must specify a value for the "
                       "<code>snippet.textOriginal</code> property. Comments cannot be empty.",
                       domain="youtube.comment")
    parent = site.comment(str(parent_id))
    if parent is None:
        raise ApiError(404, "parentCommentNotFound",
                       "The parent comment specified in the <code>snippet.parentId</code> property could not be found.",
                       domain="youtube.comment", location="snippet.parentId")
    if parent["parent"] is not None:
        raise ApiError(400, "operationNotSupported",
                       "The API user is not able to insert a comment in response to the top-level comment "
                       "identified by the <code>snippet.parentId</code> property.", domain="youtube.comment")
    if site.video(parent["video_id"])["comments_disabled"]:
        raise ApiError(403, "commentsDisabled", "The video the parent comment belongs to has disabled comments.",
                       domain="youtube.comment")
    if parent["moderation"] != "published":
        raise ApiError(400, "parentCommentIsPrivate",
                       "The specified parent comment is private. The API does not support replies to private comments.",
                       domain="youtube.comment")
    if len(text) > MAX_COMMENT_CHARACTERS:
        raise ApiError(400, "commentTextTooLong",
                       "The <code>comment</code> resource that is being inserted contains too many characters in "
                       "the <code>snippet.textOriginal</code> property.", domain="youtube.comment")
    comment_id = site.add_comment(parent["video_id"], text, author_id=site.channel["id"], parent=parent["id"])
    return 200, comment_resource(site, site.comment(comment_id))


def set_moderation_status(site: YouTubeSite, auth: dict, query: dict, body: bytes) -> tuple[int, dict | None]:
    _require_write(auth)
    for name in ("id", "moderationStatus"):
        if not query.get(name):
            raise ApiError(400, "required", f"Required parameter: {name}", domain="global", location=name,
                           google_status="INVALID_ARGUMENT")
    status = _choice(query, "moderationStatus", ("heldForReview", "published", "rejected"), "")
    if query.get("banAuthor", "false").lower() == "true" and status != "rejected":
        raise ApiError(400, "banWithoutReject",
                       "The <code>banAuthor</code> parameter can only be used if the <code>moderationStatus</code> "
                       "parameter value is <code>rejected</code>.", domain="youtube.comment", location="banAuthor")
    ids = [i for i in query["id"].split(",") if i]
    records = [site.comment(i) for i in ids]
    if not ids or len(ids) > 50 or any(r is None for r in records):
        raise ApiError(404, "commentNotFound", "One or more comments that the request is trying to update cannot "
                       "be found. Check the values of the request's <code>id</code> parameter.",
                       domain="youtube.comment", location="id")
    if status == "published" and any(r["moderation"] == "rejected" for r in records):
        raise ApiError(400, "operationNotSupported", "A rejected comment cannot be published again.",
                       domain="youtube.comment")
    for record in records:
        site.set_moderation(record["id"], status)
    return 204, None


ROUTES = {
    ("GET", f"{API_PREFIX}/commentThreads"): ("commentThreads.list", list_threads),
    ("GET", f"{API_PREFIX}/comments"): ("comments.list", list_comments),
    ("POST", f"{API_PREFIX}/comments"): ("comments.insert", insert_comment),
    ("POST", f"{API_PREFIX}/comments/setModerationStatus"): ("comments.setModerationStatus", set_moderation_status),
}

_NOT_FOUND_PAGE = ("<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Error 404 (Not Found)!!1</title>"
                   "<p><b>404.</b> <ins>That's an error.</ins><p>The requested URL was not found on this server. "
                   "<ins>That's all we know.</ins>")


# --- public page -------------------------------------------------------------------------------
_STYLE = """
body{font-family:Roboto,Arial,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#0f0f0f}
article{border-top:1px solid #ddd;padding:1rem 0}.meta{color:#606060;font-size:.9rem}
ol{list-style:none;padding-left:0}ol ol{padding-left:2.5rem}li{margin:.8rem 0}
.badge{background:#065fd4;color:#fff;border-radius:.8rem;padding:.05rem .5rem;font-size:.75rem;margin-left:.4rem}
.official>.author{font-weight:bold}.closed{font-style:italic;color:#606060}
"""


def _render_comment(site: YouTubeSite, record: dict, replies: list[dict]) -> str:
    e = html.escape
    official = record["author_id"] == site.channel["id"]
    badge = '<span class="badge">Balasan resmi</span>' if official else ""
    text = e(record["text"]).replace("\n", "<br>")
    nested = "".join(_render_comment(site, r, []) for r in replies)
    return (f'<li id="{e(record["id"])}" class="{"official" if official else "visitor"}">'
            f'<span class="author">{e(record["author_name"])}</span>{badge} '
            f'<span class="meta">{e(tanggal(record["published"]))}</span><p>{text}</p>'
            + (f"<ol>{nested}</ol>" if nested else "") + "</li>")


def render_page(site: YouTubeSite, video_id: str | None = None) -> str | None:
    e = html.escape
    videos = sorted(site.videos, key=lambda v: v["published"], reverse=True)
    if video_id is not None:
        videos = [v for v in videos if v["id"] == video_id]
        if not videos:
            return None
    sections = []
    for video in videos:
        if video["comments_disabled"]:
            threads = '<p class="closed">Komentar dinonaktifkan.</p>'
        else:
            tops = [c for c in site.comments
                    if c["video_id"] == video["id"] and c["parent"] is None and not c["hidden"]]
            tops.sort(key=lambda c: c["published"], reverse=True)
            items = "".join(_render_comment(site, t, [r for r in site.replies_of(t["id"]) if not r["hidden"]])
                            for t in tops)
            threads = f"<ol>{items}</ol>" if items else '<p class="closed">Belum ada komentar.</p>'
        sections.append(
            f'<article id="video-{e(video["id"])}"><h2><a href="/watch?v={e(video["id"])}">{e(video["title"])}</a></h2>'
            f'<p class="meta">Diunggah {e(tanggal(video["published"]))}</p><p>{e(video["description"])}</p>'
            f"<h3>Komentar</h3>{threads}</article>")
    title = f"{site.channel['title']} - YouTube"
    return (f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{_STYLE}</style></head><body><header><h1>{e(site.channel['title'])}</h1>"
            f'<p class="meta">{e(site.channel["handle"])} · simulator YouTube Data API v3</p></header>'
            f"{''.join(sections)}</body></html>")


# --- HTTP --------------------------------------------------------------------------------------
class YouTubeHandler(JsonHandler):
    server_version = "ESF"
    sys_version = ""

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the "timeout" fault): nothing left to answer

    def handle_request(self) -> None:
        body = self.read_body()  # always read it, so a kept-alive connection stays in step
        path, query = self.split_url()
        if path.startswith(API_PREFIX + "/"):
            return self._api(path, query, body)
        if self.command == "GET" and path in ("/", "/watch"):
            page = render_page(self.server.site, query.get("v") if path == "/watch" else None)
            if page is not None:
                return self.send_html(200, page)
        self.send(404, _NOT_FOUND_PAGE.encode(), "text/html; charset=UTF-8")

    def _api(self, path: str, query: dict, body: bytes) -> None:
        site: YouTubeSite = self.server.site
        site.count_request(self.command)
        fault = self.take_fault()
        if answer_network_fault(self, fault):
            return
        if fault == "rate_limit":
            return self._send_error(quota_exceeded())
        if fault == "http500":
            return self._send_error(backend_error())
        if fault == "timeout":
            self.wait_for_timeout_fault()
        route = ROUTES.get((self.command, path))
        if route is None:
            return self.send(404, _NOT_FOUND_PAGE.encode(), "text/html; charset=UTF-8")
        method_name, handler = route
        try:
            auth = self._authenticate()
            site.charge(COSTS[method_name])  # invalid requests cost their units too
            status, payload = handler(site, auth, query, body)
        except ApiError as error:
            return self._send_error(error, garbage=fault == "garbage")
        if fault == "post_then_500":
            return self._send_error(backend_error())
        if status == 204 and fault != "garbage":
            return self.send(204, b"", "text/html")
        self.send_json(200 if status == 204 else status, payload or {}, garbage=fault == "garbage")

    def _authenticate(self) -> dict:
        header = self.headers.get("Authorization", "")
        if not header:
            raise ApiError(403, "forbidden", "The request is missing a valid API key.", domain="global",
                           google_status="PERMISSION_DENIED")
        scheme, _, token = header.partition(" ")
        auth = self.server.site.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if auth is None:
            raise ApiError(
                401, "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                "other valid authentication credential. See "
                "https://developers.google.com/identity/sign-in/web/devconsole-project.",
                domain="global", location="Authorization", location_type="header",
                detail_message="Invalid Credentials", google_status="UNAUTHENTICATED",
                headers=(("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", error="invalid_token"'),))
        return auth

    def _send_error(self, error: ApiError, garbage: bool = False) -> None:
        self.send_json(error.status, error.body(), error.headers, garbage=garbage)


class YouTubeSimulator(SimulatorBase):
    handler = YouTubeHandler

    @property
    def api_base(self) -> str:
        return self.base_url + API_PREFIX


# --- seed --------------------------------------------------------------------------------------
SEED_VIDEOS = 4  # one of them with comments disabled
# 9 standalone visitor comments + the answered question + 1 visitor reply under it.
SEED_VISITOR_COMMENTS = 11
SEED_OFFICIAL_COMMENTS = 2  # a pinned-style top-level note and the older official reply
SEED_COMMENTS = SEED_VISITOR_COMMENTS + SEED_OFFICIAL_COMMENTS  # 13
SEED_AWAITING_ANSWER = SEED_VISITOR_COMMENTS - 1  # the answered question needs no new case: 10

def seed_youtube(site: YouTubeSite, now: datetime | None = None) -> YouTubeSite:
    """4 videos (one with comments disabled) and 13 comments, all within the last 3 days."""
    return run_seed(site, "youtube", now, account=YOUTUBE_CHANNEL_ID)
