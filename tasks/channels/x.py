"""X channel: mentions of the office's account through the X API v2 (user-context token).

Policy: X allows automated replies to @mentions that ask for help; keyword-triggered auto
replies are not allowed. Tanggap only ever answers mentions of the account, and every reply
is approved by a person before it is posted.

Options read from the channel config: `username` (our handle, for links to our replies),
`web_url` (where tweet links point; default https://x.com), `own_timeline_pages` (how many
pages of our own timeline to read when looking for replies the office already posted).
"""

from __future__ import annotations

import html
import re
import time
import unicodedata
from datetime import datetime, timedelta, timezone

import requests

from tanggap.settings import ChannelConfig

from .base import (AuthError, ChannelError, CommentRef, Duplicate, IncomingComment, Listing, NotFound,
                   PublishedReply, RateLimited, Rejected, Unavailable)
from .transport import bounded_wait, json_body, parsed_json, retry_after_seconds, send
from .reading import checked_id, read_again, read_item, sample
from .text import clean_text

PAGE_SIZE = 100  # the timelines' maximum
MAX_LISTING_PAGES = 50  # the mentions timeline ends after 800 tweets anyway
FIND_PAGES = 5  # of our own timeline, when looking for one reply
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
MENTION_FIELDS = {
    "tweet.fields": "created_at,author_id,conversation_id,referenced_tweets",
    "expansions": "author_id",
    "user.fields": "username,name",
}

# --- weighted length (twitter-text v3 configuration) ---------------------------------------
MAX_WEIGHTED_LENGTH = 280
URL_LENGTH = 23  # every link is shortened to a t.co link of this length
EMOJI_WEIGHT = 2
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))  # weight 100: counts 1

_CCTLDS = set("""
ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz
ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk fm
fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is
it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm
mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr
ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th
tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
""".split())
_GTLDS = set("""
com net org info biz edu gov mil int name pro mobi asia tel travel jobs aero coop museum cat post
app dev io xyz online site store tech shop blog cloud news media live life world email link website space
digital agency academy center farm news page web wiki
""".split())
_TLDS = "|".join(sorted(_CCTLDS | _GTLDS, key=len, reverse=True))
_NOT_BEFORE_URL = r"(?<![A-Za-z0-9@＠$#＃])"
_URL_PATH = r"(?:[:/][^\s]*)?"
_PROTOCOL_URL = re.compile(_NOT_BEFORE_URL + r"https?://[^\s/?#:]+" + _URL_PATH, re.IGNORECASE)
_BARE_URL = re.compile(
    _NOT_BEFORE_URL + r"(?<![./\-_])((?:[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?\.)+(?:" + _TLDS + r"))"
    r"(?![a-z0-9@+_-])(" + _URL_PATH + ")",
    re.IGNORECASE,
)
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?\.)+([a-z]{2,}|xn--[a-z0-9-]+)$", re.IGNORECASE)
_URL_END = re.compile(r"[\w=#/+\-]", re.UNICODE)

_PICTOGRAPHIC = (
    "\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a-\u23ff\u24c2\u25aa-\u25fe\u2600-\u27bf"
    "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
)
_EMOJI_TAIL = "(?:\ufe0f|[\U0001f3fb-\U0001f3ff])*"
_EMOJI = re.compile(
    "[\U0001f1e6-\U0001f1ff]{2}"  # a flag: two regional indicators
    "|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"  # subdivision flags (tag sequences)
    "|[0-9#*]\ufe0f?\u20e3"  # keycaps
    "|[\u00a9\u00ae]\ufe0f"  # text symbols asked to show as emoji
    f"|[{_PICTOGRAPHIC}]{_EMOJI_TAIL}(?:\u200d[{_PICTOGRAPHIC}]{_EMOJI_TAIL})*"  # ZWJ sequences, skin tones
)


def _trim_url(url: str) -> str:
    """Drop trailing punctuation that ends the sentence rather than the link."""
    while url:
        last = url[-1]
        if last == ")" and url.count("(") >= url.count(")"):
            return url
        if _URL_END.match(last):
            return url
        url = url[:-1]
    return url


