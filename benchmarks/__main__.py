"""Every figure of issue 10 in one run, each beside its floor measured in the same run.

    .venv/bin/python -m benchmarks                      # the issue's sizes (about 15 minutes on 2 cores)
    .venv/bin/python -m benchmarks --burst 10 --waiting 50 --ingest 5000 --rows 100000   # quick look
    .venv/bin/python -m benchmarks --only ingest        # one section: cases, ingest or queries
    .venv/bin/python -m benchmarks --cold               # runs started cold, as Prefect's serve() does

Sections: `cases` (embedded default: Prefect server on SQLite, WordPress simulator, flows.serve;
floors: a bare Prefect run and one POST), `ingest` (five simulators; floor: raw HTTP + JSON +
bulk insert), `queries` (PostgreSQL at 127.0.0.1:5432 with a million comments).
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import time
from importlib.metadata import version
from pathlib import Path


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) // 1024
    # Not `import prefect`: Prefect reads its settings at import, before a section sets them.
    return (f"{os.cpu_count()} cores ({cpu}), {memory} MiB RAM, load {os.getloadavg()[0]:.1f}; Python "
            f"{platform.python_version()}, Prefect {version('prefect')}, SQLite {sqlite3.sqlite_version}")


class Table:
    def __init__(self):
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, figure: str, target: str, measured: str, floor: str, command: str) -> None:
        self.rows.append((figure, target, measured, floor, command))
        print(f"  {figure}: {measured}  (floor: {floor})", flush=True)

    def render(self) -> str:
        head = ("figure", "target", "measured", "floor (same run)", "command")
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def ratio(value: float, floor: float) -> str:
    return f"{value / floor:.1f}× floor" if floor else "-"


def cases_section(table: Table, options, base: str) -> None:
    from . import cases, floors
    from .installation import Installation

    command = f"{base} --only cases --burst {options.burst} --waiting {options.waiting}" + (
        " --cold" if options.cold else "")
    installation = Installation.start(warm=not options.cold)
    try:
        installation.start_serve()
        locked = {"start": installation.locked_errors_since_last_call()}
        print("floors ...", flush=True)
        bare = floors.bare_runs(installation)
        post = floors.one_post(installation)
        bare_text = f"bare run {bare['created_to_completed']:.2f} s"
        resume_text = f"bare resume {bare['resumed_to_completed']:.2f} s, one POST {post * 1000:.0f} ms"
        locked["floors"] = installation.locked_errors_since_last_call()

        print(f"burst of {options.burst} new comments ...", flush=True)
        cpu = installation.cpu()
        burst = cases.burst_of_new_comments(installation, options.burst)
        cpu_burst = _cpu_per_case(cpu, installation.cpu(), options.burst)
        locked["burst"] = installation.locked_errors_since_last_call()
        table.add(f"burst of {options.burst} new comments → all waiting for correction",
                  "≤ 15 s p95", f"p95 {burst['p95']:.1f} s (p50 {burst['p50']:.1f}, max {burst['max']:.1f}); "
                  f"{ratio(burst['p95'], bare['created_to_completed'])}; CPU per case: {cpu_burst}", bare_text, command)

        print(f"burst of {options.burst} approvals ...", flush=True)
        cpu = installation.cpu()
        approved = cases.approvals(installation, burst["cases"])
        cpu_approvals = _cpu_per_case(cpu, installation.cpu(), options.burst)
        locked["approvals"] = installation.locked_errors_since_last_call()
        table.add(f"burst of {options.burst} approvals → each published, from its resume", "≤ 5 s p95",
                  f"p95 {approved['p95']:.1f} s (p50 {approved['p50']:.1f}, max {approved['max']:.1f}; "
                  f"{options.burst} resumes sent in {approved['resume_calls']:.1f} s); "
                  f"{ratio(approved['p95'], bare['resumed_to_completed'])}; CPU per case (to archived): {cpu_approvals}",
                  resume_text, command)

        print("one approval alone ...", flush=True)
        single = cases.burst_of_new_comments(installation, 1)
        time.sleep(3)
        alone = cases.approvals(installation, single["cases"])
        table.add("one approval alone → published", "≤ 2 s", f"{alone['max']:.1f} s; "
                  f"{ratio(alone['max'], bare['resumed_to_completed'])}", resume_text, command)

        print(f"{options.waiting} cases waiting ...", flush=True)
        waiting = cases.waiting_cases(installation, options.waiting)
        locked["waiting"] = installation.locked_errors_since_last_call()
        runs = [pid for pid, role in zip(waiting["extra_processes"], waiting["extra_roles"]) if role == "flow run"]
        fixed = ", ".join(role for role in waiting["extra_roles"] if role != "flow run") or "none"
        table.add(f"{waiting['waiting']} cases waiting → processes and memory of serve",
                  "0 extra processes, serve RSS ≤ 200 MiB",
                  f"{len(runs)} run processes; fixed helpers: {fixed}; serve RSS {waiting['serve_rss_mib']:.0f} MiB, "
                  f"whole tree RSS {waiting['tree_rss_mib']:.0f} MiB / PSS {waiting['tree_pss_mib']:.0f} MiB"
                  + (f"; filling took p95 {waiting['fill_p95']:.0f} s for {waiting['fill_count']} new cases"
                     if waiting["fill_p95"] else ""),
                  f"Python with Prefect imported: {_bare_python_rss():.0f} MiB RSS", command)
        table.add("`database is locked` errors in the Prefect server log", "no storm",
                  ", ".join(f"{section}: {count}" for section, count in locked.items()), "-", command)
    finally:
        installation.stop()


def _cpu_per_case(before: dict, after: dict, count: int) -> str:
    return ", ".join(f"{name} {(after[name] - before[name]) / count:.2f} s" for name in before)


def _bare_python_rss() -> float:
    import subprocess

    out = subprocess.run([sys.executable, "-c", "import prefect, re, pathlib; print(re.search("
                          "r'VmRSS:\\s+(\\d+)', pathlib.Path('/proc/self/status').read_text()).group(1))"],
                         capture_output=True, text=True, check=True).stdout
    return int(out) / 1024


def ingest_section(table: Table, options, base: str) -> None:
    from . import ingest

    command = f"{base} --only ingest --ingest {options.ingest}"
    found = ingest.measure(options.ingest)
    table.add(f"ingest of {found['stored']} comments from five simulators (connector, parse, triage, store)",
              "≥ 5,000/s, ≤ 1.5× floor",
              f"{found['rate']:,.0f}/s ({found['seconds']:.2f} s); {found['seconds'] / found['floor_seconds']:.2f}× floor",
              f"raw HTTP + JSON + bulk insert {found['floor_rate']:,.0f}/s ({found['floor_seconds']:.2f} s, "
              f"{found['gets']} GETs)", command)
    table.add("requests per check on an unchanged channel", "≤ 1",
              "seeded channels: " + ", ".join(f"{key} {count}" for key, count in found["quiet_requests"].items())
              + f"; right after the {found['stored']:,} comments of the last hour: "
              + ", ".join(f"{key} {count}" for key, count in found["unchanged_requests"].items()), "1", command)


def queries_section(table: Table, options, base: str) -> None:
    from . import queries

    command = f"{base} --only queries --rows {options.rows}"
    found = queries.measure(options.rows)
    worst = max(result["seconds"] for result in found["queries"].values())
    table.add(f"{found['rows']:,} stored comments on PostgreSQL → inventory and queue queries", "≤ 1 s each",
              f"slowest query {worst * 1000:.1f} ms; approval queue rebuilt ({found['queue_waiting']} waiting) in "
              f"{found['queue_function_seconds'] * 1000:.0f} ms", f"filling the table took {found['fill_seconds']:.0f} s",
              command)
    print("\nIndexes on comment and publication:")
    for name, definition in found["indexes"]:
        print(f"  {definition}")
    for title, result in found["queries"].items():
        print(f"\nEXPLAIN ANALYZE — {title} ({result['seconds'] * 1000:.2f} ms)")
        print("\n".join("  " + line for line in result["plan"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--burst", type=int, default=50, help="new comments, then approvals, at once")
    parser.add_argument("--waiting", type=int, default=500, help="cases waiting at once")
    parser.add_argument("--ingest", type=int, default=20_000, help="comments over the five simulators")
    parser.add_argument("--rows", type=int, default=1_000_000, help="stored comments on PostgreSQL")
    parser.add_argument("--only", choices=["cases", "ingest", "queries"], action="append")
    parser.add_argument("--cold", action="store_true", help="start runs cold (TANGGAP_WARM_START=0)")
    options = parser.parse_args()
    base = ".venv/bin/python -m benchmarks"
    sections = options.only or ["cases", "ingest", "queries"]
    print(f"machine: {machine()}", flush=True)
    started = time.monotonic()
    table = Table()
    for section in sections:
        print(f"\n== {section} ==", flush=True)
        {"cases": cases_section, "ingest": ingest_section, "queries": queries_section}[section](table, options, base)
    print(f"\nmachine: {machine()}; took {time.monotonic() - started:.0f} s; all: {base} " + " ".join(sys.argv[1:]))
    print(table.render())


if __name__ == "__main__":
    main()
