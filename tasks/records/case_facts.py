"""What the register and the recaps need of many cases, read in a few bulk queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Channel, Comment, Decision, Event, Publication
from tanggap.dates import WIB

from .step_times import StepTime, step_times, total_minutes

OUTCOMES = {
    "dijawab": "Dijawab",
    "ditutup": "Ditutup tanpa jawaban",
    "disembunyikan": "Disembunyikan (spam/kasar)",
    "proses": "Masih diproses",
}


@dataclass(frozen=True)
class CaseFacts:
    id: int
    channel_key: str
    channel_name: str
    author_name: str
    category: str
    status: str
    posted_at: datetime
    found_at: datetime
    link: str | None
    text: str
    outcome: str  # a key of OUTCOMES
    escalated: bool
    answered_at: datetime | None
    times: tuple[StepTime, ...]

    @property
    def total_minutes(self) -> float | None:
        return total_minutes(list(self.times))


def wib_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=WIB)


def case_facts(session: Session, start: datetime, end: datetime) -> list[CaseFacts]:
    """Every comment found in [start, end), oldest first."""
    in_range = (Comment.found_at >= start, Comment.found_at < end)
    rows = session.execute(
        select(Comment.id, Channel.key, Channel.name, Comment.author_name, Comment.category, Comment.status,
               Comment.posted_at, Comment.found_at, Comment.link, Comment.text, Publication.external_reply_id,
               Publication.confirmed_at)
        .join(Channel, Comment.channel_id == Channel.id)
        .outerjoin(Publication, Publication.comment_id == Comment.id)
        .where(*in_range).order_by(Comment.found_at, Comment.id)
    ).all()
    actions: dict[int, set[str]] = {}
    for comment_id, stage, action in session.execute(
            select(Decision.comment_id, Decision.stage, Decision.action).join(Comment)
            .where(*in_range, Decision.refused.is_(False))):  # a refused second answer changed nothing
        actions.setdefault(comment_id, set()).update({action, f"stage:{stage}"})
    ends: dict[int, list[tuple[str, datetime]]] = {}
    for comment_id, step, at in session.execute(
            select(Event.comment_id, Event.step, func.max(Event.at)).join(Comment, Event.comment_id == Comment.id)
            .where(*in_range, Event.phase == "end").group_by(Event.comment_id, Event.step)):
        ends.setdefault(comment_id, []).append((step, aware_utc(at)))
    facts = []
    for (case_id, key, name, author, category, status, posted_at, found_at, link, text, reply_id,
         confirmed_at) in rows:
        taken = actions.get(case_id, set())
        if reply_id:
            outcome = "dijawab"
        elif "sembunyikan" in taken:
            outcome = "disembunyikan"
        elif status.value in ("closed", "archived"):  # archived without a reply: it was closed
            outcome = "ditutup"
        else:
            outcome = "proses"
        facts.append(CaseFacts(
            id=case_id, channel_key=key, channel_name=name, author_name=author, category=category,
            status=status.value, posted_at=posted_at, found_at=found_at, link=link, text=text, outcome=outcome,
            escalated="eskalasi" in taken or "stage:decision" in taken, answered_at=confirmed_at,
            times=tuple(step_times(posted_at, ends.get(case_id, []))),
        ))
    return facts


def aware_utc(moment: datetime | str) -> datetime:
    """An aggregate's time as aware UTC: aggregates bypass the column type, so SQLite gives naive UTC or text."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """A calendar month in WIB, as aware datetimes."""
    start = wib_day_start(date(year, month, 1))
    following = date(year + (month == 12), month % 12 + 1, 1)
    return start, wib_day_start(following)


def previous_month(today: date) -> tuple[int, int]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.year, last.month
