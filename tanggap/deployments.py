"""Every deployment, defined once: `flows/serve.py` registers them, `prefect.yaml` is generated
from them (`python -m tanggap.deployments > prefect.yaml`; a unit test fails when it drifts),
and `tanggap/warm_worker.py` reads which ones fork warm.

Adding a deployment is one `Deployment(...)` line in DEPLOYMENTS, then regenerating prefect.yaml.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

from tanggap.settings import Settings

POOL = "tanggap-proses"
TIMEZONE = "Asia/Jakarta"


@dataclass(frozen=True)
class Deployment:
    entrypoint: str  # "flows/<module>.py:<flow function>", as prefect.yaml writes it
    name: str
    description: str  # shown in the Prefect UI: Bahasa Indonesia
    interval_minutes: float | None = None  # prefect.yaml's schedule; serve uses `interval_setting`
    interval_setting: str | None = None  # the Settings field that sets the interval under serve
    cron: str | None = None  # in WIB; switched off with TANGGAP_RECORDS_SCHEDULES=0 (tests)
    parameters: dict = field(default_factory=dict)
    concurrency_limit: int | None = None
    warm: bool = False  # forked from the warm parent by tanggap/warm_worker.py
    why: str = ""  # a note on the limit (or its absence), written into prefect.yaml too

    @property
    def module(self) -> str:
        return self.entrypoint.split(":")[0].removesuffix(".py").replace("/", ".")

    @property
    def function(self) -> str:
        return self.entrypoint.split(":")[1]

    def flow(self):
        return getattr(importlib.import_module(self.module), self.function)

    def serve_options(self, settings: Settings) -> dict:
        """Keyword arguments for Runner.add_flow / flow.to_deployment."""
        from prefect.schedules import Cron

        options: dict = {"name": self.name, "description": self.description}
        if self.interval_setting is not None:
            minutes = getattr(settings, self.interval_setting)
            options["interval"] = timedelta(minutes=minutes) if minutes else None
        if self.cron is not None:
            # Each cron makes the server create runs ahead (up to 100 for a daily one): off in tests.
            options["schedules"] = [Cron(self.cron, timezone=TIMEZONE)] if settings.records.schedules else None
        if self.parameters:
            options["parameters"] = dict(self.parameters)
        if self.concurrency_limit is not None:
            options["concurrency_limit"] = self.concurrency_limit
        return options


_NEVER_WAITS = "Never waits for people, so one at a time is safe (and records each thing once)."
_WAITS = "No concurrency_limit: a run waiting for an approver would lose its slot and crash."

DEPLOYMENTS = [
    Deployment("flows/check_comments.py:check_comments", "periodic", "SOP langkah 1: pemeriksaan berkala semua kanal.",
               interval_minutes=10, interval_setting="check_interval_minutes", concurrency_limit=1, warm=True,
               why=_NEVER_WAITS),
    Deployment("flows/respond.py:respond", "per-comment", "SOP langkah 2-5 untuk satu komentar.", warm=True, why=_WAITS),
    Deployment("flows/moderate_spam.py:moderate_spam", "per-wave",
               "Moderasi spam: satu keputusan untuk semua spam satu pemeriksaan.", warm=True, why=_WAITS),
    Deployment("flows/watch_deadlines.py:watch_deadlines", "sop-clock",
               "Batas waktu SOP: catat dan ingatkan langkah yang terlambat; perbarui antrean.",
               interval_minutes=5, interval_setting="deadline_check_minutes", concurrency_limit=1, why=_NEVER_WAITS),
    # The records the law asks for: registers, recaps, KIP figures, archive checks, destruction.
    Deployment("flows/inventory_register.py:inventory_register", "harian",
               "Daftar Inventaris Komentar Masuk hari kemarin (PDF/A dan CSV).", cron="15 0 * * *"),
    Deployment("flows/monthly_recap.py:monthly_recap", "bulanan", "Rekap bulan lalu, tiap tanggal 1 pukul 01.00 WIB.",
               cron="0 1 1 * *"),
    Deployment("flows/kip_report.py:kip_report", "tahunan",
               "Angka layanan tahun lalu untuk laporan KIP (batas 31 Maret).", cron="0 2 2 1 *"),
    Deployment("flows/verify_archive.py:verify_archive", "harian", "Periksa ulang SHA-256 seluruh arsip.",
               cron="30 2 * * *"),
    Deployment("flows/purge.py:purge", "bulanan", "Pemusnahan sesuai jadwal retensi, setelah disetujui.",
               cron="0 3 1 * *", parameters={"dry_run": False}, why=_WAITS),
]

_HEADER = f"""\
# GENERATED from tanggap/deployments.py: edit that, then `python -m tanggap.deployments > prefect.yaml`.
# Tanggap deployments for a Prefect work pool (process workers), the scaled-out form of
# `python -m flows.serve` (README, "Scale-out"). Once, from the repository root:
#   prefect work-pool create {POOL} --type process
#   prefect deploy --all
#   python -m tanggap.startup          # Tanggap's migrations and channel limits (every release)
# On each worker machine (runs forked from a warm parent; `prefect worker start --pool
# {POOL}` works too, starting every run cold):
#   python -m tanggap.warm_worker --pool {POOL}
# Workers need TANGGAP_DATABASE_URL, TANGGAP_CHANNELS_FILE, TANGGAP_DATA_DIR and
# TANGGAP_REPO_DIR (this checkout); channel credentials come from Prefect Secret blocks.
name: tanggap
prefect-version: 3.9.1

pull:
  - prefect.deployments.steps.set_working_directory:
      directory: "{{{{ $TANGGAP_REPO_DIR }}}}"

deployments:
"""


def _scalar(value) -> str:
    # JSON scalars are YAML scalars; strings are always quoted.
    return json.dumps(value, ensure_ascii=False)


def prefect_yaml() -> str:
    """prefect.yaml's text for DEPLOYMENTS."""
    blocks = []
    for d in DEPLOYMENTS:
        lines = [f"  - name: {d.name}", f"    entrypoint: {d.entrypoint}", f"    description: {_scalar(d.description)}"]
        if d.why:
            lines.append(f"    # {d.why}")
        if d.parameters:
            lines.append("    parameters:")
            lines += [f"      {key}: {_scalar(value)}" for key, value in d.parameters.items()]
        if d.interval_minutes:
            under_serve = f"TANGGAP_{d.interval_setting.upper()} under serve" if d.interval_setting else ""
            lines += ["    schedules:", f"      - interval: {round(d.interval_minutes * 60)}  # seconds; {under_serve}"]
        if d.cron:
            lines += ["    schedules:", f"      - cron: {_scalar(d.cron)}", f"        timezone: {_scalar(TIMEZONE)}"]
        if d.concurrency_limit is not None:
            lines.append(f"    concurrency_limit: {d.concurrency_limit}")
        lines += ["    work_pool:", f"      name: {POOL}"]
        blocks.append("\n".join(lines) + "\n")
    return _HEADER + "\n".join(blocks)


if __name__ == "__main__":
    print(prefect_yaml(), end="")
