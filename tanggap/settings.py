"""The one settings object: non-secret configuration from the environment.

Secrets (channel passwords and tokens) never live here: see `tasks/channels/credentials.py`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = REPO_ROOT / "templates"


class SettingsError(ValueError):
    """Configuration is missing or unusable."""


@dataclass(frozen=True)
class ChannelConfig:
    """One connected account, as declared in the channels file."""

    key: str  # stable identifier, e.g. "website"
    kind: str  # wordpress | facebook | instagram | youtube | x
    name: str  # shown to people, e.g. "Website BBPP Ketindan"
    base_url: str
    account: str  # our own account on the platform (WordPress user name, page id, ...)
    secret: str  # name of the Prefect Secret block (or TANGGAP_SECRET_<NAME> env var)
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RecordsSettings:
    """Where the archive lives, what its documents say at the top, and how long personal data is kept."""

    archive_dir: Path
    letterhead: tuple[str, ...]  # the kop surat's name lines, top line first (the address: Office.alamat)
    sop_number: str
    # Days after a case is archived; 0 = kept until a rule is set. See tasks/records/retention.py.
    retention_days: dict[str, int]
    purge_files: str  # "perbarui" (regenerate without personal data) | "hapus" (destroy the files)
    # The registers', recaps', archive checks' and destruction's schedules; off: run on demand only.
    schedules: bool


@dataclass(frozen=True)
class Office:
    """Who answers: the office's name, signature and contacts as drafts and the knowledge base quote them."""

    nama: str
    tanda_tangan: str
    situs: str
    email: str
    telepon: str  # empty: drafts leave the telephone out
    alamat: str


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    channels_file: Path
    check_interval_minutes: float
    initial_lookback_days: int
    respond_deployment: str
    serve_limit: int
    records: RecordsSettings
    office: Office
    sop_minutes: tuple[int, ...]  # standard minutes of SOP steps 1-5
    team_lead_follow_up: bool  # SOP step 2: the Ketua Tim Kerja follows the draft up before correction
    deadline_check_minutes: float  # how often overdue steps are looked for (and the queue's ages renewed)
    reminder_block: str  # the notification block that reminders of overdue steps go through
    warm_start: bool  # flow runs forked from a warm parent under serve (tanggap/warm_runs.py)
    poll_seconds: float  # how often serve looks for runs to start (a resumed case waits this long)

    @property
    def archive_dir(self) -> Path:
        return self.records.archive_dir

    def channels(self) -> list[ChannelConfig]:
        return load_channels(self.channels_file)


