"""Flow runs forked from a warm parent instead of started cold: Prefect's runner, our starter.

A cold run process spends 2-3 s of CPU importing Prefect and the flows before it does any
work. Here one "warm parent" (multiprocessing's forkserver) imports them once, at `serve`
start, and every flow run is a fork of it: the run starts in tens of milliseconds.

Everything else stays Prefect's own: the runner's `DirectSubprocessStarter` (used for flows
registered with `Runner.add_flow`) creates the run process through the module-level
`run_flow_in_subprocess`, which Prefect documents as the place to patch; `install()` points it
at `run_flow_in_warm_process` below, a copy of Prefect's function with a forkserver context
instead of a spawn context. The process handle, the control channel (cancellation), the exit
code check (crash detection) and the engine in the child (states, logs) are unchanged.

The warm parent is single-threaded (a fork copies only the calling thread, so a parent with
threads could hand its children held locks): `warm_parent_threads()` lets tests check that.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import time
from contextlib import contextmanager
from functools import wraps
from typing import Any

# Imported by the warm parent before it forks anything: Prefect's engine, the flows, the
# libraries a run needs (WeasyPrint draws the archive PDFs; a cold run imports it lazily) and
# the triage model (tanggap/warm_cache.py).
WARM_MODULES = ["prefect.flow_engine", "flows.check_comments", "flows.respond", "flows.moderate_spam", "weasyprint",
                "tanggap.warm_cache"]
# Numerical libraries start thread pools when loaded; a parent that forks must have one thread.
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

_context = multiprocessing.get_context("forkserver")
PROFILE_DIR_VARIABLE = "TANGGAP_PROFILE_RUNS"  # a folder: each run writes <flow run id>.prof there


def start_warm_parent(modules: list[str] | None = None) -> float:
    """Start the warm parent and wait until it has imported everything; returns seconds taken."""
    started = time.monotonic()
    for name, value in SINGLE_THREADED.items():
        os.environ.setdefault(name, value)
    _context.set_forkserver_preload(modules or WARM_MODULES)
    probe = _context.Process(target=os.getpid)  # the first fork waits for the imports to finish
    probe.start()
    probe.join()
    return time.monotonic() - started


def warm_parent_pid() -> int | None:
    from multiprocessing import forkserver

    return forkserver._forkserver._forkserver_pid  # noqa: SLF001 - the stdlib keeps it there


def warm_parent_threads() -> int:
    """Threads of the warm parent (1 when it is safe to fork)."""
    return len(os.listdir(f"/proc/{warm_parent_pid()}/task"))


def run_flow_in_warm_process(
    flow,
    flow_run=None,
    parameters: dict[str, Any] | None = None,
    wait_for=None,
    context: dict[str, Any] | None = None,
    env: dict[str, str | None] | None = None,
) -> multiprocessing.context.ForkServerProcess:
    """Prefect's `run_flow_in_subprocess` (prefect/flow_engine.py, 3.9), forked from the warm parent."""
    from prefect.context import serialize_context
    from prefect.flow_engine import (
        _CONTROL_CHANNEL_ENV_KEYS,
        _run_serialized_call_with_control_bootstrap,
        _runtime_subprocess_env,
    )
    from prefect.logging import get_logger
    from prefect.settings.context import get_current_settings
    from prefect.utilities.callables import cloudpickle_wrapped_call
    from prefect.utilities.processutils import sanitize_subprocess_env

    context = context or serialize_context()
    merged_env = (
        get_current_settings().to_environment_variables(exclude_unset=True)
        | os.environ
        | {"PREFECT__ENABLE_CANCELLATION_AND_CRASHED_HOOKS": "false"}
        | (env or {})
    )
    sanitized = sanitize_subprocess_env(merged_env)
    wrapped_call = cloudpickle_wrapped_call(
        _run_flow_with_env,
        env=_runtime_subprocess_env(sanitized),
        remove_env={key for key, value in merged_env.items() if value is None},
        flow=flow,
        flow_run=flow_run,
        parameters=parameters,
        wait_for=wait_for,
        context=context,
    )
    startup_env = {key: value for key, value in sanitized.items() if key in _CONTROL_CHANNEL_ENV_KEYS}
    process = _context.Process(target=_run_serialized_call_with_control_bootstrap,
                               args=(wrapped_call.args[0], startup_env))
    started = time.monotonic()
    process.start()
    get_logger("tanggap.warm_runs").info("Flow run %s forked from the warm parent in %.0f ms (pid %s)",
                getattr(flow_run, "id", "?"), (time.monotonic() - started) * 1000, process.pid)
    return process


def _run_flow_with_env(*args: Any, env: dict[str, str], remove_env: set[str], **kwargs: Any):
    """In the child: take the runner's environment and settings, then run the flow (as Prefect does)."""
    import asyncio

    from prefect.context import SettingsContext, get_settings_context
    from prefect.engine import handle_engine_signals
    from prefect.flow_engine import run_flow
    from prefect.settings.models.root import Settings

    for key in remove_env:
        os.environ.pop(key, None)
    os.environ.update(env)
    settings_context = get_settings_context()
    flow_run = kwargs.get("flow_run")
    with SettingsContext(profile=settings_context.profile, settings=Settings()), _profiled(flow_run):
        with handle_engine_signals(getattr(flow_run, "id", None)):
            result = run_flow(*args, **kwargs)
            if asyncio.iscoroutine(result):
                asyncio.run(result)


@contextmanager
def _profiled(flow_run):
    """cProfile the run when TANGGAP_PROFILE_RUNS names a folder (for benchmarks, never by default)."""
    folder = os.environ.get(PROFILE_DIR_VARIABLE)
    if not folder:
        yield
        return
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(os.path.join(folder, f"{getattr(flow_run, 'id', os.getpid())}.prof"))


class WarmStarter:
    """A Prefect ProcessStarter: Prefect's DirectSubprocessStarter (runner/_starter_direct.py, 3.9)
    with the run forked from the warm parent and the worker's job environment passed on."""

    def __init__(self, *, flow, deployment_name: str | None, env: dict | None = None, control_channel=None):
        self._flow, self._deployment_name = flow, deployment_name
        self._env, self._control_channel = dict(env or {}), control_channel

    async def start(self, flow_run, task_status=None) -> None:
        import anyio
        from prefect.runner._process_manager import ProcessHandle

        task_status = task_status or anyio.TASK_STATUS_IGNORED
        env = {**self._env, "PREFECT__DEPLOYMENT_NAME": self._deployment_name}
        registered = False
        if self._control_channel is not None:
            try:
                port, token = self._control_channel.register(flow_run.id)
                env.update({"PREFECT__CONTROL_PORT": str(port), "PREFECT__CONTROL_TOKEN": token})
                registered = True
            except RuntimeError:
                pass  # no loopback listener: cancellation falls back to a plain kill, as in Prefect
        handed_off = False
        try:
            process = run_flow_in_warm_process(self._flow, flow_run=flow_run, env=env)
            task_status.started(ProcessHandle(process))
            handed_off = True
            await anyio.to_thread.run_sync(process.join)
        except BaseException:
            if registered and not handed_off:
                self._control_channel.unregister(flow_run.id)
            raise


def install() -> None:
    """Make the runner's direct starter fork runs from the warm parent."""
    import prefect.runner._starter_direct as direct

    direct.run_flow_in_subprocess = wraps(direct.run_flow_in_subprocess)(run_flow_in_warm_process)
