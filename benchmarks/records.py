"""Records timings: CPU time per case hardfile (PDF/A-3b) and the monthly recap of 10,000 cases.

Prints, in one run:
  - the floor: CPU time of a one-line PDF/A-3b page through the same WeasyPrint path;
  - CPU time per case hardfile (typical case), with HarfBuzz subsetting (libharfbuzz-subset0)
    and, for comparison, with WeasyPrint's fontTools fallback (what this machine did before);
  - CPU time of the hostile case (emoji, RTL, CJK, 10 kB text);
  - the recap of N cases in one month (figures, plots, CSV, PDF/A), beside its data floor
    (reading the month's cases from the database).
Targets (issue 9): <= 0.3 s CPU per case PDF; recap of 10,000 cases <= 30 s.

Run:  .venv/bin/python -m benchmarks.records [--cases 10000] [--pdfs 20]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

COMMAND = ".venv/bin/python -m benchmarks.records"


def cpu(function, *args) -> float:
    start = time.process_time()
    function(*args)
    return time.process_time() - start


def seed(count: int) -> None:
    from db.session import session_scope
    from tests import case_factory

    rng = random.Random(9)
    kinds = [("website", "wordpress", "Website BBPP Ketindan"), ("facebook", "facebook", "Facebook BBPP Ketindan"),
             ("instagram", "instagram", "Instagram BBPP Ketindan"), ("youtube", "youtube", "YouTube BBPP Ketindan"),
             ("x", "x", "X BBPP Ketindan")]
    with session_scope() as session:
        channels = [case_factory.channel(session, *kind) for kind in kinds]
        for number in range(1, count + 1):
            category = rng.choice(["pertanyaan", "pertanyaan", "aduan", "apresiasi", "spam", "umum"])
            outcome = "sembunyikan" if category == "spam" else rng.choice(["setujui"] * 6 + ["eskalasi", "tutup"])
            case_factory.finished_case(
                session, channel_row=rng.choice(channels), number=number, category=category, outcome=outcome,
                posted_at=case_factory.at(2026, 3, 1) + timedelta(minutes=rng.randint(0, 60 * 24 * 29)),
                minutes={"check": rng.uniform(0.5, 14), "draft": rng.uniform(0.05, 2),
                         "correction": rng.lognormvariate(2.3, 0.9), "decision": rng.lognormvariate(3, 0.8),
                         "publish": rng.uniform(0.02, 3), "confirm": rng.uniform(0.1, 8)},
                archived=number > 20)  # the first cases stay unarchived: their records are drawn below
            if number % 2000 == 0:
                session.flush()
                session.expunge_all()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--pdfs", type=int, default=20)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tanggap-records-bench-"))
    os.environ.update({"TANGGAP_DATA_DIR": str(folder / "var"), "TANGGAP_DATABASE_URL": f"sqlite:///{folder / 't.db'}"})

    import weasyprint.pdf.fonts as weasyprint_fonts

    from db.session import migrate, session_scope
    from tasks.archiving import softfile_bytes
    from tasks.cases import load_case
    from tasks.records.case_facts import case_facts, month_bounds
    from tasks.records.case_pdf import case_pdf
    from tasks.records.case_record import case_record
    from tasks.records.pdfa import render_pdfa
    from tasks.records.recap import build_recap
    from tests.integration.test_case_hardfile import HOSTILE_AUTHOR, HOSTILE_TEXT

    migrate()
    started = time.perf_counter()
    seed(options.cases)
    print(f"seeded {options.cases} cases in {time.perf_counter() - started:.1f} s (SQLite, {folder})")

    floor_html = "<html lang='id'><head><title>x</title></head><body><p>Arsip kasus</p></body></html>"
    render_pdfa(floor_html)  # warm-up: fonts, UA stylesheet, imports
    floors = [cpu(render_pdfa, floor_html) for _ in range(10)]
    with session_scope() as session:
        records = [case_record(session, load_case(session, case_id)) for case_id in range(1, options.pdfs + 1)]
    from tests import case_factory

    with session_scope() as session:
        hostile = case_factory.finished_case(session, channel_row=case_factory.channel(session), number=0,
                                             posted_at=case_factory.at(2026, 3, 2), text=HOSTILE_TEXT,
                                             author=HOSTILE_AUTHOR, outcome="eskalasi", archived=False)
        session.flush()
        hostile_record = case_record(session, hostile)

    def draw(record):
        case_pdf(record, softfile_bytes(record), "kasus.json")

    draw(records[0])
    with_harfbuzz = [cpu(draw, r) for r in records]
    hostile_times = [cpu(draw, hostile_record) for _ in range(3)]
    subsetter = weasyprint_fonts.harfbuzz_subset
    weasyprint_fonts.harfbuzz_subset = None  # WeasyPrint's fontTools fallback, as before libharfbuzz-subset0
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its "using fontTools" warning, once per font
    with_fonttools = [cpu(draw, r) for r in records[: max(5, options.pdfs // 4)]]
    weasyprint_fonts.harfbuzz_subset = subsetter

    start, end = month_bounds(2026, 3)
    wall = time.perf_counter()
    load_cpu = time.process_time()
    with session_scope() as session:
        facts = case_facts(session, start, end)
    load_cpu, load_wall = time.process_time() - load_cpu, time.perf_counter() - wall
    wall, recap_cpu = time.perf_counter(), time.process_time()
    result = build_recap(2026, 3)
    recap_cpu, recap_wall = time.process_time() - recap_cpu, time.perf_counter() - wall

    print(f"\nfloor: one-line PDF/A-3b page ............ {statistics.median(floors):.3f} s CPU (median of 10)")
    print(f"case hardfile, HarfBuzz subsetting ....... {statistics.median(with_harfbuzz):.3f} s CPU median, "
          f"{max(with_harfbuzz):.3f} s max ({len(with_harfbuzz)} cases; target <= 0.3 s)")
    print(f"case hardfile, fontTools subsetting ...... {statistics.median(with_fonttools):.3f} s CPU median "
          f"({len(with_fonttools)} cases; what WeasyPrint does without libharfbuzz-subset0)")
    print(f"hostile case (emoji, RTL, CJK, 10 kB) .... {statistics.median(hostile_times):.3f} s CPU median of 3")
    print(f"recap data floor: read {len(facts)} cases ..... {load_wall:.2f} s wall, {load_cpu:.2f} s CPU")
    print(f"monthly recap of {result['figures']['comments']} cases ......... {recap_wall:.2f} s wall, "
          f"{recap_cpu:.2f} s CPU (target <= 30 s)")
    print(f"\nreproduce: {COMMAND} --cases {options.cases} --pdfs {options.pdfs}")


if __name__ == "__main__":
    main()
