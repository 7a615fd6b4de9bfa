"""Crash points for the crash suite (benchmarks/crash_suite.py); off unless TANGGAP_CRASH_AT is set.

TANGGAP_CRASH_AT names boundaries (comma-separated, from BOUNDARIES); it is read once, at
import, so an unarmed `crash_point` is one test of an empty set. An armed boundary kills the
process with SIGKILL (no finally blocks, no atexit: as a power cut or the OOM killer would)
the first time each case reaches it; the crash is first noted as a line in TANGGAP_CRASH_LOG,
which is also how a restarted run knows to go on. With TANGGAP_CRASH_KILLS=serve the whole
process group goes (`serve`, its warm parent and every run), as when the machine dies.
"""

from __future__ import annotations

import os
import signal

BOUNDARIES = ("while_suspending", "while_resuming", "after_intent", "after_post", "while_archiving")
_ARMED = frozenset(filter(None, os.environ.get("TANGGAP_CRASH_AT", "").split(",")))
_LOG = os.environ.get("TANGGAP_CRASH_LOG", "")
_WHOLE_GROUP = os.environ.get("TANGGAP_CRASH_KILLS") == "serve"


def crash_point(boundary: str, case_id: int) -> None:
    if not _ARMED or boundary not in _ARMED:
        return
    line = f"{boundary} {case_id}\n"
    try:
        with open(_LOG, encoding="utf-8") as log:
            if line in log.readlines():
                return  # this case crashed here once already
    except FileNotFoundError:
        pass
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(line)
        log.flush()
        os.fsync(log.fileno())
    if _WHOLE_GROUP:
        os.killpg(os.getpgid(0), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
