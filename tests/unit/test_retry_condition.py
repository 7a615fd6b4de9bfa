"""When a failed network step is retried by Prefect."""

from dataclasses import dataclass

from tasks.channels.base import AuthError, RateLimited, Unavailable
from tasks.retrying import is_transient_failure


@dataclass
class Step:
    retry_delay_seconds: list


@dataclass
class Run:
    run_count: int


class Failed:
    def __init__(self, exc):
        self.exc = exc

    def result(self):
        raise self.exc


STEP = Step(retry_delay_seconds=[5, 30, 120])


def test_outages_are_retried_and_bad_credentials_are_not():
    assert is_transient_failure(STEP, Run(1), Failed(Unavailable("HTTP 503")))
    assert not is_transient_failure(STEP, Run(1), Failed(AuthError("HTTP 401")))
    assert not is_transient_failure(STEP, Run(1), Failed(ValueError("bug")))


def test_a_rate_limit_is_retried_only_if_the_next_retry_is_not_sooner_than_asked():
    assert is_transient_failure(STEP, Run(1), Failed(RateLimited("429", retry_after=4)))
    assert not is_transient_failure(STEP, Run(1), Failed(RateLimited("429", retry_after=20)))
    assert is_transient_failure(STEP, Run(2), Failed(RateLimited("429", retry_after=20)))  # next delay 30 s
    assert not is_transient_failure(STEP, Run(3), Failed(RateLimited("quota", retry_after=8 * 3600)))
