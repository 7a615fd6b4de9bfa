"""A loopback X API v2 for the office's account: mentions, our timeline, replies, hidden replies.

Quirks kept on purpose: snowflake ids that order by time, `created_at` with milliseconds and
`Z`, text with `&`, `<`, `>` HTML-escaped, timelines newest first with opaque
`meta.next_token`, an empty page that is only `{"meta":{"result_count":0}}`, 200 answers that
carry only `errors` (unknown user), `x-rate-limit-*` headers on every API answer, two error
shapes (problem details; legacy `{"errors":[{"code","message"}]}` for 5xx, unknown routes and
the "rate_limit_legacy" fault), 403 for duplicate content, over-long text and hiding outside
our own conversations, and replies that get the replied-to author's @mention put in front.

Served by `python -m simulator` (port 8405) with the other platforms.
"""

from __future__ import annotations

import html
import json
import re
import time
import unicodedata
from datetime import datetime, timedelta, timezone

from simulator.common import COMMON_FAULT_MODES, JsonHandler, SimulatorBase, SiteBase, run_seed, tanggal

X_DEMO_TOKEN = "demo-x-user-token-bbppketindan"  # OAuth 2.0 user context of the official account
X_APP_ONLY_TOKEN = "demo-x-app-only-bearer"  # application-only: reads work, writes are refused
X_OFFICIAL_USER_ID = "1290381706413170689"
X_OFFICIAL_USERNAME = "bbppketindan"
X_OFFICIAL_NAME = "BBPP Ketindan"
FAULT_MODES = COMMON_FAULT_MODES + ("rate_limit_legacy",)
# Requests per 15-minute window, per endpoint and token (X API v2, user context).
RATE_LIMITS = {"users_me": 75, "mentions": 180, "user_tweets": 900, "tweet_lookup": 900, "create_tweet": 200,
               "hide_reply": 50}
RATE_WINDOW_SECONDS = 15 * 60
MAX_TWEET_LENGTH = 280
DUPLICATE_WINDOW = timedelta(hours=36)
MENTIONS_DEPTH, USER_TWEETS_DEPTH = 800, 3200  # how far back the timelines reach
TWITTER_EPOCH_MS = 1288834974657

TWEET_FIELDS = ("attachments", "author_id", "context_annotations", "conversation_id", "created_at", "edit_controls",
                "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang", "note_tweet",
                "possibly_sensitive", "public_metrics", "referenced_tweets", "reply_settings", "source", "text",
                "withheld")
USER_FIELDS = ("created_at", "description", "entities", "id", "location", "name", "pinned_tweet_id",
               "profile_image_url", "protected", "public_metrics", "url", "username", "verified", "withheld")
EXPANSIONS = ("author_id", "in_reply_to_user_id", "referenced_tweets.id", "entities.mentions.username",
              "attachments.media_keys", "referenced_tweets.id.author_id")
PROBLEMS = "https://api.twitter.com/2/problems/"
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
TOO_LONG_DETAIL = ("Your Tweet text is too long. For more information on how X determines text length see "
                   "https://github.com/twitter/twitter-text.")


# --- the length X counts (written apart from the connector's, so each checks the other) -----
_SIM_URL = re.compile(
    r"(?<![\w@#$])(?:https?://[^\s]+|(?:[a-z0-9-]+\.)+(?:com|net|org|info|io|co|id|gov|edu)\b(?:/[^\s]*)?)",
    re.IGNORECASE)
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def _is_pictographic(cp: int) -> bool:
    return (cp >= 0x1F000 and cp <= 0x1FAFF) or 0x2600 <= cp <= 0x27BF or 0x2300 <= cp <= 0x23FF \
        or 0x2B05 <= cp <= 0x2B55 or cp in (0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D, 0x3297, 0x3299)


