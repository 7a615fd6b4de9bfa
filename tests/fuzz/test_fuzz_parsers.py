"""A smaller run of benchmarks/fuzz_parsers in every test run: 300 generated payloads for each
connector and target, served to the real connectors; any unhandled exception or broken
invariant fails, shrunk by Hypothesis to a small payload."""

from __future__ import annotations

import pytest

from tests.fuzz.runner import strict
from tests.fuzz.targets import targets
from tests.scripted_server import ScriptedServer

EXAMPLES = 300


@pytest.fixture(scope="module")
def server():
    with ScriptedServer() as running:
        yield running


@pytest.mark.parametrize("target", targets(), ids=lambda t: f"{t.kind}-{t.name}")
def test_generated_payloads_give_a_result_or_a_channel_error_and_never_an_unhandled_exception(server, target):
    tally = strict(target, server, EXAMPLES)
    assert tally.payloads >= EXAMPLES * 0.9
    # The payloads reach both sides: what a connector reads, and what it must refuse or keep aside.
    if target.name in ("listing", "items"):
        assert tally.comments > 0 and tally.unreadable > 0, tally
    else:
        assert tally.channel_errors > 0, tally
    assert not server.script_errors
