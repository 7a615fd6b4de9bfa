"""YouTube channel: comments on the official channel's videos through the YouTube Data API v3.

Listing. `commentThreads.list?allThreadsRelatedToChannelId=...&order=time` has no `since`, and
order=time sorts threads by the publish time of their *top-level* comment: a new reply on an
old thread does not bring the thread back to the front. So each listing pages threads, newest
first, back to `scan_from = min(watermark - overlap, now - reply_window)`, and the cursor keeps,
for every thread inside the reply window, the `totalReplyCount` last seen:

- a thread the cursor does not know is new: its top-level comment and all its replies are
  returned (the database drops what it already has);
- a known thread whose reply count changed has its replies read again, from
  `comments.list?parentId` when the thread carries only some of them (at most 5 inline);
- otherwise only comments published after `watermark - overlap` are returned.

Consequences, stated plainly: a reply on a thread whose top-level comment is older than the
reply window (option `reply_window_days`, default 7) is NOT seen; a deleted reply plus a new one
between two listings keeps the count equal and the new one is only seen if it falls inside the
overlap. Quota: one unit per page of 100 threads, plus one per changed thread with more than 5
replies; a reply or a hide costs 50 (booked in the ledger before each call).

Replies. YouTube files every reply under the top-level comment (`parentId` is always the
thread), and has no duplicate-content error: posting the same text twice shows it twice, so
callers look at `our_replies(to)` before posting. A reply of ours that starts with "@handle" is
taken to answer that person (this is how YouTube's own UI addresses replies); among the others
`tasks.reply_matching` tells ours for a case by text and time.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import requests

from tanggap.settings import ChannelConfig

from .base import (
    AuthError,
    ChannelError,
    CommentRef,
    IncomingComment,
    Listing,
    NotFound,
    PublishedReply,
    QuotaLedger,
    RateLimited,
    Rejected,
    Unavailable,
)
from .transport import json_body, parsed_json, retry_after_seconds, send
from .reading import checked_id, read_again, read_item
from .text import clean_text

PACIFIC = ZoneInfo("America/Los_Angeles")  # the API's quota day turns at midnight here
PAGE_SIZE = 100  # the API's maximum
READ_COST, WRITE_COST = 1, 50  # list; insert and setModerationStatus
OVERLAP = timedelta(minutes=10)
REPLY_WINDOW_DAYS = 7
MAX_PAGES = 50
MAX_TRACKED_THREADS = 2000
WATCH_URL = "https://www.youtube.com/watch"
_TAG = re.compile(r"<[^>]+>")
_MENTION = re.compile(r"\s*(@[\w.\-·]+)")

# Indonesian sentences for the platform's error reasons operations meet most.
_REASONS_ID = {
    "quotaExceeded": "Kuota harian YouTube Data API habis; pulih tengah malam waktu Pasifik (14.00/15.00 WIB)",
    "rateLimitExceeded": "YouTube meminta permintaan diperlambat, dicoba lagi nanti",
    "userRateLimitExceeded": "YouTube meminta permintaan diperlambat, dicoba lagi nanti",
    "authError": "Token akses YouTube tidak berlaku atau kedaluwarsa; perbarui token akun resmi",
    "insufficientPermissions": "Token YouTube tidak memiliki izin youtube.force-ssl untuk membalas atau memoderasi",
    "forbidden": "YouTube menolak akses akun resmi untuk tindakan ini",
    "ineligibleAccount": "Akun YouTube resmi belum memenuhi syarat untuk berkomentar lewat API",
    "commentsDisabled": "Komentar dinonaktifkan pada video ini",
    "commentTextTooLong": "Balasan terlalu panjang untuk YouTube",
    "commentTextRequired": "Balasan kosong tidak diterima YouTube",
    "parentCommentIsPrivate": "Komentar yang dibalas tidak publik (disembunyikan atau ditahan untuk ditinjau)",
    "parentCommentNotFound": "Komentar yang dibalas sudah tidak ada di YouTube",
    "commentNotFound": "Komentar tidak ditemukan di YouTube",
    "operationNotSupported": "YouTube tidak mendukung tindakan ini pada komentar tersebut",
    "processingFailure": "YouTube gagal memproses permintaan; biasanya isi permintaannya tidak valid",
}


def seconds_until_quota_reset(now: datetime | None = None) -> float:
    """Seconds until the next midnight in America/Los_Angeles, when the daily quota resets."""
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    local = now.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=PACIFIC)
    # Subtract in UTC: between two times in the same zone Python ignores a DST change.
    return (midnight.astimezone(timezone.utc) - now.astimezone(timezone.utc)).total_seconds()


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without zone: {value!r}")
    return moment.astimezone(timezone.utc)


def _mention_of(author_name: str) -> str:
    name = author_name.strip()
    return (name if name.startswith("@") else "@" + name.replace(" ", "")).lower()


def _addressed_to(text: str) -> str | None:
    match = _MENTION.match(text)
    return match.group(1).lower() if match else None


class YouTubeClient:
    kind = "youtube"
    threads_exactly = False  # every reply is filed under the top-level comment
    reply_limit = 10_000  # UNCONFIRMED: measured in UTF-16 units, which never undercounts characters

    @staticmethod
    def reply_length(text: str) -> int:
        return len(text.encode("utf-16-le")) // 2

    def __init__(self, config: ChannelConfig, token: str, *, lookback_days: int = 30, timeout: float = 20.0,
                 ledger: QuotaLedger | None = None):
        self.config = config
        self.channel_id = config.account
        base = config.base_url.rstrip("/")
        self.api_root = base if base.endswith("/youtube/v3") else base + "/youtube/v3"
        self.watch_url = config.options.get("watch_url", WATCH_URL)
        self.reply_window = timedelta(days=float(config.options.get("reply_window_days", REPLY_WINDOW_DAYS)))
        self.overlap = timedelta(minutes=float(config.options.get("overlap_minutes", OVERLAP.total_seconds() / 60)))
        self.max_pages = int(config.options.get("max_pages", MAX_PAGES))
        self.lookback = timedelta(days=lookback_days)
        self.timeout = timeout
        self.ledger = ledger
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.http.headers["User-Agent"] = "Tanggap/0.1 (+BBPP Ketindan)"

    # --- public interface ----------------------------------------------------------
    def list_new_comments(self, cursor: dict | None) -> Listing:
        now = datetime.now(timezone.utc)
        cursor = cursor or {}
        watermark = _parse_time(cursor["watermark"]) if cursor.get("watermark") else None
        since = watermark - self.overlap if watermark else now - self.lookback
        scan_from = min(since, now - self.reply_window)
        known: dict = cursor.get("threads") or {}
        found: dict[str, IncomingComment] = {}
        skipped, problems = [], []
        counts: dict[str, tuple[datetime, int]] = {}
        newest = watermark

        params = {"part": "snippet,replies", "allThreadsRelatedToChannelId": self.channel_id,
                  "maxResults": PAGE_SIZE, "order": "time", "textFormat": "plainText"}
        for number, page in enumerate(self._pages("commentThreads", params), start=1):
            reached_the_end = False
            for thread in page:
                top = read_item(self._parse_thread, thread, "utas komentar YouTube", skipped)
                if top is None:
                    continue
                count = _reply_count(thread)
                if top.posted_at < scan_from:
                    reached_the_end = True  # threads come newest first; finish this page, read no further
                    continue
                newest = max(newest or top.posted_at, top.posted_at)
                thread_id = top.ref.external_id
                counts[thread_id] = (top.posted_at, count)
                is_new = thread_id not in known
                changed = is_new or known.get(thread_id) != count
                inline = (thread.get("replies") or {}).get("comments") if isinstance(thread.get("replies"), dict) else None
                inline = inline if isinstance(inline, list) else []
                reply_items = inline
                if changed and count > len(inline):
                    reply_items = list(self._all_replies(thread_id))
                replies = []
                for item in reply_items:
                    reply = read_item(lambda item: self._parse(item, top.ref.thread_id, top_id=thread_id), item,
                                      "balasan YouTube", skipped, thread_id=top.ref.thread_id)
                    if reply is not None:
                        replies.append(reply)
                newest = max([m for m in (newest, *(r.posted_at for r in replies)) if m is not None])
                ours = [r for r in replies if self._is_own(r)]
                if not self._is_own(top) and (is_new or top.posted_at >= since) \
                        and not any(self._answers(o, top, is_top=True) for o in ours):
                    found[thread_id] = top
                for reply in replies:
                    if self._is_own(reply) or not (changed or reply.posted_at >= since):
                        continue
                    if not any(self._answers(o, reply, is_top=False) for o in ours):
                        found[reply.ref.external_id] = reply
            if reached_the_end:
                break
            if number >= self.max_pages:
                problems.append(f"pemeriksaan YouTube berhenti setelah {number} halaman utas (batas max_pages); "
                                "utas yang lebih lama tidak dibaca")
                break

        # Everything from scan_from on was read, so on a quiet channel the watermark may move up to
        # the reply window: the next scan then reaches back window + overlap, and the cursor keeps
        # the reply counts of exactly the threads that scan will meet again.
        watermark = max(newest or now - self.reply_window, now - self.reply_window).replace(microsecond=0)
        reach = min(watermark - self.overlap, now - self.reply_window)
        tracked = sorted(((tid, seen) for tid, seen in counts.items() if seen[0] >= reach),
                         key=lambda kv: kv[1][0], reverse=True)[:MAX_TRACKED_THREADS]
        new_cursor = {"watermark": watermark.strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "threads": {thread_id: count for thread_id, (_, count) in tracked}}
        comments = sorted(found.values(), key=lambda c: c.posted_at)
        return Listing(comments=comments, cursor=new_cursor, unreadable=skipped, problems=problems)

    def fetch_comment(self, external_id: str, thread_id: str | None = None) -> IncomingComment:
        params = {"part": "snippet", "id": external_id, "textFormat": "plainText"}
        for page in self._pages("comments", params):
            for item in page:
                return read_again(lambda i: self._parse(i, thread_id or ""), item, f"komentar YouTube {external_id}")
        raise NotFound(f"komentar YouTube {external_id} tidak ada lagi")

    def reply(self, to: CommentRef, text: str) -> PublishedReply:
        # YouTube has no duplicate-content error to fall back on: the caller looks first.
        body = {"snippet": {"parentId": to.parent_external_id or to.external_id, "textOriginal": text}}
        item = json_body(self._request("POST", "comments", params={"part": "snippet"}, json=body,
                                        cost=WRITE_COST, purpose="write"))
        try:
            reply_id = checked_id(item["id"])  # an id no table could hold: the retry looks before posting again
            return PublishedReply(external_id=reply_id, link=self._link(to.thread_id, reply_id), text=text)
        except (KeyError, TypeError, ValueError) as exc:
            raise Unavailable(f"jawaban comments.insert tanpa id: {str(item)[:200]}") from exc

    def our_replies(self, to: CommentRef) -> list[PublishedReply]:
        """Ours in the thread of `to`, less those addressed ("@handle ...") to someone else."""
        top_id = to.parent_external_id or to.external_id
        unreadable: list = []
        replies = [reply for item in self._all_replies(top_id)
                   if (reply := read_item(lambda i: self._parse(i, to.thread_id, top_id=top_id), item,
                                          "balasan YouTube", unreadable))]
        if unreadable:  # one we cannot read could be ours: never post on a guess
            raise Unavailable(unreadable[0].reason)
        ours = [r for r in replies if self._is_own(r)]
        if to.parent_external_id:
            target = next((r for r in replies if r.ref.external_id == to.external_id), None)
        elif any(_addressed_to(r.text) for r in ours):
            target = self._top_level(top_id, to.thread_id)  # whose handle the top-level author has (one unit)
        else:
            target = None
        addressee = _mention_of(target.author_name) if target is not None else None
        ours = [r for r in ours if _addressed_to(r.text) in (None, addressee)]
        return [PublishedReply(external_id=r.ref.external_id, link=r.link, text=r.text, posted_at=r.posted_at)
                for r in ours]

    def hide(self, to: CommentRef) -> None:
        """Hold the comment for review: gone from the public thread, kept in YouTube Studio."""
        self._request("POST", "comments/setModerationStatus",
                      params={"id": to.external_id, "moderationStatus": "heldForReview"},
                      cost=WRITE_COST, purpose="write")

    # --- helpers -------------------------------------------------------------------
    def _is_own(self, comment: IncomingComment) -> bool:
        return comment.author_external_id == self.channel_id

    @staticmethod
    def _answers(ours: IncomingComment, target: IncomingComment, *, is_top: bool) -> bool:
        """Whether our reply in a thread answers `target` (the top-level comment or a reply)."""
        addressed = _addressed_to(ours.text)
        if is_top:
            return addressed is None or addressed == _mention_of(target.author_name)
        return addressed == _mention_of(target.author_name) and ours.posted_at >= target.posted_at

    def _link(self, video_id: str, comment_id: str) -> str:
        return f"{self.watch_url}?v={video_id}&lc={comment_id}"

    def _all_replies(self, top_id: str):
        params = {"part": "snippet", "parentId": top_id, "maxResults": PAGE_SIZE, "textFormat": "plainText"}
        for page in self._pages("comments", params):
            yield from page

    def _top_level(self, top_id: str, video_id: str) -> IncomingComment | None:
        params = {"part": "snippet", "id": top_id, "textFormat": "plainText"}
        for page in self._pages("comments", params):
            for item in page:
                return self._parse(item, video_id)
        return None

    # --- HTTP ----------------------------------------------------------------------
    def _pages(self, resource: str, params: dict):
        """Yield the items page by page, following the server's own nextPageToken."""
        token = None
        while True:
            page_params = {**params, "pageToken": token} if token else params
            data = json_body(self._request("GET", resource, params=page_params, cost=READ_COST, purpose="read"))
            items = data.get("items") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise Unavailable(f"jawaban {resource}.list tanpa larik items: {str(data)[:200]}")
            yield items
            token = data.get("nextPageToken")
            if not token or not items:
                return

    def _request(self, method: str, path: str, *, params: dict | None = None, cost: int, purpose: str,
                 **kwargs) -> requests.Response:
        if self.ledger is not None:
            self.ledger.spend(cost, purpose=purpose)  # raises RateLimited before anything is sent
        return send(self.http, method, f"{self.api_root}/{path}", params=params, timeout=self.timeout,
                    where=f"{method} {path}", error_for=_error_for, **kwargs)

    # --- parsing -------------------------------------------------------------------
    def _parse_thread(self, thread: dict) -> IncomingComment:
        """A thread's top-level comment (its reply count must be readable too)."""
        _reply_count(thread)
        return self._parse(thread["snippet"]["topLevelComment"], thread["snippet"]["videoId"], raw=thread)

    def _parse(self, item: dict, video_id: str, *, top_id: str | None = None,
               raw: dict | None = None) -> IncomingComment:
        snippet = item["snippet"]
        comment_id = checked_id(item["id"])
        parent = checked_id(snippet.get("parentId") or top_id) if snippet.get("parentId") or top_id else None
        author = (snippet.get("authorChannelId") or {}).get("value")
        video_id = checked_id(snippet.get("videoId") or video_id)
        text = snippet.get("textOriginal")
        if text is None:  # only guaranteed to the comment's author; textDisplay is plain text here
            text = snippet["textDisplay"]
        return IncomingComment(
            ref=CommentRef(external_id=comment_id, thread_id=video_id,
                           parent_external_id=parent if parent and parent != comment_id else None),
            author_name=clean_text(str(snippet.get("authorDisplayName") or "")) or "Anonim",
            author_external_id=checked_id(author) if author else None,
            text=clean_text(str(text)),
            link=self._link(video_id, comment_id),
            posted_at=_parse_time(snippet["publishedAt"]),
            raw=raw if raw is not None else item,
        )


