"""The SOP's record keeping: every case archived as a softfile (JSON) and a hardfile (PDF/A-3b).

One case record (a plain dict) feeds both files, so they always tell the same story; the
softfile also travels inside the hardfile. The PDF is drawn with no transaction open: read
the record, render, stage the files, then one short transaction puts them in place, records
their SHA-256 and moves the case.
"""

from __future__ import annotations

import json
from datetime import datetime

from prefect import task

from db.models import ArchiveRecord, CaseStatus, utcnow
from db.session import session_scope
from tanggap.failpoints import crash_point

from . import events
from .cases import case_status, load_case
from .records import archive_store
from .records.case_pdf import case_pdf
from .records.case_record import case_record

ARCHIVABLE = (CaseStatus.CONFIRMED, CaseStatus.CLOSED)


def softfile_bytes(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def case_files_data(record: dict) -> dict[str, tuple[str, bytes]]:
    """{kind: (path relative to the archive, bytes)} of a case's softfile and hardfile."""
    found_at = datetime.fromisoformat(record["comment"]["found_at"])
    paths = archive_store.case_files(record["case_id"], record["channel"]["key"], found_at)
    softfile = softfile_bytes(record)
    hardfile = case_pdf(record, softfile, paths["softfile"].rsplit("/", 1)[1])
    for problem in hardfile.missing_glyphs:
        events.operations_log().warning("Kasus %s: karakter tanpa huruf di hardfile: %s", record["case_id"], problem)
    return {"softfile": (paths["softfile"], softfile), "hardfile": (paths["hardfile"], hardfile.data)}


def _read_record(comment_id: int) -> dict | None:
    """The record of a finished case (its archive step marked started), or None if not archivable."""
    with session_scope() as session:
        case = load_case(session, comment_id)
        if case.status not in ARCHIVABLE:
            return None
        events.start_once(session, "archive", comment_id=comment_id)
        session.flush()
        return case_record(session, case)


def _keep(case, kind: str, relative: str, data: bytes) -> None:
    archive = next((a for a in case.archives if a.kind == kind), None)
    if archive is None:
        archive = ArchiveRecord(kind=kind)
        case.archives.append(archive)
    archive.path, archive.sha256 = relative, archive_store.sha256_of(data)
    archive.created_at, archive.destroyed_at = utcnow(), None


@task(task_run_name="arsipkan-kasus-{comment_id}")
def archive_case(comment_id: int) -> str:
    """Write the softfile and hardfile of a finished case and record their SHA-256."""
    record = _read_record(comment_id)
    if record is None:
        return case_status(comment_id).value
    files = case_files_data(record)  # drawn while no transaction is open
    staged = {kind: archive_store.stage(relative, data) for kind, (relative, data) in files.items()}
    try:
        with session_scope() as session:
            case = load_case(session, comment_id, for_update=True)
            if case.status in ARCHIVABLE:  # a concurrent run may have archived it meanwhile
                for kind, (relative, data) in files.items():
                    archive_store.put_in_place(staged[kind], relative)
                    _keep(case, kind, relative, data)
                crash_point("while_archiving", comment_id)  # crash suite: files in place, not committed
                case.archive()
                events.record(session, "archive", "end", comment_id=comment_id,
                              detail=f"kasus-{case.id:06d}-{case.channel.key}")
            status = case.status.value
    finally:
        for temporary in staged.values():
            archive_store.discard(temporary)  # left over only when another run won or the commit failed
    archive_store.write_manifest(archive_store.month_of(datetime.fromisoformat(record["comment"]["found_at"])))
    return status
