"""The Daftar Inventaris Komentar Masuk as a register: one period (day, week, month), CSV and PDF/A.

Built from the database, so it lists every comment found in the period, whatever check found it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from prefect import task
from prefect.artifacts import create_markdown_artifact

from tanggap.dates import MONTHS, WIB, day_month_year, month_year
from db.models import utcnow
from db.session import session_scope
from tasks.channels.text import excerpt
from tasks.rendering import render
from tasks.triage import CATEGORY_LABELS

from . import archive_store
from .case_facts import OUTCOMES, CaseFacts, case_facts, wib_day_start
from .pdfa import EmbeddedFile, render_pdfa
from .wording import at, durasi, letterhead

Period = Literal["harian", "mingguan", "bulanan"]
REGISTER_ARTIFACT_KEY = "register-inventaris-komentar"
REGISTER_FOLDER = "laporan/daftar-inventaris"
COLUMNS = ["No", "Kasus", "Ditemukan (WIB)", "Waktu komentar (WIB)", "Kanal", "Penulis", "Kategori", "Komentar",
           "Hasil", "Eskalasi", "Jawaban tampil (WIB)", "Waktu tanggap (menit)", "Sesuai standar 65 menit", "Tautan"]


@dataclass(frozen=True)
class RegisterPeriod:
    kind: Period
    start: datetime  # aware, WIB midnight
    end: datetime  # exclusive
    label: str  # used in file names: 2026-03-04, 2026-W10, 2026-03
    title: str  # as people read it

    def as_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "label": self.label, "title": self.title}


def register_period(kind: Period, day: date | None = None) -> RegisterPeriod:
    """The period of `kind` containing `day` (WIB); without a day, the last complete one."""
    today = (utcnow().astimezone(WIB)).date()
    if kind == "harian":
        day = day or today - timedelta(days=1)
        start, end = day, day + timedelta(days=1)
        return RegisterPeriod(kind, wib_day_start(start), wib_day_start(end), f"{day:%Y-%m-%d}",
                              day_month_year(day))
    if kind == "mingguan":
        day = day or today - timedelta(days=7)
        start = day - timedelta(days=day.weekday())  # Monday
        end = start + timedelta(days=7)
        last = end - timedelta(days=1)
        year, week, _ = start.isocalendar()
        return RegisterPeriod(kind, wib_day_start(start), wib_day_start(end), f"{year}-W{week:02d}",
                              f"minggu ke-{week} {year} ({start.day} {MONTHS[start.month - 1]} – {day_month_year(last)})")
    if kind == "bulanan":
        day = day or today.replace(day=1) - timedelta(days=1)
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return RegisterPeriod(kind, wib_day_start(start), wib_day_start(end), f"{start:%Y-%m}",
                              month_year(start.month, start.year))
    raise ValueError(f"periode tidak dikenal: {kind!r} (harian, mingguan atau bulanan)")


def register_rows(facts: list[CaseFacts]) -> list[dict]:
    rows = []
    for number, case in enumerate(facts, start=1):
        total = case.total_minutes
        rows.append({
            "No": number,
            "Kasus": f"#{case.id}",
            "Ditemukan (WIB)": f"{case.found_at.astimezone(WIB):%Y-%m-%d %H:%M}",
            "Waktu komentar (WIB)": f"{case.posted_at.astimezone(WIB):%Y-%m-%d %H:%M}",
            "Kanal": case.channel_name,
            "Penulis": case.author_name,
            "Kategori": CATEGORY_LABELS.get(case.category, case.category),
            "Komentar": excerpt(case.text, 140),
            "Hasil": OUTCOMES[case.outcome],
            "Eskalasi": "ya" if case.escalated else "tidak",
            "Jawaban tampil (WIB)": f"{case.answered_at.astimezone(WIB):%Y-%m-%d %H:%M}" if case.answered_at else "",
            "Waktu tanggap (menit)": f"{total:.1f}" if total is not None else "",
            "Sesuai standar 65 menit": "" if total is None else ("ya" if total <= 65 else "tidak"),
            "Tautan": case.link or "",
        })
    return rows


def register_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheet programs read UTF-8


def register_files(period: RegisterPeriod) -> dict[str, str]:
    stem = f"{REGISTER_FOLDER}/{period.start:%Y}/daftar-inventaris-{period.kind}-{period.label}"
    return {"csv": f"{stem}.csv", "pdf": f"{stem}.pdf"}


def build_register(period: RegisterPeriod) -> dict:
    """Write the period's register (CSV and PDF/A) into the archive; returns what was written."""
    with session_scope() as session:
        facts = case_facts(session, period.start, period.end)
    rows = register_rows(facts)
    paths = register_files(period)
    csv_data = register_csv(rows)
    made = utcnow()
    html = render("records/register.html.j2", kop=letterhead(), period=period, rows=rows, made=at(made), at=at, durasi=durasi,
                  by_channel=_count(rows, "Kanal"), by_outcome=_count(rows, "Hasil"), csv_name=paths["csv"].rsplit("/", 1)[1])
    pdf = render_pdfa(html, attachments=[EmbeddedFile(paths["csv"].rsplit("/", 1)[1], csv_data,
                                                      "Daftar Inventaris Komentar Masuk (CSV)", "Data")], moment=made)
    hashes = {kind: archive_store.write_atomically(paths[kind], data)
              for kind, data in (("csv", csv_data), ("pdf", pdf.data))}
    return {"period": period.as_dict(), "count": len(rows), "files": paths, "sha256": hashes,
            "by_channel": _count(rows, "Kanal"), "by_outcome": _count(rows, "Hasil"),
            "missing_glyphs": pdf.missing_glyphs}


def rebuild_registers_covering(moments: list[datetime]) -> list[str]:
    """Registers already written whose period holds one of `moments` are drawn again (after a purge)."""
    rebuilt = []
    for path in sorted(archive_store.resolve(REGISTER_FOLDER).glob("*/daftar-inventaris-*.csv")):
        kind, label = path.stem.removeprefix("daftar-inventaris-").split("-", 1)
        if kind == "harian":
            day = date.fromisoformat(label)
        elif kind == "mingguan":
            year, week = label.split("-W")
            day = date.fromisocalendar(int(year), int(week), 1)
        elif kind == "bulanan":
            day = date.fromisoformat(f"{label}-01")
        else:
            continue
        period = register_period(kind, day)
        if any(period.start <= moment < period.end for moment in moments):
            build_register(period)
            rebuilt.append(register_files(period)["pdf"])
    return rebuilt


def _count(rows: list[dict], column: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[column]] = counts.get(row[column], 0) + 1
    return dict(sorted(counts.items()))


@task(task_run_name="susun-daftar-inventaris-{kind}")
def write_register(kind: Period, day: date | None = None) -> dict:
    """Build the register of one period from the database."""
    return build_register(register_period(kind, day))


def register_markdown(result: dict) -> str:
    """The register's counts and where its PDF and CSV are, as people read them in the artifact."""
    return render("artifacts/register.md.j2", period=result["period"], count=result["count"], files=result["files"],
                  uris=archive_store.file_uris(result["files"]), by_channel=result["by_channel"],
                  by_outcome=result["by_outcome"])


@task(task_run_name="terbitkan-tautan-daftar-inventaris")
def publish_register(result: dict) -> None:
    """An artifact with the register's counts and where its PDF and CSV are."""
    period = result["period"]
    create_markdown_artifact(key=REGISTER_ARTIFACT_KEY, markdown=register_markdown(result),
                             description=f"Daftar Inventaris Komentar Masuk {period['label']} (PDF dan CSV di arsip)")
