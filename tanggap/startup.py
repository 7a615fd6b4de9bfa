"""The start-up step of every installation: the database schema, the channel limits, the
automation that marks runs of a dead process Crashed, and the one that sends reminders of
overdue SOP steps.

`serve` runs it itself; in the scaled-out form (work pools and workers) run it once per
release, before the workers: `python -m tanggap.startup` (or `tanggap-startup`).
"""

from __future__ import annotations

from tanggap.settings import Settings, get_settings


def prepare(settings: Settings | None = None) -> str:
    """Migrate Tanggap's database to the newest revision, create the per-channel limits and point
    the reminder automation at the office's notification block; says what became of reminders."""
    from db.session import migrate
    from tasks.channel_access import ensure_concurrency_limits
    from tasks.deadlines import ensure_reminder_automation
    from tasks.respond_runs import ensure_crash_detection

    settings = settings or get_settings()
    migrate()
    ensure_concurrency_limits(settings.channels())
    ensure_crash_detection()
    return ensure_reminder_automation(settings.reminder_block)


def main() -> None:
    settings = get_settings()
    reminders = prepare(settings)
    names = ", ".join(f"kanal-{c.key}" for c in settings.channels())
    print(f"Basis data Tanggap mutakhir; batas konkurensi siap: {names}. Pengingat: {reminders}.")


if __name__ == "__main__":
    main()
