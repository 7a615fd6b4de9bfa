"""Ingest: comments per second from the five simulators through connector, parse, triage and
store (the check's own functions), beside the raw floor on the same responses: the same HTTP
GETs with one requests session, `json` parsing and one bulk insert into SQLite.

Also the requests a check makes on a channel where nothing changed.
"""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from benchmarks.check_five_channels import add_comments
from simulator.platforms import PLATFORMS, channel_entry, start
from tests.harness import tanggap_environment


@contextmanager
def recorded_gets():
    """Record every GET that goes through requests (URL and headers), to replay it raw."""
    seen: list[tuple[str, dict]] = []
    original = requests.Session.send

    def send(self, request, **kwargs):
        if request.method == "GET":
            seen.append((request.url, dict(request.headers)))
        return original(self, request, **kwargs)

    requests.Session.send = send
    try:
        yield seen
    finally:
        requests.Session.send = original


def _items(body) -> list:
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        return next((value for value in body.values() if isinstance(value, list)), [])
    return []


def raw_floor(gets: list[tuple[str, dict]], database: Path) -> tuple[float, int]:
    """(seconds, items): the same GETs, parsed with json and inserted in one executemany, with the
    cyclic garbage collector paused as the check pauses it (the simulators share this process)."""
    gc.disable()
    try:
        return _raw_floor(gets, database)
    finally:
        gc.enable()


def _raw_floor(gets: list[tuple[str, dict]], database: Path) -> tuple[float, int]:
    started = time.perf_counter()
    session = requests.Session()
    rows = []
    for url, headers in gets:
        body = json.loads(session.get(url, headers=headers, timeout=30).content)
        rows.extend((str(item.get("id")), json.dumps(item)) for item in _items(body) if isinstance(item, dict))
    connection = sqlite3.connect(database)
    connection.execute("create table if not exists raw (external_id text, payload text)")
    connection.execute("delete from raw")
    with connection:
        connection.executemany("insert into raw values (?, ?)", rows)
    connection.close()
    return time.perf_counter() - started, len(rows)


def measure(total: int) -> dict:
    per_channel = max(1, total // len(PLATFORMS))
    folder = Path(tempfile.mkdtemp(prefix="tanggap-bench-ingest-"))
    simulators = {p.kind: start(p, port=0) for p in PLATFORMS}
    try:
        for kind, simulator in simulators.items():
            add_comments(kind, simulator.site, per_channel)
        env = tanggap_environment(folder, simulators["wordpress"].base_url,
                                  channels=[channel_entry(p, simulators[p.kind].base_url) for p in PLATFORMS],
                                  secrets={p.channel["secret"]: p.token for p in PLATFORMS})
        os.environ.update(env)
        from db.session import migrate
        from tanggap.settings import get_settings
        from tasks.inventory import fetch_new_comments, open_check_run, store_comments

        migrate()
        from tasks.triage import model

        model()  # loaded once per process; under serve the warm parent has it (tanggap/warm_cache.py)
        channels = get_settings().channels()
        check_run_id = open_check_run.fn()
        stored = 0
        with recorded_gets() as gets:
            started = time.perf_counter()
            for config in channels:
                stored += store_comments.fn(check_run_id, config, fetch_new_comments.fn(config))
            ours = time.perf_counter() - started
        floor_seconds, floor_items = raw_floor(list(gets), folder / "raw.sqlite")

        after_burst = unchanged_requests(simulators, channels, check_run_id)
    finally:
        for simulator in simulators.values():
            simulator.stop()
    quiet = quiet_channels()
    return {"stored": stored, "seconds": ours, "rate": stored / ours, "gets": len(gets),
            "floor_seconds": floor_seconds, "floor_items": floor_items, "floor_rate": floor_items / floor_seconds,
            "unchanged_requests": after_burst, "quiet_requests": quiet}


def unchanged_requests(simulators: dict, channels: list, check_run_id: int) -> dict[str, int]:
    """GETs of one more check of each channel, nothing having changed since the last."""
    from tasks.inventory import fetch_new_comments, store_comments

    counts = {}
    for platform, config in zip(PLATFORMS, channels):
        site = simulators[platform.kind].site
        before = site.request_count("GET")
        store_comments.fn(check_run_id, config, fetch_new_comments.fn(config))
        counts[config.key] = site.request_count("GET") - before
    return counts


def quiet_channels() -> dict[str, int]:
    """The same on freshly seeded simulators and a fresh database (an office's usual day, no
    burst in the last minutes): a first check, then the counted one."""
    from db.session import migrate
    from tanggap.settings import get_settings
    from tasks.inventory import fetch_new_comments, open_check_run, store_comments

    folder = Path(tempfile.mkdtemp(prefix="tanggap-bench-quiet-"))
    simulators = {p.kind: start(p, port=0) for p in PLATFORMS}
    saved = dict(os.environ)
    try:
        os.environ.update(tanggap_environment(
            folder, simulators["wordpress"].base_url,
            channels=[channel_entry(p, simulators[p.kind].base_url) for p in PLATFORMS],
            secrets={p.channel["secret"]: p.token for p in PLATFORMS}))
        migrate()
        channels = get_settings().channels()
        check_run_id = open_check_run.fn()
        for config in channels:
            store_comments.fn(check_run_id, config, fetch_new_comments.fn(config))
        return unchanged_requests(simulators, channels, check_run_id)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        for simulator in simulators.values():
            simulator.stop()
