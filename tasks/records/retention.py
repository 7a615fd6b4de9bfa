"""Retention and destruction (pemusnahan): what is due, and carrying it out with a berita acara.

Rules, each a setting in days after the case was archived (0 = no limit):
- "spam": the commenter's personal data of spam or hidden cases (TANGGAP_RETENSI_SPAM_HARI),
- "kasus": the commenter's personal data of every other case (TANGGAP_RETENSI_KASUS_HARI),
- "berkas": the case's softfile and hardfile themselves (TANGGAP_RETENSI_BERKAS_HARI).
Personal data means the name, the account id, the link to the comment (it names the account on
some platforms) and the platform's raw payload; the comment's text stays, as the public record
of what was asked. When personal data goes, the archive files are regenerated without it or
destroyed (TANGGAP_PEMUSNAHAN_BERKAS = perbarui | hapus).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Literal

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.input import RunInput
from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import CaseStatus, Comment, Decision, Event, PurgeRecord, utcnow
from db.session import session_scope
from tanggap.dates import WIB
from tanggap.settings import get_settings
from tanggap.sop import HEAD_OF_CENTRE
from tasks.cases import load_case
from tasks.rendering import render

from . import archive_store
from .case_facts import aware_utc
from .case_record import case_record
from .pdfa import EmbeddedFile, render_pdfa
from .wording import at, letterhead

REMOVED_NAME = "[nama dihapus]"
RULES = {
    "spam": "Data pribadi komentator pada kasus spam/disembunyikan",
    "kasus": "Data pribadi komentator pada kasus",
    "berkas": "Berkas arsip kasus (softfile dan hardfile)",
}
LEGAL_BASIS = ("UU 43/2009 tentang Kearsipan (pemusnahan sesuai jadwal retensi, dengan berita acara); "
               "UU 27/2022 tentang Pelindungan Data Pribadi (penghapusan setelah masa retensi berakhir)")


@dataclass(frozen=True)
class PurgeItem:
    case_id: int
    channel_key: str
    archived_at: str
    rule: str  # a key of RULES
    due_at: str  # archived_at + the rule's days
    destroy_files: bool  # otherwise the files are regenerated without personal data
    files: tuple[str, ...]


def _archived_at(session: Session) -> dict[int, datetime]:
    rows = session.execute(select(Event.comment_id, func.max(Event.at))
                           .where(Event.step == "archive", Event.phase == "end", Event.comment_id.is_not(None))
                           .group_by(Event.comment_id))
    return {case_id: aware_utc(moment) for case_id, moment in rows}


def due_items(session: Session, now: datetime) -> list[PurgeItem]:
    """What the rules say must go as of `now`; nothing whose date has not come."""
    settings = get_settings().records
    days = settings.retention_days
    archived = _archived_at(session)
    hidden = set(session.scalars(select(Decision.comment_id).where(Decision.action == "sembunyikan")))
    cases = session.scalars(select(Comment).where(Comment.status == CaseStatus.ARCHIVED).order_by(Comment.id)).all()
    items = []
    for case in cases:
        archived_at = archived.get(case.id)
        if archived_at is None:
            continue
        kept_files = tuple(archive_store.relative_to_root(a.path) for a in case.archives if a.destroyed_at is None)
        files_due = days["berkas"] and archived_at + timedelta(days=days["berkas"]) <= now and kept_files
        personal_rule = "spam" if case.category == "spam" or case.id in hidden else "kasus"
        personal_due = (days[personal_rule] and case.personal_data_removed_at is None
                        and archived_at + timedelta(days=days[personal_rule]) <= now)
        if files_due:
            items.append(PurgeItem(case.id, case.channel.key, archived_at.isoformat(), "berkas",
                                   (archived_at + timedelta(days=days["berkas"])).isoformat(), True, kept_files))
        elif personal_due:
            items.append(PurgeItem(case.id, case.channel.key, archived_at.isoformat(), personal_rule,
                                   (archived_at + timedelta(days=days[personal_rule])).isoformat(),
                                   settings.purge_files == "hapus", kept_files))
    return items


def remove_personal_data(case: Comment, now: datetime) -> None:
    """Name, account id, link and raw payload go; the name also goes from the replies that quoted it."""
    name = " ".join(case.author_name.split())
    if name and case.personal_data_removed_at is None:
        for version in case.versions:
            version.text = version.text.replace(name, REMOVED_NAME)
        if case.publication is not None:
            case.publication.text = case.publication.text.replace(name, REMOVED_NAME)
            if case.publication.channel_text:
                case.publication.channel_text = case.publication.channel_text.replace(name, REMOVED_NAME)
        for decision in case.decisions:
            decision.note = decision.note.replace(name, REMOVED_NAME)
    case.author_name, case.author_external_id, case.link, case.raw_payload = REMOVED_NAME, None, None, {}
    case.personal_data_removed_at = case.personal_data_removed_at or now


def carry_out(item: PurgeItem, now: datetime) -> dict:
    """One item: personal data out of the database, then the files regenerated or destroyed."""
    from tasks.archiving import case_files_data  # the same drawing as at archiving time

    with session_scope() as session:
        case = load_case(session, item.case_id, for_update=True)
        remove_personal_data(case, now)
        session.flush()
        record = None if item.destroy_files else case_record(session, case)
        months = {archive_store.month_of(case.found_at)}
    done = {"case_id": item.case_id, "rule": item.rule, "rule_text": RULES[item.rule], "due_at": item.due_at,
            "archived_at": item.archived_at, "personal_data": "dihapus dari basis data",
            "files": list(item.files), "files_action": "dimusnahkan" if item.destroy_files else "diperbarui tanpa data pribadi"}
    if record is not None:
        files = case_files_data(record)  # drawn with no transaction open
        hashes = {kind: archive_store.write_atomically(relative, data) for kind, (relative, data) in files.items()}
        with session_scope() as session:
            case = load_case(session, item.case_id, for_update=True)
            for archive in case.archives:
                if archive.kind in hashes:
                    archive.path, archive.sha256 = files[archive.kind][0], hashes[archive.kind]
    else:
        with session_scope() as session:
            case = load_case(session, item.case_id, for_update=True)
            for archive in case.archives:
                if archive.destroyed_at is None:
                    archive_store.remove(archive_store.relative_to_root(archive.path))
                    archive.destroyed_at = now
    for month in months:
        archive_store.write_manifest(month)
    return done


def next_number(session: Session, now: datetime) -> str:
    year = now.astimezone(WIB).year
    count = session.scalar(select(func.count()).select_from(PurgeRecord).where(PurgeRecord.number.like(f"%/{year}")))
    return f"{count + 1:03d}/BA-PEMUSNAHAN/TANGGAP/{year}"


def write_berita_acara(done: list[dict], approval: dict, now: datetime, flow_run_id: str | None) -> dict:
    """The destruction record as PDF/A (its data embedded as JSON), kept in the archive and the database."""
    with session_scope() as session:
        number = next_number(session, now)
        purge = PurgeRecord(number=number, executed_at=now, approver_name=approval["approver_name"].strip(),
                            approver_nip=(approval.get("approver_nip") or "").strip() or None,
                            approver_role=approval.get("approver_role") or HEAD_OF_CENTRE.title,
                            approved_at=approval["approved_at"], note=approval.get("note", ""), items=done,
                            flow_run_id=flow_run_id)
        session.add(purge)
        session.flush()
        data = {"number": number, "executed_at": now.isoformat(), "approval": {
                    **{k: v for k, v in approval.items() if k != "approved_at"},
                    "approved_at": approval["approved_at"].isoformat(),
                    "identity": "declared in the form, not authenticated"},
                "legal_basis": LEGAL_BASIS, "retention_days": get_settings().records.retention_days, "items": done}
        json_data = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        slug = number.split("/")[0]
        relative = f"pemusnahan/{now.astimezone(WIB):%Y}/berita-acara-pemusnahan-{now.astimezone(WIB):%Y}-{slug}.pdf"
        html = render("records/berita_acara.html.j2", kop=letterhead(), number=number, now=now, approval=approval,
                      items=done, rules=RULES, legal_basis=LEGAL_BASIS, at=at,
                      retention_days=get_settings().records.retention_days,
                      json_name=relative.rsplit("/", 1)[1].replace(".pdf", ".json"))
        pdf = render_pdfa(html, moment=now, attachments=[EmbeddedFile(
            relative.rsplit("/", 1)[1].replace(".pdf", ".json"), json_data, f"Data berita acara {number} (JSON)")])
        purge.document_path, purge.document_sha256 = relative, archive_store.write_atomically(relative, pdf.data)
        return {"number": number, "document": relative, "sha256": purge.document_sha256, "items": len(done)}


def items_from_dicts(items: list[dict]) -> list[PurgeItem]:
    return [PurgeItem(**{**i, "files": tuple(i["files"])}) for i in items]


def as_dicts(items: list[PurgeItem]) -> list[dict]:
    return [asdict(i) for i in items]


# --- the steps of the pemusnahan flow ------------------------------------------------------

PURGE_ARTIFACT_KEY = "daftar-pemusnahan"


class PurgeApprovalForm(RunInput):
    """Persetujuan pemusnahan arsip dan data pribadi yang masa retensinya berakhir."""

    action: Literal["musnahkan", "tolak"] = Field(
        title="Keputusan", description="musnahkan = laksanakan pemusnahan daftar di atas; tolak = jangan musnahkan.")
    approver_name: str = Field(min_length=1, title="Nama pejabat yang menyetujui",
                               description="Dicatat di berita acara sebagaimana diisi (sistem tidak memverifikasi identitas).")
    approver_nip: str = Field("", title="NIP", description="Nomor Induk Pegawai; boleh dikosongkan.")
    approver_role: str = Field(HEAD_OF_CENTRE.title, title="Jabatan")
    note: str = Field("", title="Catatan")


def purge_cutoff() -> datetime:
    """The moment the rules are applied at: the run's scheduled start, the same when a resumed run replays."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context and context.flow_run and context.flow_run.expected_start_time:
        return context.flow_run.expected_start_time
    return utcnow()


