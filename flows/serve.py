"""Serve every deployment from one process: the embedded default (no work pool needed).

`prefect.yaml` describes the same deployments for a process work pool.
"""

from datetime import timedelta

from prefect import serve

from db.session import migrate
from flows.check_comments import check_comments
from flows.respond import respond
from flows.watch_deadlines import watch_deadlines
from tanggap.settings import Settings, get_settings
from tasks.channel_access import ensure_concurrency_limits
from tasks.deadlines import ensure_reminder_automation


def deployments(settings: Settings) -> list:
    interval = settings.check_interval_minutes
    return [
        check_comments.to_deployment(
            name="periodic",
            interval=timedelta(minutes=interval) if interval else None,
            # Checks never wait for people, so one at a time is safe and avoids double work.
            concurrency_limit=1,
            description="SOP langkah 1: pemeriksaan berkala semua kanal.",
        ),
        # No deployment concurrency limit here: a waiting run would lose its slot and crash.
        respond.to_deployment(name="per-comment", description="SOP langkah 2-5 untuk satu komentar."),
        watch_deadlines.to_deployment(
            name="sop-clock",
            interval=timedelta(minutes=settings.deadline_check_minutes) if settings.deadline_check_minutes else None,
            concurrency_limit=1,  # never waits for people; one at a time records each breach once
            description="Batas waktu SOP: catat dan ingatkan langkah yang terlambat; perbarui antrean.",
        ),
    ] + records_deployments(settings)


def records_deployments(settings: Settings) -> list:
    """The records the law asks for: registers, recaps, KIP figures, archive checks, destruction."""
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
        inventory_register.to_deployment(name="harian", schedules=wib("15 0 * * *"),
                                         description="Daftar Inventaris Komentar Masuk hari kemarin (PDF/A dan CSV)."),
        monthly_recap.to_deployment(name="bulanan", schedules=wib("0 1 1 * *"),
                                    description="Rekap bulan lalu, tiap tanggal 1 pukul 01.00 WIB."),
        kip_report.to_deployment(name="tahunan", schedules=wib("0 2 2 1 *"),
                                 description="Angka layanan tahun lalu untuk laporan KIP (batas 31 Maret)."),
        verify_archive.to_deployment(name="harian", schedules=wib("30 2 * * *"),
                                     description="Periksa ulang SHA-256 seluruh arsip."),
        # Waits for the approving official when something is due: no deployment concurrency limit.
        purge.to_deployment(name="bulanan", schedules=wib("0 3 1 * *"), parameters={"dry_run": False},
                            description="Pemusnahan sesuai jadwal retensi, setelah disetujui."),
    ]


def main() -> None:
    settings = get_settings()
    migrate()
    ensure_concurrency_limits(settings.channels())
    print(f"Tanggap: {ensure_reminder_automation(settings.reminder_block)}", flush=True)
    serve(*deployments(settings), limit=settings.serve_limit)


if __name__ == "__main__":
    main()