def _url_spans(text: str) -> dict[int, int]:
    """Start -> end of every link twitter-text would shorten to t.co."""
    spans: dict[int, int] = {}
    for match in _PROTOCOL_URL.finditer(text):
        url = _trim_url(match.group())
        host = re.split(r"[/?#:]", url.split("://", 1)[1], maxsplit=1)[0]
        tld = _HOST.match(host)
        if tld and (tld.group(1).lower() in _CCTLDS | _GTLDS or tld.group(1).lower().startswith("xn--")):
            spans[match.start()] = match.start() + len(url)
    taken = [range(s, e) for s, e in spans.items()]
    for match in _BARE_URL.finditer(text):
        if any(match.start() in r for r in taken):
            continue
        domain, path = match.group(1), _trim_url(match.group(2))
        labels = domain.lower().split(".")
        # A bare "name.cc" without a path is not a link (except t.co), but "name.go.id" is.
        if not path and len(labels) == 2 and labels[1] in _CCTLDS and domain.lower() != "t.co":
            continue
        spans[match.start(1)] = match.start(1) + len(domain) + len(path)
    return spans


def weighted_length(text: str) -> int:
    """The length X counts against its 280 limit (twitter-text v3: weighted, links 23, emoji 2)."""
    text = unicodedata.normalize("NFC", text)
    urls = _url_spans(text)
    length, i = 0, 0
    while i < len(text):
        if i in urls:
            length += URL_LENGTH
            i = urls[i]
            continue
        emoji = _EMOJI.match(text, i)
        if emoji:
            length += EMOJI_WEIGHT
            i = emoji.end()
            continue
        point = ord(text[i])
        length += 1 if any(low <= point <= high for low, high in _LIGHT_RANGES) else 2
        i += 1
    return length