def _reply_count(thread: dict) -> int:
    return int(thread["snippet"].get("totalReplyCount") or 0)


def _error_for(response: requests.Response) -> ChannelError:
    """Map Google's {"error":{"code","message","errors":[{"domain","reason"}]}} to our family."""
    status = response.status_code
    try:
        body = parsed_json(response)["error"]
        first = (body.get("errors") or [{}])[0]
        reason = str(first.get("reason") or body.get("status") or "")
        domain = str(first.get("domain") or "")
        message = clean_text(_TAG.sub("", str(body.get("message") or first.get("message") or "")))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        if status == 401:
            return _with_reason(AuthError(f"HTTP 401: {response.text[:120]!r}"), "authError")
        if status == 429:  # a proxy's throttling page
            return RateLimited(f"HTTP 429: {response.text[:120]!r}",
                               retry_after=retry_after_seconds(response.headers.get("Retry-After")))
        return Unavailable(f"jawaban galat bukan JSON dari YouTube (HTTP {status}): {response.text[:120]!r}")
    detail = f"HTTP {status} {reason}: {message}".strip()
    if reason in ("quotaExceeded", "dailyLimitExceeded") or domain == "youtube.quota":
        error = RateLimited(detail, retry_after=seconds_until_quota_reset())
    elif reason in ("rateLimitExceeded", "userRateLimitExceeded") or status == 429:
        error = RateLimited(detail, retry_after=retry_after_seconds(response.headers.get("Retry-After")))
    elif status >= 500 or reason in ("backendError", "internalError"):
        error = Unavailable(detail)
    elif status == 401 or reason in ("authError", "insufficientPermissions", "forbidden", "ineligibleAccount"):
        error = AuthError(detail)
    elif status == 404:
        error = NotFound(detail)
    elif reason == "commentsDisabled":
        error = Rejected(detail)
    elif status == 403:
        error = AuthError(detail)  # account closed/suspended, delegation refused ...
    elif reason == "processingFailure":
        # Google calls it possibly temporary but usually invalid input: not retried blindly.
        error = Rejected(detail + " (processingFailure: mungkin sementara, tetapi biasanya isi permintaan tidak valid)")
    else:
        error = Rejected(detail)  # commentTextTooLong, parentCommentIsPrivate, operationNotSupported, invalid...
    return _with_reason(error, reason)


def _with_reason(error: ChannelError, reason: str) -> ChannelError:
    if reason in _REASONS_ID:
        error.reason = _REASONS_ID[reason]
    return error
