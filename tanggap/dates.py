"""Dates as Indonesian readers write them, in WIB: one place for the month names and the zone."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")


def day_month_year(day: date) -> str:
    """'1 Desember 2026'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def month_year(month: int, year: int) -> str:
    """'Desember 2026'."""
    return f"{MONTHS[month - 1]} {year}"


def tanggal(moment: datetime, *, time_separator: str = ":", word_before_time: str = "", zone: tzinfo = WIB) -> str:
    """'1 Desember 2026 20:46 WIB' (or, as web pages print it, '1 Desember 2026 pukul 20.46 WIB');
    another `zone` is named by its abbreviation (WITA, WIT)."""
    local = moment.astimezone(zone)
    clock = f"{local:%H}{time_separator}{local:%M}"
    return f"{day_month_year(local)} {word_before_time}{clock} {local.tzname()}"


def clock_time(moment: datetime, now: datetime | None = None) -> str:
    """A deadline as a WIB clock time, '19.50 WIB', with the date ('2 Des 08.00 WIB') when not today."""
    local = moment.astimezone(WIB)
    today = (now or datetime.now(WIB)).astimezone(WIB).date()
    day = "" if local.date() == today else f"{local.day} {MONTHS[local.month - 1][:3]} "
    return f"{day}{local:%H.%M} WIB"