def tweet_length(text: str) -> int:
    """Weighted length: links 23, emoji sequences 2, code points 1 or 2 (twitter-text v3)."""
    text = unicodedata.normalize("NFC", text)
    links = 0

    def cut(match: re.Match) -> str:
        nonlocal links
        url = match.group()
        tail = len(url) - len(url.rstrip(".,;:!?'\"…"))
        if url.endswith(")") and url.count("(") < url.count(")"):
            tail = max(tail, 1)
        bare = "://" not in url
        labels = url[: len(url) - tail].split("/")[0].lower().split(".")
        if bare and "/" not in url and len(labels) == 2 and len(labels[1]) == 2:
            return url  # "nama.id" alone is not a link
        links += 1
        return "\x00" + url[len(url) - tail:] if tail else "\x00"

    points = [ord(c) for c in _SIM_URL.sub(cut, text)]
    total, i = 23 * links, 0
    while i < len(points):
        cp = points[i]
        nxt = points[i + 1] if i + 1 < len(points) else None
        if cp == 0:
            i += 1
        elif 0x1F1E6 <= cp <= 0x1F1FF and nxt is not None and 0x1F1E6 <= nxt <= 0x1F1FF:
            total, i = total + 2, i + 2
        elif chr(cp) in "0123456789#*" and 0x20E3 in points[i + 1:i + 3] and (nxt == 0x20E3 or nxt == 0xFE0F):
            total, i = total + 2, i + (2 if nxt == 0x20E3 else 3)
        elif _is_pictographic(cp) or (cp in (0xA9, 0xAE) and nxt == 0xFE0F):
            i += 1
            while i < len(points):
                if points[i] == 0xFE0F or 0x1F3FB <= points[i] <= 0x1F3FF or 0xE0020 <= points[i] <= 0xE007F:
                    i += 1
                elif points[i] == 0x200D and i + 1 < len(points) and _is_pictographic(points[i + 1]):
                    i += 2
                else:
                    break
            total += 2
        else:
            total += 1 if any(low <= cp <= high for low, high in _LIGHT) else 2
            i += 1
    return total


