"""A spam wave settled: N spam comments on the WordPress simulator, one decision, then each
comment hidden and archived (softfile + PDF/A hardfile) by the wave's own functions, beside the
floor measured in the same run: one hide request and one hardfile render, times N.

    .venv/bin/python -m benchmarks.spam_wave --items 200

No Prefect server: the wave's tasks run as plain functions (`.fn`), as the run calls them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from simulator.platforms import PLATFORMS, channel_entry, start
from tests.harness import tanggap_environment

SPAM = "Slot gacor hari ini pasti maxwin! Daftar di gacor88.example, WA 0812-3456-7890 ({})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=200)
    items = parser.parse_args().items
    platform = next(p for p in PLATFORMS if p.kind == "wordpress")
    simulator = start(platform, port=0)
    site = simulator.site
    post = site.posts[0]["id"]
    for n in range(items):
        site.add_comment(post, author_name=f"Promo {n}", content=SPAM.format(n))
    folder = Path(tempfile.mkdtemp(prefix="tanggap-spam-wave-"))
    os.environ.update(tanggap_environment(folder, simulator.base_url,
                                          channels=[channel_entry(platform, simulator.base_url)],
                                          secrets={platform.channel["secret"]: platform.token}))
    # Imported once the environment is set: the settings are read at first use.
    from sqlalchemy import func, select

    from db.models import Comment, Event
    from db.session import migrate, session_scope
    from tasks.archiving import case_files_data
    from tasks.cases import channel_config, load_case, ref_of
    from tasks.channel_access import channel_client
    from tasks.inventory import fetch_new_comments, open_check_run, store_comments
    from tasks.moderation import record_moderation
    from tasks.records.case_record import case_record
    from tanggap.settings import get_settings
    from tasks.spam_settling import settle_wave
    from tasks.spam_waves import gather_wave

    migrate()
    config = get_settings().channels()[0]
    store_comments.fn(open_check_run.fn(), config, fetch_new_comments.fn(config))
    wave_id = gather_wave()
    with session_scope() as session:
        size = session.scalar(select(func.count(Comment.id)).where(Comment.spam_wave_id == wave_id))
        probe = load_case(session, session.scalar(select(Comment.id).where(Comment.spam_wave_id == wave_id)))
        record, config, ref = case_record(session, probe), channel_config(probe.channel), ref_of(probe)

    # Floors: one hide request (on the probe comment, before the wave hides it again) and one hardfile.
    began = time.perf_counter()
    with channel_client(config, sending=True) as client:
        client.hide(ref)
    hide_floor = time.perf_counter() - began
    pdf_floor = float("inf")
    for _ in range(3):  # the first render loads fonts: the floor is a warm one
        began = time.perf_counter()
        case_files_data(record)
        pdf_floor = min(pdf_floor, time.perf_counter() - began)

    began = time.perf_counter()
    record_moderation.fn(wave_id, {"action": "sembunyikan", "moderator_name": "Tolok ukur", "answer_ref": "b:1"})
    decided = time.perf_counter() - began
    settle_started = time.perf_counter()
    wall_started = time.time()
    result = settle_wave.fn(wave_id)
    settled = time.perf_counter() - settle_started
    with session_scope() as session:
        last_hide = session.scalar(select(func.max(Event.at)).where(Event.step == "hide", Event.phase == "end"))
    all_hidden = last_hide.timestamp() - wall_started
    simulator.stop()

    print(f"Spam wave of {size} comments (WordPress simulator, SQLite, no Prefect server); load "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; outcome {result}")
    print(f"  decision recorded for all ........ {decided:.2f} s (one transaction)")
    print(f"  all hidden on the site ........... {all_hidden:.1f} s  (floor {size} x one hide "
          f"{hide_floor * 1000:.0f} ms = {size * hide_floor:.1f} s)")
    print(f"  all hidden and archived .......... {settled:.1f} s, {settled / size:.2f} s per comment  (floor "
          f"{size} x (hide + one hardfile {pdf_floor:.2f} s) = {size * (hide_floor + pdf_floor):.1f} s)")
    print("  command: .venv/bin/python -m benchmarks.spam_wave --items", items)


if __name__ == "__main__":
    main()
