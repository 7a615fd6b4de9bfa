"""Running a fuzz target with Hypothesis: strictly in the tests (the first unhandled exception
fails, shrunk to a small payload), or counting every outcome in the benchmark."""

from __future__ import annotations

import traceback
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.fuzz.targets import Outcome, Target
from tests.scripted_server import ScriptedServer

QUIET = dict(database=None, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)


@dataclass
class Tally:
    payloads: int = 0
    comments: int = 0
    unreadable: int = 0
    channel_errors: int = 0
    unhandled: Counter = field(default_factory=Counter)  # (exception, where) -> count
    examples: dict = field(default_factory=dict)  # (exception, where) -> a payload, shortened

    def add(self, outcome: Outcome) -> None:
        self.comments += outcome.comments
        self.unreadable += outcome.unreadable
        self.channel_errors += outcome.channel_errors


def where(exc: BaseException) -> str:
    """The innermost frame in Tanggap's own code (or the test's check) that the exception passed."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/tasks/" in f.filename or "/tests/" in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{frame.filename.rsplit('/', 2)[-2]}/{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"


def strict(target: Target, server: ScriptedServer, examples: int) -> Tally:
    """Run `examples` payloads, the same ones every time; the first failure raises (shrunk first)."""
    tally = Tally()

    @settings(max_examples=examples, derandomize=True, **QUIET)
    @given(target.strategy)
    def trial(payload):
        outcome = target.run(payload, server)
        tally.payloads += 1
        tally.add(outcome)

    trial()
    return tally


def counting(target: Target, server: ScriptedServer, examples: int, random_seed: int) -> Tally:
    """Run `examples` payloads and count what became of each; nothing stops the run."""
    tally = Tally()

    @seed(random_seed)
    @settings(max_examples=examples, phases=[Phase.generate], **QUIET)
    @given(target.strategy)
    def trial(payload):
        tally.payloads += 1
        try:
            tally.add(target.run(payload, server))
        except Exception as exc:  # noqa: BLE001 - counting them is the point
            key = (type(exc).__name__, where(exc))
            tally.unhandled[key] += 1
            tally.examples.setdefault(key, f"{exc!s:.160} <- {payload!r:.300}")

    trial()
    return tally
