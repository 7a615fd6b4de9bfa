"""The whole stack for a real browser: a Prefect server with its UI and an API auth string, the
WordPress simulator, the served flows (with the Ketua Tim Kerja's follow-up on), a webhook
receiver for reminders, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.harness import start_prefect_server, start_serve, stop, tanggap_environment
from tests.webhook_receiver import WebhookReceiver

AUTH_STRING = "humas:rahasia-uji-123"  # the test server's shared credential
CHROMIUM = os.environ.get("TANGGAP_CHROMIUM", "/usr/bin/chromium")
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Everything the approvers' browser talks to, on loopback; yields the addresses and the output folder."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, PREFECT_UI_URL, temporary_settings

    from simulator.seed import seed_wordpress
    from simulator.wordpress import WordPressSimulator, WordPressSite

    folder = tmp_path_factory.mktemp("inbox")
    home = folder / "prefect"
    home.mkdir()
    server, api = start_prefect_server(home, ui=True, auth_string=AUTH_STRING)
    ui = api.removesuffix("/api")
    wordpress = WordPressSimulator(seed_wordpress(WordPressSite(timezone="Asia/Jakarta")), host="127.0.0.1",
                                   port=0).start()
    receiver = WebhookReceiver()
    env = {**tanggap_environment(folder, wordpress.base_url), "TANGGAP_TEAM_LEAD_FOLLOW_UP": "1",
           "PREFECT_API_URL": api, "PREFECT_API_AUTH_STRING": AUTH_STRING, "PREFECT_HOME": str(home),
           "PREFECT_UI_URL": ui}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    serve = None
    try:
        with temporary_settings({PREFECT_API_URL: api, PREFECT_API_AUTH_STRING: AUTH_STRING, PREFECT_UI_URL: ui}):
            from db.session import migrate

            migrate()
            # The office's notification block: reminders of overdue steps are posted to this webhook.
            CustomWebhookNotificationBlock(name="Pengingat Tanggap", url=receiver.url,
                                           json_data={"subjek": "{{subject}}", "pesan": "{{body}}"}
                                           ).save("tanggap-pengingat", overwrite=True)
            serve = start_serve(env, folder / "serve.log")
            yield {"ui": ui, "api": api, "wordpress": wordpress, "receiver": receiver, "folder": folder,
                   "serve_log": folder / "serve.log", "server_log": home / "server.log"}
    finally:
        if serve is not None:
            stop(serve)
        receiver.stop()
        wordpress.stop()
        stop(server)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def screenshots(request):
    """The test's output folder for screenshots (kept after the run: var/test-output/browser/)."""
    folder = Path(__file__).resolve().parents[2] / "var" / "test-output" / "browser"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    missing = None
    try:
        import playwright.sync_api as playwright_api
    except ImportError:
        missing = "needs the playwright package (pip install -e '.[test]')"
    if missing is None and not Path(CHROMIUM).exists():
        missing = f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    if missing and os.environ.get("CI"):  # .ci/run installs both: a skip would hide the browser test
        pytest.fail(missing)
    if missing:
        pytest.skip(missing)
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(request, browser, stack, screenshots):
    """A 1366x768 page that may reach loopback only (the UI would call an analytics host);
    on a failure, what the page showed is saved beside the screenshots."""
    context = browser.new_context(viewport=SCREEN, locale="id-ID", timezone_id="Asia/Jakarta")
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else route.abort())
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=screenshots / "gagal.png")
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so the page fixture can see a failure."""
    outcome = yield
    setattr(item, f"report_{call.when}", outcome.get_result())
