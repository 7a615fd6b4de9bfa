"""The faults of whatever stands between us and a platform (simulator/common.NETWORK_FAULT_MODES),
on every simulator: each reaches a connector as a ChannelError, never as a bare exception, and
the next call is read as usual."""

from __future__ import annotations

import pytest

from db.session import migrate
from simulator import platforms
from simulator.common import NETWORK_FAULT_MODES
from tanggap.settings import get_settings
from tasks.channels import connect
from tasks.channels.base import ChannelError, RateLimited
from tests.harness import tanggap_environment

KINDS = [p.kind for p in platforms.PLATFORMS]


@pytest.fixture
def channel(request, tmp_path, monkeypatch):
    platform = next(p for p in platforms.PLATFORMS if p.kind == request.param)
    simulator = platforms.start(platform, port=0)
    entry = platforms.channel_entry(platform, simulator.base_url)
    env = tanggap_environment(tmp_path, simulator.base_url, channels=[entry], secrets={entry["secret"]: platform.token})
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    migrate()
    yield simulator
    simulator.stop()


@pytest.mark.parametrize("mode", NETWORK_FAULT_MODES)
@pytest.mark.parametrize("channel", KINDS, indirect=True)
def test_a_network_fault_is_a_channel_error_and_the_next_listing_reads(channel, mode):
    client = connect(get_settings().channels()[0])
    channel.site.fault(mode, times=1, methods=("GET",))
    with pytest.raises(ChannelError) as raised:
        client.list_new_comments(None)
    assert channel.site.faults_served()[mode] == 1 and channel.site.faults_pending() == 0
    if mode == "http429_bare":  # throttled, but no time was named: the retries' own delays apply
        assert isinstance(raised.value, RateLimited) and raised.value.retry_after is None
    else:
        assert raised.value.transient, raised.value
    assert connect(get_settings().channels()[0]).list_new_comments(None).comments
