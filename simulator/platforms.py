"""The five simulated platforms in one table: how to build, seed and serve each, and the
channel entry (channels.toml) that points Tanggap at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import facebook, instagram, seed, wordpress, x, youtube


@dataclass(frozen=True)
class Platform:
    kind: str
    port: int  # the demo's fixed port; tests use free ones
    make_site: Callable[[], object]
    simulator: type
    seed: Callable
    channel: dict  # the channels.toml entry, less base_url
    token: str  # the simulator's demo secret for our account
    awaiting_answer: int  # comments a first check should turn into cases
    links_to_simulator: tuple[str, ...] = field(default=())  # options that must point at the simulator


PLATFORMS = [
    Platform("wordpress", 8401, wordpress.WordPressSite, wordpress.WordPressSimulator, seed.seed_wordpress,
             {"key": "website", "kind": "wordpress", "name": "Website BBPP Ketindan", "account": seed.OFFICIAL_USERNAME,
              "secret": "wordpress-app-password"},
             seed.OFFICIAL_APP_PASSWORD, seed.SEED_AWAITING_ANSWER),
    Platform("facebook", 8402, facebook.FacebookSite, facebook.FacebookSimulator, facebook.seed_facebook,
             {"key": "facebook", "kind": "facebook", "name": "Facebook BBPP Ketindan",
              "account": facebook.FACEBOOK_PAGE_ID, "secret": "facebook-page-token"},
             facebook.FACEBOOK_DEMO_TOKEN, facebook.SEED_AWAITING_ANSWER),
    Platform("instagram", 8403, instagram.InstagramSite, instagram.InstagramSimulator, instagram.seed_instagram,
             {"key": "instagram", "kind": "instagram", "name": "Instagram @bbppketindan",
              "account": instagram.INSTAGRAM_USER_ID, "secret": "instagram-token",
              "username": instagram.INSTAGRAM_USERNAME},
             instagram.INSTAGRAM_DEMO_TOKEN, instagram.SEED_AWAITING_ANSWER),
    Platform("youtube", 8404, youtube.YouTubeSite, youtube.YouTubeSimulator, youtube.seed_youtube,
             {"key": "youtube", "kind": "youtube", "name": "YouTube BBPP Ketindan",
              "account": youtube.YOUTUBE_CHANNEL_ID, "secret": "youtube-oauth-token"},
             youtube.YOUTUBE_DEMO_TOKEN, youtube.SEED_AWAITING_ANSWER, links_to_simulator=("watch_url",)),
    Platform("x", 8405, x.XSite, x.XSimulator, x.seed_x,
             {"key": "x", "kind": "x", "name": "X @bbppketindan", "account": x.X_OFFICIAL_USER_ID,
              "secret": "x-user-token", "username": x.X_OFFICIAL_USERNAME},
             x.X_DEMO_TOKEN, x.SEED_AWAITING_ANSWER, links_to_simulator=("web_url",)),
]


def channel_entry(platform: Platform, base_url: str) -> dict:
    """The channels.toml entry for a simulator serving at base_url."""
    links = {"watch_url": f"{base_url}/watch", "web_url": base_url}
    return {**platform.channel, "base_url": base_url,
            **{option: links[option] for option in platform.links_to_simulator}}


def start(platform: Platform, *, port: int | None = None, state_file: Path | None = None, quiet: bool = True,
          spam_wave: int = 0):
    """Build, seed (or restore) and serve one platform; returns the running simulator.
    `spam_wave`: that many spam comments on top of a fresh seed (the demo's spam wave)."""
    site = platform.make_site()
    if state_file is None or not site.load(state_file):
        platform.seed(site)
        if spam_wave:
            from .spam_wave import add_spam_wave

            add_spam_wave(platform.kind, site, spam_wave)
        site.save()
    return platform.simulator(site, host="127.0.0.1", port=platform.port if port is None else port, quiet=quiet).start()
