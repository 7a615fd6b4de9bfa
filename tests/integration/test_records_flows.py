"""The records flows against a real Prefect server and database: archive check, register, recap,
KIP figures, and a dry run of the pemusnahan."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pikepdf
from prefect.artifacts import Artifact

from db.models import Comment, utcnow
from db.session import session_scope
from flows.inventory_register import inventory_register
from flows.kip_report import kip_report
from flows.monthly_recap import monthly_recap
from flows.purge import purge
from flows.verify_archive import verify_archive
from tasks import events
from tasks.archiving import archive_case
from tasks.records import archive_store
from tasks.records.retention import due_items
from tests import case_factory


def cases(*specs: dict) -> list[int]:
    with session_scope() as session:
        channels = {"website": case_factory.channel(session),
                    "facebook": case_factory.channel(session, "facebook", "facebook", "Facebook BBPP Ketindan")}
        made = []
        for number, spec in enumerate(specs, start=1):
            spec = dict(spec)
            made.append(case_factory.finished_case(session, channel_row=channels[spec.pop("channel", "website")],
                                                   number=number, **spec))
        session.flush()
        return [c.id for c in made]


def test_verifikasi_arsip_reports_every_missing_changed_or_unknown_file(prefect_api, records_env):
    ids = cases({"posted_at": case_factory.at(2026, 3, 2), "archived": False},
                {"posted_at": case_factory.at(2026, 3, 3), "archived": False})
    for case_id in ids:
        archive_case.fn(case_id)
    assert verify_archive()["problems"] == 0
    month = archive_store.archive_root() / "2026" / "03"
    (month / "kasus-000001-website.pdf").write_bytes(b"%PDF-1.7 diubah")
    (month / "kasus-000002-website.json").unlink()
    (month / "catatan-lain.txt").write_text("tidak tercatat")
    state = verify_archive(return_state=True)
    assert state.is_failed()
    rows = {row["Berkas"]: row["Masalah"] for row in json.loads(Artifact.get("verifikasi-arsip").data)}
    assert rows["2026/03/kasus-000001-website.pdf"].startswith("berubah")
    assert rows["2026/03/kasus-000002-website.json"] == "hilang"
    assert rows["2026/03/catatan-lain.txt"] == "tidak tercatat di basis data"
    assert len(rows) == 3


def test_the_monthly_register_lists_every_comment_found_in_the_wib_month(prefect_api, records_env):
    ids = cases({"posted_at": case_factory.at(2026, 2, 28, 17, 0)},  # found 28 Feb 17:04 UTC = 1 Mar 00:04 WIB
                {"posted_at": case_factory.at(2026, 3, 31, 15, 0), "channel": "facebook", "outcome": "tutup"},
                {"posted_at": case_factory.at(2026, 3, 31, 17, 0)})  # found 1 April 00:04 WIB
    result = inventory_register("bulanan", date(2026, 3, 5))
    assert result["count"] == 2
    rows = list(csv.DictReader(io.StringIO(archive_store.resolve(result["files"]["csv"]).read_text("utf-8-sig"))))
    assert [r["Kasus"] for r in rows] == [f"#{ids[0]}", f"#{ids[1]}"]
    assert rows[0]["Penulis"] == "Sari Wulandari" and rows[0]["Kanal"] == "Website BBPP Ketindan"
    assert rows[0]["Ditemukan (WIB)"] == "2026-03-01 00:04" and rows[0]["Hasil"] == "Dijawab"
    assert rows[1]["Hasil"] == "Ditutup tanpa jawaban" and rows[1]["Waktu tanggap (menit)"] == ""
    with pikepdf.open(archive_store.resolve(result["files"]["pdf"])) as pdf:
        assert list(pdf.attachments) == ["daftar-inventaris-bulanan-2026-03.csv"]
    markdown = Artifact.get("register-inventaris-komentar").data
    assert "2 komentar" in markdown and archive_store.resolve(result["files"]["pdf"]).as_uri() in markdown


def test_the_monthly_recap_has_its_figures_plots_and_artifact(prefect_api, records_env):
    specs = [{"posted_at": case_factory.at(2026, 3, 1 + n % 27, 3), "minutes": {"correction": 5 + 2 * n},
              "category": "spam" if n % 5 == 0 else "pertanyaan", "outcome": "sembunyikan" if n % 5 == 0 else "setujui",
              "channel": "facebook" if n % 2 else "website"} for n in range(20)]
    cases(*specs)
    result = monthly_recap(2026, 3)
    assert result["comments"] == 20
    figures = list(csv.reader(io.StringIO(archive_store.resolve(result["files"]["csv"]).read_text("utf-8-sig"))))
    correction = {row[4]: row[5] for row in figures if row[2].startswith("3. Koreksi")}
    # Case n waited 5 + 2n minutes for the correction (hidden spam cases included).
    minutes = sorted(5 + 2 * n for n in range(20))
    assert correction["jumlah kasus"] == "20" and float(correction["median (menit)"]) == (minutes[9] + minutes[10]) / 2
    assert float(correction["porsi sesuai standar"]) == sum(m <= 15 for m in minutes) / 20
    assert ["2026-03", "spam", "disembunyikan", "", "jumlah", "4"] in figures
    with pikepdf.open(archive_store.resolve(result["files"]["pdf"])) as pdf:
        # WeasyPrint shares one resource dictionary between pages: count distinct image objects.
        images = {image.objgen for page in pdf.pages for image in page.Resources.XObject.values()
                  if image.Subtype == "/Image"}
        assert len(images) == 4
    assert Artifact.get("rekap-bulanan").data.count("data:image/png;base64,") == 4


def test_the_kip_export_counts_each_month_and_the_year(prefect_api, records_env):
    cases({"posted_at": case_factory.at(2026, 1, 5)}, {"posted_at": case_factory.at(2026, 1, 6), "outcome": "eskalasi"},
          {"posted_at": case_factory.at(2026, 7, 1), "outcome": "tutup"})
    result = kip_report(2026)
    rows = list(csv.DictReader(io.StringIO(archive_store.resolve(result["files"]["csv"]).read_text("utf-8-sig"))))
    assert len(rows) == 13
    assert rows[0]["komentar/aduan masuk"] == "2" and rows[0]["dieskalasi ke Kepala Balai"] == "1"
    assert rows[6]["ditutup tanpa jawaban"] == "1" and rows[12]["bulan"] == "Jumlah 2026"
    assert rows[12]["komentar/aduan masuk"] == "3" and rows[12]["dijawab"] == "2"


def test_a_dry_run_lists_what_is_due_and_removes_nothing(prefect_api, records_env):
    now = utcnow()
    old, spam, recent = cases({"posted_at": now - timedelta(days=800)},
                              {"posted_at": now - timedelta(days=100), "category": "spam", "outcome": "sembunyikan",
                               "author": "Slot Gacor 88"},
                              {"posted_at": now - timedelta(days=100)})
    result = purge(dry_run=True)
    assert result == {"dry_run": True, "due": 2, "case_ids": [old, spam]}
    with session_scope() as session:
        assert session.get(Comment, old).author_name == "Sari Wulandari"
        assert session.get(Comment, spam).raw_payload
    assert "Uji coba" in Artifact.get("daftar-pemusnahan").data


def test_nothing_is_due_before_its_date(records_env):
    case_id, = cases({"posted_at": case_factory.at(2024, 1, 10)})
    with session_scope() as session:
        archived_at = max(e.at for e in events.for_case(session, case_id) if e.step == "archive")
        assert due_items(session, archived_at + timedelta(days=730) - timedelta(seconds=1)) == []
        assert [i.case_id for i in due_items(session, archived_at + timedelta(days=730))] == [case_id]
