"""Each SOP step's real duration against its service standard (Mutu Baku waktu).

A step runs from the moment the case was handed to it (the previous step's end; for step 1
the moment the comment was posted) to its own last recorded end, so waiting for a person
counts where the SOP puts it. Steps a case never took (no escalation, no reply) are absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from tasks.events import SOP_STEPS

# The SOP's order; "decision" only for escalated cases, "publish"/"confirm" only for answered ones.
STEP_ORDER = ("check", "draft", "correction", "decision", "publish", "confirm")
SOP_TOTAL_MINUTES = sum(SOP_STEPS[s][2] for s in STEP_ORDER if s != "decision")  # 65


@dataclass(frozen=True)
class StepTime:
    step: str
    began: datetime
    ended: datetime

    @property
    def number(self) -> int:
        return SOP_STEPS[self.step][0]

    @property
    def label(self) -> str:
        return SOP_STEPS[self.step][1]

    @property
    def standard_minutes(self) -> int:
        return SOP_STEPS[self.step][2]

    @property
    def minutes(self) -> float:
        return max(0.0, (self.ended - self.began).total_seconds() / 60)  # platform clocks may run ahead

    @property
    def within_standard(self) -> bool:
        return self.minutes <= self.standard_minutes

    def as_dict(self) -> dict:
        return {"step": self.step, "sop_step": self.number, "label": self.label,
                "began": self.began.isoformat(), "ended": self.ended.isoformat(),
                "minutes": round(self.minutes, 2), "standard_minutes": self.standard_minutes,
                "within_standard": self.within_standard}


def step_times(posted_at: datetime, step_ends: Iterable[tuple[str, datetime]]) -> list[StepTime]:
    """The case's steps in SOP order, from (step, time of an "end" event) pairs."""
    last_end: dict[str, datetime] = {}
    for step, at in step_ends:
        if step in STEP_ORDER and (step not in last_end or at > last_end[step]):
            last_end[step] = at
    times, handed_over = [], posted_at
    for step in STEP_ORDER:
        if step in last_end:
            times.append(StepTime(step, handed_over, last_end[step]))
            handed_over = last_end[step]
    return times


def total_minutes(times: list[StepTime]) -> float | None:
    """From posting to the commenter seeing the answer, for answered cases."""
    if not times or times[-1].step != "confirm":
        return None
    return max(0.0, (times[-1].ended - times[0].began).total_seconds() / 60)
