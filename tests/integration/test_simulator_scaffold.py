"""The scaffold every platform simulator stands on (simulator/common.py), tested once for all
five: the /__sim/ control route, fault arming and clearing, the timeout stall, request counts,
and the state file that carries a site across restarts. What each platform answers under a
fault (its error shapes) is tested in its own test_<platform>_simulator.py."""

from __future__ import annotations

import pytest
import requests

from simulator.platforms import PLATFORMS, start

TIMEOUT = 5
# One API request per platform that takes faults (the answer without a fault does not matter).
API_PATH = {"wordpress": "/wp-json/wp/v2/comments", "facebook": "/v25.0/me", "instagram": "/v25.0/me",
            "youtube": "/youtube/v3/commentThreads", "x": "/2/users/me"}


@pytest.fixture(params=PLATFORMS, ids=lambda platform: platform.kind)
def platform(request):
    return request.param


@pytest.fixture
def sim(platform):
    simulator = start(platform, port=0)
    yield simulator
    simulator.stop()


def api(sim, platform, timeout=TIMEOUT):
    return requests.get(sim.base_url + API_PATH[platform.kind], timeout=timeout)


def control(sim, method: str, route: str, **kwargs):
    return requests.request(method, f"{sim.base_url}/__sim/{route}", timeout=TIMEOUT, **kwargs)


def test_a_fault_armed_over_http_applies_once_to_the_api_and_spares_the_public_page(sim, platform):
    armed = control(sim, "POST", "fault", json={"mode": "http500", "times": 1, "methods": ["GET"]})
    assert armed.status_code == 200 and armed.json() == {"ok": True}
    assert requests.get(f"{sim.base_url}/", timeout=TIMEOUT).status_code == 200
    assert api(sim, platform).status_code == 500
    assert api(sim, platform).status_code != 500
    assert sim.site.request_count("GET") == 2  # API requests only: not the page, not the control route


def test_faults_are_cleared_over_http(sim, platform):
    sim.site.fault("http500", times=5)
    assert control(sim, "DELETE", "fault").status_code == 200
    assert api(sim, platform).status_code != 500


def test_an_unknown_fault_mode_or_control_route_is_refused(sim):
    refused = control(sim, "POST", "fault", json={"mode": "meteor"})
    assert refused.status_code == 400 and "meteor" in refused.json()["error"]
    assert control(sim, "POST", "fault", json={"mode": "http500", "times": 0}).status_code == 400
    assert control(sim, "GET", "nothing").status_code == 404


def test_the_timeout_fault_stalls_one_answer_then_the_next_comes_at_once(sim, platform):
    assert control(sim, "POST", "fault", json={"mode": "timeout", "timeout_seconds": 0.6}).status_code == 200
    with pytest.raises(requests.Timeout):
        api(sim, platform, timeout=0.2)
    assert api(sim, platform, timeout=2).status_code != 500


def test_the_control_route_lists_the_stored_comments_with_iso_dates(sim):
    listed = control(sim, "GET", "comments")
    assert listed.status_code == 200 and listed.headers["Content-Type"].startswith("application/json")
    assert len(listed.json()) == len(sim.site.comments) > 0


def test_the_state_file_carries_the_site_across_a_restart(tmp_path, platform):
    path = tmp_path / f"{platform.kind}.json"
    first = start(platform, port=0, state_file=path)
    first.stop()
    assert path.exists()
    restored = platform.make_site()
    assert restored.load(path)
    assert restored.to_state() == first.site.to_state()
    assert [c["id"] for c in restored.comments] == [c["id"] for c in first.site.comments]
    written = path.stat().st_mtime_ns
    again = start(platform, port=0, state_file=path)
    again.stop()
    assert again.site.to_state() == first.site.to_state()
    assert path.stat().st_mtime_ns == written  # restored, not seeded and saved anew


def test_stopping_a_simulator_that_never_started_returns(platform):
    simulator = platform.simulator(platform.make_site(), port=0)
    simulator.stop()
