"""The five simulated platforms with Tanggap set up for all of them: shared by the reliability
tests and the fault and crash suites (benchmarks/)."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from simulator.platforms import PLATFORMS, channel_entry, start
from tests.harness import tanggap_environment


def start_all(*, without_seed_comments: bool = False) -> dict:
    """Every platform's simulator, seeded, on free ports; by kind. `without_seed_comments`: the
    posts, videos and accounts stay, the seed's comments go (a suite counts only its own)."""
    simulators = {p.kind: start(p, port=0) for p in PLATFORMS}
    if without_seed_comments:
        for kind, simulator in simulators.items():
            site = simulator.site
            with site.lock:
                if kind == "x":
                    from simulator.x import X_OFFICIAL_USER_ID

                    site.tweets = {i: t for i, t in site.tweets.items()
                                   if t["author_id"] == X_OFFICIAL_USER_ID and not t["in_reply_to"]}
                else:
                    site._comments.clear()
    # The suites arm their own 429s: the X simulator's real 15-minute windows would only add waits.
    simulators["x"].site.rate_limits = {endpoint: 1_000_000 for endpoint in simulators["x"].site.rate_limits}
    return simulators


def environment(folder, simulators: dict, database_url: str | None = None, **options) -> dict:
    """TANGGAP_* settings pointing at every simulator (SQLite in `folder` unless `database_url`);
    `options` are added to every channel's entry."""
    env = tanggap_environment(folder, simulators["wordpress"].base_url,
                              channels=[{**channel_entry(p, simulators[p.kind].base_url), **options}
                                        for p in PLATFORMS],
                              secrets={p.channel["secret"]: p.token for p in PLATFORMS})
    if database_url:
        env["TANGGAP_DATABASE_URL"] = database_url
    return env


def visitor_comment(kind: str, site, n: int, when: datetime | None = None) -> str:
    """A new top-level visitor comment on the platform's first thread; returns its external id."""
    when = when or datetime.now(timezone.utc)
    text = f"Kapan jadwal pelatihan angkatan {n} dibuka? Terima kasih."
    if kind == "wordpress":
        return str(site.add_comment(site.posts[0]["id"], author_name=f"Peserta {n}", content=text, date=when))
    if kind == "facebook":
        return site.add_comment(site.posts[0]["id"], text, author_name=f"Peserta {n}", created=when)
    if kind == "instagram":
        return site.add_comment(site.media[0]["id"], text, username=f"peserta{n}", created=when)
    if kind == "youtube":
        return site.add_comment(site.videos[0]["id"], text, author_name=f"Peserta {n}", created=when)
    if kind == "x":
        return site.add_comment(text, author=f"peserta{n}", created=when)
    raise ValueError(kind)


def key_of(kind: str) -> str:
    return next(p.channel["key"] for p in PLATFORMS if p.kind == kind)


def apply(env: dict) -> None:
    os.environ.update(env)


def replies_by_us(kind: str, site) -> list[tuple[str, str]]:
    """(parent comment id, reply id) of every reply by our own account, as the simulator keeps
    them: the platform's record, not what Tanggap believes it sent."""
    with site.lock:
        if kind == "wordpress":
            from simulator.seed import OFFICIAL_USER_ID

            return [(str(c["parent"]), str(c["id"])) for c in site._comments.values()
                    if c["user_id"] == OFFICIAL_USER_ID and c["parent"]]
        if kind in ("facebook", "instagram"):
            return [(c["parent"], c["id"]) for c in site._comments.values()
                    if c["author_id"] == site.account_id and c["parent"] and not c["deleted"]]
        if kind == "youtube":
            return [(c["parent"], c["id"]) for c in site._comments.values()
                    if c["author_id"] == site.channel["id"] and c["parent"]]
        if kind == "x":
            from simulator.x import X_OFFICIAL_USER_ID

            return [(t["in_reply_to"], t["id"]) for t in site.tweets.values()
                    if t["author_id"] == X_OFFICIAL_USER_ID and t["in_reply_to"]]
    raise ValueError(kind)
