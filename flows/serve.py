"""Serve every deployment from one process: the embedded default (no work pool needed).

Runs start as forks of a warm parent that has Prefect and the flows imported
(`tanggap/warm_runs.py`), so a case's run is waiting for its approver within a second or two
instead of spending seconds on imports; `TANGGAP_WARM_START=0` starts them cold, as Prefect's
`serve()` does. `prefect.yaml` describes the same deployments (tanggap/deployments.py) for
process work pools.
"""

from __future__ import annotations

import asyncio
import logging

from prefect.runner import Runner

from tanggap.deployments import DEPLOYMENTS
from tanggap.settings import Settings, get_settings
from tanggap.startup import prepare

logger = logging.getLogger("tanggap.serve")


def add_deployments(runner: Runner, settings: Settings) -> None:
    """Every deployment of tanggap/deployments.py, registered with its flow object (so its runs
    can be forked warm)."""
    for deployment in DEPLOYMENTS:
        runner.add_flow(deployment.flow(), **deployment.serve_options(settings))


def main() -> None:
    settings = get_settings()
    logger.info("Tanggap: %s", prepare(settings))
    if settings.warm_start:
        from tanggap import warm_runs

        seconds = warm_runs.start_warm_parent()
        warm_runs.install()
        print(f"Proses induk hangat siap dalam {seconds:.1f} detik (pid {warm_runs.warm_parent_pid()}).", flush=True)
    # A resumed case restarts at the runner's next look at the queue: look every poll_seconds.
    runner = Runner(name="tanggap-serve", limit=settings.serve_limit, query_seconds=settings.poll_seconds)
    add_deployments(runner, settings)
    try:
        asyncio.run(runner.start())
    except KeyboardInterrupt:
        logger.info("Serve stopped.")


if __name__ == "__main__":
    main()
