"""The floor of a flow run: two flows that do nothing (one waits for input once), served by
a runner with the same starter as `flows.serve`. Run by benchmarks.floors as
`python -m benchmarks.bare_flows`."""

from __future__ import annotations

import asyncio

from prefect import flow
from prefect.flow_runs import suspend_flow_run
from prefect.runner import Runner

from tanggap.settings import get_settings


@flow(name="bare")
def bare() -> None:
    """Nothing: a flow run's fixed cost."""


@flow(name="bare-wait")
def bare_wait() -> None:
    """Wait once for input, like a case waiting for its approver, then end."""
    suspend_flow_run(wait_for_input=str, key="floor", timeout=None)


def main() -> None:
    settings = get_settings()
    if settings.warm_start:
        from tanggap import warm_runs

        warm_runs.start_warm_parent(["prefect.flow_engine", "benchmarks.bare_flows"])
        warm_runs.install()
    runner = Runner(name="bare-floor", query_seconds=settings.poll_seconds)
    runner.add_flow(bare, name="floor")
    runner.add_flow(bare_wait, name="floor")
    asyncio.run(runner.start())


if __name__ == "__main__":
    main()
