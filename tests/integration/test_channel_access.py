"""Back-off after a platform's rate-limit signal, and the daily quota ledger, on a real database."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db.models import Channel, utcnow
from db.session import session_scope
from tanggap.settings import get_settings
from tasks.channel_access import ChannelBlocked, DatabaseQuotaLedger, QuotaExhausted, channel_client
from tasks.channels.base import RateLimited
from tasks.inventory import open_check_run


@pytest.fixture
def website(tanggap_env):
    open_check_run.fn()  # registers the configured channels
    return get_settings().channels()[0]


def test_a_rate_limit_with_a_time_blocks_the_channel_until_then(website, wordpress):
    wordpress.site.fault("rate_limit")  # 429 with Retry-After: 2
    with pytest.raises(RateLimited) as first:
        with channel_client(website) as client:
            client.list_new_comments(None)
    assert first.value.retry_after == 2
    calls = wordpress.site.request_count("GET")
    with pytest.raises(ChannelBlocked):
        with channel_client(website) as client:
            client.list_new_comments(None)
    assert wordpress.site.request_count("GET") == calls  # refused without calling the platform
    with session_scope() as session:
        channel = session.scalar(select(Channel))
        assert channel.blocked_until > utcnow() and "429" in channel.blocked_reason


def test_an_expired_block_lets_calls_through_again(website, wordpress):
    with session_scope() as session:
        session.scalar(select(Channel)).blocked_until = utcnow() - timedelta(seconds=1)
    with channel_client(website) as client:
        assert client.list_new_comments(None).comments


def test_polling_cannot_spend_the_units_replies_need(website):
    ledger = DatabaseQuotaLedger(website, daily_units=100, zone=ZoneInfo("America/Los_Angeles"))
    for _ in range(60):
        ledger.spend(1, purpose="read")
    with pytest.raises(QuotaExhausted) as exhausted:
        ledger.spend(1, purpose="read")
    assert 0 < exhausted.value.retry_after <= 25 * 3600
    ledger.spend(40, purpose="write")  # the write share is untouched
    with pytest.raises(QuotaExhausted):
        ledger.spend(1, purpose="write")


def test_a_spent_read_budget_does_not_block_the_channel(website):
    ledger = DatabaseQuotaLedger(website, daily_units=1, zone=ZoneInfo("America/Los_Angeles"))
    with pytest.raises(QuotaExhausted):
        ledger.spend(1, purpose="read")
    with session_scope() as session:
        assert session.scalar(select(Channel)).blocked_until is None
