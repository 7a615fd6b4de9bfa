"""One way for tests to arrange and inspect a WordPress site, simulated or real.

Tests written against `WordPressUnderTest` run unchanged on the simulator and on the real
WordPress of tests/realwp: the simulator is changed in memory, the real site through its own
REST API as its administrator (which WordPress lets set author, date and status).
"""

from __future__ import annotations

from datetime import datetime, timezone

import requests

from simulator.seed import OFFICIAL_APP_PASSWORD, OFFICIAL_USER_ID, OFFICIAL_USERNAME, wordpress_seed
from tests.realwp.real_site import ADMIN_USERNAME

TIMEOUT = 10
VISITOR_ID, VISITOR_PASSWORD = 3, "warg auji abcd efgh"


class WordPressUnderTest:
    """What a test needs from a site: its address, our account, and a few moderator actions."""

    kind: str  # "simulator" or "real"
    base_url: str
    username = OFFICIAL_USERNAME
    password: str  # the official account's application password
    official_id: int

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/wp-json/wp/v2"

    @property
    def official(self) -> tuple[str, str]:
        return self.username, self.password

    def visitor(self) -> tuple[str, str]:
        """Credentials of `warga-uji`, a registered visitor (subscriber: no unfiltered_html)."""
        raise NotImplementedError

    def seed_post(self, key: str) -> int:
        raise NotImplementedError

    def seed_comment(self, key: str) -> int:
        raise NotImplementedError

    def add_comment(self, post: int, author_name: str, content: str, *, date: datetime | None = None,
                    status: str = "approve", parent: int = 0, author_email: str = "warga@example.id") -> int:
        """A visitor's comment as stored (raw content), `status` approve or hold."""
        raise NotImplementedError

    def add_comments(self, post: int, comments: list[tuple[str, str, datetime]]) -> list[int]:
        """Many approved visitor comments at once: (author name, content, date)."""
        raise NotImplementedError

    def add_post(self, title: str, slug: str, content: str, *, comments_open: bool = True) -> int:
        raise NotImplementedError

    def set_status(self, comment_id: int, status: str) -> None:
        """Moderate: approve, hold, spam or trash."""
        raise NotImplementedError

    def comment(self, comment_id: int) -> dict:
        """{id, post, parent, author, author_name, status (approve|hold|spam|trash), raw, date, date_gmt}."""
        raise NotImplementedError

    def replies_by_us(self, parent: int) -> list[dict]:
        """Comments by the official account under `parent`, any status."""
        raise NotImplementedError

    def use_plain_permalinks(self) -> None:
        """Switch the site to plain permalinks (Settings > Permalinks > Plain)."""
        raise NotImplementedError


class SimulatedWordPress(WordPressUnderTest):
    kind = "simulator"
    password = OFFICIAL_APP_PASSWORD
    official_id = OFFICIAL_USER_ID

    def __init__(self, server) -> None:
        self.server, self.site = server, server.site
        self.base_url = server.base_url
        posts, comments = wordpress_seed()
        self._post_slugs = {p.key: p.slug for p in posts}
        self._comment_texts = {c.key: c.content for c in comments}

    def visitor(self):
        if self.site.user(VISITOR_ID) is None:
            self.site.add_user(VISITOR_ID, "warga-uji", "Warga Uji", app_password=VISITOR_PASSWORD,
                               email="warga-uji@example.id")
        return "warga-uji", VISITOR_PASSWORD

    def seed_post(self, key: str) -> int:
        return next(p["id"] for p in self.site.posts if p["slug"] == self._post_slugs[key])

    def seed_comment(self, key: str) -> int:
        return next(c["id"] for c in self.site.comments if c["content"] == self._comment_texts[key])

    def add_comment(self, post, author_name, content, *, date=None, status="approve", parent=0,
                    author_email="warga@example.id"):
        return self.site.add_comment(post, author_name=author_name, content=content, date=date, status=status,
                                     parent=parent, author_email=author_email)

    def add_comments(self, post, comments):
        return [self.site.add_comment(post, author_name=name, content=content, date=date,
                                      author_email="warga@example.id") for name, content, date in comments]

    def add_post(self, title, slug, content, *, comments_open=True):
        return self.site.add_post(title=title, slug=slug, content=content, comments_open=comments_open,
                                  author=OFFICIAL_USER_ID)

    def set_status(self, comment_id, status):
        self.site.set_comment_status(comment_id, status)

    def comment(self, comment_id):
        c = next(c for c in self.site.comments if c["id"] == comment_id)
        return {"id": c["id"], "post": c["post"], "parent": c["parent"], "author": c["user_id"],
                "author_name": c["author_name"], "status": c["status"], "raw": c["content"],
                "date": c["date"].replace(tzinfo=None), "date_gmt": c["date_gmt"]}

    def replies_by_us(self, parent):
        return [self.comment(c["id"]) for c in self.site.comments
                if c["user_id"] == OFFICIAL_USER_ID and c["parent"] == parent]

    def use_plain_permalinks(self):
        self.site.pretty_permalinks = False


