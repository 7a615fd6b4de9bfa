"""Issue 6's fault suite: checks and replies on all five channels while the platforms misbehave.

The five simulators serve over loopback; Tanggap's own steps run in this process against SQLite
(`.fn`, without a Prefect server), with Prefect's retry rule re-enacted (`tasks/retrying.py`:
only transient ChannelErrors, only when the platform's wait is not longer than the next delay).
Waits are not slept: the suite lets them pass by moving the channels' `blocked_until` back,
and a timeout fault stalls 1.5 s against a channel timeout of 1 s.

Faults are armed one at a time on the simulators (`site.fault(mode)`) and counted when a request
actually took them. Reads get every kind: 5xx, the platform's own rate limit (WordPress and X
name a reset time, YouTube's quota resets at Pacific midnight, Graph names none), a bare 429
with no reset time, timeouts, connection resets, JSON cut short, garbage JSON, HTML error pages.
Replies get the same on POST, with `post_then_500` (written, answer lost) and timeouts after the
write. Comments keep arriving while faults are served.

Expected: every comment ingested eventually, no check aborted (only ChannelErrors, each
leaving that channel to the next check), no reply doubled on the simulators' own record.

Run:  .venv/bin/python -m benchmarks.fault_suite [--faults 1000] [--replies 10] [--seed 2026]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

COMMAND = ".venv/bin/python -m benchmarks.fault_suite"
READ_MODES = ("http500", "rate_limit", "http429_bare", "timeout", "connection_reset", "truncated", "garbage",
              "html_error")
WRITE_MODES = ("post_then_500", "timeout", "http500", "connection_reset", "truncated", "html_error", "http429_bare")
FETCH_DELAYS = (2, 10, 30)  # tasks.inventory.fetch_new_comments
PUBLISH_DELAYS = (5, 30, 120, 600)  # tasks.publishing.publish_reply
CONFIRM_DELAYS = (10, 60, 300)  # tasks.publishing.confirm_reply
READ_SHARE = 0.8  # of the faults; the rest go to the replies


@dataclass
class Figures:
    faulted: Counter = field(default_factory=Counter)  # (channel, mode) -> calls that took the fault
    seeded: int = 0
    ingested: int = 0
    checks: int = 0
    checks_aborted: int = 0
    channels_deferred: int = 0  # a channel left to the next check after its retries
    waits_honoured: int = 0  # a platform named a time: the channel was not called before it
    replies_sent: int = 0
    replies_doubled: int = 0
    replies_misattributed: int = 0
    publish_runs_again: int = 0  # a send that used up its retries and was tried again by the scheduled retry
    checks_needed: int = 0  # checks until every arrived comment was a case
    unhandled: list = field(default_factory=list)


def let_time_pass(seconds: float, *, to_the_end_of_blocks: bool = False) -> int:
    """Move every channel's block back by `seconds` (the suite's clock); returns blocks ended.
    `to_the_end_of_blocks`: at least until the longest block ends (a quota day is not waited
    for 15 minutes at a time)."""
    from sqlalchemy import select

    from db.models import Channel, utcnow
    from db.session import session_scope

    ended = 0
    with session_scope() as session:
        blocked = session.scalars(select(Channel).where(Channel.blocked_until.is_not(None))).all()
        if to_the_end_of_blocks and blocked:
            seconds = max(seconds, max((c.blocked_until - utcnow()).total_seconds() for c in blocked))
        for channel in blocked:
            channel.blocked_until -= timedelta(seconds=seconds)
            if channel.blocked_until <= utcnow():
                channel.blocked_until, channel.blocked_reason, ended = None, None, ended + 1
    return ended


def with_retries(step, *args, delays):
    """Call `step` as Prefect would with `retries=len(delays)` and `is_transient_failure`."""
    from tasks.channels.base import ChannelError

    for attempt in range(len(delays) + 1):
        try:
            return step(*args)
        except ChannelError as exc:
            delay = delays[min(attempt, len(delays) - 1)]
            if attempt == len(delays) or not exc.transient or (exc.retry_after or 0) > delay:
                raise
            let_time_pass(delay)


def run(faults: int = 1000, replies: int = 10, seed: int = 2026, folder: Path | None = None,
        say=print) -> Figures:
    """The whole suite; `replies` per channel. Returns its figures."""
    from tests import five_channels

    rng, figures = random.Random(seed), Figures()
    folder = folder or Path(tempfile.mkdtemp(prefix="tanggap-faults-"))
    simulators = five_channels.start_all()
    try:
        for simulator in simulators.values():
            simulator.site.timeout_seconds = 1.5
        five_channels.apply(five_channels.environment(folder, simulators, timeout_seconds=1.0))
        logging.getLogger("tanggap").setLevel(logging.CRITICAL)  # the failures are counted, not logged
        from db.session import migrate

        migrate()
        keys = {five_channels.key_of(kind): kind for kind in simulators}
        share = {key: faults // len(keys) + (n < faults % len(keys)) for n, key in enumerate(keys)}
        arrived: dict[str, list[str]] = {key: [] for key in keys}
        _check_under_faults(simulators, keys, {k: int(n * READ_SHARE) for k, n in share.items()}, arrived, rng,
                            figures, say)
        _replies_under_faults(simulators, keys, arrived, replies, {k: n - int(n * READ_SHARE) for k, n in share.items()},
                              rng, figures)
        # A reply's faults that no call took (its send went well before) are made up on reads.
        served = lambda key: sum(simulators[keys[key]].site.faults_served().values())  # noqa: E731
        _check_under_faults(simulators, keys, {k: n - served(k) for k, n in share.items()}, arrived, rng, figures, say)
        for key, kind in keys.items():
            for mode, count in simulators[kind].site.faults_served().items():
                figures.faulted[(key, mode)] += count
    finally:
        for simulator in simulators.values():
            simulator.stop()
    return figures


def _check_under_faults(simulators, keys, budgets, arrived, rng, figures, say) -> None:
    """Checks while comments arrive and read faults are armed (`budgets` per channel), then
    checks until every arrived comment is a case and every armed fault was taken."""
    from tests import five_channels

    armed, started = Counter(), figures.checks
    while True:
        arming = any(armed[key] < budgets[key] for key in keys)
        for key, kind in keys.items():
            site = simulators[kind].site
            while armed[key] < budgets[key] and site.faults_pending() < 3:
                site.fault(rng.choice(READ_MODES), times=1, methods=("GET",))
                armed[key] += 1
            if arming:  # comments keep arriving while faults are served
                arrived[key].append(five_channels.visitor_comment(kind, site, sum(map(len, arrived.values())) + 1))
        _one_check(figures)
        missing = _missing(arrived)
        figures.seeded = sum(map(len, arrived.values()))
        figures.ingested = figures.seeded - missing
        if not arming and not missing and not any(simulators[k].site.faults_pending() for k in keys.values()):
            figures.checks_needed += figures.checks - started
            return
        if figures.checks - started > 400:
            say(f"gave up after {figures.checks} checks: {missing} comments still missing")
            return
        # The next check: 15 minutes later, or when the longest wait a platform asked for is over.
        figures.waits_honoured += let_time_pass(15 * 60, to_the_end_of_blocks=True)


def _one_check(figures: Figures) -> None:
    from tanggap.settings import get_settings
    from tasks.channels.base import ChannelError
    from tasks.inventory import close_check_run, fetch_new_comments, open_check_run, record_channel_failure, \
        store_comments

    figures.checks += 1
    try:
        check_id = open_check_run.fn()
        for config in get_settings().channels():
            try:
                listing = with_retries(fetch_new_comments.fn, config, delays=FETCH_DELAYS)
            except ChannelError as exc:  # as the flow does: noted, the other channels go on
                figures.channels_deferred += 1
                record_channel_failure.fn(check_id, config, str(exc))
                continue
            store_comments.fn(check_id, config, listing)
        close_check_run.fn(check_id)
    except Exception as exc:  # noqa: BLE001 - the figure the suite exists for
        figures.checks_aborted += 1
        figures.unhandled.append(f"check {figures.checks}: {type(exc).__name__}: {exc}"[:500])


def _missing(arrived: dict[str, list[str]]) -> int:
    from sqlalchemy import select

    from db.models import Channel, Comment
    from db.session import session_scope

    with session_scope() as session:
        stored = set(session.execute(select(Channel.key, Comment.external_id).join(Comment.channel)).all())
    return sum((key, external_id) not in stored for key, ids in arrived.items() for external_id in ids)


def _replies_under_faults(simulators, keys, arrived, per_channel, budgets, rng, figures) -> None:
    """Approve `per_channel` cases on each channel and send them while POST (and GET) faults are armed."""
    from sqlalchemy import select

    from db.models import CaseStatus, Channel, Comment, Publication
    from db.session import session_scope
    from tasks.drafting import draft_reply
    from tasks.review import prepare_form, record_correction
    from tests import five_channels

    cases = []
    with session_scope() as session:
        for key, ids in arrived.items():
            cases += [(key, case_id) for case_id in session.scalars(
                select(Comment.id).join(Comment.channel).where(Channel.key == key, Comment.external_id.in_(ids))
                .order_by(Comment.id).limit(per_channel))]
    rng.shuffle(cases)
    armed = Counter()
    for key, case_id in cases:
        share = -(-budgets[key] // max(per_channel, 1))  # faults per reply, rounded up
        draft_reply.fn(case_id)
        prepare_form.fn(case_id, "correction")
        record_correction.fn(case_id, {"action": "setujui", "note": "", "approver_name": "Kepala Bagian Umum (uji)",
                                       "answer_ref": f"uji:koreksi-{case_id}",
                                       "reply_text": f"Jadwal angkatan berikutnya diumumkan pekan depan (kasus {case_id})."})
        site = simulators[keys[key]].site
        for _ in range(min(share, budgets[key] - armed[key])):
            # Each channel's first reply: the answer lost after the write, then a POST that times out.
            mode = ("post_then_500", "timeout")[armed[key]] if armed[key] < 2 else rng.choice(WRITE_MODES)
            # On the look before posting, the POST or the confirming read, whichever comes next.
            methods = ("POST",) if mode == "post_then_500" or armed[key] < 2 else ("GET", "POST")
            site.fault(mode, times=1, methods=methods)
            armed[key] += 1
        if _send(case_id, figures):
            figures.replies_sent += 1
        site.clear_faults()  # what this reply did not take goes; the next reply gets its own
    with session_scope() as session:
        recorded = {(key, reply): external for key, reply, external in session.execute(
            select(Channel.key, Publication.external_reply_id, Comment.external_id)
            .join(Publication.comment).join(Comment.channel).where(Comment.status != CaseStatus.APPROVED))}
    for key, kind in keys.items():
        ours = five_channels.replies_by_us(kind, simulators[kind].site)
        per_parent = Counter(parent for parent, _ in ours)
        figures.replies_doubled += sum(times - 1 for times in per_parent.values() if times > 1)
        figures.replies_misattributed += sum(1 for parent, reply in ours
                                             if (key, reply) in recorded and recorded[(key, reply)] != parent)


def _send(case_id: int, figures: Figures) -> bool:
    """The respond flow's steps 4 and 5 for one approved case, with the scheduled retry after a
    failure that may pass (tasks/failures.py, tasks/operations.AUTOMATIC_RETRY)."""
    from tasks.channels.base import ChannelError
    from tasks.failures import put_aside
    from tasks.operations import AUTOMATIC_RETRY, record_operations_choice
    from tasks.publishing import confirm_reply, publish_reply

    from db.models import CaseStatus
    from tasks.cases import case_status

    if case_status(case_id) != CaseStatus.APPROVED:
        figures.unhandled.append(f"case {case_id}: not approved ({case_status(case_id)})")
        return False
    for run in range(6):
        try:
            with_retries(publish_reply.fn, case_id, delays=PUBLISH_DELAYS)
            with_retries(confirm_reply.fn, case_id, delays=CONFIRM_DELAYS)
            return case_status(case_id) == CaseStatus.CONFIRMED
        except ChannelError as exc:
            figures.publish_runs_again += 1
            put_aside(case_id, exc)
            let_time_pass(3600)
            record_operations_choice.fn(case_id, {**AUTOMATIC_RETRY, "answer_ref": f"uji:ulang-{case_id}-{run}"})
        except Exception as exc:  # noqa: BLE001 - counted
            figures.unhandled.append(f"case {case_id}: {type(exc).__name__}: {exc}"[:500])
            return False
    return False


def report(figures: Figures, args: str, seconds: float, say=print) -> None:
    by_mode, by_channel = Counter(), Counter()
    for (key, mode), count in figures.faulted.items():
        by_mode[mode] += count
        by_channel[key] += count
    say(f"calls faulted:           {sum(by_mode.values())}")
    say("  by kind:               " + ", ".join(f"{m} {c}" for m, c in sorted(by_mode.items())))
    say("  by channel:            " + ", ".join(f"{k} {c}" for k, c in sorted(by_channel.items())))
    say(f"comments seeded:         {figures.seeded} (arrived during the faulted checks)")
    say(f"comments ingested:       {figures.ingested}")
    say(f"checks run / needed:     {figures.checks} / {figures.checks_needed} "
        f"(channels left to the next check: {figures.channels_deferred}; platform waits honoured: "
        f"{figures.waits_honoured})")
    say(f"checks (batches) aborted: {figures.checks_aborted}")
    say(f"replies sent:            {figures.replies_sent} (sends tried again by the scheduled retry: "
        f"{figures.publish_runs_again})")
    say(f"replies doubled:         {figures.replies_doubled}; misattributed: {figures.replies_misattributed}")
    for line in figures.unhandled[:10]:
        say(f"  unhandled: {line}")
    say(f"{seconds:.0f} s on {os.cpu_count()} cores; command: {COMMAND} {args}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--faults", type=int, default=1000, help="faulted platform calls, over the five channels")
    parser.add_argument("--replies", type=int, default=10, help="replies sent per channel under faults")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    started = time.monotonic()
    figures = run(args.faults, args.replies, args.seed)
    report(figures, f"--faults {args.faults} --replies {args.replies} --seed {args.seed}",
           time.monotonic() - started)
    bad = (figures.checks_aborted or figures.replies_doubled or figures.replies_misattributed or figures.unhandled
           or figures.ingested != figures.seeded or figures.replies_sent != 5 * args.replies)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