class XClient:
    kind = "x"
    threads_exactly = True  # a reply names the tweet it answers (replied_to)
    reply_limit = MAX_WEIGHTED_LENGTH  # weighted characters, leading auto-mentions not counted

    @staticmethod
    def reply_length(text: str) -> int:
        return weighted_length(text)

    def __init__(self, config: ChannelConfig, token: str, *, lookback_days: int = 30, timeout: float = 20.0,
                 ledger=None):  # X has rate windows, not a daily unit quota: the ledger is not used
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        self.me = str(config.account)
        self.username = config.options.get("username")
        self.web_url = str(config.options.get("web_url", "https://x.com")).rstrip("/")
        self.own_timeline_pages = int(config.options.get("own_timeline_pages", 2))
        self.lookback = timedelta(days=lookback_days)
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.http.headers["User-Agent"] = "Tanggap/0.1 (+BBPP Ketindan)"

    # --- public interface ----------------------------------------------------------
    def list_new_comments(self, cursor: dict | None) -> Listing:
        params = {"max_results": PAGE_SIZE, **MENTION_FIELDS}
        since_id = (cursor or {}).get("since_id")
        if since_id:
            params["since_id"] = since_id
        else:
            params["start_time"] = (datetime.now(timezone.utc) - self.lookback).strftime(TIME_FORMAT)
        comments, skipped, problems, seen, answered = [], [], [], set(), set()
        newest_id = None
        for number, page in enumerate(self._pages(f"users/{self.me}/mentions", params, MAX_LISTING_PAGES)):
            if number == 0:
                newest_id = _meta(page).get("newest_id")
                newest_id = newest_id if isinstance(newest_id, str) and newest_id.isascii() and newest_id.isdigit() \
                    else None  # the next since_id: only a tweet id will do
            includes = page.get("includes") if isinstance(page.get("includes"), dict) else {}
            users = {u.get("id"): u for u in _list(includes.get("users")) if isinstance(u, dict)}
            for item in _list(page.get("data")):
                comment = read_item(lambda item: self._parse(item, users), item, "mention X", skipped)
                if comment is None:
                    continue
                if comment.ref.external_id in seen:
                    continue
                seen.add(comment.ref.external_id)
                if comment.author_external_id == self.me:  # our own tweets are never new comments
                    if comment.ref.parent_external_id:
                        answered.add(comment.ref.parent_external_id)
                    continue
                comments.append(comment)
        if comments:
            # Our replies rarely mention ourselves, so look at our own timeline for mentions the
            # office already answered (by hand, or before Tanggap was connected).
            oldest = min(comments, key=lambda c: int(c.ref.external_id)).ref.external_id
            try:
                answered |= self._answered_since(oldest, self.own_timeline_pages)
            except (RateLimited, Unavailable) as exc:
                problems.append(f"balasan akun resmi tidak dapat diperiksa, periksa sebelum menjawab: {exc}")
            comments = [c for c in comments if c.ref.external_id not in answered]
        next_since = newest_id or since_id
        return Listing(comments=comments, cursor={"since_id": next_since} if next_since else {},
                       unreadable=skipped, problems=problems)

    def fetch_comment(self, external_id: str, thread_id: str | None = None) -> IncomingComment:
        body = json_body(self._request("GET", f"tweets/{int(external_id)}", params=MENTION_FIELDS), dict)
        if "data" not in body and body.get("errors"):
            raise _partial_error(body["errors"])
        includes = body.get("includes") if isinstance(body.get("includes"), dict) else {}
        users = {u.get("id"): u for u in _list(includes.get("users")) if isinstance(u, dict)}
        return read_again(lambda data: self._parse(data, users), body.get("data"), f"tweet {external_id}")

    def reply(self, to: CommentRef, text: str) -> PublishedReply:
        body = {"text": text, "reply": {"in_reply_to_tweet_id": to.external_id}}
        data = json_body(self._request("POST", "tweets", json=body), dict).get("data")
        try:
            reply_id = checked_id(data["id"])
        except (KeyError, TypeError, ValueError):
            raise Unavailable(f"jawaban POST /2/tweets tanpa id: {sample(data)}") from None
        return PublishedReply(external_id=reply_id, link=self._link(self.username, reply_id),
                              text=_without_leading_mentions(str(data.get("text") or text)))

    def our_replies(self, to: CommentRef) -> list[PublishedReply]:
        # Our reply is newer than the tweet it answers, so the timeline is read from there on.
        found, unreadable = [], []
        params = {"max_results": PAGE_SIZE, "since_id": to.external_id, "exclude": "retweets",
                  "tweet.fields": "referenced_tweets,created_at"}
        for page in self._pages(f"users/{self.me}/tweets", params, FIND_PAGES):
            for item in _list(page.get("data")):
                if isinstance(item, dict) and to.external_id in _replied_to(item):
                    reply = read_item(self._as_reply, item, "balasan akun resmi", unreadable)
                    found += [reply] if reply else []
        if unreadable:  # one of ours we cannot read could be this answer: never post on a guess
            raise Unavailable(unreadable[0].reason)
        return found

    def hide(self, to: CommentRef) -> None:
        """Hide a reply in one of our own conversations (X allows nothing else: 403 otherwise)."""
        body = json_body(self._request("PUT", f"tweets/{to.external_id}/hidden", json={"hidden": True}), dict)
        if not isinstance(body.get("data"), dict) or body["data"].get("hidden") is not True:
            raise Unavailable(f"X tidak mengonfirmasi penyembunyian: {str(body)[:200]}")

    # --- HTTP ----------------------------------------------------------------------
    def _answered_since(self, since_id: str, pages: int) -> set[str]:
        """Ids of the tweets we replied to, from our own timeline after `since_id`."""
        params = {"max_results": PAGE_SIZE, "since_id": since_id, "exclude": "retweets",
                  "tweet.fields": "referenced_tweets"}
        found = set()
        for page in self._pages(f"users/{self.me}/tweets", params, pages):
            for item in _list(page.get("data")):
                if isinstance(item, dict):
                    found |= _replied_to(item)
        return found

    def _pages(self, route: str, params: dict, max_pages: int):
        """Yield timeline pages, following the server's own `meta.next_token`."""
        params = dict(params)
        for _ in range(max_pages):
            body = json_body(self._request("GET", route, params=params), dict)
            if "data" not in body and body.get("errors") and "meta" not in body:
                raise _partial_error(body["errors"])  # 200 with only errors: the user is gone, ...
            yield body
            token = _meta(body).get("next_token")
            if not token or not body.get("data"):
                return
            params["pagination_token"] = token

    def _request(self, method: str, route: str, *, params: dict | None = None, **kwargs) -> requests.Response:
        return send(self.http, method, f"{self.base_url}/2/{route}", params=params, timeout=self.timeout,
                    where=f"{method} /2/{route}", error_for=_error_for, **kwargs)

    def _as_reply(self, item: dict) -> PublishedReply:
        reply_id = checked_id(item["id"])
        created = item.get("created_at")
        return PublishedReply(external_id=reply_id, link=self._link(self.username, reply_id),
                              text=_without_leading_mentions(html.unescape(str(item.get("text") or ""))),
                              posted_at=datetime.fromisoformat(created.replace("Z", "+00:00"))
                              if isinstance(created, str) else None)

    def _link(self, username: str | None, tweet_id: str) -> str:
        return f"{self.web_url}/{username or 'i'}/status/{tweet_id}"

    # --- parsing -------------------------------------------------------------------
    def _parse(self, item: dict, users: dict) -> IncomingComment:
        tweet_id = checked_id(str(int(item["id"])))
        author_id = checked_id(item["author_id"])
        user = users.get(author_id) or {}
        posted = datetime.fromisoformat(item["created_at"].replace("Z", "+00:00"))
        if posted.tzinfo is None:  # else it would be read as this machine's local time
            raise ValueError(f"waktu tanpa zona: {item['created_at']!r}")
        posted = posted.astimezone(timezone.utc)
        parents = [checked_id(r["id"]) for r in item.get("referenced_tweets") or [] if r.get("type") == "replied_to"]
        name = str(user.get("name") or "").strip() or (f"@{user['username']}" if user.get("username") else "Anonim")
        conversation = checked_id(item.get("conversation_id") or tweet_id)
        return IncomingComment(
            ref=CommentRef(external_id=tweet_id, thread_id=conversation,
                           parent_external_id=parents[0] if parents else None),
            author_name=name,
            author_external_id=author_id,
            text=clean_text(html.unescape(item["text"])),  # v2 text escapes &, < and >
            link=self._link(user.get("username"), tweet_id),
            posted_at=posted,
            raw=item,
            # X hides only replies within a conversation; a mention that starts its own cannot be hidden.
            can_hide=conversation != tweet_id,
        )


