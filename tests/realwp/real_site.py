"""A real WordPress (Debian's `wordpress` package) on loopback, installed and seeded for the tests.

PHP's built-in server serves it from a folder of our own: symlinks to /usr/share/wordpress
plus our wp-config.php, so nothing under /etc or /var/lib is touched. The database is a fresh
one on the local MariaDB, dropped at the end; `reset()` puts the seeded tables back between
tests in well under a second.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from uuid import uuid4

import requests

from simulator.seed import OFFICIAL_EMAIL, OFFICIAL_NAME, OFFICIAL_USERNAME, wordpress_seed
from tests.harness import free_port, wait_until

WORDPRESS_ROOT = Path("/usr/share/wordpress")
DEBIAN_PACKAGES = ("wordpress", "php-cli", "php-mysql")
MARIADB = os.environ.get("TANGGAP_TEST_MARIADB", "127.0.0.1:3306")  # root, empty password
HERE = Path(__file__).resolve().parent
ADMIN_USERNAME = "admin-uji"
TIMEZONE = "Asia/Jakarta"

_CONFIG = """<?php
// Written by tests/realwp for one test session.
define('DB_NAME', {db_name});
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', {db_host});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', {home});
define('WP_SITEURL', {home});
define('WP_CONTENT_DIR', {content_dir});
define('WP_ENVIRONMENT_TYPE', 'local');  // application passwords over plain http
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', false);
{salts}
$table_prefix = 'wp_';
require_once ABSPATH . 'wp-settings.php';
"""
_SALT_NAMES = ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT",
               "LOGGED_IN_SALT", "NONCE_SALT")


def missing_prerequisites() -> str | None:
    """Why a real WordPress cannot run here, naming what to install; None when it can."""
    missing = []
    if not (WORDPRESS_ROOT / "wp-settings.php").is_file():
        missing.append("wordpress")
    php = shutil.which("php")
    if php is None:
        missing.append("php-cli")
    elif subprocess.run([php, "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"]).returncode:
        missing.append("php-mysql")
    if missing:
        return (f"the real-WordPress tests need the Debian package(s) {', '.join(missing)}: "
                f"apt-get install -y --no-install-recommends {' '.join(DEBIAN_PACKAGES)} (.ci/run does this as root)")
    host, _, port = MARIADB.partition(":")
    try:
        socket.create_connection((host, int(port or 3306)), timeout=2).close()
    except OSError as exc:
        return f"the real-WordPress tests need MariaDB at {MARIADB} (root, empty password): {exc}"
    return None


@dataclass
class RealWordPress:
    """A running, seeded WordPress; `base_url` is its home, the REST API is under /wp-json/."""

    folder: Path
    base_url: str
    db_name: str
    process: subprocess.Popen
    official_id: int
    official_password: str  # application password of the official account (an editor)
    admin_password: str  # application password of the administrator, for setting up tests
    visitor_password: str  # application password of `warga-uji`, a subscriber
    post_ids: dict[str, int] = field(default_factory=dict)  # seed post key -> id
    comment_ids: dict[str, int] = field(default_factory=dict)  # seed comment key -> id

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/wp-json/wp/v2"

    @property
    def error_log(self) -> Path:
        return self.folder / "php-errors.log"

    def set_option(self, name: str, value) -> None:
        """Change a site option (undone by the next `reset()`)."""
        self._tool("option", name, json.dumps(value))

    def insert_comments(self, comments: list[dict]) -> list[int]:
        """Store many comments at once (wp_insert_comment arguments, `comment_date_gmt` in UTC)."""
        return json.loads(self._tool("comments", json.dumps(comments)))

    def reset(self) -> None:
        """Back to the seeded site (comments, posts, options) as installed."""
        _database("restore", self.db_name)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the server and its workers
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        _database("drop", self.db_name)

    def _tool(self, *args: str) -> str:
        result = subprocess.run(["php", *_php_settings(self.folder), str(HERE / "tools.php"),
                                 str(self.folder / "docroot"), self.base_url, *args],
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"tools.php {args[0]} failed: {result.stderr[-2000:]}{result.stdout[-2000:]}")
        return result.stdout


def start_real_wordpress(folder: Path, now: datetime | None = None, workers: int = 4) -> RealWordPress:
    """Install WordPress into a fresh database, seed it, and serve it on a free loopback port."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    home = f"http://127.0.0.1:{port}"
    db_name = f"tanggap_wp_{uuid4().hex[:10]}"
    docroot = _docroot(folder, home, db_name)
    _database("create", db_name)
    try:
        installed = _install(folder, docroot, home, now or datetime.now(timezone.utc))
        _database("snapshot", db_name)
        process = _serve(folder, docroot, port, workers)
    except BaseException:
        _database("drop", db_name)
        raise
    site = RealWordPress(folder=folder, base_url=home, db_name=db_name, process=process,
                         official_id=installed["official_id"], official_password=installed["passwords"]["official"],
                         admin_password=installed["passwords"]["admin"],
                         visitor_password=installed["passwords"]["visitor"], post_ids=installed["posts"],
                         comment_ids=installed["comments"])

    def answering():
        if process.poll() is not None:
            raise RuntimeError(f"php -S exited:\n{(folder / 'php-server.log').read_text()[-3000:]}")
        try:
            return requests.get(f"{home}/wp-json/", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_until(answering, timeout=30, interval=0.1, what="the real WordPress")
    except BaseException:
        site.stop()
        raise
    return site


def _docroot(folder: Path, home: str, db_name: str) -> Path:
    """Our own document root: Debian's WordPress files by symlink, our config, our content folder."""
    docroot = folder / "docroot"
    docroot.mkdir()
    for entry in WORDPRESS_ROOT.iterdir():
        if entry.name not in ("wp-config.php", "wp-content", ".htaccess"):
            (docroot / entry.name).symlink_to(entry)
    content = docroot / "wp-content"
    for sub in ("plugins", "themes", "uploads", "mu-plugins"):
        (content / sub).mkdir(parents=True)
    shutil.copy(HERE / "mu-plugin.php", content / "mu-plugins" / "tanggap-test.php")
    salts = "\n".join(f"define('{name}', {_php_string('tanggap-uji-' + name.lower())});" for name in _SALT_NAMES)
    (docroot / "wp-config.php").write_text(_CONFIG.format(
        db_name=_php_string(db_name), db_host=_php_string(MARIADB), home=_php_string(home),
        content_dir=_php_string(str(content)), salts=salts), encoding="utf-8")
    return docroot


def _php_string(value: str) -> str:
    """A single-quoted PHP string literal (no interpolation inside)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _install(folder: Path, docroot: Path, home: str, now: datetime) -> dict:
    posts, comments = wordpress_seed(now)

    def gmt(moment: datetime) -> str:
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

    plan = {
        "home": home, "title": "BBPP Ketindan", "description": "Balai Besar Pelatihan Pertanian Ketindan",
        "timezone": TIMEZONE,
        "admin": {"username": ADMIN_USERNAME, "email": "admin-uji@bbppketindan.example",
                  "password": uuid4().hex},
        "official": {"username": OFFICIAL_USERNAME, "name": OFFICIAL_NAME, "email": OFFICIAL_EMAIL},
        "posts": [{"key": p.key, "title": p.title, "slug": p.slug, "content": p.content, "date_gmt": gmt(p.date)}
                  for p in posts],
        "comments": [{"key": c.key, "post_key": c.post_key, "author_name": c.author_name,
                      "author_email": c.author_email, "author_ip": c.author_ip, "content": c.content,
                      "status": c.status, "parent_key": c.parent_key, "official": c.official,
                      "date_gmt": gmt(c.date)} for c in comments],
    }
    plan_file = folder / "plan.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(["php", *_php_settings(folder), str(HERE / "install.php"), str(docroot), str(plan_file)],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"WordPress install failed ({result.returncode}): {result.stderr[-2000:]}"
                           f"{result.stdout[-2000:]}")
    return json.loads(result.stdout)


def _serve(folder: Path, docroot: Path, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "PHP_CLI_SERVER_WORKERS": str(workers)}  # requests in parallel, like php-fpm
    return subprocess.Popen(
        ["php", *_php_settings(folder), "-S", f"127.0.0.1:{port}", "-t", str(docroot), str(HERE / "router.php")],
        cwd=docroot, env=env, stdout=open(folder / "php-server.log", "w"), stderr=subprocess.STDOUT,
        start_new_session=True,  # one process group: stop() ends the workers with it
    )


def _php_settings(folder: Path) -> list[str]:
    # Errors go to a log, never into a JSON answer; opcache keeps each request quick.
    return ["-d", "display_errors=0", "-d", "log_errors=1", "-d", f"error_log={folder / 'php-errors.log'}",
            "-d", "opcache.enable=1", "-d", "opcache.enable_cli=1", "-d", "memory_limit=256M"]


def _database(action: str, name: str) -> None:
    result = subprocess.run(["php", str(HERE / "database.php"), action, MARIADB, name],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"database {action} {name} failed: {result.stderr[-2000:]}{result.stdout[-2000:]}")
