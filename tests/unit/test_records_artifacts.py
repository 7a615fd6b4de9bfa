"""The Markdown artifacts of the records flows, drawn from templates/artifacts/: what a person reads."""

from datetime import datetime, timezone

import pytest

from tasks.records.recap import kip_markdown, recap_markdown
from tasks.records.register import register_markdown, register_period
from tasks.records.retention import purge_list_markdown
from tasks.records.verification import archive_check_description

HOSTILE_CHANNEL = "Kanal [klik](http://judi.example) | <b>"


@pytest.fixture
def archive(tmp_path, monkeypatch):
    monkeypatch.setenv("TANGGAP_ARCHIVE_DIR", str(tmp_path / "arsip"))
    return tmp_path / "arsip"


def test_the_register_artifact_names_the_period_counts_and_links_its_files(archive):
    period = register_period("bulanan", datetime(2026, 3, 5).date())
    files = {"csv": "laporan/daftar-inventaris/2026/daftar-inventaris-bulanan-2026-03.csv",
             "pdf": "laporan/daftar-inventaris/2026/daftar-inventaris-bulanan-2026-03.pdf"}
    markdown = register_markdown({"period": period.as_dict(), "count": 2, "files": files,
                                  "by_channel": {"Website BBPP Ketindan": 1, HOSTILE_CHANNEL: 1},
                                  "by_outcome": {"Dijawab": 1, "Ditutup tanpa jawaban": 1}})
    lines = markdown.splitlines()
    assert lines[0] == "## Daftar Inventaris Komentar Masuk bulanan — Maret 2026"
    assert "**2 komentar** ditemukan dalam periode ini." in lines
    assert f"- PDF/A: [laporan/daftar\\-inventaris/2026/daftar\\-inventaris\\-bulanan\\-2026\\-03\\.pdf]" \
           f"({(archive / files['pdf']).as_uri()})" in lines
    assert "- CSV: [" in markdown and (archive / files["csv"]).as_uri() in markdown
    assert "| Website BBPP Ketindan | 1 |" in lines and "| Ditutup tanpa jawaban | 1 |" in lines
    hostile_row = next(line for line in lines if "judi" in line)
    assert hostile_row.count("|") == 3 and "[klik]" not in hostile_row and "<b>" not in hostile_row


def test_an_empty_register_artifact_says_nothing_was_found(archive):
    period = register_period("harian", datetime(2026, 3, 4).date())
    markdown = register_markdown({"period": period.as_dict(), "count": 0, "files": {"csv": "a.csv", "pdf": "a.pdf"},
                                  "by_channel": {}, "by_outcome": {}})
    assert markdown.startswith("## Daftar Inventaris Komentar Masuk harian — 4 Maret 2026\n")
    assert "**0 komentar**" in markdown and markdown.count("| - | 0 |") == 2


def _step(number, label, cases, median, p90, standard, share):
    return {"sop_step": number, "label": label, "cases": cases, "median_minutes": median, "p90_minutes": p90,
            "standard_minutes": standard, "within_share": share}


def test_the_recap_artifact_shows_the_figures_steps_plots_and_files(archive):
    figures = {"comments": 20, "escalated": 3,
               "total": {"cases": 16, "median_minutes": 42, "p90_minutes": 80, "within_share": 0.75,
                         "standard_minutes": 65},
               "steps": [_step(1, "Pemeriksaan kanal", 20, 4, 5, 5, 1.0), _step(2, "Tidak dipakai", 0, None, None, 10, None),
                         _step(3, "Koreksi (Kepala Bagian Umum)", 20, 24, 40, 15, 0.25)]}
    files = {"pdf": "laporan/rekap-bulanan/2026/rekap-bulanan-2026-03.pdf",
             "csv": "laporan/rekap-bulanan/2026/rekap-bulanan-2026-03.csv"}
    markdown = recap_markdown({"title": "Maret 2026", "figures": figures, "files": files,
                               "plots": {"per_kanal": "data:image/png;base64,AAAA", "langkah": "data:image/png;base64,BBBB"}})
    lines = markdown.splitlines()
    assert lines[0] == "## Rekap bulanan Maret 2026"
    assert "**20 komentar masuk**, 3 dieskalasi ke Kepala Balai." in lines
    assert ("Waktu tanggap (komentar sampai jawaban tampil): median 42 menit, persentil 90 1 jam 20 menit; "
            "75 % dalam standar 65 menit.") in lines
    assert "| 1. Pemeriksaan kanal | 20 | 4 menit | 5 menit | 5 menit | 100 % |" in lines
    assert "| 3. Koreksi (Kepala Bagian Umum) | 20 | 24 menit | 40 menit | 15 menit | 25 % |" in lines
    assert "Tidak dipakai" not in markdown  # a step no case went through has no row
    assert "![per\\_kanal](data:image/png;base64,AAAA)" in lines and markdown.count("data:image/png") == 2
    assert "- PDF/A: [" in markdown and (archive / files["pdf"]).as_uri() in markdown


