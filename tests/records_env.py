"""A fixture for the records tests: one installation in a temporary folder, no channel needed."""

from __future__ import annotations

import pytest

from tanggap.settings import REPO_ROOT


@pytest.fixture
def records_env(tmp_path, monkeypatch):
    """Settings for one test: its own archive folder and SQLite database, migrated."""
    env = {
        "TANGGAP_DATA_DIR": str(tmp_path / "var"),
        "TANGGAP_DATABASE_URL": f"sqlite:///{tmp_path / 'tanggap.db'}",
        "TANGGAP_CHANNELS_FILE": str(REPO_ROOT / "channels.toml"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from db.session import migrate

    migrate()
    return env
