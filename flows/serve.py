"""Serve every deployment from one process: the embedded default (no work pool needed).

`prefect.yaml` describes the same deployments for a process work pool.
"""

from datetime import timedelta

from prefect import serve

from db.session import migrate
from flows.check_comments import check_comments
from flows.respond import respond
from tanggap.settings import Settings, get_settings
from tasks.channel_access import ensure_concurrency_limits


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
    ]


def main() -> None:
    settings = get_settings()
    migrate()
    ensure_concurrency_limits(settings.channels())
    serve(*deployments(settings), limit=settings.serve_limit)


if __name__ == "__main__":
    main()
