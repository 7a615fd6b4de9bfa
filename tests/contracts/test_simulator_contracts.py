"""The simulators against the same recorded platform answers the connectors are tested with:
a simulator's list pages, error bodies and rate-limit headers must have the keys and JSON types
of the fixtures, so the fake and the connector cannot drift away from the platform together."""

from __future__ import annotations

import json

import pytest
import requests

from simulator.platforms import PLATFORMS, start
from tasks.channels import facebook, instagram, x, youtube
from tests.contracts.fixtures import all_fixtures, load
from tests.contracts.shapes import differences, learn

SIMULATED = {p.kind: p for p in PLATFORMS}


@pytest.fixture(scope="module")
def simulators():
    running = {kind: start(platform, port=0) for kind, platform in SIMULATED.items()}
    yield running
    for simulator in running.values():
        simulator.stop()


class Expected(list):
    """The fixtures' bodies, with the keys their sidecars let the simulator leave out."""

    def __init__(self, fixtures):
        fixtures = list(fixtures)
        super().__init__(f.body() for f in fixtures)
        self.excused = frozenset(name for f in fixtures for name in f.simulator_omits)


def bodies(platform: str, *names: str) -> Expected:
    return Expected(load(platform, name) for name in names)


def error_bodies(*platforms: str) -> Expected:
    return Expected(f for p in platforms for f in all_fixtures(p) if "error" in f.expect and f.body() is not None)


def assert_shaped_like(samples: Expected, answer: requests.Response, *, status: int | None = None) -> dict:
    if status is not None:
        assert answer.status_code == status, answer.text[:300]
    body = answer.json()
    found = differences(learn(samples), body, excused=samples.excused)
    assert not found, "\n".join(found)
    return body


def usage_entries(name: str, value: str) -> list:
    """A usage header's JSON; the business use case one is keyed by account id, so its entries."""
    usage = json.loads(value)
    if name.lower() == "x-business-use-case-usage":
        return [entry for entries in usage.values() for entry in entries]
    return [usage]


def usage_shape(platform: str) -> dict:
    """Header name -> the shape of its JSON entries, from the fixtures' throttling answers."""
    found: dict[str, list] = {}
    for fixture in all_fixtures(platform):
        for name, value in fixture.headers.items():
            if name.lower().endswith("usage"):
                found.setdefault(name.lower(), []).extend(usage_entries(name, value))
    return {name: learn(values) for name, values in found.items()}


# --- WordPress -------------------------------------------------------------------------------


def wordpress_get(simulator, route: str, password: str | None = None, **params) -> requests.Response:
    platform = SIMULATED["wordpress"]
    auth = (platform.channel["account"], password or platform.token)
    return requests.get(f"{simulator.base_url}/wp-json/wp/v2/{route}", params=params, auth=auth, timeout=10)


def test_the_wordpress_simulators_comment_page_has_the_documented_keys_and_types(simulators):
    answer = wordpress_get(simulators["wordpress"], "comments", per_page=100, order="asc", orderby="date_gmt",
                           after="2000-01-01T00:00:00")
    page = assert_shaped_like(bodies("wordpress", "comments_page", "comments_page_past_end"), answer, status=200)
    assert page, "the seeded site has comments"
    assert {"X-WP-Total", "X-WP-TotalPages"} <= set(answer.headers)


def test_the_wordpress_simulators_users_me_has_the_documented_keys_and_types(simulators):
    assert_shaped_like(bodies("wordpress", "users_me"), wordpress_get(simulators["wordpress"], "users/me"), status=200)


def test_the_wordpress_simulators_errors_have_the_documented_keys_and_types(simulators):
    simulator = simulators["wordpress"]
    samples = error_bodies("wordpress")
    assert_shaped_like(samples, wordpress_get(simulator, "users/me", password="salah salah salah"), status=401)
    assert_shaped_like(samples, wordpress_get(simulator, "comments", per_page=101), status=400)
    platform = SIMULATED["wordpress"]
    comment = wordpress_get(simulator, "comments", per_page=1).json()[0]
    auth = (platform.channel["account"], platform.token)
    sent = {"post": comment["post"], "parent": comment["id"], "content": "Uji kontrak: isi yang sama dua kali."}
    first = requests.post(f"{simulator.base_url}/wp-json/wp/v2/comments", json=sent, auth=auth, timeout=10)
    assert first.status_code == 201 and "Location" in first.headers
    assert_shaped_like(bodies("wordpress", "comment_created"), first)
    again = requests.post(f"{simulator.base_url}/wp-json/wp/v2/comments", json=sent, auth=auth, timeout=10)
    assert assert_shaped_like(samples, again, status=409)["code"] == "comment_duplicate"


