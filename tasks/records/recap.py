"""The monthly recap (rekap bulanan) and the yearly KIP figures, from the database."""

from __future__ import annotations

import base64
import csv
import io
import json

from prefect import task
from prefect.artifacts import create_markdown_artifact

from tanggap.dates import MONTHS, WIB, month_year
from db.models import utcnow
from db.session import session_scope
from tasks.rendering import render

from . import archive_store
from .case_facts import case_facts, month_bounds, previous_month
from .figures import case_figures, figures_csv
from .pdfa import EmbeddedFile, render_pdfa
from .plots import recap_plots
from .wording import at, durasi, letterhead

RECAP_ARTIFACT_KEY = "rekap-bulanan"
KIP_ARTIFACT_KEY = "laporan-tahunan-kip"


def recap_files(year: int, month: int) -> dict[str, str]:
    stem = f"laporan/rekap-bulanan/{year}/rekap-bulanan-{year}-{month:02d}"
    return {"pdf": f"{stem}.pdf", "csv": f"{stem}.csv"}


def build_recap(year: int, month: int) -> dict:
    """Figures, plots, CSV and PDF/A of one month (WIB); files written into the archive."""
    start, end = month_bounds(year, month)
    with session_scope() as session:
        facts = case_facts(session, start, end)
    figures = case_figures(facts)
    label = f"{year}-{month:02d}"
    plots = recap_plots(figures) if facts else {}
    paths = recap_files(year, month)
    csv_data = figures_csv(figures, label)
    made = utcnow()
    html = render("records/recap.html.j2", kop=letterhead(), title=month_year(month, year), label=label,
                  f=figures, plots={k: _data_uri(v) for k, v in plots.items()}, made=at(made), at=at, durasi=durasi,
                  start=start, end=end, csv_name=paths["csv"].rsplit("/", 1)[1])
    pdf = render_pdfa(html, moment=made, attachments=[
        EmbeddedFile(paths["csv"].rsplit("/", 1)[1], csv_data, f"Angka rekap bulanan {label} (CSV)", "Data")])
    hashes = {kind: archive_store.write_atomically(paths[kind], data)
              for kind, data in (("csv", csv_data), ("pdf", pdf.data))}
    return {"period": label, "title": month_year(month, year), "figures": figures, "files": paths,
            "sha256": hashes, "plots": {k: _data_uri(v) for k, v in plots.items()}}


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@task(task_run_name="susun-rekap-bulanan")
def write_recap(year: int | None = None, month: int | None = None) -> dict:
    """The recap of the given month, or of the month before today's (WIB)."""
    if year is None or month is None:
        year, month = previous_month(utcnow().astimezone(WIB).date())
    return build_recap(year, month)


def recap_markdown(result: dict) -> str:
    """The key figures, the plots and where the PDF and CSV are, as people read them in the artifact."""
    return render("artifacts/recap.md.j2", title=result["title"], f=result["figures"], plots=result["plots"],
                  files=result["files"], uris=archive_store.file_uris(result["files"]), durasi=durasi)


@task(task_run_name="terbitkan-rekap-bulanan")
def publish_recap(result: dict) -> None:
    """The plots and the key figures as a Markdown artifact, with where the PDF and CSV are."""
    create_markdown_artifact(key=RECAP_ARTIFACT_KEY, markdown=recap_markdown(result),
                             description=f"Rekap bulanan {result['period']}: grafik dan angka")


# --- the yearly KIP figures --------------------------------------------------------------

def kip_files(year: int) -> dict[str, str]:
    stem = f"laporan/kip/{year}/laporan-kip-{year}"
    return {"pdf": f"{stem}.pdf", "csv": f"{stem}.csv", "json": f"{stem}.json"}


def build_kip_report(year: int) -> dict:
    """What the yearly public-information service report (UU 14/2008) needs about comments and complaints."""
    months = []
    with session_scope() as session:
        for month in range(1, 13):
            start, end = month_bounds(year, month)
            months.append((month, case_facts(session, start, end)))
    per_month = [{"bulan": MONTHS[m - 1], **_kip_row(case_figures(facts))} for m, facts in months]
    everything = case_figures([case for _, facts in months for case in facts])
    year_row = {"bulan": f"Jumlah {year}", **_kip_row(everything)}
    report = {"year": year, "months": per_month, "total": year_row,
              "per_channel": {k: sum(v.values()) for k, v in everything["per_channel_category"].items()},
              "per_category": everything["per_category"], "steps": everything["steps"]}
    paths = kip_files(year)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(year_row), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(per_month + [year_row])
    csv_data = buffer.getvalue().encode("utf-8-sig")
    json_data = json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")
    made = utcnow()
    html = render("records/kip.html.j2", kop=letterhead(), year=year, r=report, made=at(made), durasi=durasi)
    pdf = render_pdfa(html, moment=made, attachments=[
        EmbeddedFile(paths["csv"].rsplit("/", 1)[1], csv_data, f"Angka layanan {year} (CSV)", "Data"),
        EmbeddedFile(paths["json"].rsplit("/", 1)[1], json_data, f"Angka layanan {year} (JSON)", "Data")])
    hashes = {kind: archive_store.write_atomically(paths[kind], data)
              for kind, data in (("csv", csv_data), ("json", json_data), ("pdf", pdf.data))}
    return {"year": year, "files": paths, "sha256": hashes, "total": year_row}


def _kip_row(figures: dict) -> dict:
    total, outcomes = figures["total"], figures["outcomes"]
    return {
        "komentar/aduan masuk": figures["comments"],
        "aduan": figures["per_category"].get("Aduan", 0),
        "pertanyaan": figures["per_category"].get("Pertanyaan", 0),
        "dijawab": outcomes["Dijawab"],
        "ditutup tanpa jawaban": outcomes["Ditutup tanpa jawaban"],
        "disembunyikan (spam/kasar)": outcomes["Disembunyikan (spam/kasar)"],
        "masih diproses": outcomes["Masih diproses"],
        "dieskalasi ke Kepala Balai": figures["escalated"],
        "median waktu tanggap (menit)": "" if total["median_minutes"] is None else total["median_minutes"],
        "persentil 90 waktu tanggap (menit)": "" if total["p90_minutes"] is None else total["p90_minutes"],
        "% dijawab dalam 65 menit": "" if total["within_share"] is None else round(100 * total["within_share"], 1),
    }


@task(task_run_name="susun-laporan-kip-{year}")
def write_kip_report(year: int | None = None) -> dict:
    """The KIP figures of the given year, or of last year (WIB)."""
    return build_kip_report(year or utcnow().astimezone(WIB).year - 1)


def kip_markdown(result: dict) -> str:
    """The year's figures and where the PDF, CSV and JSON are, as people read them in the artifact."""
    return render("artifacts/kip.md.j2", year=result["year"], total=result["total"], files=result["files"],
                  uris=archive_store.file_uris(result["files"]))


@task(task_run_name="terbitkan-laporan-kip")
def publish_kip_report(result: dict) -> None:
    create_markdown_artifact(key=KIP_ARTIFACT_KEY, markdown=kip_markdown(result),
                             description=f"Angka tahunan {result['year']} untuk laporan layanan informasi publik")
