"""The automation that marks runs of a dead `serve` Crashed (tasks/respond_runs.ensure_crash_detection)
is set up once and left alone by every later start: a new one would forget the heartbeats it saw."""

from prefect import get_client

from tasks.respond_runs import CRASH_DETECTION_AUTOMATION, HEARTBEATS_MISSED, ensure_crash_detection


def test_the_crash_detection_automation_survives_a_restart_of_serve_unchanged(prefect_api):
    first = ensure_crash_detection()
    with get_client(sync_client=True) as client:
        [created] = client.read_automations_by_name(CRASH_DETECTION_AUTOMATION)
    assert "marked Crashed" in first
    assert created.trigger.posture == "Proactive" and "prefect.flow-run.Suspended" in created.trigger.expect
    assert created.trigger.within.total_seconds() == HEARTBEATS_MISSED * 180  # Prefect's default heartbeat

    ensure_crash_detection()  # serve started again
    with get_client(sync_client=True) as client:
        [kept] = client.read_automations_by_name(CRASH_DETECTION_AUTOMATION)
    assert kept.id == created.id