def test_the_wordpress_simulators_throttling_is_a_proxy_page_with_retry_after(simulators):
    simulator = simulators["wordpress"]
    simulator.site.fault("rate_limit")
    answer = wordpress_get(simulator, "comments")
    fixture = load("wordpress", "error_waf_429")
    assert answer.status_code == fixture.status and "Retry-After" in answer.headers
    assert answer.headers["Retry-After"].isdigit() and "text/html" in answer.headers["Content-Type"]


# --- Facebook and Instagram (Graph) ----------------------------------------------------------


def graph_get(simulator, kind: str, route: str, token: str | None = None, **params) -> requests.Response:
    params["access_token"] = token or SIMULATED[kind].token
    return requests.get(f"{simulator.base_url}/v25.0/{route}", params=params, timeout=10)


def test_the_facebook_simulators_feed_and_comment_pages_have_the_documented_keys_and_types(simulators):
    simulator, page_id = simulators["facebook"], SIMULATED["facebook"].channel["account"]
    feed = assert_shaped_like(bodies("facebook", "feed_page"),
                              graph_get(simulator, "facebook", f"{page_id}/feed", fields=facebook.POST_FIELDS,
                                        limit=100), status=200)
    shape = learn(bodies("facebook", "comments_page", "comments_page_empty_with_next"))
    seen = 0
    for post in feed["data"]:
        answer = graph_get(simulator, "facebook", f"{post['id']}/comments", fields=facebook.COMMENT_FIELDS,
                           filter="stream", order="reverse_chronological", limit=100)
        assert answer.status_code == 200
        assert differences(shape, answer.json()) == [], post["id"]
        seen += len(answer.json()["data"])
    assert seen, "the seeded page has comments"


def test_the_instagram_simulators_media_and_comment_pages_have_the_documented_keys_and_types(simulators):
    simulator, user_id = simulators["instagram"], SIMULATED["instagram"].channel["account"]
    media = assert_shaped_like(bodies("instagram", "media_page"),
                               graph_get(simulator, "instagram", f"{user_id}/media", fields=instagram.MEDIA_FIELDS,
                                         limit=50), status=200)
    shape = learn(bodies("instagram", "comments_page"))
    seen = 0
    for item in media["data"]:
        answer = graph_get(simulator, "instagram", f"{item['id']}/comments", fields=instagram.COMMENT_FIELDS,
                           limit=50)
        assert answer.status_code == 200
        assert differences(shape, answer.json()) == []
        seen += len(answer.json()["data"])
    assert seen, "the seeded account has comments"


@pytest.mark.parametrize("kind", ["facebook", "instagram"])
def test_the_graph_simulators_errors_and_usage_headers_have_the_documented_keys_and_types(simulators, kind):
    simulator, account = simulators[kind], SIMULATED[kind].channel["account"]
    samples = error_bodies("facebook", "instagram")
    assert_shaped_like(samples, graph_get(simulator, kind, f"{account}", token="token-tidak-dikenal"), status=400)
    simulator.site.fault("rate_limit")
    throttled = graph_get(simulator, kind, f"{account}", fields="id")
    assert_shaped_like(samples, throttled)
    assert "Retry-After" not in throttled.headers  # Graph never sends one
    shapes = usage_shape("facebook") | usage_shape("instagram")
    sent = {name.lower(): value for name, value in throttled.headers.items() if name.lower() in shapes}
    assert sent, f"no usage header among {sorted(throttled.headers)}"
    for name, value in sent.items():
        for entry in usage_entries(name, value):
            assert differences(shapes[name], entry) == [], name


# --- YouTube ---------------------------------------------------------------------------------


def youtube_get(simulator, resource: str, token: str | None = None, **params) -> requests.Response:
    headers = {"Authorization": f"Bearer {token or SIMULATED['youtube'].token}"}
    return requests.get(f"{simulator.base_url}/youtube/v3/{resource}", params=params, headers=headers, timeout=10)


