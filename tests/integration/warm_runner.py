"""A runner serving three small flows through the warm starter, for test_warm_runs.py.

Run as `python -m tests.integration.warm_runner`; prints the warm parent's pid and thread
count, then serves until terminated.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

from prefect import flow, get_run_logger
from prefect.runner import Runner

from tanggap import warm_runs


@flow(name="warm-finishes")
def finishes() -> int:
    get_run_logger().info("halo dari proses anak %s, induk %s", os.getpid(), os.getppid())
    return os.getppid()


@flow(name="warm-crashes")
def crashes() -> None:
    get_run_logger().info("proses %s akan mati mendadak", os.getpid())
    time.sleep(4)  # logs go to the API in batches every 2 s: let this one leave first
    os.kill(os.getpid(), signal.SIGKILL)


@flow(name="warm-sleeps")
def sleeps() -> None:
    get_run_logger().info("tidur di proses %s", os.getpid())
    time.sleep(300)


def main() -> None:
    warm_runs.start_warm_parent(["prefect.flow_engine", "tests.integration.warm_runner"])
    warm_runs.install()
    print(f"warm-parent {warm_runs.warm_parent_pid()} threads {warm_runs.warm_parent_threads()}", flush=True)
    runner = Runner(name="warm-test", query_seconds=1)
    for each in (finishes, crashes, sleeps):
        runner.add_flow(each, name="test")
    asyncio.run(runner.start())


if __name__ == "__main__":
    main()
