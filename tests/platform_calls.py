"""Each connector's calls as they appear on the wire: which request is which call, a valid
answer for every call, and a client pointed at a scripted loopback server.

The contract fixtures and the parser fuzzing both use it: one call gets the answer under test,
every other call its valid default, so the connector's real code path runs end to end.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable

from tanggap.settings import ChannelConfig
from tasks.channels import CONNECTORS
from tasks.channels.base import CommentRef
from tests.contracts.fixtures import load
from tests.scripted_server import Answer, Request

# Our own accounts in the fixtures (see tests/contracts/<platform>/).
WORDPRESS_USER_ID = 7
FACEBOOK_PAGE_ID = "1142469655832956"
INSTAGRAM_USER_ID = "17841400000000001"
YOUTUBE_CHANNEL_ID = "UCbbppKetindan000000001"
X_USER_ID = "1499999999999999999"
GRAPH = r"/v\d+\.\d+"


def json_answer(body, status: int = 200, headers: dict | None = None) -> Answer:
    return Answer(status, json.dumps(body).encode(), tuple((headers or {}).items()))


def fixture_answer(platform: str, name: str) -> Answer:
    """A recorded fixture as the platform sends it: its status, headers and exact body."""
    fixture = load(platform, name)
    content_type = "text/html; charset=UTF-8" if fixture.body_file.suffix == ".html" else "application/json; charset=UTF-8"
    return Answer(fixture.status, fixture.body_file.read_bytes(), tuple(fixture.headers.items()), content_type)


@dataclass(frozen=True)
class PlatformCalls:
    kind: str
    account: str
    options: dict
    calls: dict[str, tuple[str, str]]  # call name -> (method, path regex)
    defaults: dict[str, Callable[[], Answer]]  # call name -> a valid answer (a last page for lists)
    target: CommentRef  # the comment that replies and hides address

    def client(self, base_url: str, *, lookback_days: int = 36500, timeout: float = 5.0):
        config = ChannelConfig(key=self.kind, kind=self.kind, name=f"Uji {self.kind}", base_url=base_url,
                               account=self.account, secret="unused", options=dict(self.options))
        return CONNECTORS[self.kind](config, "token-uji", lookback_days=lookback_days, timeout=timeout)

    def call_of(self, request: Request) -> str | None:
        for name, (method, pattern) in self.calls.items():
            if request.method == method and re.fullmatch(pattern, request.path):
                if name == "list" and self.kind == "wordpress" and "parent" in request.query:
                    continue  # the same route, read by find_our_reply
                return name
        return None

    def script(self, answers: dict[str, Answer], *, once: bool = True):
        """Answer each call from `answers` (the first time only, when `once`), else its default."""
        pending = dict(answers)

        def play(request: Request) -> Answer:
            call = self.call_of(request)
            if call in pending:
                return pending.pop(call) if once else pending[call]
            if call in self.defaults:
                return self.defaults[call]()
            return Answer(404, b'{"message": "tidak ada rute ini di skenario uji"}')

        return play


PLATFORMS: dict[str, PlatformCalls] = {
    "wordpress": PlatformCalls(
        "wordpress", "humas", {},
        {"me": ("GET", r"/wp-json/wp/v2/users/me"), "list": ("GET", r"/wp-json/wp/v2/comments"),
         "find": ("GET", r"/wp-json/wp/v2/comments"), "reply": ("POST", r"/wp-json/wp/v2/comments"),
         "hide": ("POST", r"/wp-json/wp/v2/comments/\d+")},
        {"me": lambda: json_answer({"id": WORDPRESS_USER_ID}), "list": lambda: json_answer([]),
         "find": lambda: json_answer([]), "hide": lambda: json_answer({"id": 412, "status": "hold"})},
        CommentRef("412", "87")),
    "facebook": PlatformCalls(
        "facebook", FACEBOOK_PAGE_ID, {"posts_to_scan": 1},
        {"feed": ("GET", GRAPH + rf"/{FACEBOOK_PAGE_ID}/feed"), "comments": ("GET", GRAPH + r"/[^/]+/comments"),
         "reply": ("POST", GRAPH + r"/[^/]+/comments"), "hide": ("POST", GRAPH + r"/[^/]+"),
         "object": ("GET", GRAPH + r"/[^/]+")},
        {"feed": lambda: fixture_answer("facebook", "feed_page"), "comments": lambda: json_answer({"data": []}),
         "hide": lambda: json_answer({"success": True}),
         "object": lambda: json_answer({"id": "x", "permalink_url": "https://www.facebook.com/x"})},
        CommentRef("1142469655832956_1164870100259500_1164870100259578", "1142469655832956_1164870100259500")),
    "instagram": PlatformCalls(
        "instagram", INSTAGRAM_USER_ID, {"username": "bbppketindan", "media_to_scan": 1},
        {"media": ("GET", GRAPH + rf"/{INSTAGRAM_USER_ID}/media"), "comments": ("GET", GRAPH + r"/[^/]+/comments"),
         "replies": ("GET", GRAPH + r"/[^/]+/replies"), "reply": ("POST", GRAPH + r"/[^/]+/replies"),
         "hide": ("POST", GRAPH + r"/[^/]+"), "object": ("GET", GRAPH + r"/[^/]+")},
        {"media": lambda: fixture_answer("instagram", "media_page"), "comments": lambda: json_answer({"data": []}),
         "replies": lambda: json_answer({"data": []}), "hide": lambda: json_answer({"success": True}),
         "object": lambda: json_answer({"id": "x", "permalink": "https://www.instagram.com/p/x/"})},
        CommentRef("17870913679156914", "17895695668004550")),
    "youtube": PlatformCalls(
        "youtube", YOUTUBE_CHANNEL_ID, {},
        {"list": ("GET", r"/youtube/v3/commentThreads"), "replies": ("GET", r"/youtube/v3/comments"),
         "reply": ("POST", r"/youtube/v3/comments"), "hide": ("POST", r"/youtube/v3/comments/setModerationStatus")},
        {"list": lambda: json_answer({"kind": "youtube#commentThreadListResponse", "items": []}),
         "replies": lambda: json_answer({"kind": "youtube#commentListResponse", "items": []}),
         "hide": lambda: Answer(204)},
        CommentRef("UgzX1a2b3c", "dQw4w9WgXcQ")),
    "x": PlatformCalls(
        "x", X_USER_ID, {"username": "bbppketindan"},
        {"list": ("GET", rf"/2/users/{X_USER_ID}/mentions"), "own_tweets": ("GET", rf"/2/users/{X_USER_ID}/tweets"),
         "reply": ("POST", r"/2/tweets"), "hide": ("PUT", r"/2/tweets/[^/]+/hidden")},
        {"list": lambda: json_answer({"meta": {"result_count": 0}}),
         "own_tweets": lambda: json_answer({"meta": {"result_count": 0}}),
         "hide": lambda: json_answer({"data": {"hidden": True}})},
        CommentRef("1346889436626259968", "1346889436626259968")),
}

# The call whose page a listing starts from, per platform (errors are served there too).
LIST_CALL = {"wordpress": "list", "facebook": "comments", "instagram": "comments", "youtube": "list", "x": "list"}


def reasons(listing) -> list[str]:
    """Every sentence a listing leaves for operations: its unreadable items, then its other problems."""
    return [item.reason for item in listing.unreadable] + list(listing.problems)
