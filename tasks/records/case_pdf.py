"""The case hardfile: PDF/A-3b drawn from the case record, with the JSON softfile inside it."""

from __future__ import annotations

from datetime import datetime

from tasks.events import SOP_STEPS
from tasks.rendering import render
from tasks.triage import CATEGORY_LABELS

from .pdfa import EmbeddedFile, PdfOutput, render_pdfa
from .redline import redline
from .step_times import SOP_TOTAL_MINUTES, step_times
from .wording import at, durasi, letterhead


def case_pdf(record: dict, softfile: bytes, softfile_name: str) -> PdfOutput:
    """The hardfile of `record`; `softfile` (its JSON) travels inside as an associated file."""
    softfile_item = EmbeddedFile(softfile_name, softfile, f"Softfile arsip kasus #{record['case_id']} (JSON)")
    return render_pdfa(case_html(record, softfile_name), attachments=[softfile_item],
                       moment=datetime.fromisoformat(record["archived_at"]))


def case_html(record: dict, softfile_name: str) -> str:
    """The hardfile's HTML."""
    versions = []
    for number, version in enumerate(record["reply_versions"]):
        previous = record["reply_versions"][number - 1]["text"] if number else None
        versions.append({**version, "pieces": None if previous is None else redline(previous, version["text"])})
    comment = record["comment"]
    times = step_times(datetime.fromisoformat(comment["posted_at"]),
                       [(s["step"], datetime.fromisoformat(s["ended"])) for s in record["step_times"]])
    return render(
        "records/case.html.j2",
        r=record,
        kop=letterhead(),
        category=CATEGORY_LABELS.get(comment["category"], comment["category"]),
        versions=versions,
        steps=times,
        sop_total=SOP_TOTAL_MINUTES,
        step_names=SOP_STEPS,
        softfile_name=softfile_name,
        at=at,
        durasi=durasi,
    )
