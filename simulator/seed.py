"""Realistic Indonesian seed data for the BBPP Ketindan website, for the WordPress simulator and
for the real WordPress the tests install (tests/realwp): one plan, applied to either.

What the seed holds, so tests can count on it:

- 1 user: id 2, ``humas-bbpp`` ("Humas BBPP Ketindan"), a moderator (an editor on the real
  site) with an application password (``abcd efgh ijkl mnop`` on the simulator); it writes the
  posts and the official replies.
- 3 posts, all open for comments.
- 14 comments in total:
  - 10 approved top-level visitor comments (``author`` 0): questions about schedules,
    requirements and certificates, complaints (certificate not issued, broken dormitory AC,
    online registration error), praise, one gambling spam with a link, and one whose raw text
    holds entity-escaped ``<script>`` plus emoji;
  - 2 top-level visitor comments held for moderation: a question about fees from a first-time
    commenter, and a loan spam with two links (what WordPress holds by default);
  - 1 approved visitor reply (``author`` 0) under the oldest question;
  - 1 official reply by user 2 under that same question, 4+ days old. It is the office's own
    answer and must never be taken in as a new comment.
  So ``SEED_VISITOR_COMMENTS`` (comments not by the official account) is 13, of which
  ``SEED_HELD_COMMENTS`` (2) wait for moderation; the public sees ``SEED_APPROVED_COMMENTS`` (12).

Dates are relative to ``now``: the old thread starts 5 days back, everything else falls in
the last ~3 days. The site's clock is Asia/Jakarta (WIB, +07:00).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from simulator.common import age, load_seed
from simulator.wordpress import WordPressSite

OFFICIAL_USER_ID = 2
OFFICIAL_USERNAME = "humas-bbpp"
OFFICIAL_NAME = "Humas BBPP Ketindan"
OFFICIAL_EMAIL = "humas@bbppketindan.bppsdmp.pertanian.go.id"
OFFICIAL_APP_PASSWORD = "abcd efgh ijkl mnop"

SEED_POSTS = 3
SEED_TOP_LEVEL_VISITOR_COMMENTS = 12
SEED_HELD_COMMENTS = 2
SEED_VISITOR_REPLIES = 1
SEED_OFFICIAL_REPLIES = 1
SEED_VISITOR_COMMENTS = SEED_TOP_LEVEL_VISITOR_COMMENTS + SEED_VISITOR_REPLIES  # 13
SEED_COMMENTS = SEED_VISITOR_COMMENTS + SEED_OFFICIAL_REPLIES  # 14
SEED_APPROVED_COMMENTS = SEED_COMMENTS - SEED_HELD_COMMENTS  # 12: what a visitor sees
# The first visitor question already carries the official reply: it needs no new case.
# Held comments are cases too: they are what the office must look at.
SEED_AWAITING_ANSWER = SEED_VISITOR_COMMENTS - SEED_OFFICIAL_REPLIES  # 12


@dataclass(frozen=True)
class SeedPost:
    key: str
    title: str
    slug: str
    content: str
    date: datetime  # aware


@dataclass(frozen=True)
class SeedComment:
    key: str
    post_key: str
    author_name: str
    author_email: str
    author_ip: str
    date: datetime  # aware
    content: str  # raw, as stored
    status: str = "approve"  # approve | hold
    parent_key: str | None = None
    official: bool = False  # written by the official account (user 2)


def wordpress_seed(now: datetime | None = None) -> tuple[list[SeedPost], list[SeedComment]]:
    """The seed as data (simulator/seeds/wordpress.toml): posts and comments, parents before their
    replies, dates from `now`."""
    now = now or datetime.now(timezone.utc)
    seed = load_seed("wordpress")

    def dated(item: dict) -> dict:
        return {**{k: v for k, v in item.items() if k != "ago"}, "date": now - age(item["ago"])}

    return [SeedPost(**dated(p)) for p in seed["post"]], [SeedComment(**dated(c)) for c in seed["comment"]]


def seed_wordpress(site: WordPressSite, now: datetime | None = None) -> WordPressSite:
    """Add the official account, 3 posts and 14 comments (see the module docstring)."""
    posts, comments = wordpress_seed(now)
    site.add_user(user_id=OFFICIAL_USER_ID, username=OFFICIAL_USERNAME, name=OFFICIAL_NAME,
                  app_password=OFFICIAL_APP_PASSWORD, can_moderate=True, email=OFFICIAL_EMAIL)
    post_ids = {p.key: site.add_post(title=p.title, slug=p.slug, content=p.content, date=p.date,
                                     author=OFFICIAL_USER_ID) for p in posts}
    comment_ids: dict[str, int] = {}
    for c in comments:
        comment_ids[c.key] = site.add_comment(
            post_ids[c.post_key], author_name=c.author_name, content=c.content, date=c.date, status=c.status,
            parent=comment_ids[c.parent_key] if c.parent_key else 0,
            user_id=OFFICIAL_USER_ID if c.official else 0, author_email=c.author_email, author_ip=c.author_ip)
    return site

