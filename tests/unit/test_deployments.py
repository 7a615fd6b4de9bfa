"""The records deployments are served and described for work pools alike."""

from pathlib import Path

import yaml

from flows.serve import records_deployments
from tanggap.settings import REPO_ROOT, get_settings


def test_prefect_yaml_describes_the_served_records_deployments_with_the_same_wib_schedules():
    described = {(d["entrypoint"], d["name"]): d for d in yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text())["deployments"]}
    served = records_deployments(get_settings())
    assert len(served) == 5
    for deployment in served:
        entrypoint = f"flows/{Path(deployment.entrypoint.split(':')[0]).name}:{deployment.entrypoint.split(':')[1]}"
        entry = described[(entrypoint, deployment.name)]
        (schedule,) = deployment.schedules
        assert entry["schedules"] == [{"cron": schedule.schedule.cron, "timezone": "Asia/Jakarta"}]
        assert schedule.schedule.timezone == "Asia/Jakarta"
        assert entry.get("parameters", {}) == (deployment.parameters or {})


def test_records_schedules_can_be_switched_off_for_tests(monkeypatch):
    monkeypatch.setenv("TANGGAP_RECORDS_SCHEDULES", "0")
    assert all(not d.schedules for d in records_deployments(get_settings()))
