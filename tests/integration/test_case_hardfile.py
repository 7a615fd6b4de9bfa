"""The case hardfile: PDF/A-3b with its softfile inside, every character drawn, rows whole,
filed by the WIB month, and drawn while no database lock is held."""

from __future__ import annotations

import io
import json
import logging

import pikepdf
import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, text

from db.session import session_scope
from tasks.archiving import archive_case
from tasks.records import archive_store
from tasks.records.case_pdf import case_html, case_pdf
from tasks.records.case_record import case_record
from tasks.cases import load_case
from tests import case_factory

EMOJI = "🙏🇮🇩🔥👩🏽‍🌾"
ARABIC, HEBREW, CJK = "مرحبا بكم في المركز", "שלום עולם", "你好，培训什么时候开始？こんにちは 안녕하세요"
ZERO_WIDTH = "zero\u200bwidth\u200cnon\u200djoiner\ufeff \u202eterbalik\u202c \u2066isolasi\u2069"
HOSTILE_TEXT = f"Tolong dibantu {EMOJI} {ARABIC} {HEBREW} {CJK} {ZERO_WIDTH} " + "Kapan jadwal pelatihan? " * 420
HOSTILE_AUTHOR = f"Pengguna {EMOJI} {ARABIC} 李华 <b>tebal</b>"


def a_case(**kwargs) -> int:
    with session_scope() as session:
        channel = case_factory.channel(session)
        case = case_factory.finished_case(session, channel_row=channel, number=kwargs.pop("number", 1),
                                          posted_at=kwargs.pop("posted_at", case_factory.at(2026, 3, 10)),
                                          archived=False, **kwargs)
        session.flush()
        return case.id


def record_of(case_id: int) -> dict:
    with session_scope() as session:
        return case_record(session, load_case(session, case_id))


def hardfile(case_id: int):
    with session_scope() as session:
        archive = next(a for a in load_case(session, case_id).archives if a.kind == "hardfile")
        return archive_store.resolve(archive.path)


def test_a_hostile_case_draws_every_character_and_keeps_its_text(records_env, caplog):
    assert len(HOSTILE_TEXT.encode()) > 10_000
    case_id = a_case(text=HOSTILE_TEXT, author=HOSTILE_AUTHOR, outcome="eskalasi",
                     correction=f"Terima kasih 🙏 {ARABIC} {CJK}. Pendaftaran dibuka 1 Desember.")
    record = record_of(case_id)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        output = case_pdf(record, b"{}", "kasus.json")
    assert output.missing_glyphs == []
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]
    extracted = "".join(page.extract_text() for page in PdfReader(io.BytesIO(output.data)).pages)
    for visible in ("🙏", "你好", "안녕하세요", "<b>tebal</b>", "Pendaftaran dibuka 1 Desember"):
        assert visible in extracted


def test_a_character_no_font_has_is_reported_as_missing(records_env):
    case_id = a_case(text="Karakter yang belum ada di Unicode: \U000e01f0\U0010fffd")
    output = case_pdf(record_of(case_id), b"{}", "kasus.json")
    assert output.missing_glyphs and "U+10FFFD" in " ".join(output.missing_glyphs)


def test_the_hardfile_is_pdfa_3b_and_carries_the_softfile_as_an_associated_file(records_env):
    case_id = a_case()
    assert archive_case.fn(case_id) == "archived"
    path = hardfile(case_id)
    softfile = path.with_suffix(".json").read_bytes()
    with pikepdf.open(path) as pdf:
        assert pdf.pdf_version == "1.7" and not pdf.is_encrypted
        assert pdf.check_pdf_syntax() == []  # qpdf: every object and stream parses
        with pdf.open_metadata() as xmp:
            assert xmp["pdfaid:part"] == "3" and xmp["pdfaid:conformance"] == "B"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1" and len(intent.DestOutputProfile.read_bytes()) > 0
        associated = list(pdf.Root.AF)
        assert len(associated) == 1
        spec = associated[0]
        assert spec.AFRelationship == "/Source" and str(spec.UF) == path.with_suffix(".json").name
        assert spec.EF.F.Subtype == "/application#2fjson" or str(spec.EF.F.Subtype) == "/application/json"
        assert spec.EF.F.read_bytes() == softfile
        assert list(pdf.attachments) == [path.with_suffix(".json").name]
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                if descendant.get("/Subtype") != "/Type3":
                    descriptor = descendant.FontDescriptor
                    assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert json.loads(softfile)["case_id"] == case_id


def test_no_table_row_is_split_across_pages(records_env):
    from weasyprint import HTML

    note = "\n".join(f"Catatan koreksi baris {n}: jadwal disesuaikan dengan kalender pelatihan." for n in range(14))
    split, pages_seen = [], set()
    # Comments of growing length move a tall decision row across the page break.
    for number, repeats in enumerate((40, 100, 130, 220), start=1):
        case_id = a_case(number=number, text="Kapan dibuka? " * repeats, outcome="eskalasi", note=note)
        document = HTML(string=case_html(record_of(case_id), "kasus.json")).render()
        pages_seen.add(len(document.pages))
        pages_of_row: dict[int, set[int]] = {}
        for page_number, page in enumerate(document.pages):
            for group in page._page_box.descendants():
                if type(group).__name__ == "TableRowGroupBox" and not group.is_header:  # headers repeat by design
                    for row in group.children:
                        pages_of_row.setdefault(id(row.element), set()).add(page_number)
        split += [repeats for pages in pages_of_row.values() if len(pages) > 1]
    assert len(pages_seen) > 1 and split == []


def test_a_case_found_after_midnight_wib_on_the_first_is_filed_in_that_month(records_env):
    # 28 February 18:34 UTC is 1 March 01:34 WIB.
    case_id = a_case(posted_at=case_factory.at(2026, 2, 28, 18, 30))
    archive_case.fn(case_id)
    path = hardfile(case_id)
    assert path.parent == archive_store.archive_root() / "2026" / "03"
    manifest = (path.parent / archive_store.MANIFEST_NAME).read_text().splitlines()
    assert sorted(line.split("  ")[1] for line in manifest) == [path.with_suffix(".json").name, path.name]
    for line in manifest:
        digest, name = line.split("  ")
        assert archive_store.sha256_of((path.parent / name).read_bytes()) == digest


@pytest.mark.postgres
def test_the_pdf_is_drawn_while_no_lock_is_held_on_the_case(postgres_url, records_env, monkeypatch):
    monkeypatch.setenv("TANGGAP_DATABASE_URL", postgres_url)
    from db.session import migrate

    migrate()
    case_id = a_case()
    probe = create_engine(postgres_url)
    seen = []
    import tasks.archiving as archiving

    real_case_pdf = archiving.case_pdf

    def drawing(record, softfile, name):
        with probe.begin() as connection:  # fails at once if the case row were locked
            seen.append(connection.execute(text("select id from comment where id = :id for update nowait"),
                                           {"id": case_id}).scalar())
        return real_case_pdf(record, softfile, name)

    monkeypatch.setattr(archiving, "case_pdf", drawing)
    assert archive_case.fn(case_id) == "archived"
    assert seen == [case_id]
    probe.dispose()
