"""Deployments are defined once (tanggap/deployments.py): prefect.yaml is generated from them,
serve registers them, and the warm worker forks the ones marked warm."""

import yaml

from tanggap import deployments
from tanggap.deployments import DEPLOYMENTS, prefect_yaml
from tanggap.settings import REPO_ROOT, get_settings
from tanggap.warm_worker import WARM_ENTRYPOINTS


def test_prefect_yaml_is_generated_from_the_definitions():
    # On failure: `python -m tanggap.deployments > prefect.yaml`.
    assert (REPO_ROOT / "prefect.yaml").read_text(encoding="utf-8") == prefect_yaml()


def test_prefect_yaml_parses_to_every_deployment_with_its_schedule():
    described = yaml.safe_load(prefect_yaml())["deployments"]
    assert [(d["entrypoint"], d["name"]) for d in described] == [(d.entrypoint, d.name) for d in DEPLOYMENTS]
    by_key = {(d["entrypoint"], d["name"]): d for d in described}
    purge = by_key[("flows/purge.py:purge", "bulanan")]
    assert purge["parameters"] == {"dry_run": False} and "concurrency_limit" not in purge
    assert by_key[("flows/kip_report.py:kip_report", "tahunan")]["schedules"] == [
        {"cron": "0 2 2 1 *", "timezone": "Asia/Jakarta"}]
    assert by_key[("flows/check_comments.py:check_comments", "periodic")]["schedules"] == [{"interval": 600}]
    assert all(d["work_pool"] == {"name": deployments.POOL} for d in described)


def test_served_deployments_carry_the_same_schedules_limits_and_parameters():
    settings = get_settings()
    for definition in DEPLOYMENTS:
        served = definition.flow().to_deployment(**definition.serve_options(settings))
        assert served.name == definition.name
        assert served.entrypoint.endswith(f"{definition.entrypoint.split('/')[-1]}")
        assert (served.parameters or {}) == definition.parameters
        if definition.cron:
            (schedule,) = served.schedules
            assert (schedule.schedule.cron, schedule.schedule.timezone) == (definition.cron, "Asia/Jakarta")
        if definition.interval_minutes:
            (schedule,) = served.schedules
            minutes = getattr(settings, definition.interval_setting)
            assert schedule.schedule.interval.total_seconds() == minutes * 60
        limit = served.concurrency_limit
        assert (limit if limit is None or isinstance(limit, int) else limit.limit) == definition.concurrency_limit


def test_records_schedules_can_be_switched_off_for_tests(monkeypatch):
    monkeypatch.setenv("TANGGAP_RECORDS_SCHEDULES", "0")
    settings = get_settings()
    assert all(d.serve_options(settings)["schedules"] is None for d in DEPLOYMENTS if d.cron)


def test_the_warm_worker_forks_the_deployments_marked_warm():
    assert set(WARM_ENTRYPOINTS) == {"flows/check_comments.py:check_comments", "flows/respond.py:respond",
                                     "flows/moderate_spam.py:moderate_spam"}
    from tanggap.warm_runs import WARM_MODULES

    assert {module for module, _ in WARM_ENTRYPOINTS.values()} <= set(WARM_MODULES)  # imported before any fork
    for entrypoint, (module, function) in WARM_ENTRYPOINTS.items():
        assert entrypoint == f"{module.replace('.', '/')}.py:{function}"