# --- time and ids ----------------------------------------------------------------------------
def iso_ms(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def _parse_time(value: str) -> datetime | None:
    """RFC 3339 as X accepts it: YYYY-MM-DDTHH:mm:ssZ, optionally with fractions or an offset."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})", value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return None


_MENTION = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]{1,15})")


class ApiError(Exception):
    def __init__(self, status: int, body: dict, headers: list[tuple[str, str]] = ()):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, list(headers)


def problem(status: int, title: str, detail: str, kind: str = "about:blank", **extra) -> ApiError:
    return ApiError(status, {"title": title, "detail": detail, "type": kind, "status": status, **extra})


def invalid_request(message: str, parameter: str | None = None, value: str | None = None) -> ApiError:
    error = {"message": message}
    if parameter:
        error = {"parameters": {parameter: [value]}, "message": message}
    return ApiError(400, {"errors": [error], "title": "Invalid Request",
                          "detail": "One or more parameters to your request was invalid.",
                          "type": PROBLEMS + "invalid-request"})


def legacy(status: int, code: int, message: str) -> ApiError:
    return ApiError(status, {"errors": [{"code": code, "message": message}]})


# --- state -----------------------------------------------------------------------------------
class XSite(SiteBase):
    """Users and tweets in memory; the official account and its tokens always exist."""

    def __init__(self) -> None:
        super().__init__(FAULT_MODES)
        self.users: dict[str, dict] = {}
        self.tweets: dict[str, dict] = {}
        self.tokens = {X_DEMO_TOKEN: X_OFFICIAL_USER_ID, X_APP_ONLY_TOKEN: None}  # None: application-only
        self.rate_limits = dict(RATE_LIMITS)
        self._windows: dict[tuple[str, str], list] = {}  # (endpoint, token) -> [reset epoch, used]
        self._sequence = 0
        self.add_user(X_OFFICIAL_USERNAME, X_OFFICIAL_NAME, user_id=X_OFFICIAL_USER_ID)

    # content for tests and the seed
    def add_user(self, username: str, name: str | None = None, *, user_id: str | None = None) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_]{1,15}", username):
            raise ValueError(f"an X username is 1-15 letters, digits or underscores: {username!r}")
        with self.lock:
            existing = self.user_by_name(username)
            if existing:
                return existing["id"]
            user_id = user_id or str(1_500_000_000_000_000_000 + len(self.users) * 7_919_113)
            self.users[user_id] = {"id": user_id, "username": username, "name": name or username}
            self.save()
            return user_id

    def user_by_name(self, username: str) -> dict | None:
        with self.lock:
            return next((u for u in self.users.values() if u["username"].lower() == username.lower()), None)

    def _new_id(self, created: datetime) -> str:
        ms = int(created.timestamp() * 1000) - TWITTER_EPOCH_MS
        while True:
            self._sequence = (self._sequence + 1) % 4096
            tweet_id = str((ms << 22) | (1 << 17) | self._sequence)
            if tweet_id not in self.tweets:
                return tweet_id

    def add_tweet(self, author: str, text: str, *, reply_to: str | None = None, created: datetime | None = None,
                  reply_settings: str = "everyone") -> str:
        """A tweet as it stands on X (`text` in full, leading @mentions included); `author` is a
        username (created when unknown) or a user id."""
        with self.lock:
            author_id = author if author in self.users else self.add_user(author)
            created = (created or datetime.now(timezone.utc)).astimezone(timezone.utc)
            parent = self.tweets[str(reply_to)] if reply_to else None
            tweet_id = self._new_id(created)
            mentioned = []
            for name in _MENTION.findall(text):
                user = self.user_by_name(name)
                if user and user["id"] not in mentioned:
                    mentioned.append(user["id"])
            self.tweets[tweet_id] = {
                "id": tweet_id, "author_id": author_id, "text": text, "created": created,
                "conversation_id": parent["conversation_id"] if parent else tweet_id,
                "in_reply_to": parent["id"] if parent else None,
                "in_reply_to_user_id": parent["author_id"] if parent else None,
                "mentions": mentioned, "hidden": False, "reply_settings": reply_settings,
            }
            self.save()
            return tweet_id

    def add_post(self, text: str, *, created: datetime | None = None, reply_settings: str = "everyone") -> str:
        """A tweet by the official account."""
        return self.add_tweet(X_OFFICIAL_USER_ID, text, created=created, reply_settings=reply_settings)

    def add_comment(self, text: str, *, author: str = "warga_tani", name: str | None = None,
                    reply_to: str | None = None, created: datetime | None = None,
                    reply_settings: str = "everyone") -> str:
        """A visitor's tweet mentioning the official account ("@bbppketindan " is put in front if missing)."""
        with self.lock:
            self.add_user(author, name)
            if not re.search(rf"@{X_OFFICIAL_USERNAME}\b", text, re.IGNORECASE):
                text = f"@{X_OFFICIAL_USERNAME} {text}"
            return self.add_tweet(author, text, reply_to=reply_to, created=created, reply_settings=reply_settings)

    def set_reply_settings(self, tweet_id: str, reply_settings: str) -> None:
        with self.lock:
            self.tweets[str(tweet_id)]["reply_settings"] = reply_settings
            self.save()

    def delete_tweet(self, tweet_id: str) -> None:
        with self.lock:
            self.tweets.pop(str(tweet_id), None)
            self.save()

    @property
    def comments(self) -> list[dict]:
        """Every tweet except the official account's own standalone posts, oldest first."""
        with self.lock:
            return [self._snapshot(t) for t in self._ordered()
                    if not (t["author_id"] == X_OFFICIAL_USER_ID and t["in_reply_to"] is None)]

    @property
    def all_tweets(self) -> list[dict]:
        with self.lock:
            return [self._snapshot(t) for t in self._ordered()]

    def replies_by(self, user_id: str, to: str | None = None) -> list[dict]:
        return [c for c in self.comments if c["author_id"] == user_id and (to is None or c["parent"] == str(to))]

    def _snapshot(self, tweet: dict) -> dict:
        return {**tweet, "parent": tweet["in_reply_to"], "mentions": list(tweet["mentions"]),
                "username": self.users[tweet["author_id"]]["username"]}

    def _ordered(self) -> list[dict]:
        return sorted(self.tweets.values(), key=lambda t: int(t["id"]))

    # rate windows
    def spend(self, endpoint: str, token: str) -> tuple[bool, list[tuple[str, str]]]:
        """Count one request in its 15-minute window; False when the window is used up."""
        with self.lock:
            now = time.time()
            window = self._windows.get((endpoint, token))
            if window is None or window[0] <= now:
                window = self._windows[(endpoint, token)] = [int(now) + RATE_WINDOW_SECONDS, 0]
            limit = self.rate_limits[endpoint]
            allowed = window[1] < limit
            if allowed:
                window[1] += 1
            return allowed, [("x-rate-limit-limit", str(limit)), ("x-rate-limit-remaining", str(limit - window[1])),
                             ("x-rate-limit-reset", str(window[0]))]

    def reset(self, state: dict | None = None) -> None:
        """Back to `state` (or empty), with fresh rate windows and no armed faults: for reusing one server."""
        with self.lock:
            self.from_state(state or {})
            self.rate_limits = dict(RATE_LIMITS)
            self._windows.clear()
            self.clear_faults()
            self.timeout_seconds = 5.0

    # persistence
    def to_state(self) -> dict:
        with self.lock:
            return {"users": list(self.users.values()),
                    "tweets": [{**t, "created": iso_ms(t["created"])} for t in self._ordered()]}

    def from_state(self, state: dict) -> None:
        with self.lock:
            self.users = {u["id"]: dict(u) for u in state.get("users", [])}
            self.tweets = {t["id"]: {**t, "created": _parse_time(t["created"])} for t in state.get("tweets", [])}
            if X_OFFICIAL_USER_ID not in self.users:
                self.users[X_OFFICIAL_USER_ID] = {"id": X_OFFICIAL_USER_ID, "username": X_OFFICIAL_USERNAME,
                                                  "name": X_OFFICIAL_NAME}


# --- the API -----------------------------------------------------------------------------------
def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _field_list(query: dict, name: str, allowed: tuple[str, ...]) -> list[str]:
    values = [v for v in query.get(name, "").split(",") if v]
    for value in values:
        if value not in allowed:
            raise invalid_request(f"The `{name}` query parameter value [{value}] is not one of "
                                  f"[{','.join(allowed)}]", name, value)
    return values


def tweet_item(tweet: dict, fields: list[str]) -> dict:
    item = {"id": tweet["id"], "text": _escape(tweet["text"]), "edit_history_tweet_ids": [tweet["id"]]}
    if "created_at" in fields:
        item["created_at"] = iso_ms(tweet["created"])
    if "author_id" in fields:
        item["author_id"] = tweet["author_id"]
    if "conversation_id" in fields:
        item["conversation_id"] = tweet["conversation_id"]
    if "in_reply_to_user_id" in fields and tweet["in_reply_to_user_id"]:
        item["in_reply_to_user_id"] = tweet["in_reply_to_user_id"]
    if "referenced_tweets" in fields and tweet["in_reply_to"]:
        item["referenced_tweets"] = [{"type": "replied_to", "id": tweet["in_reply_to"]}]
    if "reply_settings" in fields:
        item["reply_settings"] = tweet["reply_settings"]
    if "lang" in fields:
        item["lang"] = "in"
    return item


def _pagination_token(direction: str, tweet_id: str) -> str:
    number, digits = int(tweet_id), ""
    while number:
        number, rest = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[rest] + digits
    return f"7140dibd{direction}{digits}"


def _read_token(token: str) -> tuple[str, int]:
    match = re.fullmatch(r"7140dibd([np])([0-9a-z]+)", token)
    if not match:
        raise invalid_request(f"The `pagination_token` query parameter value [{token}] is not valid",
                              "pagination_token", token)
    return match.group(1), int(match.group(2), 36)


def timeline(site: XSite, tweets: list[dict], query: dict, *, depth: int) -> dict:
    """One page of a reverse-chronological timeline, as /2/users/:id/mentions and /tweets answer."""
    raw = query.get("max_results", "10")
    if not raw.isdigit() or not 5 <= int(raw) <= 100:
        raise invalid_request(f"The `max_results` query parameter value [{raw}] is not between 5 and 100",
                              "max_results", raw)
    size = int(raw)
    bounds = {}
    for name in ("since_id", "until_id"):
        if name in query:
            if not query[name].isdigit():
                raise invalid_request(f"The `{name}` query parameter value [{query[name]}] does not match "
                                      "^[0-9]{1,19}$", name, query[name])
            bounds[name] = int(query[name])
    times = {}
    for name in ("start_time", "end_time"):
        if name in query:
            moment = _parse_time(query[name])
            if moment is None:
                raise invalid_request(f"Invalid '{name}':'{query[name]}'. '{name}' must be a valid RFC3339 date.",
                                      name, query[name])
            times[name] = moment
    fields = _field_list(query, "tweet.fields", TWEET_FIELDS)
    expansions = _field_list(query, "expansions", EXPANSIONS)
    _field_list(query, "user.fields", USER_FIELDS)

    ordered = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)[:depth]
    wanted = [t for t in ordered
              if int(t["id"]) > bounds.get("since_id", -1) and int(t["id"]) < bounds.get("until_id", 1 << 64)
              and t["created"] >= times.get("start_time", t["created"])
              and t["created"] <= times.get("end_time", t["created"])]
    token = query.get("pagination_token")
    if token:
        direction, pivot = _read_token(token)
        if direction == "n":
            wanted = [t for t in wanted if int(t["id"]) < pivot]
        else:  # previous: the page just newer than the pivot
            wanted = [t for t in wanted if int(t["id"]) > pivot][-size:]
    page, more = wanted[:size], len(wanted) > size
    if not page:
        return {"meta": {"result_count": 0, **({"previous_token": token} if token else {})}}
    body: dict = {"data": [tweet_item(t, fields) for t in page]}
    user_ids = []
    for t in page:
        for key, wanted_key in (("author_id", "author_id"), ("in_reply_to_user_id", "in_reply_to_user_id")):
            if wanted_key in expansions and t[key] and t[key] not in user_ids:
                user_ids.append(t[key])
    includes: dict = {}
    if user_ids:
        includes["users"] = [{k: site.users[u][k] for k in ("id", "name", "username")} for u in user_ids]
    if "referenced_tweets.id" in expansions:
        referenced = [site.tweets[t["in_reply_to"]] for t in page if t["in_reply_to"] in site.tweets]
        if referenced:
            includes["tweets"] = [tweet_item(t, fields) for t in referenced]
    if includes:
        body["includes"] = includes
    meta = {"result_count": len(page), "newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
    if more:
        meta["next_token"] = _pagination_token("n", page[-1]["id"])
    if token:
        meta["previous_token"] = _pagination_token("p", page[0]["id"])
    body["meta"] = meta
    return body


def _not_found_user(user_id: str) -> dict:
    return {"errors": [{"value": user_id, "detail": f"Could not find user with id: [{user_id}].",
                        "title": "Not Found Error", "resource_type": "user", "parameter": "id",
                        "resource_id": user_id, "type": PROBLEMS + "resource-not-found"}]}


def _user_context(caller: str | None) -> str:
    if caller is None:
        raise problem(403, "Unsupported Authentication",
                      "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
                      "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                      PROBLEMS + "unsupported-authentication")
    return caller


def get_me(site: XSite, caller: str | None, query: dict, body: dict) -> tuple[int, dict]:
    user = site.users[_user_context(caller)]
    return 200, {"data": {k: user[k] for k in ("id", "name", "username")}}


def get_mentions(site: XSite, caller: str | None, query: dict, body: dict, user_id: str) -> tuple[int, dict]:
    if user_id not in site.users:
        return 200, _not_found_user(user_id)
    mentions = [t for t in site.tweets.values() if user_id in t["mentions"]]
    return 200, timeline(site, mentions, query, depth=MENTIONS_DEPTH)


def get_user_tweets(site: XSite, caller: str | None, query: dict, body: dict, user_id: str) -> tuple[int, dict]:
    if user_id not in site.users:
        return 200, _not_found_user(user_id)
    excluded = _field_list(query, "exclude", ("retweets", "replies"))
    tweets = [t for t in site.tweets.values() if t["author_id"] == user_id
              and not ("replies" in excluded and t["in_reply_to"])]
    return 200, timeline(site, tweets, query, depth=USER_TWEETS_DEPTH)


def get_tweet(site: XSite, caller: str | None, query: dict, body: dict, tweet_id: str) -> tuple[int, dict]:
    fields = _field_list(query, "tweet.fields", TWEET_FIELDS)
    tweet = site.tweets.get(tweet_id)
    if tweet is None:
        return 200, {"errors": [{"value": tweet_id, "detail": f"Could not find tweet with id: [{tweet_id}].",
                                 "title": "Not Found Error", "resource_type": "tweet", "parameter": "id",
                                 "resource_id": tweet_id, "type": PROBLEMS + "resource-not-found"}]}
    return 200, {"data": tweet_item(tweet, fields)}


def create_tweet(site: XSite, caller: str | None, query: dict, body: dict) -> tuple[int, dict]:
    me = _user_context(caller)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise invalid_request("$.text: is missing but it is required" if text is None else
                              "$.text: must not be empty")
    reply = body.get("reply") or {}
    parent = None
    if reply:
        target = str(reply.get("in_reply_to_tweet_id") or "")
        if not target.isdigit():
            raise invalid_request("$.reply.in_reply_to_tweet_id: does not match the regex pattern ^[0-9]{1,19}$")
        parent = site.tweets.get(target)
        if parent is None:
            raise problem(403, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you.")
        root = site.tweets.get(parent["conversation_id"], parent)
        if root["author_id"] != me and root["reply_settings"] != "everyone" and me not in root["mentions"]:
            raise problem(403, "Forbidden", "Reply to this conversation is not allowed because you have not been "
                                            "mentioned or otherwise engaged by the author of the post you are "
                                            "replying to.")
    if tweet_length(text) > MAX_TWEET_LENGTH:
        raise problem(403, "Forbidden", TOO_LONG_DETAIL)
    full = text
    if parent is not None:  # X puts the replied-to people in front; they do not count in the 280
        names = [site.users[u]["username"] for u in [parent["author_id"], *parent["mentions"]] if u != me]
        prefix = " ".join(f"@{n}" for n in dict.fromkeys(names) if not re.match(rf"@{n}\b", text, re.IGNORECASE))
        full = f"{prefix} {text}" if prefix else text
    now = datetime.now(timezone.utc)
    normalized = " ".join(unicodedata.normalize("NFC", full).split())
    if any(t["author_id"] == me and " ".join(unicodedata.normalize("NFC", t["text"]).split()) == normalized
           and now - t["created"] < DUPLICATE_WINDOW for t in site.tweets.values()):
        raise problem(403, "Forbidden", DUPLICATE_DETAIL)
    tweet_id = site.add_tweet(me, full, reply_to=parent["id"] if parent else None, created=now)
    return 201, {"data": {"id": tweet_id, "text": _escape(full), "edit_history_tweet_ids": [tweet_id]}}


def hide_reply(site: XSite, caller: str | None, query: dict, body: dict, tweet_id: str) -> tuple[int, dict]:
    me = _user_context(caller)
    if not isinstance(body.get("hidden"), bool):
        raise invalid_request("$.hidden: is missing but it is required")
    tweet = site.tweets.get(tweet_id)
    if tweet is None:
        raise problem(404, "Not Found Error", f"Could not find tweet with id: [{tweet_id}].",
                      PROBLEMS + "resource-not-found")
    root = site.tweets.get(tweet["conversation_id"])
    if tweet["in_reply_to"] is None or root is None or root["author_id"] != me or tweet["author_id"] == me:
        raise problem(403, "Forbidden", "You can only hide or unhide replies to conversations you authored.")
    with site.lock:
        tweet["hidden"] = body["hidden"]
        site.save()
    return 200, {"data": {"hidden": body["hidden"]}}


_ROUTES = [
    ("GET", r"/2/users/me", "users_me", get_me),
    ("GET", r"/2/users/(?P<user_id>\d+)/mentions", "mentions", get_mentions),
    ("GET", r"/2/users/(?P<user_id>\d+)/tweets", "user_tweets", get_user_tweets),
    ("GET", r"/2/tweets/(?P<tweet_id>\d+)", "tweet_lookup", get_tweet),
    ("POST", r"/2/tweets", "create_tweet", create_tweet),
    ("PUT", r"/2/tweets/(?P<tweet_id>\d+)/hidden", "hide_reply", hide_reply),
]


# --- public pages ------------------------------------------------------------------------------
_STYLE = """
body{font-family:system-ui,sans-serif;max-width:44rem;margin:0 auto;padding:1rem;color:#0f1419;background:#f7f9f9}
header h1{margin:.2rem 0}.note{color:#536471;font-size:.9rem}
section.conversation{background:#fff;border:1px solid #cfd9de;border-radius:12px;padding:.6rem 1rem;margin:1rem 0}
.tweet{border-left:3px solid #cfd9de;padding:.3rem .7rem;margin:.5rem 0}
.tweet.official{border-left-color:#1d9bf0;background:#f0f8fe}
.replies{margin-left:1.5rem}.meta{color:#536471;font-size:.85rem}.name{font-weight:700;color:#0f1419}
.badge{background:#1d9bf0;color:#fff;border-radius:4px;padding:0 .4rem;font-size:.75rem;margin-left:.3rem}
.text{white-space:pre-wrap;margin:.2rem 0}details.hidden-reply{color:#536471;font-size:.9rem;margin:.4rem 0}
"""


def _render_tweet(site: XSite, tweet: dict, children: dict[str, list[dict]]) -> str:
    user = site.users[tweet["author_id"]]
    official = tweet["author_id"] == X_OFFICIAL_USER_ID
    badge = ""
    if official:
        badge = '<span class="badge">Balasan resmi</span>' if tweet["in_reply_to"] else \
            '<span class="badge">Akun resmi</span>'
    replies = "".join(_render_tweet(site, c, children) for c in children.get(tweet["id"], []))
    head = (f'<div class="meta"><span class="name">{html.escape(user["name"])}</span> '
            f'@{html.escape(user["username"])}{badge} · <a href="/{html.escape(user["username"])}/status/'
            f'{tweet["id"]}"><time datetime="{iso_ms(tweet["created"])}">{tanggal(tweet["created"])}</time></a></div>')
    body = f'<p class="text">{html.escape(tweet["text"])}</p>'
    if tweet["hidden"]:
        body = ('<details class="hidden-reply"><summary>Balasan disembunyikan oleh pemilik percakapan</summary>'
                f"{body}</details>")
    more = f'<div class="replies">{replies}</div>' if replies else ""
    return (f'<article class="tweet{" official" if official else ""}" id="tweet-{tweet["id"]}">'
            f"{head}{body}{more}</article>")


def _render_conversation(site: XSite, conversation_id: str) -> str:
    tweets = [t for t in site._ordered() if t["conversation_id"] == conversation_id]
    ids = {t["id"] for t in tweets}
    children: dict[str, list[dict]] = {}
    roots = []
    for tweet in tweets:
        if tweet["in_reply_to"] in ids:
            children.setdefault(tweet["in_reply_to"], []).append(tweet)
        else:
            roots.append(tweet)
    return f'<section class="conversation">{"".join(_render_tweet(site, t, children) for t in roots)}</section>'


def _page(title: str, body: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            f'<header><h1>{html.escape(X_OFFICIAL_NAME)} (@{X_OFFICIAL_USERNAME}) — Simulator X</h1>'
            '<p class="note">Simulasi X untuk uji coba Tanggap: unggahan akun resmi dan mention dari warga, '
            "beserta balasannya. Muat ulang halaman untuk melihat balasan terbaru.</p></header>\n"
            f"<main>{body}</main>\n</body>\n</html>\n")


def render_front_page(site: XSite) -> str:
    with site.lock:
        involved = [t for t in site._ordered()
                    if t["author_id"] == X_OFFICIAL_USER_ID or X_OFFICIAL_USER_ID in t["mentions"]]
        latest: dict[str, int] = {}
        for tweet in site._ordered():
            if tweet["conversation_id"] in {t["conversation_id"] for t in involved}:
                latest[tweet["conversation_id"]] = int(tweet["id"])
        order = sorted(latest, key=latest.get, reverse=True)
        body = "".join(_render_conversation(site, c) for c in order) or "<p>Belum ada percakapan.</p>"
        return _page(f"@{X_OFFICIAL_USERNAME} — Simulator X", body)


def render_status_page(site: XSite, tweet_id: str) -> str | None:
    with site.lock:
        tweet = site.tweets.get(tweet_id)
        if tweet is None:
            return None
        return _page(f"Postingan {tweet_id} — Simulator X", _render_conversation(site, tweet["conversation_id"]))


# --- HTTP ----------------------------------------------------------------------------------------
class _Handler(JsonHandler):
    server_version = "tsa_b"  # what api.x.com answers with
    sys_version = ""

    def handle_request(self) -> None:
        site: XSite = self.server.site
        path, query = self.split_url()
        raw_body = self.read_body()
        if not path.startswith("/2/"):
            return self._pages(site, path, raw_body)
        method = self.command
        site.count_request(method)
        fault = site.faults.take(method)
        if fault == "timeout":
            self.wait_for_timeout_fault()
        route = next(((m, p, e, h) for m, p, e, h in _ROUTES if m == method and re.fullmatch(p, path)), None)
        endpoint = route[2] if route else "mentions"
        token = self._token()
        if fault in ("rate_limit", "rate_limit_legacy"):
            reset = int(time.time()) + 60
            headers = [("x-rate-limit-limit", str(site.rate_limits[endpoint])), ("x-rate-limit-remaining", "0"),
                       ("x-rate-limit-reset", str(reset))]
            if fault == "rate_limit":
                return self.send_json(429, {"title": "Too Many Requests", "detail": "Too Many Requests",
                                            "type": "about:blank", "status": 429}, headers)
            return self.send_json(429, {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}, headers)
        if fault == "http500":
            return self.send_json(500, {"errors": [{"message": "Internal error", "code": 131}]})
        if token not in site.tokens:
            return self.send_json(401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                                        "detail": "Unauthorized"})
        if route is None:
            return self.send_json(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})
        allowed, headers = site.spend(endpoint, token)
        if not allowed:
            return self.send_json(429, {"title": "Too Many Requests", "detail": "Too Many Requests",
                                        "type": "about:blank", "status": 429}, headers)
        body = {}
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body = None
            if not isinstance(body, dict):
                return self.send_json(400, invalid_request("Request body is not valid JSON").body, headers)
        try:
            with site.lock:
                status, payload = route[3](site, site.tokens[token], query, body,
                                           **re.fullmatch(route[1], path).groupdict())
        except ApiError as error:
            return self.send_json(error.status, error.body, headers + error.headers)
        if fault == "post_then_500":
            return self.send_json(500, {"errors": [{"message": "Internal error", "code": 131}]})
        self.send_json(status, payload, headers, garbage=fault == "garbage")

    def _token(self) -> str | None:
        value = self.headers.get("Authorization") or ""
        return value[7:].strip() if value.startswith("Bearer ") else None

    def _pages(self, site: XSite, path: str, raw_body: bytes) -> None:
        if self.command not in ("GET", "HEAD"):
            return self.send_json(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})
        if path == "/":
            return self.send_html(200, render_front_page(site))
        match = re.fullmatch(r"/(?:[A-Za-z0-9_]{1,15}|i)/status/(\d+)", path)
        page = render_status_page(site, match.group(1)) if match else None
        if page is None:
            return self.send_html(404, _page("Tidak ditemukan — Simulator X",
                                             "<p>Halaman ini tidak ada atau postingan sudah dihapus.</p>"))
        self.send_html(200, page)


class XSimulator(SimulatorBase):
    handler = _Handler


# --- seed --------------------------------------------------------------------------------------------
SEED_VISITOR_MENTIONS = 9  # visitor tweets that mention the official account
SEED_OFFICIAL_REPLIES = 1
SEED_AWAITING_ANSWER = SEED_VISITOR_MENTIONS - SEED_OFFICIAL_REPLIES  # 8


def seed_x(site: XSite, now: datetime | None = None) -> XSite:
    """BBPP Ketindan on X: one announcement with replies, standalone mentions, and an answered thread.

    - 2 posts by @bbppketindan (the registration announcement, a field-visit report);
    - 9 visitor tweets mentioning the account: 3 replies under the announcement (a question, a
      certificate complaint, "slot gacor" gambling spam: hideable, since the conversation is
      ours), 3 standalone mentions (praise with emoji, a schedule question, a dormitory
      complaint), and a thread: a question the office answered 2+ days ago (the one official
      reply), a follow-up by the same visitor, and another visitor's "me too";
    - 1 visitor tweet that does not mention the account (not in the mentions timeline).
    """
    return run_seed(site, "x", now, account=X_OFFICIAL_USER_ID)
