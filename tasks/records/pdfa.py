"""HTML to PDF/A-3b: the one place Tanggap calls WeasyPrint.

Every document an archivist keeps (case hardfile, register, recap, berita acara) goes through
`render_pdfa`, so all of them are PDF/A-3b, carry their data as associated files, and report
characters no installed font could draw.

Speed: WeasyPrint subsets every embedded font. With Debian's `libharfbuzz-subset0` it does
so in C; without it, it falls back to fontTools, which spent ~85 % of a case PDF's CPU time
here (0.55 s instead of 0.08 s, see benchmarks/records.py).
"""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone

from tanggap.settings import TEMPLATES_DIR

PDF_VARIANT = "pdf/a-3b"
_MISSING_GLYPH = ".notdef glyph rendered"


@dataclass(frozen=True)
class EmbeddedFile:
    """A file carried inside the PDF as a PDF/A-3 associated file."""

    name: str
    data: bytes
    description: str
    relationship: str = "Source"  # ISO 32000-2 7.11.3: the data the document was drawn from


@dataclass(frozen=True)
class PdfOutput:
    data: bytes
    # WeasyPrint's warnings about characters drawn as .notdef (an empty box): none is acceptable.
    missing_glyphs: list[str] = field(default_factory=list)


class _GlyphWatch(logging.Handler):
    """Collects WeasyPrint's missing-glyph warnings raised by this thread only."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread and _MISSING_GLYPH in str(record.msg):
            self.found.append(record.getMessage())


def _each_associated_file_once(_document, pdf) -> None:
    """WeasyPrint 70 lists each attachment twice in the catalog's /AF array; keep one reference."""
    import pydyf

    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def render_pdfa(html: str, *, attachments: tuple[EmbeddedFile, ...] | list[EmbeddedFile] = (),
                moment: datetime | None = None) -> PdfOutput:
    """The HTML as PDF/A-3b with the given files embedded; `moment` dates the attachments."""
    from weasyprint import HTML, Attachment  # heavy import, only where a PDF is made

    # WeasyPrint writes attachment dates as UTC ("...Z") from naive datetimes.
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None)
    embedded = [
        Attachment(file_obj=io.BytesIO(item.data), name=item.name, description=item.description,
                   relationship=item.relationship, created=moment, modified=moment)
        for item in attachments
    ]
    watch = _GlyphWatch()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(watch)
    try:
        data = HTML(string=html, base_url=str(TEMPLATES_DIR / "records")).write_pdf(
            pdf_variant=PDF_VARIANT, attachments=embedded, finisher=_each_associated_file_once)
    finally:
        logger.removeHandler(watch)
    return PdfOutput(data=data, missing_glyphs=watch.found)
