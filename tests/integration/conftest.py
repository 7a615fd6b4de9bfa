"""Simulators for the integration tests, served the same way in every module."""

from __future__ import annotations

import pytest

from simulator.platforms import PLATFORMS
from simulator.x import XSite, seed_x


@pytest.fixture
def sim(site):
    """The module's seeded `site` (each simulator test module defines one), served on a free port."""
    platform = next(p for p in PLATFORMS if type(site) is p.make_site)
    simulator = platform.simulator(site).start()
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def x_server():
    """One X simulator per module (stopping one takes half a second); tests use `fresh_x`."""
    simulator = next(p for p in PLATFORMS if p.kind == "x").simulator(XSite()).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def fresh_x(x_server):
    """The module's X simulator, seeded afresh for this test."""
    x_server.site.reset(seed_x(XSite()).to_state())
    return x_server
