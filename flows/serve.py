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
    ]


def main() -> None:
    settings = get_settings()
    migrate()
    ensure_concurrency_limits(settings.channels())
    print(f"Tanggap: {ensure_reminder_automation(settings.reminder_block)}", flush=True)
    serve(*deployments(settings), limit=settings.serve_limit)


if __name__ == "__main__":
    main()
