"""The demo's channels.toml points at the five simulators exactly as they serve."""

from simulator.platforms import PLATFORMS, channel_entry
from tanggap.settings import REPO_ROOT, load_channels
from tasks.channels import CONNECTORS


def test_the_committed_channels_file_matches_the_simulators():
    declared = {c.key: c for c in load_channels(REPO_ROOT / "channels.toml")}
    assert len(declared) == len(PLATFORMS) == 5
    for platform in PLATFORMS:
        expected = channel_entry(platform, f"http://127.0.0.1:{platform.port}")
        config = declared[expected["key"]]
        assert (config.kind, config.account, config.secret, config.base_url) == (
            expected["kind"], expected["account"], expected["secret"], expected["base_url"])
        assert config.options == {k: v for k, v in expected.items()
                                  if k not in ("key", "kind", "name", "account", "secret", "base_url")}


def test_every_declared_kind_has_a_connector_with_a_reply_limit():
    for config in load_channels(REPO_ROOT / "channels.toml"):
        connector = CONNECTORS[config.kind]
        assert connector.reply_limit > 0 and connector.reply_length("Terima kasih 🙏") > 0
