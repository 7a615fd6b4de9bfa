"""Prefect's process worker, with Tanggap's own flows forked from a warm parent.

The scaled-out form runs `python -m tanggap.warm_worker --pool tanggap-proses` on each worker
machine instead of `prefect worker start`: it is the same `process` worker (same pool type,
polling, limits, cancellation and crash handling through Prefect's FlowRunExecutor), except
that runs of the deployments in `prefect.yaml` start as forks of a parent that has Prefect and
the flows imported (see tanggap/warm_runs.py), instead of a cold `python -m prefect.engine`.
Any other deployment in the pool runs exactly as under `prefect worker start`.

Pull steps are not run for warm runs: the worker runs the code it has installed, which is
what `set_working_directory` in prefect.yaml points at anyway.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import warnings
from uuid import UUID

import anyio

from prefect.runner._flow_run_executor import FlowRunExecutorContext
from prefect.workers.process import ProcessWorker, ProcessWorkerResult

from tanggap import warm_runs
from tanggap.deployments import DEPLOYMENTS

# prefect.yaml entrypoints whose flows the warm parent has imported.
WARM_ENTRYPOINTS = {d.entrypoint: (d.module, d.function) for d in DEPLOYMENTS if d.warm}


with warnings.catch_warnings():
    # Same `process` type as ProcessWorker, on purpose: it serves the same pools. Prefect warns
    # that this process's registry now names the subclass for that type.
    warnings.simplefilter("ignore", UserWarning)

    class WarmProcessWorker(ProcessWorker):
        """A `process` worker that forks Tanggap's runs from the warm parent."""

        _warm: dict[UUID, tuple | None] = {}

        async def _warm_flow(self, flow_run):
            """(flow, deployment name) when the run's deployment is one of ours, else None."""
            if flow_run.deployment_id is None:
                return None
            if flow_run.deployment_id not in self._warm:
                deployment = await self.client.read_deployment(flow_run.deployment_id)
                target = WARM_ENTRYPOINTS.get(deployment.entrypoint or "")
                flow = getattr(importlib.import_module(target[0]), target[1]) if target else None
                self._warm[flow_run.deployment_id] = (flow, deployment.name) if flow else None
            return self._warm[flow_run.deployment_id]

        async def run(self, flow_run, configuration, task_status=None) -> ProcessWorkerResult:
            warm = await self._warm_flow(flow_run)
            if warm is None:
                return await super().run(flow_run, configuration, task_status)
            flow, deployment_name = warm
            task_status = task_status or anyio.TASK_STATUS_IGNORED
            execution = None
            async with FlowRunExecutorContext() as context:
                starter = warm_runs.WarmStarter(flow=flow, deployment_name=deployment_name, env=configuration.env,
                                                control_channel=context.control_channel)

                async def resolve_flow(_flow_run):
                    return flow

                executor = context.create_executor(flow_run, starter, resolve_flow=resolve_flow, propose_submitting=False)

                async def execute(*, task_status=anyio.TASK_STATUS_IGNORED) -> None:
                    nonlocal execution
                    execution = await executor.submit(task_status=task_status)

                async with anyio.create_task_group() as group:
                    handle = await group.start(execute)
                    task_status.started(handle.pid)
            if execution is None or execution.status_code is None:
                raise RuntimeError("Failed to start flow run process.")
            return ProcessWorkerResult(status_code=execution.status_code, identifier=str(execution.handle.pid))


def main() -> None:
    parser = argparse.ArgumentParser(description="Pekerja Tanggap (process worker dengan proses induk hangat).")
    parser.add_argument("--pool", required=True, help="the process work pool, e.g. tanggap-proses")
    parser.add_argument("--name", default=None)
    parser.add_argument("--limit", type=int, default=None, help="flow runs at once on this machine")
    options = parser.parse_args()
    seconds = warm_runs.start_warm_parent()
    print(f"Proses induk hangat siap dalam {seconds:.1f} detik (pid {warm_runs.warm_parent_pid()}).", flush=True)
    worker = WarmProcessWorker(work_pool_name=options.pool, name=options.name, limit=options.limit)
    try:
        asyncio.run(worker.start())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