def load_channels(path: Path) -> list[ChannelConfig]:
    if not path.exists():
        raise SettingsError(f"channels file not found: {path}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    channels = []
    for entry in data.get("channel", []):
        known = {"key", "kind", "name", "base_url", "account", "secret"}
        missing = known - entry.keys()
        if missing:
            raise SettingsError(f"{path}: channel {entry.get('key', '?')} lacks {sorted(missing)}")
        options = {k: v for k, v in entry.items() if k not in known}
        channels.append(ChannelConfig(**{k: entry[k] for k in known}, options=options))
    keys = [c.key for c in channels]
    if len(keys) != len(set(keys)):
        raise SettingsError(f"{path}: channel keys must be unique, got {keys}")
    return channels


def _sop_minutes(value: str) -> tuple[int, ...]:
    parts = value.replace(",", "/").split("/")
    try:
        minutes = tuple(int(p) for p in parts)
    except ValueError:
        minutes = ()
    if len(minutes) != 5 or any(m <= 0 for m in minutes):
        raise SettingsError(f"TANGGAP_SOP_MINUTES must be five positive whole minutes like 10/30/15/5/5, got {value!r}")
    return minutes


def _switch(name: str, value: str) -> bool:
    if value.lower() in ("1", "true", "ya", "on"):
        return True
    if value.lower() in ("0", "false", "tidak", "off"):
        return False
    raise SettingsError(f"{name} must be 1 or 0, got {value!r}")


@lru_cache(maxsize=None)
def _cached(env_items: tuple) -> Settings:
    env = dict(env_items)
    data_dir = Path(env.get("TANGGAP_DATA_DIR", REPO_ROOT / "var")).resolve()
    interval = float(env.get("TANGGAP_CHECK_INTERVAL_MINUTES", "10"))
    if interval < 0:
        raise SettingsError("TANGGAP_CHECK_INTERVAL_MINUTES must be positive, or 0 for no schedule")
    deadline_check = float(env.get("TANGGAP_DEADLINE_CHECK_MINUTES", "5"))
    if deadline_check < 0:
        raise SettingsError("TANGGAP_DEADLINE_CHECK_MINUTES must be positive, or 0 for no schedule")
    return Settings(
        data_dir=data_dir,
        database_url=env.get("TANGGAP_DATABASE_URL", f"sqlite:///{data_dir / 'tanggap.db'}"),
        channels_file=Path(env.get("TANGGAP_CHANNELS_FILE", REPO_ROOT / "channels.toml")),
        check_interval_minutes=interval,
        initial_lookback_days=int(env.get("TANGGAP_INITIAL_LOOKBACK_DAYS", "30")),
        respond_deployment=env.get("TANGGAP_RESPOND_DEPLOYMENT", "respond/per-comment"),
        serve_limit=int(env.get("TANGGAP_SERVE_LIMIT", "8")),
        records=_records_settings(env, data_dir),
        office=Office(
            nama=env.get("TANGGAP_OFFICE_NAME", "BBPP Ketindan"),
            tanda_tangan=env.get("TANGGAP_OFFICE_SIGNATURE", "Humas BBPP Ketindan"),
            situs=env.get("TANGGAP_OFFICE_WEBSITE", "https://bbppketindan.bppsdmp.pertanian.go.id"),
            email=env.get("TANGGAP_OFFICE_EMAIL", "humas@bbppketindan.bppsdmp.pertanian.go.id"),
            telepon=env.get("TANGGAP_OFFICE_PHONE", ""),
            alamat=env.get("TANGGAP_OFFICE_ADDRESS", "Jl. Raya Ketindan No. 1, Lawang, Kabupaten Malang, Jawa Timur"),
        ),
        sop_minutes=_sop_minutes(env.get("TANGGAP_SOP_MINUTES", "10/30/15/5/5")),
        team_lead_follow_up=_switch("TANGGAP_TEAM_LEAD_FOLLOW_UP", env.get("TANGGAP_TEAM_LEAD_FOLLOW_UP", "1")),
        deadline_check_minutes=deadline_check,
        reminder_block=env.get("TANGGAP_REMINDER_BLOCK", "tanggap-pengingat"),
        warm_start=env.get("TANGGAP_WARM_START", "1") not in ("0", "false", "no"),
        poll_seconds=float(env.get("TANGGAP_POLL_SECONDS", "1")),
    )


def _records_settings(env: dict, data_dir: Path) -> RecordsSettings:
    def days(name: str, default: int) -> int:
        value = int(env.get(name, str(default)))
        if value < 0:
            raise SettingsError(f"{name} must be 0 (no limit) or a number of days")
        return value

    purge_files = env.get("TANGGAP_PEMUSNAHAN_BERKAS", "perbarui")
    if purge_files not in ("perbarui", "hapus"):
        raise SettingsError("TANGGAP_PEMUSNAHAN_BERKAS must be 'perbarui' or 'hapus'")
    # The address line comes from the office's address (TANGGAP_OFFICE_ADDRESS).
    letterhead = (env.get("TANGGAP_KOP_INSTANSI", "KEMENTERIAN PERTANIAN"),
                  env.get("TANGGAP_KOP_UNIT", "BALAI BESAR PELATIHAN PERTANIAN KETINDAN"))
    return RecordsSettings(
        archive_dir=Path(env.get("TANGGAP_ARCHIVE_DIR", data_dir / "arsip")).resolve(),
        letterhead=tuple(line for line in letterhead if line.strip()),
        sop_number=env.get("TANGGAP_SOP_NOMOR", "SOP/OT.210/I.14.1/03/2024"),
        retention_days={
            "spam": days("TANGGAP_RETENSI_SPAM_HARI", 90),
            "kasus": days("TANGGAP_RETENSI_KASUS_HARI", 730),
            "berkas": days("TANGGAP_RETENSI_BERKAS_HARI", 0),
        },
        purge_files=purge_files,
        schedules=env.get("TANGGAP_RECORDS_SCHEDULES", "1") != "0",
    )


def get_settings() -> Settings:
    """Settings from the current environment (re-read when the environment changes)."""
    return _cached(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("TANGGAP_"))))
