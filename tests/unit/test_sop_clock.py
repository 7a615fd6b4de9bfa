"""The SOP in one place: minutes as a setting read by every consumer, the chain of roles, deadlines in WIB."""

from datetime import datetime, timezone

import pytest

from tanggap import sop
from tanggap.settings import SettingsError, get_settings
from tasks.events import SOP_STEPS
from tasks.rendering import jam

FOUND = datetime(2026, 12, 1, 12, 20, tzinfo=timezone.utc)  # 19.20 WIB


def test_the_sop_figures_are_the_default_and_every_reader_gets_them_from_one_place():
    assert get_settings().sop_minutes == (10, 30, 15, 5, 5) and sop.total_minutes() == 65
    assert SOP_STEPS["correction"] == (3, "Koreksi oleh Kepala Bagian Umum", 15)
    assert SOP_STEPS["follow_up"][2] == SOP_STEPS["draft"][2] == 30 and SOP_STEPS["archive"][2] is None


def test_changing_the_setting_changes_forms_events_and_deadlines_alike(monkeypatch):
    monkeypatch.setenv("TANGGAP_SOP_MINUTES", "10/30/20/5/5")
    assert SOP_STEPS["decision"][2] == 20 and sop.total_minutes() == 70
    assert jam(sop.deadline(FOUND, "correction"), FOUND) == "19.40 WIB"


@pytest.mark.parametrize("value", ["10/30/15/5", "10/30/0/5/5", "sepuluh/30/15/5/5"])
def test_unusable_minutes_are_refused_with_the_setting_named(monkeypatch, value):
    monkeypatch.setenv("TANGGAP_SOP_MINUTES", value)
    with pytest.raises(SettingsError, match="TANGGAP_SOP_MINUTES"):
        get_settings()


def test_deadlines_read_as_wib_clock_times_with_the_date_only_when_not_today():
    assert jam(sop.deadline(FOUND, "correction"), FOUND) == "19.35 WIB"
    assert jam(sop.deadline(FOUND, "follow_up"), FOUND) == "19.50 WIB"
    assert jam(datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc), FOUND) == "2 Des 08.00 WIB"


def test_the_chain_has_the_team_leads_follow_up_unless_it_is_switched_off(monkeypatch):
    monkeypatch.setenv("TANGGAP_TEAM_LEAD_FOLLOW_UP", "1")
    assert sop.chain() == ("follow_up", "correction")
    assert [sop.previous_stage(s) for s in ("follow_up", "correction", "decision")] == [None, "follow_up", "correction"]
    monkeypatch.setenv("TANGGAP_TEAM_LEAD_FOLLOW_UP", "0")
    assert sop.chain() == ("correction",) and sop.previous_stage("correction") is None
    assert sop.previous_stage("decision") == "correction"


def test_each_waiting_stage_names_the_role_that_must_act():
    assert {s: sop.STEPS[s].role.slug for s in ("follow_up", "correction", "decision", "attention")} == {
        "follow_up": "ketua-tim-kerja", "correction": "kepala-bagian-umum", "decision": "kepala-balai",
        "attention": "petugas-operasional"}
