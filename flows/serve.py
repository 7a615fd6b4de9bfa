"""Serve every deployment from one process: the embedded default (no work pool needed).

Runs start as forks of a warm parent that has Prefect and the flows imported
(`tanggap/warm_runs.py`), so a case's run is waiting for its approver within a second or two
instead of spending seconds on imports; `TANGGAP_WARM_START=0` starts them cold, as Prefect's
`serve()` does. `prefect.yaml` describes the same deployments for process work pools.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from prefect.runner import Runner

from flows.check_comments import check_comments
from flows.moderate_spam import moderate_spam
from flows.respond import respond
from flows.watch_deadlines import watch_deadlines
from tanggap.settings import Settings, get_settings
from tanggap.startup import prepare

logger = logging.getLogger("tanggap.serve")


def add_deployments(runner: Runner, settings: Settings) -> None:
    """Every deployment, registered with its flow object (so its runs can be forked warm)."""
    interval = settings.check_interval_minutes
    runner.add_flow(
        check_comments,
        name="periodic",
        interval=timedelta(minutes=interval) if interval else None,
        # Checks never wait for people, so one at a time is safe and avoids double work.
        concurrency_limit=1,
        description="SOP langkah 1: pemeriksaan berkala semua kanal.",
    )
    # No deployment concurrency limit here: a waiting run would lose its slot and crash.
    runner.add_flow(respond, name="per-comment", description="SOP langkah 2-5 untuk satu komentar.")
    # Waits for the moderator: no deployment concurrency limit either.
    runner.add_flow(moderate_spam, name="per-wave",
                    description="Moderasi spam: satu keputusan untuk semua spam satu pemeriksaan.")
    runner.add_flow(
        watch_deadlines,
        name="sop-clock",
        interval=timedelta(minutes=settings.deadline_check_minutes) if settings.deadline_check_minutes else None,
        concurrency_limit=1,  # never waits for people; one at a time records each breach once
        description="Batas waktu SOP: catat dan ingatkan langkah yang terlambat; perbarui antrean.",
    )
    add_records_deployments(runner, settings)


def records_flows(settings: Settings) -> list[tuple]:
    """The records the law asks for: registers, recaps, KIP figures, archive checks, destruction;
    (flow, deployment options) each."""
    from prefect.schedules import Cron

    from flows.inventory_register import inventory_register
    from flows.kip_report import kip_report
    from flows.monthly_recap import monthly_recap
    from flows.purge import purge
    from flows.verify_archive import verify_archive

    def wib(cron: str) -> list | None:
        # Each cron makes the server create runs ahead (up to 100 for a daily one): off in tests.
        return [Cron(cron, timezone="Asia/Jakarta")] if settings.records.schedules else None

    return [
        (inventory_register, dict(name="harian", schedules=wib("15 0 * * *"),
                                  description="Daftar Inventaris Komentar Masuk hari kemarin (PDF/A dan CSV).")),
        (monthly_recap, dict(name="bulanan", schedules=wib("0 1 1 * *"),
                             description="Rekap bulan lalu, tiap tanggal 1 pukul 01.00 WIB.")),
        (kip_report, dict(name="tahunan", schedules=wib("0 2 2 1 *"),
                          description="Angka layanan tahun lalu untuk laporan KIP (batas 31 Maret).")),
        (verify_archive, dict(name="harian", schedules=wib("30 2 * * *"),
                              description="Periksa ulang SHA-256 seluruh arsip.")),
        # Waits for the approving official when something is due: no deployment concurrency limit.
        (purge, dict(name="bulanan", schedules=wib("0 3 1 * *"), parameters={"dry_run": False},
                     description="Pemusnahan sesuai jadwal retensi, setelah disetujui.")),
    ]


def records_deployments(settings: Settings) -> list:
    """The records deployments as `serve` registers them (compared with prefect.yaml in the tests)."""
    return [flow.to_deployment(**options) for flow, options in records_flows(settings)]


def add_records_deployments(runner: Runner, settings: Settings) -> None:
    for flow, options in records_flows(settings):
        runner.add_flow(flow, **options)


def main() -> None:
    settings = get_settings()
    logger.info("Tanggap: %s", prepare(settings))
    if settings.warm_start:
        from tanggap import warm_runs

        seconds = warm_runs.start_warm_parent()
        warm_runs.install()
        print(f"Proses induk hangat siap dalam {seconds:.1f} detik (pid {warm_runs.warm_parent_pid()}).", flush=True)
    # A resumed case restarts at the runner's next look at the queue: look every poll_seconds.
    runner = Runner(name="tanggap-serve", limit=settings.serve_limit, query_seconds=settings.poll_seconds)
    add_deployments(runner, settings)
    try:
        asyncio.run(runner.start())
    except KeyboardInterrupt:
        logger.info("Serve stopped.")


if __name__ == "__main__":
    main()