def test_the_youtube_simulators_thread_and_reply_pages_have_the_documented_keys_and_types(simulators):
    simulator = simulators["youtube"]
    threads = assert_shaped_like(
        bodies("youtube", "comment_threads_page", "comment_threads_page_last"),
        youtube_get(simulator, "commentThreads", part="snippet,replies", maxResults=100, order="time",
                    textFormat="plainText", allThreadsRelatedToChannelId=SIMULATED["youtube"].channel["account"]),
        status=200)
    assert threads["items"], "the seeded channel has threads"
    with_replies = [t for t in threads["items"] if t["snippet"]["totalReplyCount"]]
    assert with_replies, "the seeded channel has a thread with replies"
    assert_shaped_like(bodies("youtube", "comments_page"),
                       youtube_get(simulator, "comments", part="snippet", parentId=with_replies[0]["id"],
                                   maxResults=100, textFormat="plainText"), status=200)


def test_the_youtube_simulators_errors_have_the_documented_keys_and_types(simulators):
    simulator = simulators["youtube"]
    samples = error_bodies("youtube")
    channel = SIMULATED["youtube"].channel["account"]
    assert_shaped_like(samples, youtube_get(simulator, "commentThreads", token="ya29.tidak-dikenal", part="snippet",
                                            allThreadsRelatedToChannelId=channel), status=401)
    quota, simulator.site.daily_quota = simulator.site.daily_quota, 0
    try:
        body = assert_shaped_like(samples, youtube_get(simulator, "commentThreads", part="snippet",
                                                       allThreadsRelatedToChannelId=channel), status=403)
    finally:
        simulator.site.daily_quota = quota
    assert body["error"]["errors"][0]["reason"] == "quotaExceeded"


# --- X ---------------------------------------------------------------------------------------


def x_request(simulator, method: str, route: str, token: str | None = None, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {token or SIMULATED['x'].token}"}
    return requests.request(method, f"{simulator.base_url}/2/{route}", headers=headers, timeout=10, **kwargs)


def test_the_x_simulators_mention_and_timeline_pages_have_the_documented_keys_and_types(simulators):
    simulator, me = simulators["x"], SIMULATED["x"].channel["account"]
    mentions = x_request(simulator, "GET", f"users/{me}/mentions", params={"max_results": 100, **x.MENTION_FIELDS})
    page = assert_shaped_like(bodies("x", "mentions_page", "mentions_page_empty"), mentions, status=200)
    assert page.get("data"), "the seeded account has mentions"
    assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= {h.lower() for h in mentions.headers}
    assert_shaped_like(bodies("x", "user_tweets_page"),
                       x_request(simulator, "GET", f"users/{me}/tweets",
                                 params={"max_results": 100, "tweet.fields": "referenced_tweets,created_at"}),
                       status=200)


def test_the_x_simulators_errors_and_rate_limit_headers_have_the_documented_keys_and_types(simulators):
    simulator, me = simulators["x"], SIMULATED["x"].channel["account"]
    samples = error_bodies("x")
    assert_shaped_like(samples, x_request(simulator, "GET", f"users/{me}/mentions", token="tidak-dikenal"),
                       status=401)
    simulator.site.fault("rate_limit")
    limited = x_request(simulator, "GET", f"users/{me}/mentions")
    assert_shaped_like(samples, limited, status=429)
    assert limited.headers["x-rate-limit-reset"].isdigit() and limited.headers["x-rate-limit-remaining"] == "0"
    simulator.site.fault("rate_limit_legacy")
    assert_shaped_like(samples, x_request(simulator, "GET", f"users/{me}/mentions"), status=429)
    mention = x_request(simulator, "GET", f"users/{me}/mentions", params=x.MENTION_FIELDS).json()["data"][0]
    sent = {"text": "Uji kontrak: balasan yang sama dua kali.", "reply": {"in_reply_to_tweet_id": mention["id"]}}
    created = x_request(simulator, "POST", "tweets", json=sent)
    assert_shaped_like(bodies("x", "tweet_created"), created)
    assert created.status_code == load("x", "tweet_created").status
    assert_shaped_like(samples, x_request(simulator, "POST", "tweets", json=sent), status=403)
