"""Small parts of the records: redline, step times, durations, register periods, settings."""

from datetime import date, datetime, timedelta, timezone

import pytest

from tanggap.settings import SettingsError, _records_settings
from tasks.records.redline import Piece, redline
from tasks.records.register import register_period
from tasks.records.step_times import SOP_TOTAL_MINUTES, step_times, total_minutes
from tasks.records.wording import durasi

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


def test_a_redline_shows_a_replaced_phrase_as_one_removal_and_one_addition():
    assert redline("Jadwal [Tuliskan di sini.] Salam", "Jadwal dibuka 1 Desember. Salam") == [
        Piece("same", "Jadwal "), Piece("removed", "[Tuliskan di sini"), Piece("added", "dibuka 1 Desember"),
        Piece("same", "."), Piece("removed", "]"), Piece("same", " Salam")]
    assert redline("sama", "sama") == [Piece("same", "sama")]


def test_each_step_runs_from_the_previous_steps_end_and_waiting_counts():
    ends = [("confirm", T0 + timedelta(minutes=70)), ("check", T0 + timedelta(minutes=4)),
            ("draft", T0 + timedelta(minutes=5)), ("correction", T0 + timedelta(minutes=50)),
            ("correction", T0 + timedelta(minutes=60)), ("publish", T0 + timedelta(minutes=61))]
    times = step_times(T0, ends)
    assert [(t.step, round(t.minutes)) for t in times] == [("check", 4), ("draft", 1), ("correction", 55),
                                                          ("publish", 1), ("confirm", 9)]
    assert [t.within_standard for t in times] == [True, True, False, True, False]
    assert total_minutes(times) == 70 and SOP_TOTAL_MINUTES == 65


def test_a_case_without_an_answer_has_no_total_time():
    assert total_minutes(step_times(T0, [("check", T0), ("correction", T0 + timedelta(hours=1))])) is None


def test_durations_read_as_people_say_them():
    assert [durasi(m) for m in (0.2, 4.5, 12, 65, 60 * 50)] == ["12 detik", "4 menit 30 detik", "12 menit",
                                                                "1 jam 5 menit", "2 hari 2 jam"]


def test_register_periods_are_wib_days_iso_weeks_and_months():
    day = register_period("harian", date(2026, 3, 1))
    assert (day.start.isoformat(), day.end.isoformat()) == ("2026-03-01T00:00:00+07:00", "2026-03-02T00:00:00+07:00")
    week = register_period("mingguan", date(2026, 3, 4))
    assert week.label == "2026-W10" and week.start.date() == date(2026, 3, 2) and week.end.date() == date(2026, 3, 9)
    month = register_period("bulanan", date(2026, 12, 31))
    assert month.label == "2026-12" and month.end.date() == date(2027, 1, 1)
    with pytest.raises(ValueError):
        register_period("tahunan", date(2026, 1, 1))


def test_retention_settings_refuse_negative_days_and_unknown_file_actions(tmp_path):
    assert _records_settings({}, tmp_path).retention_days == {"spam": 90, "kasus": 730, "berkas": 0}
    with pytest.raises(SettingsError):
        _records_settings({"TANGGAP_RETENSI_KASUS_HARI": "-1"}, tmp_path)
    with pytest.raises(SettingsError):
        _records_settings({"TANGGAP_PEMUSNAHAN_BERKAS": "buang"}, tmp_path)
