"""Every call to a platform goes through `channel_client`: one place for the office's manners.

- A platform that said "come back later" (rate limit, exhausted quota) is not called again
  before that moment; the channel row records until when and why.
- A Prefect global concurrency limit per channel (`kanal-<key>`) caps parallel calls from all
  flow runs together.
- Channels with a daily quota (YouTube) book every call in the database ledger first; the
  reads that sending and confirming a reply need are booked against the reply budget, so a
  check that used up the polling share never holds an approved answer back.
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from typing import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from db.models import Channel, QuotaUsage, utcnow
from db.session import session_scope
from tanggap.settings import ChannelConfig

from .channels import connect
from .events import in_prefect_run
from .channels.base import ChannelClient, RateLimited
from .rendering import waktu

DEFAULT_PARALLEL_CALLS = 2
SLOT_LEASE_SECONDS = 60
# Daily quotas by channel kind: (units per day, the quota day's time zone). Polling may use
# only READ_SHARE of it, so approved replies can always still be sent.
DAILY_QUOTAS = {"youtube": (10_000, ZoneInfo("America/Los_Angeles"))}
READ_SHARE = 0.6


def concurrency_limit_name(config: ChannelConfig) -> str:
    return f"kanal-{config.key}"


def parallel_calls(config: ChannelConfig) -> int:
    return int(config.options.get("max_parallel_calls", DEFAULT_PARALLEL_CALLS))


class ChannelBlocked(RateLimited):
    reason = "Kanal sedang dibatasi oleh platform; tidak dihubungi sampai batas waktunya"


class QuotaExhausted(RateLimited):
    """Our own budget for one purpose is spent: only that purpose waits, the channel stays open."""

    reason = "Kuota harian kanal untuk keperluan ini sudah terpakai"


class DatabaseQuotaLedger:
    """The QuotaLedger of base.py, kept in the quota_usage table (shared by all processes)."""

    def __init__(self, config: ChannelConfig, daily_units: int, zone: ZoneInfo, *, reads_count_as: str = "read"):
        self.config, self.daily_units, self.zone = config, daily_units, zone
        self.reads_count_as = reads_count_as

    def budget(self, purpose: str) -> int:
        read_budget = int(self.daily_units * READ_SHARE)
        return read_budget if purpose == "read" else self.daily_units - read_budget

    def spend(self, units: int, *, purpose: str) -> None:
        if purpose == "read":
            purpose = self.reads_count_as
        now = datetime.now(self.zone)
        day = now.date().isoformat()
        budget = self.budget(purpose)
        with session_scope() as session:
            channel_id = session.scalar(select(Channel.id).where(Channel.key == self.config.key))
            self._ensure_row(session, channel_id, day, purpose)
            # One conditional UPDATE: concurrent runs cannot overspend between read and write.
            booked = session.execute(
                update(QuotaUsage)
                .where(QuotaUsage.channel_id == channel_id, QuotaUsage.day == day, QuotaUsage.purpose == purpose,
                       QuotaUsage.units + units <= budget)
                .values(units=QuotaUsage.units + units)
            ).rowcount
        if not booked:
            reset = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), self.zone)
            raise QuotaExhausted(
                f"kuota harian untuk {'pemeriksaan' if purpose == 'read' else 'pengiriman'} "
                f"({budget} unit) habis; pulih {waktu(reset)}",
                retry_after=(reset - now).total_seconds(),
            )

    @staticmethod
    def _ensure_row(session, channel_id: int, day: str, purpose: str) -> None:
        exists = session.scalar(select(QuotaUsage.id).where(
            QuotaUsage.channel_id == channel_id, QuotaUsage.day == day, QuotaUsage.purpose == purpose))
        if exists is None:
            try:
                with session.begin_nested():
                    session.add(QuotaUsage(channel_id=channel_id, day=day, purpose=purpose, units=0))
            except IntegrityError:
                pass  # another run created it a moment ago


def ledger_for(config: ChannelConfig, *, sending: bool = False) -> DatabaseQuotaLedger | None:
    if config.kind not in DAILY_QUOTAS:
        return None
    units, zone = DAILY_QUOTAS[config.kind]
    return DatabaseQuotaLedger(config, int(config.options.get("daily_quota", units)), zone,
                               reads_count_as="write" if sending else "read")


def _refuse_while_blocked(config: ChannelConfig) -> None:
    with session_scope() as session:
        channel = session.scalar(select(Channel).where(Channel.key == config.key))
        if channel is None or channel.blocked_until is None:
            return
        remaining = (channel.blocked_until - utcnow()).total_seconds()
        if remaining > 0:
            raise ChannelBlocked(f"sampai {waktu(channel.blocked_until)} ({channel.blocked_reason})",
                                 retry_after=remaining)


def _block(config: ChannelConfig, exc: RateLimited) -> None:
    if not exc.retry_after:
        return
    with session_scope() as session:
        channel = session.scalar(select(Channel).where(Channel.key == config.key))
        if channel is not None:
            channel.blocked_until = utcnow() + timedelta(seconds=exc.retry_after)
            channel.blocked_reason = exc.detail[:1000]


def _concurrency_slot(config: ChannelConfig):
    # Only inside Prefect runs: plain calls (tests, scripts) have no API to hold slots with.
    if not in_prefect_run():
        return nullcontext()
    from prefect.concurrency.sync import concurrency

    # A run killed while it holds a slot gives it back when the lease runs out: Prefect's
    # shortest lease (60 s, renewed while held) instead of its default 5 minutes.
    return concurrency(concurrency_limit_name(config), occupy=1, timeout_seconds=600, strict=False,
                       lease_duration=SLOT_LEASE_SECONDS)


@contextmanager
def channel_client(config: ChannelConfig, *, sending: bool = False) -> Iterator[ChannelClient]:
    """A connected client, used within the channel's back-off, concurrency limit and quota.

    `sending`: the calls serve an approved answer (post, look for it, confirm, hide), and are
    booked against the reply budget of a daily quota.
    """
    _refuse_while_blocked(config)
    with _concurrency_slot(config):
        try:
            yield connect(config, ledger=ledger_for(config, sending=sending))
        except (ChannelBlocked, QuotaExhausted):
            raise  # nothing new from the platform: the channel's state stays as it is
        except RateLimited as exc:
            _block(config, exc)
            raise


def ensure_concurrency_limits(configs: list[ChannelConfig]) -> None:
    """Create or update the per-channel global concurrency limits (at serve start)."""
    from prefect import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        for config in configs:
            name, limit = concurrency_limit_name(config), parallel_calls(config)
            try:
                client.read_global_concurrency_limit_by_name(name)
                client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(limit=limit, active=True))
            except ObjectNotFound:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=limit))