_STATUS_FROM_REST = {"approved": "approve", "hold": "hold", "spam": "spam", "trash": "trash"}
_STATUS_TO_REST = {"approve": "approved", "hold": "hold", "spam": "spam", "trash": "trash"}


class RealWordPressSite(WordPressUnderTest):
    kind = "real"

    def __init__(self, real) -> None:
        self.real = real
        self.base_url = real.base_url
        self.password = real.official_password
        self.official_id = real.official_id
        self.http = requests.Session()
        self.http.auth = (ADMIN_USERNAME, real.admin_password)

    def _call(self, method: str, route: str, **kwargs):
        response = self.http.request(method, f"{self.api_base}/{route}", timeout=TIMEOUT, **kwargs)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {route} as administrator: {response.status_code} {response.text[:500]}")
        return response.json()

    def visitor(self):
        return "warga-uji", self.real.visitor_password

    def seed_post(self, key):
        return self.real.post_ids[key]

    def seed_comment(self, key):
        return self.real.comment_ids[key]

    def add_comment(self, post, author_name, content, *, date=None, status="approve", parent=0,
                    author_email="warga@example.id"):
        body = {"post": post, "parent": parent, "author_name": author_name, "author_email": author_email,
                "content": content, "status": _STATUS_TO_REST[status], "author_ip": "182.1.2.3"}
        if date is not None:
            body["date_gmt"] = date.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        return self._call("POST", "comments", json=body)["id"]

    def add_comments(self, post, comments):
        return self.real.insert_comments([
            {"comment_post_ID": post, "comment_author": name, "comment_author_email": "warga@example.id",
             "comment_content": content, "comment_approved": 1,
             "comment_date_gmt": date.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")}
            for name, content, date in comments])

    def add_post(self, title, slug, content, *, comments_open=True):
        return self._call("POST", "posts", json={"title": title, "slug": slug, "content": content,
                                                 "status": "publish", "author": self.official_id,
                                                 "comment_status": "open" if comments_open else "closed"})["id"]

    def set_status(self, comment_id, status):
        self._call("POST", f"comments/{comment_id}", json={"status": _STATUS_TO_REST[status]})

    def comment(self, comment_id):
        item = self._call("GET", f"comments/{comment_id}", params={"context": "edit"})
        return {"id": item["id"], "post": item["post"], "parent": item["parent"], "author": item["author"],
                "author_name": item["author_name"], "status": _STATUS_FROM_REST[item["status"]],
                "raw": item["content"]["raw"], "date": datetime.fromisoformat(item["date"]),
                "date_gmt": datetime.fromisoformat(item["date_gmt"]).replace(tzinfo=timezone.utc)}

    def replies_by_us(self, parent):
        found = []
        for status in ("all", "spam", "trash"):  # "all" is approved and held
            found += self._call("GET", "comments", params={"parent": parent, "author": self.official_id,
                                                           "status": status, "per_page": 100, "context": "edit"})
        return [self.comment(item["id"]) for item in found]

    def use_plain_permalinks(self):
        self.real.set_option("permalink_structure", "")