@task(task_run_name="daftar-yang-jatuh-tempo")
def list_due_records(cutoff: datetime) -> list[dict]:
    """Everything whose retention ended by `cutoff`."""
    with session_scope() as session:
        return as_dicts(due_items(session, cutoff))


def purge_list_markdown(items: list[dict], cutoff: datetime, dry_run: bool, asking: bool = False) -> str:
    """What is due, as the artifact shows it; `asking`: with what the approval form asks for."""
    return render("artifacts/purge_list.md.j2", items=items, cutoff=cutoff, dry_run=dry_run, rules=RULES,
                  legal_basis=LEGAL_BASIS, at=at, asking=asking)


@task(task_run_name="terbitkan-daftar-pemusnahan")
def publish_purge_list(items: list[dict], cutoff: datetime, dry_run: bool) -> None:
    create_markdown_artifact(key=PURGE_ARTIFACT_KEY, markdown=purge_list_markdown(items, cutoff, dry_run),
                             description="Kasus yang masa retensinya berakhir")


def ask_for_purge_approval(items: list[dict], cutoff: datetime) -> dict:
    """Wait for the official who approves the destruction; the form's key names the exact list."""
    from tasks.review import wait_for_person

    digest = hashlib.sha256(json.dumps(items, sort_keys=True).encode()).hexdigest()[:12]
    description = purge_list_markdown(items, cutoff, dry_run=False, asking=True)
    answer = wait_for_person(PurgeApprovalForm, key=f"pemusnahan-{digest}", description=description,
                             defaults={"approver_role": HEAD_OF_CENTRE.title})
    return {**answer, "approved_at": utcnow()}


@task(task_run_name="laksanakan-pemusnahan")
def carry_out_purge(items: list[dict], cutoff: datetime, approval: dict) -> dict:
    """Carry out an approved list, re-checking each item is still due; then the berita acara."""
    from tasks import events
    from .register import rebuild_registers_covering

    now = utcnow()
    with session_scope() as session:
        still_due = {(i.case_id, i.rule) for i in due_items(session, min(cutoff, now))}
        found = {i["case_id"]: session.get(Comment, i["case_id"]).found_at for i in items}
    done = [carry_out(item, now) for item in items_from_dicts(items) if (item.case_id, item.rule) in still_due]
    if not done:
        return {"items": 0}
    registers = rebuild_registers_covering([found[d["case_id"]] for d in done])
    result = write_berita_acara(done, approval, now, events.current_flow_run_id())
    return {**result, "registers_rebuilt": registers}
