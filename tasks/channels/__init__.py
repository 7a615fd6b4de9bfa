"""Channel connectors: one module per platform behind the interface in `base`."""

from __future__ import annotations

from tanggap.settings import ChannelConfig, get_settings

from .base import ChannelClient, QuotaLedger
from .credentials import load_secret
from .facebook import FacebookClient
from .instagram import InstagramClient
from .wordpress import WordPressClient
from .x import XClient
from .youtube import YouTubeClient

DEFAULT_TIMEOUT_SECONDS = 20.0  # per platform call; the channel option `timeout_seconds` changes it

CONNECTORS = {
    "wordpress": WordPressClient,
    "facebook": FacebookClient,
    "instagram": InstagramClient,
    "youtube": YouTubeClient,
    "x": XClient,
}


def connect(config: ChannelConfig, *, ledger: QuotaLedger | None = None) -> ChannelClient:
    """A client for one configured channel, with its secret loaded (tasks use channel_access)."""
    try:
        connector = CONNECTORS[config.kind]
    except KeyError:
        raise ValueError(f"channel {config.key}: unknown kind {config.kind!r}") from None
    return connector(config, load_secret(config.secret), lookback_days=get_settings().initial_lookback_days,
                     ledger=ledger, timeout=float(config.options.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS)))
