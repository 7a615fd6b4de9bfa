"""Issue 6: two checks at once over the same five channels, on PostgreSQL, while comments keep
arriving. Every comment becomes exactly one case and no stored cursor moves backwards or past
a comment no check stored (the compare-and-set in tasks/inventory.store_comments)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from db.models import Channel, Comment, Event
from db.session import migrate, session_scope
from tanggap.settings import get_settings
from tasks.inventory import fetch_new_comments, open_check_run, store_comments
from tests import five_channels

pytestmark = pytest.mark.postgres

ROUNDS = 6
ARRIVING_PER_ROUND = 3  # per channel, while both checks run

# The part of each connector's cursor that only ever grows (compared as the connector does).
POSITION = {"wordpress": lambda c: c.get("after_local") or "", "facebook": lambda c: int(c.get("since") or 0),
            "instagram": lambda c: c.get("watermark") or "", "youtube": lambda c: c.get("watermark") or "",
            "x": lambda c: int(c.get("since_id") or 0)}


@pytest.fixture
def five(tmp_path, monkeypatch, postgres_url):
    simulators = five_channels.start_all()
    for key, value in five_channels.environment(tmp_path, simulators, postgres_url).items():
        monkeypatch.setenv(key, value)
    migrate()
    yield simulators
    for simulator in simulators.values():
        simulator.stop()


def one_check(barrier: threading.Barrier, errors: list) -> None:
    """What the check flow does per channel, started at the same moment as the other check."""
    try:
        barrier.wait(timeout=60)
        check_id = open_check_run.fn()
        for config in get_settings().channels():
            store_comments.fn(check_id, config, fetch_new_comments.fn(config))
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


def slow_check(fetched: threading.Event, other_done: threading.Event, errors: list) -> None:
    """A check whose store comes late (a big batch to triage): it lists every channel, then
    stores only after a later check has listed and stored newer comments."""
    try:
        check_id = open_check_run.fn()
        listings = [(config, fetch_new_comments.fn(config)) for config in get_settings().channels()]
        fetched.set()
        other_done.wait(timeout=300)
        for config, listing in listings:
            store_comments.fn(check_id, config, listing)
    except Exception as exc:  # noqa: BLE001 - reported by the test
        fetched.set()
        errors.append(exc)


def cursors() -> dict[str, dict]:
    with session_scope() as session:
        return {key: cursor or {} for key, cursor in session.execute(select(Channel.key, Channel.cursor))}


def test_two_checks_at_once_store_every_arriving_comment_once_and_never_move_a_cursor_back(five):
    kinds = {five_channels.key_of(kind): kind for kind in five}
    added: dict[str, list[str]] = {key: [] for key in kinds}
    seen_positions: dict[str, list] = {key: [] for key in kinds}
    errors: list[Exception] = []
    number = 0

    def arrive() -> None:
        nonlocal number
        for key, kind in kinds.items():
            number += 1
            added[key].append(five_channels.visitor_comment(kind, five[kind].site, number))

    def watch_cursors(stop: threading.Event) -> None:
        while not stop.is_set():  # one reader, so the positions are in commit order
            for key, cursor in cursors().items():
                seen_positions[key].append(POSITION[kinds[key]](cursor))
            stop.wait(0.05)

    stop = threading.Event()
    watcher = threading.Thread(target=watch_cursors, args=(stop,))
    watcher.start()
    try:
        for round_number in range(ROUNDS):
            if round_number % 2:  # the worst order: the older listing is stored last
                fetched, done = threading.Event(), threading.Event()
                slow = threading.Thread(target=slow_check, args=(fetched, done, errors))
                slow.start()
                fetched.wait(timeout=300)
                for _ in range(ARRIVING_PER_ROUND):
                    arrive()
                one_check(threading.Barrier(1), errors)
                done.set()
                slow.join(timeout=300)
                continue
            barrier = threading.Barrier(3)  # both at the same moment
            checks = [threading.Thread(target=one_check, args=(barrier, errors)) for _ in range(2)]
            for check in checks:
                check.start()
            barrier.wait(timeout=60)
            for _ in range(ARRIVING_PER_ROUND):  # comments arrive while both checks list and store
                arrive()
            for check in checks:
                check.join(timeout=300)
        assert not errors, errors
        # One more check after the last arrivals, alone: whatever the cursors say, nothing was skipped.
        one_check(threading.Barrier(1), errors)
        assert not errors, errors
    finally:
        stop.set()
        watcher.join()

    with session_scope() as session:
        stored = session.execute(select(Channel.key, Comment.external_id).join(Comment.channel)).all()
        per_case_events = Counter(session.execute(
            select(Event.comment_id, Event.phase).where(Event.step == "check", Event.comment_id.is_not(None))).all())
        checks = session.scalar(select(func.count()).select_from(Event).where(
            Event.step == "check", Event.comment_id.is_(None), Event.phase == "start"))
    assert checks == 2 * ROUNDS + 1
    counted = Counter(stored)
    assert [pair for pair, times in counted.items() if times > 1] == []  # no duplicate case
    for key, ids in added.items():
        assert len(ids) == ROUNDS * ARRIVING_PER_ROUND
        missing = [i for i in ids if (key, i) not in counted]
        assert missing == [], f"{key}: arrived but never became a case: {missing}"
    assert {times for times in per_case_events.values()} == {1}  # each case's check start and end once
    assert len(per_case_events) == 2 * len(stored)
    for key, positions in seen_positions.items():
        assert positions, key
        assert positions == sorted(positions), f"{key}: the cursor moved backwards: {positions}"