def test_a_recap_of_a_month_without_answers_has_no_response_time_line(archive):
    figures = {"comments": 0, "escalated": 0, "total": {"cases": 0}, "steps": [_step(1, "Pemeriksaan kanal", 0, None, None, 5, None)]}
    markdown = recap_markdown({"title": "April 2026", "figures": figures, "plots": {},
                               "files": {"pdf": "r.pdf", "csv": "r.csv"}})
    assert "**0 komentar masuk**" in markdown and "Waktu tanggap" not in markdown


def test_the_kip_artifact_lists_the_years_figures_and_its_three_files(archive):
    total = {"bulan": "Jumlah 2026", "komentar/aduan masuk": 3, "dijawab": 2, "median waktu tanggap (menit)": 41.5,
             "% dijawab dalam 65 menit": ""}
    files = {"pdf": "laporan/kip/2026/laporan-kip-2026.pdf", "csv": "laporan/kip/2026/laporan-kip-2026.csv",
             "json": "laporan/kip/2026/laporan-kip-2026.json"}
    lines = kip_markdown({"year": 2026, "total": total, "files": files}).splitlines()
    assert lines[0] == "## Angka layanan informasi publik 2026 (UU 14/2008)"
    assert "| komentar/aduan masuk | 3 |" in lines and "| median waktu tanggap (menit) | 41.5 |" in lines
    assert "| % dijawab dalam 65 menit |  |" in lines and not any("Jumlah 2026" in line for line in lines)
    assert [line.split(":")[0] for line in lines if line.startswith("- ")] == ["- PDF/A", "- CSV", "- JSON"]


def test_the_purge_list_says_what_is_due_under_which_rule_and_what_becomes_of_the_files():
    cutoff = datetime(2026, 3, 4, 2, 0, tzinfo=timezone.utc)
    items = [{"case_id": 7, "channel_key": "website", "archived_at": "2024-01-10T03:00:00+00:00", "rule": "kasus",
              "due_at": "2026-01-09T03:00:00+00:00", "destroy_files": False, "files": []},
             {"case_id": 9, "channel_key": "face|book", "archived_at": "2025-11-01T03:00:00+00:00", "rule": "spam",
              "due_at": "2026-01-30T03:00:00+00:00", "destroy_files": True, "files": []}]
    lines = purge_list_markdown(items, cutoff, dry_run=True).splitlines()
    assert lines[0] == "## Daftar pemusnahan per 4 Maret 2026 09:00 WIB — Uji coba (tidak ada yang dimusnahkan)"
    assert lines[2].startswith("**2 kasus** jatuh tempo. Dasar: UU 43/2009")
    assert ("| #7 | website | 10 Januari 2024 10:00 WIB | Data pribadi komentator pada kasus | 9 Januari 2026 10:00 WIB "
            "| diperbarui tanpa data pribadi |") in lines
    row = next(line for line in lines if line.startswith("| #9"))
    assert row.endswith("| dimusnahkan |") and row.count("|") == 7 and "spam/disembunyikan" in row
    waiting = purge_list_markdown([], cutoff, dry_run=False)
    assert "Menunggu persetujuan" in waiting and "**0 kasus** jatuh tempo" in waiting and "| Kasus |" not in waiting
    assert "Pilih **musnahkan**" not in waiting
    form = purge_list_markdown(items, cutoff, dry_run=False, asking=True)
    assert form.startswith(purge_list_markdown(items, cutoff, dry_run=False).rstrip("\n") + "\n\n---\n")
    assert form.endswith("lalu tekan *Resume*. Berita acara pemusnahan dibuat otomatis.\n")


def test_the_archive_check_says_how_much_was_checked_and_whether_anything_is_wrong():
    assert archive_check_description({"files_checked": 4, "manifests_checked": 1, "findings": []}) == (
        "**Verifikasi arsip** — 4 berkas dan 1 manifest bulanan diperiksa ulang (SHA-256). Semua berkas utuh.\n")
    found = archive_check_description({"files_checked": 4, "manifests_checked": 1,
                                       "findings": [{"path": "x", "problem": "hilang", "case_id": 1}] * 3})
    assert found.endswith("**3 masalah ditemukan.**\n")