def _without_leading_mentions(text: str) -> str:
    """Our reply as we wrote it: X puts the "@visitor" it answers in front of the text."""
    return clean_text(re.sub(r"^(?:@\w{1,15}\s+)+", "", text.strip()))


def _replied_to(item: dict) -> set[str]:
    return {str(r.get("id")) for r in _list(item.get("referenced_tweets"))
            if isinstance(r, dict) and r.get("type") == "replied_to"}


def _list(value) -> list:
    """A JSON array where one belongs, else nothing (never the characters of a string)."""
    return value if isinstance(value, list) else []


def _meta(body: dict) -> dict:
    return body.get("meta") if isinstance(body.get("meta"), dict) else {}


# Legacy (v1.1-style) error codes that still come back from the v2 gateway.
_LEGACY_AUTH = {32, 64, 89, 99, 135, 215, 220, 261, 326}
_LEGACY_NOT_FOUND = {8, 34, 50, 63, 144, 385, 421, 422}
_LEGACY_UNAVAILABLE = {130, 131}


def _error_for(response: requests.Response) -> ChannelError:
    """Map both X error shapes (problem details, legacy `errors` list) to our family."""
    status = response.status_code
    body = parsed_json(response)
    title, problem_type, message, codes = "", "", "", []
    if isinstance(body, dict):
        title, problem_type = str(body.get("title") or ""), str(body.get("type") or "")
        message = str(body.get("detail") or "")
        for error in body.get("errors") or []:
            if isinstance(error, dict):
                if isinstance(error.get("code"), int):
                    codes.append(error["code"])
                message = message or str(error.get("message") or error.get("detail") or "")
    else:
        message = response.text[:200]
    code_text = f" code {','.join(map(str, codes))}" if codes else ""
    detail = f"HTTP {status}{code_text} {title}: {message}".replace(" :", ":").strip()
    if problem_type and problem_type != "about:blank":
        detail += f" ({problem_type.rsplit('/', 1)[-1]})"
    lowered = f"{message} {problem_type}".lower()
    if status == 429 or 88 in codes:
        return RateLimited(detail, retry_after=_retry_after(response))
    if status >= 500 or set(codes) & _LEGACY_UNAVAILABLE:
        return Unavailable(detail)
    if "duplicate content" in lowered or 187 in codes:
        return Duplicate(detail)
    if status == 401 or set(codes) & _LEGACY_AUTH or any(
            word in lowered for word in ("unsupported-authentication", "client-forbidden", "not permitted")):
        return AuthError(detail)
    if status == 404 or set(codes) & _LEGACY_NOT_FOUND or "deleted or not visible" in lowered \
            or "resource-not-found" in lowered:
        return NotFound(detail)
    return Rejected(detail)  # too long, reply not allowed, hiding outside our conversations, bad parameters


def _partial_error(errors) -> ChannelError:
    first = errors[0] if isinstance(errors, list) and isinstance(errors[0], dict) else {}
    detail = f"HTTP 200 {first.get('title', '')}: {first.get('detail') or first.get('message') or ''}".strip()
    kind = str(first.get("type") or "")
    if kind.endswith("resource-not-found"):
        return NotFound(detail)
    if kind.endswith("not-authorized-for-resource") or kind.endswith("authorization-error"):
        return AuthError(detail)
    return Rejected(detail)


def _retry_after(response: requests.Response) -> float | None:
    reset = (response.headers.get("x-rate-limit-reset") or "").strip()
    wait = bounded_wait(int(reset) - int(time.time())) if reset.isascii() and reset.isdigit() else None
    if wait is None:
        wait = retry_after_seconds(response.headers.get("retry-after"))
    return None if wait is None else max(1.0, wait)
