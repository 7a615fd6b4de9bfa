"""A run killed while it holds a channel's concurrency slot (found by the crash suite) does not
keep the channel closed for Prefect's default five-minute lease: the slot comes back once the
60-second lease runs out."""

import os
import subprocess
import sys
import time

from prefect import flow, get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate

from tanggap.settings import get_settings
from tasks.channel_access import _concurrency_slot, concurrency_limit_name, ensure_concurrency_limits
from tests.harness import REPO_ROOT

HOLD_AND_DIE = """
import os, signal
from prefect import flow
from tanggap.settings import get_settings
from tasks.channel_access import _concurrency_slot

@flow
def hold_and_die():
    with _concurrency_slot(get_settings().channels()[0]):
        open(os.environ["HOLDING"], "w").close()
        os.kill(os.getpid(), signal.SIGKILL)

hold_and_die()
"""


@flow
def take_the_slot() -> float:
    started = time.monotonic()
    with _concurrency_slot(get_settings().channels()[0]):
        return time.monotonic() - started


def test_a_slot_held_by_a_killed_run_is_free_again_within_two_minutes(prefect_api, tanggap_env, tmp_path):
    config = get_settings().channels()[0]
    ensure_concurrency_limits([config])
    with get_client(sync_client=True) as client:  # one slot: the dead run's is the only one
        client.update_global_concurrency_limit(concurrency_limit_name(config), GlobalConcurrencyLimitUpdate(limit=1))
    holding = tmp_path / "holding"
    env = {**os.environ, "PREFECT_API_URL": prefect_api["url"], "HOLDING": str(holding)}
    died = subprocess.run([sys.executable, "-c", HOLD_AND_DIE], cwd=REPO_ROOT, env=env, timeout=180)
    assert died.returncode == -9 and holding.exists()  # it died holding the slot
    assert take_the_slot() < 120
