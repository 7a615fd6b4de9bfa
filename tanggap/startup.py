"""The start-up step of every installation: the database schema and the channel limits.

`serve` runs it itself; in the scaled-out form (work pools and workers) run it once per
release, before the workers: `python -m tanggap.startup` (or `tanggap-startup`).
"""

from __future__ import annotations

from tanggap.settings import Settings, get_settings


def prepare(settings: Settings | None = None) -> None:
    """Migrate Tanggap's database to the newest revision and create the per-channel limits."""
    from db.session import migrate
    from tasks.channel_access import ensure_concurrency_limits

    settings = settings or get_settings()
    migrate()
    ensure_concurrency_limits(settings.channels())


def main() -> None:
    settings = get_settings()
    prepare(settings)
    names = ", ".join(f"kanal-{c.key}" for c in settings.channels())
    print(f"Basis data Tanggap mutakhir; batas konkurensi siap: {names}.")


if __name__ == "__main__":
    main()
