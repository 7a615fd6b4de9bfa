"""How the records write times, durations and the letterhead, in Bahasa Indonesia."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tanggap.settings import get_settings
from tasks.rendering import waktu


@dataclass(frozen=True)
class Letterhead:
    lines: tuple[str, ...]
    sop_number: str


def letterhead() -> Letterhead:
    settings = get_settings()
    address = (settings.office.alamat,) if settings.office.alamat.strip() else ()
    return Letterhead(lines=settings.records.letterhead + address, sop_number=settings.records.sop_number)


def at(moment: str | datetime | None) -> str:
    """An ISO time or a datetime as officials write it, in WIB."""
    if not moment:
        return "-"
    return waktu(datetime.fromisoformat(moment) if isinstance(moment, str) else moment)


def durasi(minutes: float | None) -> str:
    """A duration the way people say it: "45 detik", "12 menit", "3 jam 5 menit", "2 hari 4 jam"."""
    if minutes is None:
        return "-"
    seconds = round(minutes * 60)
    if seconds < 60:
        return f"{seconds} detik"
    if seconds < 3600:
        return f"{seconds // 60} menit" + (f" {seconds % 60} detik" if seconds < 600 and seconds % 60 else "")
    hours, rest = divmod(seconds // 60, 60)
    if hours < 48:
        return f"{hours} jam" + (f" {rest} menit" if rest else "")
    days, hours = divmod(hours, 24)
    return f"{days} hari" + (f" {hours} jam" if hours else "")
