"""Finished cases written straight into the database, as the respond flow leaves them.

For the records tests and benchmarks: many cases with realistic step times, without running
a channel or the orchestrator.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CaseStatus, Channel, Comment, Decision, Event, Publication, ReplyVersion

HEAD_OF_GENERAL_AFFAIRS = "Kepala Bagian Umum"
DRAFTER = ("Tanggap (draf otomatis dari templat)", "Ketua Tim Kerja Kepegawaian dan Tata Usaha")

def channel(session: Session, key: str = "website", kind: str = "wordpress", name: str = "Website BBPP Ketindan"):
    found = session.scalar(select(Channel).where(Channel.key == key))
    if found is None:
        found = Channel(key=key, kind=kind, name=name)
        session.add(found)
        session.flush()
    return found

def finished_case(session: Session, *, channel_row: Channel, number: int, posted_at: datetime,
                  text: str = "Kapan pendaftaran pelatihan hortikultura dibuka?", author: str = "Sari Wulandari",
                  category: str = "pertanyaan", outcome: str = "setujui", minutes: dict | None = None,
                  approver: str = "Kepala Bagian Umum (uji)", approver_nip: str | None = "198001012005011001",
                  reply: str | None = None, correction: str | None = None, note: str = "",
                  archived: bool = True) -> Comment:
    """One case that went the whole way; `outcome` is setujui | eskalasi | tutup | sembunyikan.

    `minutes` sets how long each step took (check, draft, correction, decision, publish, confirm).
    """
    m = {"check": 4, "draft": 0.2, "correction": 12, "decision": 20, "publish": 0.1, "confirm": 0.5, **(minutes or {})}
    found_at = posted_at + timedelta(minutes=m["check"])
    case = Comment(channel=channel_row, external_id=f"c{number}", thread_id=f"post-{number % 7}",
                   author_name=author, author_external_id=f"user-{number}", text=text,
                   link=f"https://contoh.example/post-{number % 7}#comment-{number}", posted_at=posted_at,
                   raw_payload={"id": number, "author_name": author, "content": {"rendered": text}},
                   found_at=found_at, category=category, status=CaseStatus.NEW)
    session.add(case)
    session.flush()
    log = [("check", "start", found_at - timedelta(seconds=3)), ("check", "end", found_at)]
    moment = found_at
    draft_text = reply or f"Terima kasih, Bapak/Ibu {author}. [Tuliskan jawaban singkat di sini.]"
    moment += timedelta(minutes=m["draft"])
    session.add(ReplyVersion(comment=case, number=1, kind="draft", text=draft_text, author_name=DRAFTER[0],
                             role=DRAFTER[1], created_at=moment))
    log += [("draft", "start", found_at + timedelta(seconds=2)), ("draft", "end", moment)]
    log.append(("correction", "start", moment))
    moment += timedelta(minutes=m["correction"])
    action = "eskalasi" if outcome == "eskalasi" else outcome
    session.add(Decision(comment=case, stage="correction", actor_name=approver, actor_nip=approver_nip,
                         role=HEAD_OF_GENERAL_AFFAIRS, action=action, note=note, decided_at=moment))
    final = correction or draft_text.replace("[Tuliskan jawaban singkat di sini.]", "Pendaftaran dibuka 1 Desember.")
    if outcome in ("setujui", "eskalasi"):
        session.add(ReplyVersion(comment=case, number=2, kind="correction", text=final, author_name=approver,
                                 role=HEAD_OF_GENERAL_AFFAIRS, created_at=moment))
    log.append(("correction", "end", moment))
    if outcome == "eskalasi":
        log.append(("decision", "start", moment))
        moment += timedelta(minutes=m["decision"])
        session.add(Decision(comment=case, stage="decision", actor_name="Kepala Balai (uji)", actor_nip=None,
                             role="Kepala Balai", action="kirim", note="Disetujui sesuai kebijakan.", decided_at=moment))
        log.append(("decision", "end", moment))
    if outcome in ("setujui", "eskalasi"):
        log.append(("publish", "start", moment))
        moment += timedelta(minutes=m["publish"])
        published = moment
        log.append(("publish", "end", moment))
        log.append(("confirm", "start", moment))
        moment += timedelta(minutes=m["confirm"])
        log.append(("confirm", "end", moment))
        session.add(Publication(comment=case, channel_id=channel_row.id, text=final, attempts=1,
                                external_reply_id=f"r{number}",
                                reply_link=f"https://contoh.example/post-{number % 7}#comment-r{number}",
                                intent_at=published, published_at=published, confirmed_at=moment))
        case.status = CaseStatus.CONFIRMED
    else:
        if outcome == "sembunyikan":
            log += [("hide", "start", moment), ("hide", "end", moment + timedelta(seconds=2))]
        case.status = CaseStatus.CLOSED
    if archived:
        log += [("archive", "start", moment + timedelta(seconds=5)), ("archive", "end", moment + timedelta(seconds=6))]
        case.status = CaseStatus.ARCHIVED
    for step, phase, at in log:
        session.add(Event(comment_id=case.id, step=step, phase=phase, at=at))
    return case

def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)



def write_archive_files(case_id: int) -> None:
    """The softfile and hardfile of an already archived case, as archiving wrote them (its events stay in the past)."""
    from db.models import ArchiveRecord
    from db.session import session_scope
    from tasks.archiving import case_files_data
    from tasks.cases import load_case
    from tasks.records import archive_store
    from tasks.records.case_record import case_record

    with session_scope() as session:
        record = case_record(session, load_case(session, case_id))
    files = case_files_data(record)
    with session_scope() as session:
        case = load_case(session, case_id)
        for kind, (relative, data) in files.items():
            case.archives.append(ArchiveRecord(kind=kind, path=relative,
                                               sha256=archive_store.write_atomically(relative, data)))
    archive_store.write_manifest(archive_store.month_of(case.found_at))
