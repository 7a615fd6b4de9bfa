"""Simulators in tests: a seeded one per test as a fixture, and the calls the Graph API
simulator tests (Facebook, Instagram) make, the token in the query (GET) or the form (POST)."""

from __future__ import annotations

import pytest
import requests

from simulator.platforms import PLATFORMS, start


def served(kind: str):
    """A fixture named `kind`: a freshly seeded simulator of that platform for each test."""

    @pytest.fixture(name=kind)
    def fixture():
        simulator = start(next(p for p in PLATFORMS if p.kind == kind), port=0)
        yield simulator
        simulator.stop()

    return fixture


def graph_get(sim, path: str, token: str | None, **params) -> requests.Response:
    if token is not None:
        params["access_token"] = token
    return requests.get(f"{sim.api_root}/{path}", params=params, timeout=5)


def graph_post(sim, path: str, token: str | None, **data) -> requests.Response:
    if token is not None:
        data["access_token"] = token
    return requests.post(f"{sim.api_root}/{path}", data=data, timeout=5)
